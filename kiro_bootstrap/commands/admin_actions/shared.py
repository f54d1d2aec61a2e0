"""What the admin sub-actions share: options, the AWS clients, the internal-API warning."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from kiro_bootstrap.admin.internal_api import InternalApi
    from kiro_bootstrap.aws.session import AwsClients

INTERNAL_API_HELP = (
    "UNSUPPORTED: call Kiro's undocumented endpoints instead of printing the console checklist; "
    "they may change or break without notice"
)
INTERNAL_API_WARNING = (
    "--experimental-internal-api: calling Kiro's undocumented endpoints (UNSUPPORTED; they may "
    "change or break without notice)"
)


def add_management_account_option(parser: argparse.ArgumentParser) -> None:
    """`--allow-management-account`."""
    parser.add_argument(
        "--allow-management-account",
        action="store_true",
        help="accept running as the organisation's management account (a warning, not a failure)",
    )


def add_internal_api_option(parser: argparse.ArgumentParser) -> None:
    """`--experimental-internal-api`, labelled unsupported."""
    parser.add_argument("--experimental-internal-api", action="store_true", help=INTERNAL_API_HELP)


def open_aws(ctx: Context) -> AwsClients:
    """The run's AWS clients; admin commands cannot run offline."""
    if ctx.options.offline:
        raise UsageError("The admin commands need AWS; drop --offline.")
    from kiro_bootstrap.aws.session import aws_clients

    return aws_clients(ctx)


def open_internal_api(ctx: Context, clients: AwsClients, result: Result) -> InternalApi:
    """The undocumented-endpoint client, announced as unsupported on stderr and in the output."""
    import logging

    from kiro_bootstrap.admin.internal_api import InternalApi
    from kiro_bootstrap.net.client import build_http_client

    ctx.output.warn(INTERNAL_API_WARNING)
    logging.getLogger(__name__).warning(INTERNAL_API_WARNING)
    result.data["unsupported"] = INTERNAL_API_WARNING
    result.say(f"UNSUPPORTED: {INTERNAL_API_WARNING}", "warn")
    return InternalApi(clients, build_http_client(ctx.settings, ctx.facts))


def aws_call_count(clients: AwsClients) -> int:
    """How many AWS API calls this run made (retries not counted again)."""
    return sum(clients.calls.values())
