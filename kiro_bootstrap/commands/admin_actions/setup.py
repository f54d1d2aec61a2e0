"""`admin setup`: preflight, the plan, and with --apply the changes; then the console checklist."""

from __future__ import annotations

import argparse

from kiro_bootstrap.commands.admin_actions.shared import (
    add_management_account_option,
    aws_call_count,
    open_aws,
)
from kiro_bootstrap.context import Context
from kiro_bootstrap.output import Result, Tone


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin setup`."""
    parser = actions.add_parser(
        "setup",
        parents=[common],
        help="plan (and with --apply make) the AWS changes, then print the console checklist",
        description="Runs preflight, then plans: create missing service-linked roles, add "
        "Kiro's statement to a customer managed IDC key's policy. Nothing changes without --apply; "
        "a second run says there is nothing to change.",
    )
    parser.add_argument("--apply", action="store_true", help="make the planned changes")
    add_management_account_option(parser)
    parser.set_defaults(handler=run, command_name="admin setup")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Plan, maybe apply and re-check, list what stays pending and the console steps."""
    from kiro_bootstrap.admin.checklist import build_checklist
    from kiro_bootstrap.admin.preflight_checks import run_preflight
    from kiro_bootstrap.admin.setup_plan import apply_changes, pending_steps, plan_changes
    from kiro_bootstrap.commands.admin_actions.preflight import exit_status, verdict

    clients = open_aws(ctx)
    allow = args.allow_management_account
    found = run_preflight(clients, ctx.settings, allow_management_account=allow)
    blocking = found.blocking()
    if blocking:
        result = verdict(found, clients)
        result.data |= {"changes": [], "applied": False, "pending": []}
        names = ", ".join(check.id for check in blocking)
        result.say(f"Setup stops: fix the failed checks first ({names}).", "fail")
        return result
    changes = plan_changes(found)
    before = [{"id": c.id, "summary": c.summary, "diff": list(c.diff)} for c in changes]
    lines: list[tuple[str, Tone]] = []
    if changes:
        verb = "Applying" if args.apply else "Plan"
        lines.append((f"{verb}: {len(changes)} change(s)", "heading"))
        for change in changes:
            lines.append((f"  + {change.summary}", "plain"))
            lines += [(f"    {line}", "dim") for line in change.diff]
    if changes and args.apply:
        apply_changes(clients, found, changes)
        applied = f"Applied {len(changes)} change(s); the checks above were run again after."
        lines.append((applied, "ok"))
        found = run_preflight(clients, ctx.settings, allow_management_account=allow)
    result = verdict(found, clients) if args.apply else Result(checks=found.checks)
    result.lines[:0] = [(tone, text) for text, tone in lines]
    if not args.apply:
        result.status = exit_status(found, ignore_fixable=True)
    result.data |= {"account": found.caller_account, "changes": before,
                    "applied": bool(changes) and args.apply}  # fmt: skip
    if changes and not args.apply:
        result.say("Nothing was changed. Run again with --apply to make these changes.", "warn")
    pending = pending_steps(found, planned=not args.apply)
    result.data["pending"] = [step.to_json() for step in pending]
    for step in pending:
        result.say(f"Pending ({step.who}): {step.what}", "warn")
        for line in step.detail:
            result.say(f"  {line}")
    if not changes and not pending:
        result.say("Nothing to change: the AWS side already matches the plan.", "ok")
    checklist = build_checklist(
        ctx.settings, found.caller_account, found.management_account, found.instance, found.resolved
    )
    result.data["checklist"] = checklist.data
    result.say("")
    for line in checklist.lines:
        result.say(line)
    result.data["aws_calls"] = aws_call_count(clients)
    return result
