"""`admin subscribe`: apply `[[assignments]]` (checklist; or UNSUPPORTED internal endpoints)."""

from __future__ import annotations

import argparse

from kiro_bootstrap.commands.admin_actions.shared import (
    add_internal_api_option,
    aws_call_count,
    open_aws,
    open_internal_api,
)
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.output import Result


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin subscribe`."""
    parser = actions.add_parser(
        "subscribe",
        parents=[common],
        help="subscribe [[assignments]]: print the console checklist (no public API exists)",
        description="Resolves every [[assignments]] group and user, then prints the console "
        "checklist. With --experimental-internal-api (UNSUPPORTED) it creates the profile and "
        "the assignments through Kiro's undocumented endpoints instead.",
    )
    add_internal_api_option(parser)
    parser.add_argument(
        "--prune",
        action="store_true",
        help="with --experimental-internal-api: delete assignments not in [[assignments]]",
    )
    parser.set_defaults(handler=run, command_name="admin subscribe")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Resolve, then print the checklist or call the endpoints."""
    from kiro_bootstrap.admin.checklist import build_checklist
    from kiro_bootstrap.admin.directory import resolve_assignments
    from kiro_bootstrap.admin.identity_center import find_instance
    from kiro_bootstrap.admin.subscribe import subscribe

    if args.prune and not args.experimental_internal_api:
        raise UsageError("--prune needs --experimental-internal-api.")
    clients = open_aws(ctx)
    account = clients.caller_account()
    instance = find_instance(clients, ctx.settings)
    resolved = resolve_assignments(clients, instance, ctx.settings.assignments)
    result = Result(data={"account": account, "instance_arn": instance.instance_arn})
    if not args.experimental_internal_api:
        checklist = build_checklist(ctx.settings, account, None, instance, resolved)
        result.data |= {"mode": "checklist", "checklist": checklist.data}
        for line in checklist.lines:
            result.say(line)
    else:
        api = open_internal_api(ctx, clients, result)
        outcomes = subscribe(api, ctx.settings, instance, resolved, prune=args.prune)
        result.data["mode"] = "internal-api"
        result.data["outcomes"] = [{"what": o.what, "action": o.action} for o in outcomes]
        for outcome in outcomes:
            changed = outcome.action in ("created", "deleted")
            result.say(f"{outcome.action:<8} {outcome.what}", "ok" if changed else "plain")
    result.data["aws_calls"] = aws_call_count(clients)
    return result
