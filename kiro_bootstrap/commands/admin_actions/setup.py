"""`admin setup`: preflight, the plan, and with --apply the changes; then the console checklist."""

from __future__ import annotations

import argparse

from kiro_bootstrap.commands.admin_actions.shared import (
    add_management_account_option,
    aws_call_count,
    open_aws,
)
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.output import Result


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
    """Plan, maybe apply, and list the console steps."""
    from kiro_bootstrap.admin.checklist import build_checklist
    from kiro_bootstrap.admin.preflight import run_preflight
    from kiro_bootstrap.admin.setup import apply_changes, plan_changes

    clients = open_aws(ctx)
    found = run_preflight(
        clients, ctx.settings, allow_management_account=args.allow_management_account
    )
    result = Result(checks=found.checks, data={"account": found.caller_account})
    blocking = found.blocking()
    if blocking:
        result.status = ExitStatus.AWS_PRECONDITION
        result.data |= {"changes": [], "applied": False, "aws_calls": aws_call_count(clients)}
        names = ", ".join(check.id for check in blocking)
        result.say(f"Setup stops: fix the failed checks first ({names}).", "fail")
        return result
    changes = plan_changes(found)
    result.data["changes"] = [
        {"id": c.id, "summary": c.summary, "diff": list(c.diff)} for c in changes
    ]
    if not changes:
        result.say("Nothing to change: the AWS side already matches the plan.", "ok")
    else:
        verb = "Applying" if args.apply else "Plan"
        result.say(f"{verb}: {len(changes)} change(s)", "heading")
        for change in changes:
            result.say(f"  + {change.summary}")
            for line in change.diff:
                result.say(f"    {line}", "dim")
        if args.apply:
            apply_changes(clients, found, changes)
            result.say(f"Applied {len(changes)} change(s).", "ok")
        else:
            result.say("Nothing was changed. Run again with --apply to make these changes.", "warn")
    result.data["applied"] = bool(changes) and args.apply
    key = found.key
    if key is not None and not key.readable:
        result.say(f"Give this statement to an administrator of account {key.key_account} "
                   f"for the policy of {key.key_arn}:", "warn")  # fmt: skip
        for line in key.statement_text().splitlines():
            result.say(f"  {line}")
    checklist = build_checklist(
        ctx.settings, found.caller_account, found.management_account, found.instance, found.resolved
    )
    result.data["checklist"] = checklist.data
    result.say("")
    for line in checklist.lines:
        result.say(line)
    result.data["aws_calls"] = aws_call_count(clients)
    return result
