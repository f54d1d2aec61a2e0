"""`admin export`: the AWS side as CloudFormation or Terraform, for stacks that own it."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.output import Result

FORMATS = ("cloudformation", "terraform")
EXPORT_MODE = 0o644  # a template holds no secret


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin export`."""
    parser = actions.add_parser(
        "export",
        parents=[common],
        help="write the AWS side as a CloudFormation template or a Terraform module",
        description="Service-linked roles, the roster bucket (versioned, private, encrypted, "
        "written by the publisher) behind CloudFront with origin access control, and Kiro's KMS "
        "statement as a snippet to merge into the IDC key's own stack. Calls no AWS API.",
    )
    parser.add_argument("--format", required=True, choices=FORMATS, help="the output format")
    parser.add_argument(
        "--output", type=Path, metavar="PATH", help="write to this file (default: stdout)"
    )
    parser.add_argument(
        "--account",
        metavar="ACCOUNT_ID",
        help="the account that holds the Kiro profile, for the key statement's aws:SourceAccount",
    )
    parser.set_defaults(handler=run, command_name="admin export")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Render the chosen format; write it or print it."""
    from kiro_bootstrap.admin.export_cloudformation import cloudformation_template
    from kiro_bootstrap.admin.export_terraform import terraform_module
    from kiro_bootstrap.admin.kms_policy import kiro_statement
    from kiro_bootstrap.files import write_atomic

    if args.account is not None and not (len(args.account) == 12 and args.account.isdigit()):
        raise UsageError(f"--account {args.account!r} is not a 12-digit AWS account id.")
    add_condition = ctx.settings.kms.add_source_account_condition and args.account is not None
    statement = kiro_statement(ctx.settings.kms.statement, args.account if add_condition else None)
    render = cloudformation_template if args.format == "cloudformation" else terraform_module
    text = render(statement)
    result = Result(data={"format": args.format, "kms_statement": statement})
    if ctx.settings.kms.add_source_account_condition and args.account is None:
        ctx.output.warn("no --account: the key statement has no aws:SourceAccount condition")
    if args.output is None:
        result.data["text"] = text
        result.say(text.rstrip("\n"))
        return result
    write_atomic(args.output, text.encode(), mode=EXPORT_MODE)
    result.data["path"] = str(args.output)
    result.say(f"Wrote the {args.format} export to {args.output} ({len(text):,} bytes).", "ok")
    return result
