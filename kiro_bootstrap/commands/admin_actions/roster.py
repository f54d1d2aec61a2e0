"""`admin roster keygen` and `admin roster publish`: the signed subscription roster."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kiro_bootstrap.commands.admin_actions.shared import (
    aws_call_count,
    open_aws,
    open_internal_api,
)
from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiro_bootstrap.admin.directory import DirectoryUser
    from kiro_bootstrap.admin.identity_center import IdcInstance
    from kiro_bootstrap.admin.roster_destination import Destination
    from kiro_bootstrap.admin.roster_publish import Difference
    from kiro_bootstrap.aws.session import AwsClients
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.roster.model import Roster
    from kiro_bootstrap.roster.sharded import RosterIndex

# How many cross-check differences are listed by name before "and N more".
MAX_LISTED_DIFFERENCES = 20


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin roster keygen` and `admin roster publish`."""
    parser = actions.add_parser(
        "roster", parents=[common], help="create the signing key; publish the signed roster"
    )
    roster_actions = parser.add_subparsers(dest="roster_action", metavar="ACTION", required=True)
    keygen = roster_actions.add_parser(
        "keygen",
        parents=[common],
        help="create a roster signing key (OS keyring, or --key-file) and print its public key",
    )
    keygen.add_argument(
        "--key-file", type=Path, metavar="PATH", help="write the private key to a new 0600 file"
    )
    keygen.add_argument(
        "--rotate", action="store_true", help="replace the signing key already in the keyring"
    )
    keygen.set_defaults(handler=run_keygen, command_name="admin roster keygen")
    publish = roster_actions.add_parser(
        "publish",
        parents=[common],
        help="expand [[assignments]] through the directory, sign the roster and publish it",
    )
    publish.add_argument(
        "--dest",
        required=True,
        metavar="FOLDER/|s3://BUCKET/PREFIX/|FILE|s3://BUCKET/KEY",
        help="a folder or key prefix (ends in /): the sharded roster; a file or key: one document",
    )
    publish.add_argument(
        "--key-file", metavar="PATH", help="sign with this key file ('-' reads it from stdin)"
    )
    publish.add_argument(
        "--dry-run", action="store_true", help="print users per plan (never names); publish nothing"
    )
    publish.add_argument(
        "--experimental-internal-api",
        action="store_true",
        help="UNSUPPORTED: cross-check against Kiro's undocumented list-user-subscriptions "
        "endpoint and report differences",
    )
    publish.set_defaults(handler=run_publish, command_name="admin roster publish")


def run_keygen(ctx: Context, args: argparse.Namespace) -> Result:
    """Create the key, store it, print what workstations need."""
    from kiro_bootstrap.roster.keys import create_key_file, generate_key, store_in_keyring
    from kiro_bootstrap.roster.signing import key_id_of, public_key_text

    key = generate_key()
    if args.key_file is not None:
        create_key_file(args.key_file, key)
        stored = f"the key file {args.key_file} (mode 0600)"
    else:
        store_in_keyring(ctx.env.keyring, key, replace=args.rotate)
        stored = "the OS keyring"
    public, key_id = public_key_text(key.public_key()), key_id_of(key.public_key())
    out = Result(
        data={
            "key_id": key_id,
            "public_key": public,
            "stored_in": "file" if args.key_file else "keyring",
            "key_file": str(args.key_file) if args.key_file else None,
        }
    )
    out.say(f"Created roster signing key {key_id}, kept in {stored}.", "ok")
    out.say("Add its public key to the organisation config (keep the old one while rotating):")
    out.say(f'[subscription]\npublic_keys = ["{public}"]')
    return out


def run_publish(ctx: Context, args: argparse.Namespace) -> Result:
    """Resolve, (cross-check,) sign and publish; or count only with --dry-run.

    An assignment the directory does not know never stops the publish: everything that resolves
    is published (workstations keep working), each unresolved one is named, and the exit code
    is 10 so the scheduler alerts.
    """
    from kiro_bootstrap.admin import roster_publish as stage
    from kiro_bootstrap.admin.directory import highest_plans, resolve_what_exists
    from kiro_bootstrap.admin.identity_center import find_instance
    from kiro_bootstrap.admin.roster_destination import parse_destination, read_published
    from kiro_bootstrap.errors import ConfigError, ExitStatus

    destination = parse_destination(args.dest)
    if not ctx.settings.assignments:
        raise ConfigError(
            "No [[assignments]] in the configuration: the roster would be empty.",
            hint="Add [[assignments]] entries (group or user, and plan).",
        )
    key = None if args.dry_run else _signing_key(ctx, args.key_file)
    clients = open_aws(ctx)
    instance = find_instance(clients, ctx.settings)
    started = time.monotonic()
    resolved, unresolved = resolve_what_exists(clients, instance, ctx.settings.assignments)
    seconds = {"resolve": round(time.monotonic() - started, 2)}
    plans = highest_plans(resolved)
    now = ctx.env.clock()
    out = Result(data={"destination": str(destination), "dry_run": args.dry_run,
                       "layout": "sharded" if destination.sharded else "single",
                       "roster_location": destination.roster_location(),
                       "published": False})  # fmt: skip
    out.data["unresolved"] = [
        {"kind": item.kind, "name": item.name, "nearest": item.nearest} for item in unresolved
    ]
    live = stage.inspect_live(read_published(destination, clients), str(destination), now)
    if live is not None:
        out.data["live"] = {"issued_at": live.issued_at, "expires_at": live.expires_at,
                            "key_id": live.key_id, "warning": live.warning}  # fmt: skip
        if live.warning:
            ctx.output.warn(live.warning)
    counts = stage.plan_counts(plans)
    out.data["users_per_plan"] = counts
    out.say(f"{len(plans)} subscribed user(s): "
            + ", ".join(f"{plan} {count}" for plan, count in counts.items()))  # fmt: skip
    for line in stage.describe_unresolved(unresolved):
        out.say(line, "fail")
    if args.experimental_internal_api:
        from kiro_bootstrap.admin.subscribe import live_subscriptions

        api = open_internal_api(ctx, clients, out)
        _report_differences(
            out, stage.cross_check(plans, live_subscriptions(api, ctx.settings, instance))
        )
    if key is None:
        out.say(f"Dry run: nothing published to {destination}.", "dim")
    elif not resolved:
        out.say("No assignment resolves: nothing published (the live roster stays).", "fail")
    else:
        _publish(ctx, out, destination, clients, key, (plans, instance, now))
    if unresolved:
        out.status = ExitStatus.AWS_PRECONDITION
        out.say(f"{len(unresolved)} assignment(s) did not resolve: fix the names in "
                "[[assignments]] (exit 10 so a scheduler alerts).", "warn")  # fmt: skip
    out.data["aws_calls"] = aws_call_count(clients)
    out.data["seconds"] = seconds | out.data.get("seconds", {})
    return out


