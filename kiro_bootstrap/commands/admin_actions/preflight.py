"""`admin preflight`: read-only checks of the AWS side."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kiro_bootstrap.commands.admin_actions.shared import (
    add_management_account_option,
    aws_call_count,
    open_aws,
)
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from kiro_bootstrap.admin.preflight import Preflight
    from kiro_bootstrap.aws.session import AwsClients

VERDICTS = {
    ExitStatus.OK: "ready",
    ExitStatus.AWS_PRECONDITION: "blocked",
    ExitStatus.UNAVAILABLE: "unavailable",
}


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin preflight`."""
    parser = actions.add_parser(
        "preflight",
        parents=[common],
        help="check the AWS side (read-only); exit 10 if a check fails",
        description="Caller, management-account guard, profile region, IDC instance and region, "
        "identity store, [[assignments]], service-linked roles and IDC encryption.",
    )
    add_management_account_option(parser)
    parser.set_defaults(handler=run, command_name="admin preflight")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Run the checks and give the verdict."""
    from kiro_bootstrap.admin.preflight_checks import run_preflight

    clients = open_aws(ctx)
    found = run_preflight(
        clients, ctx.settings, allow_management_account=args.allow_management_account
    )
    result = verdict(found, clients)
    if found.key is not None and not found.key.granted:
        result.data["kms_statement"] = found.key.statement
    return result


def exit_status(found: Preflight, *, ignore_fixable: bool = False) -> ExitStatus:
    """A definite failure or a denied action (10) wins over AWS being unavailable (4)."""
    failed = found.blocking() if ignore_fixable else found.failed
    if failed or found.denied_actions():
        return ExitStatus.AWS_PRECONDITION
    return ExitStatus.UNAVAILABLE if found.errored else ExitStatus.OK


def verdict(found: Preflight, clients: AwsClients) -> Result:
    """The table, the verdict line, the denied actions and, when not ready, a JSON `error`."""
    status = exit_status(found)
    result = Result(
        status=status,
        data={
            "verdict": VERDICTS[status],
            "account": found.caller_account,
            "denied_actions": found.denied_actions(),
            "failed_calls": [failure.to_json() for failure in found.failures],
        },
        checks=found.checks,
    )
    if status == ExitStatus.OK:
        result.say("Verdict: the AWS side is ready for Kiro.", "ok")
    elif found.failed:
        result.say("Verdict: not ready (see the failed checks).", "fail")
    elif found.denied_actions():
        result.say("Verdict: not ready: AWS denied calls preflight needs (see ERR above).", "fail")
    else:
        result.say("Verdict: not known: AWS could not answer some checks (see ERR above); "
                   "retry later.", "fail")  # fmt: skip
    denied = found.denied_actions()
    if denied:
        result.say(f"AWS denied these IAM actions: {', '.join(denied)}", "fail")
        result.say("  Grant them to the identity you run as (`kiro-bootstrap admin iam-policy "
                   "preflight` prints the whole policy), then run again.", "dim")  # fmt: skip
    if status != ExitStatus.OK:
        failing = [c.id for c in found.checks if c.status in ("fail", "error")]
        refusal = next(iter(found.refusals.values()), None)
        if refusal is not None:
            error = {"code": refusal.code, "message": refusal.message, "hint": refusal.hint}
        else:
            error = {
                "code": "aws-access-denied" if denied else VERDICTS[status],
                "message": f"Preflight: {', '.join(failing)} did not pass.",
                "hint": f"Grant {', '.join(denied)}." if denied else "See checks.",
            }
        result.data["error"] = error
    result.data["aws_calls"] = aws_call_count(clients)
    return result
