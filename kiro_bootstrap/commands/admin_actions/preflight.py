"""`admin preflight`: read-only checks of the AWS side."""

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
    from kiro_bootstrap.admin.preflight import run_preflight

    clients = open_aws(ctx)
    found = run_preflight(
        clients, ctx.settings, allow_management_account=args.allow_management_account
    )
    result = Result(
        status=ExitStatus.AWS_PRECONDITION if found.failed else ExitStatus.OK,
        data={
            "verdict": "blocked" if found.failed else "ready",
            "account": found.caller_account,
            "aws_calls": aws_call_count(clients),
        },
        checks=found.checks,
    )
    if found.key is not None and not found.key.granted:
        result.data["kms_statement"] = found.key.statement
    if found.failed:
        result.say("Verdict: not ready (see the failed checks).", "fail")
    else:
        result.say("Verdict: the AWS side is ready for Kiro.", "ok")
    return result
