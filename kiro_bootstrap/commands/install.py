"""`install`: put Kiro on this machine for a person, verified, configured and recorded."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.commands.remember import add_sign_in_flags, sign_in_flags
from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.install.plan import InstallOutcome
    from kiro_bootstrap.subscription.onboarding import AfterInstall

_HEADLINES = {
    "install": "Installed Kiro {version}",
    "upgrade": "Upgraded Kiro {previous} to {version}",
    "downgrade": "Downgraded Kiro {previous} to {version} (--allow-downgrade)",
    "repair": "Finished the interrupted install of Kiro {version}",
    "up-to-date": "Kiro {version} is already installed; nothing to download",
    "ahead-of-pin": "Kiro {previous} is newer than the pinned {version} (it updated itself); "
    "left as it is",
}


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `install`."""
    parser = commands.add_parser(
        "install",
        parents=[common],
        help="install (or update) Kiro and configure it",
        description="Check the host, download and verify Kiro, install it, write the "
        "organisation's configuration and record the result. A rerun on an up-to-date "
        "machine downloads and writes nothing.",
    )
    parser.add_argument("--version", dest="kiro_version", metavar="VERSION", help="pin a version")
    parser.add_argument("--target", help="the build to install (default: this host's)")
    parser.add_argument(
        "--from", dest="source", metavar="DIR|URL", help="a mirror folder or URL to install from"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print every action and change; touch nothing"
    )
    parser.add_argument("--silent", action="store_true", help="never prompt, no progress bars")
    parser.add_argument("--scope", choices=("auto", "user", "system"), help="where to install")
    parser.add_argument("--for-user", metavar="NAME", help="install for this person")
    parser.add_argument(
        "--close-running", action="store_true", help="close a running Kiro (unsaved work is lost)"
    )
    parser.add_argument(
        "--allow-unsupported-os",
        action="store_true",
        help="install even where Kiro is not supported (recorded in the status)",
    )
    parser.add_argument(
        "--allow-downgrade", action="store_true", help="install an older pinned version"
    )
    parser.add_argument(
        "--no-configure", action="store_true", help="install only; write no configuration"
    )
    add_sign_in_flags(parser)
    parser.set_defaults(handler=run, command_name="install", setting_flags=setting_flags)


def setting_flags(args: argparse.Namespace) -> dict[str, tuple[Any, str]]:
    """Flags that take part in settings precedence."""
    flags = sign_in_flags(args)
    if args.kiro_version:
        flags["release.version"] = (args.kiro_version, "--version")
    if args.scope:
        flags["install.scope"] = (args.scope, "--scope")
    return flags


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Run the install pipeline and report it; a failed run is recorded for inventory."""
    from kiro_bootstrap.errors import ExitStatus, KiroBootstrapError
    from kiro_bootstrap.install.status_update import record_failed_install, record_install_error

    if args.silent:
        # What MDM runs: no progress bars, and no colour codes in the logs it keeps.
        ctx.output.interactive = False
        ctx.output.colour = False
    try:
        result, failure = _install(ctx, args)
    except KiroBootstrapError as error:
        if not args.dry_run:
            record_install_error(ctx, args.for_user, error)
        raise
    if failure is not None:
        # Kiro is in place but the run did not succeed (not subscribed): inventory says so.
        result.status = ExitStatus.NOT_SUBSCRIBED
        record_failed_install(ctx, args.for_user, exit_code=int(result.status), reason=failure)
    return result


def validate_configuration(ctx: Context, args: argparse.Namespace) -> None:
    """Check everything configuring will need from the settings before anything is fetched.

    A dry run of the configure stage plans every file (start URL and region together,
    steering sources and front matter, MCP entries, managed settings) and writes nothing: a
    settings problem is exit 2 with nothing downloaded or touched. Any other problem (the
    person, permissions) is left to the run, which reports it where it happens.
    """
    from kiro_bootstrap.errors import ConfigError, KiroBootstrapError
    from kiro_bootstrap.install.configure_step import apply_configuration
    from kiro_bootstrap.privsep.person import person_for_run

    if args.no_configure or args.dry_run:
        return
    try:
        person = person_for_run(ctx, args.for_user)
        apply_configuration(ctx, person=person, kiro_version=None, dry_run=True)
    except ConfigError:
        raise
    except KiroBootstrapError:
        return
    ctx.events.decision("settings valid", "configuring will need nothing the settings lack")


def _install(ctx: Context, args: argparse.Namespace) -> tuple[Result, str | None]:
    """The rendered run, and why it failed although Kiro is in place (None: it did not)."""
    from kiro_bootstrap.install.pipeline import run_install
    from kiro_bootstrap.install.plan import InstallRequest

    validate_configuration(ctx, args)
    request = InstallRequest(
        target=args.target,
        base_url=args.source,
        scope=args.scope,
        for_user=args.for_user,
        dry_run=args.dry_run,
        close_running=args.close_running,
        allow_unsupported_os=args.allow_unsupported_os,
        allow_downgrade=args.allow_downgrade,
        configure=not args.no_configure,
    )
    outcome = run_install(ctx, request)
    _log_actions(ctx, outcome, dry_run=args.dry_run)
    result = render(outcome, dry_run=args.dry_run)
    if args.dry_run:
        return result, None
    from kiro_bootstrap.subscription.onboarding import confirm_after_install

    # The person's sign-in name may differ from the account Kiro went to: --for-user names
    # both; otherwise KIRO_BOOTSTRAP_USER (an MDM-supplied UPN) beats the login name.
    subscription = confirm_after_install(ctx, user=args.for_user)
    render_subscription(ctx, subscription, result)
    from kiro_bootstrap.commands.configure import remember_sign_in

    remember_sign_in(ctx, result)
    _add_next_steps(ctx, outcome, result)
    return result, subscription.failure


def render_subscription(ctx: Context, subscription: AfterInstall, result: Result) -> None:
    """The check's JSON field, its line when subscribed or refused, else its warnings."""
    result.data["subscription"] = subscription.to_json()
    if subscription.error is not None:
        ctx.output.warn(f"could not confirm the subscription: {subscription.error.message}")
    confirmed = subscription.confirmed
    if confirmed is None:
        return
    if confirmed.note:
        ctx.output.warn(confirmed.note)
    if confirmed.subscribed:
        result.say(f"{confirmed.user} is subscribed to Kiro (plan: {confirmed.plan}).", "ok")
    elif subscription.failure is not None:
        result.say(subscription.failure, "fail")
    else:
        ctx.output.warn(f"{confirmed.user} is not subscribed to Kiro.{subscription.ask_for_access}")


