"""`admin subscriptions`: who is (or will be) subscribed, with plan and status."""

from __future__ import annotations

import argparse

from kiro_bootstrap.commands.admin_actions.shared import (
    add_internal_api_option,
    aws_call_count,
    open_aws,
    open_internal_api,
)
from kiro_bootstrap.context import Context
from kiro_bootstrap.output import Result


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin subscriptions`."""
    parser = actions.add_parser(
        "subscriptions",
        parents=[common],
        help="list who [[assignments]] subscribes (groups expanded), or with "
        "--experimental-internal-api who is subscribed",
    )
    add_internal_api_option(parser)
    parser.set_defaults(handler=run, command_name="admin subscriptions")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """List users, plans and status."""
    from kiro_bootstrap.admin.directory import list_users, resolve_assignments
    from kiro_bootstrap.admin.identity_center import find_instance
    from kiro_bootstrap.admin.subscribe import configured_subscriptions, live_subscriptions

    clients = open_aws(ctx)
    account = clients.caller_account()
    instance = find_instance(clients, ctx.settings)
    result = Result(data={"account": account, "instance_arn": instance.instance_arn})
    if args.experimental_internal_api:
        api = open_internal_api(ctx, clients, result)
        names = {user.user_id: user for user in list_users(clients, instance)}
        rows = live_subscriptions(api, ctx.settings, instance, names)
        result.data["source"] = "internal-api"
    else:
        resolved = resolve_assignments(clients, instance, ctx.settings.assignments)
        rows = configured_subscriptions(resolved)
        result.data["source"] = "assignments"
        result.say("From [[assignments]] and the directory; the console's own state is not "
                   "readable through a public API.", "dim")  # fmt: skip
    result.data["subscriptions"] = rows
    width = max((len(str(row["user_name"])) for row in rows), default=4)
    for row in rows:
        via = ", ".join(row["via"])
        result.say(
            f"{row['user_name']!s:<{width}}  {row['plan']!s:<8}  {row['status']!s:<10}  {via}"
        )
    result.say(f"{len(rows)} user(s).")
    result.data["aws_calls"] = aws_call_count(clients)
    return result
