"""`subscription`: is this machine's user subscribed? `subscription token set`: the roster token."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.subscription.result import SubscriptionResult


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `subscription [--user NAME]` and `subscription token set`."""
    parser = commands.add_parser(
        "subscription",
        parents=[common],
        help="confirm the user holds a Kiro subscription (from the signed roster)",
        description="Fetch subscription.roster_url, verify its signature against "
        "subscription.public_keys and look the user up. Exit 8 when not subscribed.",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="whom to check (default: KIRO_BOOTSTRAP_USER, else the signed-in user)",
    )
    parser.set_defaults(handler=run_check, command_name="subscription")
    actions = parser.add_subparsers(dest="subscription_action", metavar="ACTION")
    token = actions.add_parser("token", parents=[common], help="the roster's access token")
    token_actions = token.add_subparsers(dest="token_action", metavar="ACTION", required=True)
    token_set = token_actions.add_parser(
        "set",
        parents=[common],
        help="read a bearer token from stdin into the keyring (a root-only file when run as "
        "root/Administrator)",
    )
    token_set.set_defaults(handler=run_token_set, command_name="subscription token set")


def describe(result: SubscriptionResult, out: Result) -> None:
    """The lines a person reads for a confirmation."""
    if result.note:
        out.say(f"{result.note} (issued {result.issued_at:%Y-%m-%d %H:%M} UTC).", "warn")
    if result.subscribed:
        out.say(f"{result.user} is subscribed to Kiro (plan: {result.plan}).", "ok")
        out.say(f"Looked up: {', '.join(result.looked_up)}.", "dim")
    else:
        out.say(f"{result.user} is not subscribed to Kiro.", "fail")
        out.say(f"Looked up: {', '.join(result.looked_up) or '(no usable name)'}.")
        if result.request_url:
            out.say(f"Ask for access at {result.request_url}")
        out.say("Another name (e.g. your IAM Identity Center user name)? Run "
                "`kiro-bootstrap subscription --user NAME`.")  # fmt: skip
    out.say(f"Roster valid until {result.expires_at:%Y-%m-%d %H:%M} UTC.", "dim")


def run_check(ctx: Context, args: argparse.Namespace) -> Result:
    """Confirm and record the result; exit 8 when the user holds no plan."""
    from kiro_bootstrap.subscription.confirm import choose_user, confirm_subscription
    from kiro_bootstrap.subscription.result import record_result

    confirmed = confirm_subscription(ctx, user=args.user)
    # `status` reports this machine's person; looking someone else up (a helpdesk's
    # `--user NAME`) must not overwrite that record.
    if confirmed.user == choose_user(None, ctx.environ, ctx.facts):
        record_result(confirmed, ctx.facts, ctx.paths)
    out = Result(data={"subscription": confirmed.to_json()})
    if not confirmed.subscribed:
        out.status = ExitStatus.NOT_SUBSCRIBED
    describe(confirmed, out)
    return out


def run_token_set(ctx: Context, _args: argparse.Namespace) -> Result:
    """Store the token from stdin; never echo it."""
    from kiro_bootstrap.subscription.token import read_token_input, store_token

    token = read_token_input(ctx.env.stdin)
    stored = store_token(token, ctx.facts, ctx.paths, ctx.env.keyring)
    out = Result(
        data={"stored_in": stored.where, "path": str(stored.path) if stored.path else None}
    )
    place = f"the root-only file {stored.path}" if stored.path else "your keyring"
    out.say(f"Roster token stored in {place}.", "ok")
    return out