def _add_next_steps(ctx: Context, outcome: InstallOutcome, result: Result) -> None:
    from kiro_bootstrap.next_steps import (
        add_next_steps,
        build_next_steps,
        kiro_launcher,
        situation_of,
    )

    pre = outcome.preflight
    launcher = kiro_launcher(ctx, pre.spec.name, pre.scope, pre.home)
    admin = outcome.configure.admin_commands if outcome.configure else []
    situation = situation_of(ctx, shim=launcher, admin_commands=admin)
    add_next_steps(result, build_next_steps(situation))


def _log_actions(ctx: Context, outcome: InstallOutcome, *, dry_run: bool) -> None:
    """What the run did (or would do) to the machine, each with its path, in the run log."""
    for action in outcome.actions:
        ctx.events.action(action, outcome.location, dry_run=dry_run)
    if outcome.decision.changes_build and not dry_run:
        version = outcome.decision.offered
        ctx.events.action(f"put Kiro {version} in place", outcome.location, version=version)
    if outcome.configure is not None:
        outcome.configure.log_actions(ctx.events)
    for path in outcome.status_files:
        ctx.events.action("recorded the result for inventory", path)


def render(outcome: InstallOutcome, *, dry_run: bool) -> Result:
    """The result: one headline, the actions, the verification, the configuration."""
    from kiro_bootstrap.checks import Check
    from kiro_bootstrap.commands.configure import configuration_lines

    pre, decision = outcome.preflight, outcome.decision
    ahead = decision.action == "ahead-of-pin"
    kept = decision.action in ("up-to-date", "ahead-of-pin")
    data: dict[str, Any] = {
        "action": decision.action,
        "dry_run": dry_run,
        "version": decision.installed if kept else decision.offered,
        "offered_version": decision.offered,
        "previous_version": decision.installed,
        "ahead_of_pin": ahead,
        "target": pre.spec.name,
        "scope": pre.scope,
        "user": pre.user,
        "location": str(outcome.location) if outcome.location else None,
        "unsupported_os_allowed": pre.unsupported_os_allowed,
        "actions": outcome.actions,
        "closed": outcome.closed,
        "status_files": [str(path) for path in outcome.status_files],
        "configure": outcome.configure.to_json() if outcome.configure else None,
        "notes": outcome.notes,
    }
    checks = [Check(**item) for item in outcome.verification]
    result = Result(data=data, checks=checks)
    if pre.unsupported_os_allowed:
        result.say("WARNING: this host is not supported by Kiro (--allow-unsupported-os).", "warn")
    if dry_run:
        result.say(f"Dry run ({decision.action}): nothing was changed. The run would:", "heading")
        for action in outcome.actions or ["install nothing (Kiro is in place)"]:
            result.say(f"  {action}")
    else:
        headline = _HEADLINES[decision.action].format(
            version=decision.offered, previous=decision.installed
        )
        where = f" at {outcome.location}" if outcome.location else ""
        result.say(f"{headline} for {pre.user} ({pre.scope}){where}.", "ok")
    for note in outcome.notes:
        result.say(f"warning: {note}", "warn")
    if outcome.configure is not None:
        for line in configuration_lines(outcome.configure):
            result.say(line, "warn" if line.startswith("warning") else "plain")
    return result
