"""`admin iam-policy`: the least-privilege IAM policy for preflight, setup or roster publish."""

from __future__ import annotations

import argparse
import json

from kiro_bootstrap.admin.iam_policy import COMMANDS
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.output import Result


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin iam-policy`."""
    parser = actions.add_parser(
        "iam-policy",
        parents=[common],
        help="print the least-privilege IAM policy for preflight, setup or roster publish",
        description="Derived from the calls each command makes (the management role's own "
        "policy too, when aws.management_role_arn is set). Calls no AWS API.",
    )
    parser.add_argument("policy_for", choices=COMMANDS, metavar="COMMAND", help=", ".join(COMMANDS))
    parser.add_argument(
        "--dest", metavar="PATH|s3://BUCKET/KEY", help="publish: the roster destination"
    )
    parser.add_argument(
        "--experimental-internal-api",
        action="store_true",
        help="publish: include the UNSUPPORTED list-user-subscriptions cross-check",
    )
    parser.set_defaults(handler=run, command_name="admin iam-policy")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Build and print the policy documents."""
    from kiro_bootstrap.admin.iam_policy import command_policy

    object_arn = None
    if args.policy_for == "publish":
        if args.dest is None:
            raise UsageError("iam-policy publish needs --dest (the roster destination).")
        if args.dest.startswith("s3://"):
            object_arn = f"arn:aws:s3:::{args.dest.removeprefix('s3://')}"
    policy = command_policy(
        args.policy_for,
        management_role_arn=ctx.settings.aws.management_role_arn,
        s3_object_arn=object_arn,
        internal_api=args.experimental_internal_api,
    )
    documents = policy.documents()
    result = Result(data={"command": args.policy_for, **documents})
    result.say(f"# IAM policy for whoever runs `kiro-bootstrap admin {args.policy_for}`:", "dim")
    for grant in policy.caller:
        for action, why in grant.actions:
            result.say(f"#   {action:<42} {why}", "dim")
    result.say(json.dumps(documents["policy"], indent=2))
    role = documents["management_role_policy"]
    if role is not None:
        result.say(f"# and for {ctx.settings.aws.management_role_arn} (the key's account; "
                   "scope Resource to the IDC key's ARN):", "dim")  # fmt: skip
        result.say(json.dumps(role, indent=2))
    return result
