"""The guided onboarding: verdict, sign-in settings, the plan, one confirmation, the install."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from kiro_bootstrap import NAME, __version__
from kiro_bootstrap.errors import ExitStatus, KiroBootstrapError
from kiro_bootstrap.onboarding.prompts import Prompter

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context, Environment, GlobalOptions
    from kiro_bootstrap.output import Output

COMMAND = "onboarding"
Flags = dict[str, tuple[Any, str]]


def run_onboarding(
    parser: argparse.ArgumentParser, args: argparse.Namespace, env: Environment, output: Output
) -> int:
    """Guide a person from nothing to a signed-in Kiro; the window stays until Enter if ours."""
    from kiro_bootstrap.onboarding.console import console_opened_for_us

    prompter = Prompter(env.stdin, env.stdout)
    output.interactive = True
    try:
        code = _onboard(parser, args, env, output, prompter)
    except KiroBootstrapError as error:
        output.emit_error(COMMAND, error)
        code = int(error.exit_status)
    except KeyboardInterrupt:
        prompter.say()
        code = int(ExitStatus.INTERRUPTED)
    opened = env.console_owner() if env.console_owner else None
    if opened is None:
        opened = console_opened_for_us(env.host_facts().os, env.environ)
    if opened:
        prompter.ask("Press Enter to close.")
    return code


def _onboard(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    env: Environment,
    output: Output,
    prompter: Prompter,
) -> int:
    from kiro_bootstrap.commands.remember import remember_flagged_sign_in
    from kiro_bootstrap.context import GlobalOptions, build_context
    from kiro_bootstrap.doctor.host_checks import is_supported
    from kiro_bootstrap.doctor.run import run_doctor

    options = GlobalOptions.from_args(args)
    ctx = build_context(options, env, output, {})
    prompter.say(f"{NAME} {__version__}: set up Kiro for {ctx.facts.current_user}")
    prompter.say()
    checks = run_doctor(ctx)
    for check in checks:
        if check.status in ("warn", "fail") and check.id != "idc-start-url":
            prompter.say(f"  {check.status:<4} {check.summary}")
    if not is_supported(checks):
        prompter.say("Kiro cannot run on this machine (see above). Nothing was changed.")
        return int(ExitStatus.HOST_UNSUPPORTED)
    prompter.say("This machine can run Kiro.")
    if ctx.settings.identity_center.start_url is None:
        flags = ask_sign_in(ctx, prompter)
        if flags is None:
            prompter.say("No start URL: nothing was changed. Ask your administrator for it.")
            return int(ExitStatus.USAGE)
        ctx = build_context(options, env, output, flags)
        saved = remember_flagged_sign_in(ctx)
        if saved is not None:
            prompter.say(f"Saved in {saved}.")
    describe_plan(ctx, prompter)
    if not (getattr(args, "yes", False) or prompter.confirm("Go ahead?")):
        prompter.say("Nothing was changed.")
        return int(ExitStatus.OK)
    return _install(ctx, parser, options, output)


def _install(
    ctx: Context, parser: argparse.ArgumentParser, options: GlobalOptions, output: Output
) -> int:
    from kiro_bootstrap.commands import install
    from kiro_bootstrap.logs import start_run_log, stop_run_log

    install_args = parser.parse_args(["install"])
    ctx.log_file = start_run_log(ctx.paths.log_dir, COMMAND, ctx.env.clock())
    try:
        result = install.run(ctx, install_args)
    finally:
        stop_run_log()
    output.emit("install", result)
    return int(result.status)


def _check_start_url(answer: str) -> str | None:
    from pydantic import ValidationError

    from kiro_bootstrap.settings.model import IdentityCenter

    try:
        IdentityCenter(start_url=answer)
    except ValidationError as error:
        return "The start URL " + error.errors()[0]["msg"].removeprefix("Value error, ") + "."
    return None


def _check_region(answer: str) -> str | None:
    from kiro_bootstrap.settings.regions import is_known_region

    return None if is_known_region(answer) else f"{answer!r} is not an AWS region."


def ask_sign_in(ctx: Context, prompter: Prompter) -> Flags | None:
    """No organisation settings: offer a sign-in from ~/.aws/config, else ask for one."""
    from kiro_bootstrap.configure.aws_sessions import find_sso_sessions

    prompter.say("No organisation settings were found (no kiro-bootstrap.toml beside me).")
    for session in find_sso_sessions(ctx.facts.home / ".aws" / "config"):
        if session.region is None or _check_start_url(session.start_url) is not None:
            continue  # an offer must be complete and valid, or it is no offer
        where = f"~/.aws/config [sso-session {session.name}]"
        if prompter.confirm(f"Use {session.start_url} ({session.region}) from {where}?"):
            return sign_in_flags(session.start_url, session.region)
    start_url = prompter.ask_valid(
        "Your organisation's start URL (https://…awsapps.com/start):", _check_start_url
    )
    if start_url is None:
        return None
    region = prompter.ask_valid("Its IAM Identity Center region (e.g. eu-west-1):", _check_region)
    return None if region is None else sign_in_flags(start_url, region)


def sign_in_flags(start_url: str, region: str) -> Flags:
    """The answers as settings with the flags' origin."""
    return {
        "identity_center.start_url": (start_url, "--start-url"),
        "identity_center.region": (region, "--idc-region"),
    }


def describe_plan(ctx: Context, prompter: Prompter) -> None:
    """What will be installed and configured, on one screen."""
    from kiro_bootstrap.layout.locations import install_prefix, resolve_scope
    from kiro_bootstrap.layout.targets import host_target

    settings = ctx.settings
    scope = resolve_scope(settings.install.scope, ctx.facts)
    where = install_prefix(scope, ctx.facts, ctx.paths, ctx.facts.home)
    version = settings.release.version
    idc = settings.identity_center
    prompter.say()
    prompter.say("The plan:")
    prompter.say(f"  install Kiro {version} ({host_target(ctx.facts)}, {scope} scope) in {where}")
    prompter.say(f"  configure the sign-in: {idc.start_url} (IDC region {idc.region})")
    extras = [
        f"{len(settings.mcp.servers)} MCP server(s)" if settings.mcp.servers else "",
        f"{len(settings.steering.files)} steering file(s)" if settings.steering.files else "",
    ]
    shared = ", ".join(item for item in extras if item)
    prompter.say(
        "  configure Kiro's settings and ~/.aws/config" + (f"; {shared}" if shared else "")
    )
    if settings.subscription.roster_url:
        prompter.say("  confirm your Kiro subscription with the organisation's roster")
    prompter.say()