def _publish(  # noqa: PLR0917 - one call site
    ctx: Context,
    out: Result,
    destination: Destination,
    clients: AwsClients,
    key: Ed25519PrivateKey,
    what: tuple[dict[str, tuple[DirectoryUser, str]], IdcInstance, datetime],
) -> None:
    """Sign and write the roster: the sharded set to a folder or prefix, else one document."""
    from kiro_bootstrap.admin import roster_publish as stage
    from kiro_bootstrap.admin.roster_destination import publish_bytes, publish_set

    plans, instance, now = what
    warning = stage.untrusted_key_warning(key, ctx.settings)
    if warning:
        ctx.output.warn(warning)
    if destination.sharded:
        started = time.monotonic()
        roster_set = stage.build_signed_set(plans, ctx.settings, instance, key, now)
        built = time.monotonic()
        report = publish_set(destination, roster_set, clients, now)
        for warning in report.warnings:
            ctx.output.warn(warning)
        out.data["seconds"] = {"build_and_sign": round(built - started, 2),
                               "write": round(time.monotonic() - built, 2)}  # fmt: skip
        index: RosterIndex | Roster = roster_set.index
        size, shard_count = report.bytes_written, roster_set.index.shard_count
        out.data |= {"publish_id": roster_set.index.publish_id, "shards": shard_count,
                     "shards_written": report.shards_written, "shards_kept": report.shards_kept,
                     "publishes_removed": report.publishes_removed,
                     "principals": roster_set.principals}  # fmt: skip
        detail = (f"{shard_count} shard(s), {report.shards_written} new, "
                  f"{report.shards_kept} unchanged; ")  # fmt: skip
    else:
        roster, data = stage.build_signed_roster(plans, ctx.settings, instance, key, now)
        publish_bytes(destination, data, clients)
        index, size, detail = roster, len(data), ""
        out.data["principals"] = len(roster.entries)
    out.data |= {"key_id": index.key_id, "issued_at": index.issued_at,
                 "expires_at": index.expires_at, "bytes": size, "published": True}  # fmt: skip
    out.say(
        f"Published the roster to {destination} ({detail}{size:,} bytes written, key "
        f"{index.key_id}), valid until {index.expires_at:%Y-%m-%d %H:%M} UTC.",
        "ok",
    )
    if destination.sharded:
        out.say(f"Workstations: roster_url = the URL serving {destination.roster_location()}")


def _signing_key(ctx: Context, key_file: str | None) -> Ed25519PrivateKey:
    """--key-file PATH or - (stdin), else the keyring; loaded before any AWS call."""
    from kiro_bootstrap.roster.keys import load_from_keyring, read_key_file

    if key_file is not None:
        return read_key_file(key_file, ctx.env.stdin, check_mode=ctx.facts.os != "windows")
    return load_from_keyring(ctx.env.keyring)


def _report_differences(out: Result, differences: list[Difference]) -> None:
    """List who differs between the roster and list-user-subscriptions (admins see names)."""
    out.data["differences"] = [
        {"user_name": d.user_name, "roster_plan": d.roster_plan, "live_plan": d.live_plan}
        for d in differences
    ]
    if not differences:
        out.say("Cross-check: the roster matches list-user-subscriptions.", "ok")
        return
    out.say(f"Cross-check: {len(differences)} user(s) differ from list-user-subscriptions "
            "(new group members can take up to 24 h):", "warn")  # fmt: skip
    for difference in differences[:MAX_LISTED_DIFFERENCES]:
        out.say(f"  {difference.user_name}: roster {difference.roster_plan or '-'}, "
                f"subscribed {difference.live_plan or '-'}")  # fmt: skip
    if len(differences) > MAX_LISTED_DIFFERENCES:
        out.say(f"  … and {len(differences) - MAX_LISTED_DIFFERENCES} more (see --json).")
