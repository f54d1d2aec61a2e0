"""`status`: the fleet state, installed version and place, drift, last run (exit per state)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.output import Result
from kiro_bootstrap.redact import redact_value

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.status.installation import InstallationStatus


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `status`."""
    parser = commands.add_parser(
        "status",
        parents=[common],
        help="show what is installed and whether it is compliant",
        description="The fleet state, installed version and location, target, drift of every "
        "key we own, last run. Exit 0 compliant, 3 unsupported, 8 not subscribed, 11 not "
        "installed, 12 unconfigured, pending-admin, behind, drifted or failed. What it finds is "
        "recorded in the status files for inventory (MDM).",
    )
    parser.add_argument("--for-user", metavar="NAME", help="report for this person")
    parser.add_argument(
        "--inventory",
        action="store_true",
        help="record for inventory and exit 0 whatever the state (for scheduled jobs)",
    )
    parser.set_defaults(handler=run, command_name="status")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Inspect, report, and record what was found (never a failure of `status` itself)."""
    from kiro_bootstrap.state.fleet import STATUS_EXIT, fix_for, state_of
    from kiro_bootstrap.status.check_update import record_check
    from kiro_bootstrap.status.installation import inspect_installation
    from kiro_bootstrap.subscription.onboarding import last_subscription_summary

    status = inspect_installation(ctx, args.for_user)
    result = render(status, verbose=ctx.output.verbose or ctx.output.json_mode)
    _add_unconfigured_and_next_steps(ctx, status, result)
    result.data["subscription"] = last_subscription_summary(ctx)
    result.say(describe_last(result.data["subscription"]), "dim")
    from kiro_bootstrap.configure.update_policy import policy_delivery

    policy = policy_delivery(ctx.settings, ctx.facts.os)
    result.data["policy"] = policy
    result.say(f"Kiro policies: {policy['delivery']} at {policy['location']} (unverified).", "dim")
    record, written = record_check(ctx, status)
    state = state_of(record)
    fix = fix_for(state, user=status.user)
    result.data.update(
        state=state,
        state_fix=fix,
        host=record.extra.get("host"),
        organisation=record.extra.get("organisation"),
        hostname=record.extra.get("hostname"),
        status_files=[str(path) for path in written],
    )
    result.lines.insert(0, ("ok" if state == "compliant" else "fail", f"State: {state}."))
    if fix is not None:
        result.say(f"To fix ({fix['who']}): {fix['what']}: {fix['command']}", "dim")
    # The one place status picks its exit code: from the fleet state (README, DECISIONS §4).
    result.status = ExitStatus.OK if args.inventory else STATUS_EXIT[state]
    return result


def describe_last(summary: dict[str, Any] | None) -> str:
    """The last subscription check as one line."""
    if summary is None:
        return "subscription: not checked yet (run `kiro-bootstrap subscription`)"
    state = f"plan {summary['plan']}" if summary["subscribed"] else "NOT subscribed"
    return f"subscription: {summary['user']} {state} (checked {summary['checked_at']})"


def _data(status: InstallationStatus) -> dict[str, Any]:
    current, last = status.current, status.snapshot.user
    record = current.record if current else None
    return {
        "user": status.user,
        "installed": status.installed,
        "version": current.version if current else None,
        "location": str(current.location) if current and current.location else None,
        "target": status.spec.name if status.spec else None,
        "scope": status.scope,
        "installed_by_us": record is not None,
        "install": record.to_json() if record else None,
        "wanted_version": status.wanted,
        "wanted_note": status.wanted_note,
        "behind": status.behind,
        "ahead_of_pin": status.ahead_of_pin,
        "drift": [
            {
                "file": str(item.file),
                "key": item.key,
                "expected": redact_value(item.key, item.expected),
                "actual": redact_value(item.key, item.actual),
            }
            for item in status.drift
        ],
        "last_run": (
            {
                "command": last.last_command,
                "exit_code": last.last_exit_code,
                "at": last.last_run_at,
                "error": last.last_error,
                "agent_version": last.agent_version,
            }
            if last and last.last_command
            else None
        ),
        "last_check": last.last_check if last else None,
    }


def render(status: InstallationStatus, *, verbose: bool = False) -> Result:
    """The lines a person reads; the verification checks of the install only with -v."""
    from kiro_bootstrap.checks import Check

    data = _data(status)
    record = status.current.record if status.current else None
    checks = [Check(**item) for item in record.verification] if record else []
    # The checks were made once, at install time: repeating them on every status is noise.
    result = Result(data=data, checks=checks if verbose else [])
    if not status.installed:
        result.say(f"Kiro is not installed for {status.user}.", "fail")
    else:
        by = "by kiro-bootstrap" if record else "not by kiro-bootstrap"
        result.say(
            f"Kiro {data['version']} ({data['target']}, {data['scope']} scope) at "
            f"{data['location']}, installed {by}.",
            "ok",
        )
        if record and checks and not verbose:
            passed = sum(1 for check in checks if check.status == "pass")
            result.say(f"Verified at install: {passed} of {len(checks)} checks passed (-v).", "dim")
        if record and record.unsupported_os_allowed:
            result.say(
                "Installed on a host Kiro does not support (--allow-unsupported-os).", "warn"
            )
        if status.ahead_of_pin:
            result.say(f"Ahead of the pinned {status.wanted}: Kiro updated itself.", "warn")
        if status.behind:
            result.say(f"Behind: {status.wanted} is wanted ({status.wanted_note}).", "fail")
        elif status.wanted is None and status.wanted_note:
            result.say(f"Note: {status.wanted_note}.", "dim")
    for item in status.drift:
        # None: the key is gone, or the file no longer parses (every owned key then drifts).
        actual, expected = (
            redact_value(item.key, item.actual),
            redact_value(item.key, item.expected),
        )
        now = "missing or unreadable" if actual is None else repr(actual)
        result.say(f"Drift: {item.key} in {item.file} is {now}, we wrote {expected!r}.", "fail")
    last = status.snapshot.user
    if last is not None and last.last_command:
        because = f": {last.last_error}" if last.last_error else ""
        result.say(
            f"Last run: {last.last_command} at {last.last_run_at} "
            f"(exit {last.last_exit_code}{because}).",
            "fail" if last.last_exit_code else "dim",
        )
    return result


def _add_unconfigured_and_next_steps(
    ctx: Context, status: InstallationStatus, result: Result
) -> None:
    """Without organisation settings an installed Kiro is never compliant (exit 12)."""
    from kiro_bootstrap.next_steps import (
        add_next_steps,
        build_next_steps,
        kiro_launcher,
        situation_of,
    )

    unconfigured = status.installed and ctx.settings.identity_center.start_url is None
    result.data["unconfigured"] = unconfigured
    if unconfigured:
        result.say(
            "Unconfigured: no organisation settings (no IAM Identity Center start URL).", "fail"
        )
    target = status.spec.name if status.spec else None
    situation = situation_of(
        ctx,
        shim=kiro_launcher(ctx, target, status.scope, status.home),
        drift=bool(status.drift),
        installed=status.installed,
    )
    add_next_steps(result, build_next_steps(situation))
