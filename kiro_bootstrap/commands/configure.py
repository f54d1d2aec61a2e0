"""`configure`: write the organisation's settings where Kiro and its tools read them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kiro_bootstrap.commands.remember import add_sign_in_flags, sign_in_flags
from kiro_bootstrap.errors import RetryLaterError
from kiro_bootstrap.output import Result, Tone

if TYPE_CHECKING:
    from kiro_bootstrap.configure.report import ConfigureReport
    from kiro_bootstrap.context import Context


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `configure`."""
    parser = commands.add_parser(
        "configure",
        parents=[common],
        help="write the organisation's Kiro, AWS, MCP and steering settings",
        description="Write managed settings, update policy, settings.json, ~/.aws/config, "
        "mcp.json and steering files. Only our keys change; backups are kept. Without "
        "root/admin the person's files are written and the admin command is printed.",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show the diff of every file; write nothing"
    )
    parser.add_argument(
        "--for-user", metavar="NAME", help="configure this person's files (root/admin only)"
    )
    add_sign_in_flags(parser)
    parser.set_defaults(handler=run, command_name="configure", setting_flags=sign_in_flags)


# A dry run changes nothing: it says what it would do.
_DRY_RUN_WORDS = {"created": "would create", "updated": "would update", "removed": "would remove"}


def render_report(report: ConfigureReport, result: Result, *, verbose: bool) -> None:
    """Add the report's lines: each file's change, diffs (dry run), warnings."""
    for item in report.files:
        tone: Tone = "dim" if item.change == "unchanged" else "plain"
        if item.change == "skipped-needs-admin":
            tone = "warn"
        change = _DRY_RUN_WORDS.get(item.change, item.change) if report.dry_run else item.change
        result.say(f"{change:<20} {item.label}: {item.path}", tone)
        if item.diff and (report.dry_run or verbose):
            for line in item.diff.rstrip("\n").splitlines():
                result.say(f"    {line}", "dim")
    for warning in report.warnings:
        result.say(f"warning: {warning}", "warn")
    if not report.files:
        # Nothing wanted and nothing owned: most likely no organisation config was given.
        result.say(
            "Nothing to configure: the settings ask for nothing on this machine "
            "(pass --start-url URL --idc-region REGION, or --config FILE|URL).",
            "warn",
        )
    elif report.dry_run:
        result.say("Dry run: nothing was written.", "ok")
    elif not report.changed:
        result.say("Everything is already configured.", "ok")


def configuration_lines(report: ConfigureReport) -> list[str]:
    """For install and uninstall: each file that changes (or would), warnings, admin commands."""
    changed = [item for item in report.files if item.change in _DRY_RUN_WORDS]
    if report.dry_run:
        # README: a dry run shows each change and its diff (secrets masked).
        lines = []
        for item in changed:
            lines.append(f"{_DRY_RUN_WORDS[item.change]} {item.label}: {item.path}")
            lines += [f"    {line}" for line in item.diff.rstrip("\n").splitlines()]
    else:
        lines = [f"{item.change} {item.label}: {item.path}" for item in changed]
    lines += [f"warning: {warning}" for warning in report.warnings]
    lines += [f"an administrator must run: {command}" for command in report.admin_commands]
    return lines


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Resolve whose files, find the installed Kiro, configure, report."""
    from kiro_bootstrap.configure.run import configure_user_and_system, validate_identity_center
    from kiro_bootstrap.install.lock import install_lock
    from kiro_bootstrap.install.pipeline import lock_path
    from kiro_bootstrap.privsep.person import person_for_run
    from kiro_bootstrap.state.store import open_status_store

    person = person_for_run(ctx, args.for_user)
    if person.at_login_window:
        raise RetryLaterError(
            "Nobody is signed in at the console: there is no person to configure.",
            hint="Run it again while the person is signed in, or name them with --for-user.",
            code="nobody-signed-in",
        )
    validate_identity_center(ctx)
    if args.dry_run:
        report = configure_user_and_system(ctx, person=person, kiro_version=None, dry_run=True)
    else:
        scope = "system" if ctx.facts.is_admin else "user"
        # The same lock as install: configure never writes beside a running install.
        with install_lock(lock_path(ctx, open_status_store(ctx, person), scope),
                          sleep=ctx.env.sleep):  # fmt: skip
            report = configure_user_and_system(ctx, person=person, kiro_version=None, dry_run=False)
    report.log_actions(ctx.events)
    result = Result(data={"user": person.name, **report.to_json()})
    render_report(report, result, verbose=ctx.options.verbose)
    if not (args.dry_run or person.for_someone_else):
        remember_sign_in(ctx, result)
    _add_next_steps(ctx, person.home, result, report)
    return result


def remember_sign_in(ctx: Context, result: Result) -> None:
    """Save --start-url/--idc-region in the person's own config file (their own run only)."""
    from kiro_bootstrap.commands.remember import remember_flagged_sign_in

    saved = remember_flagged_sign_in(ctx)
    if saved is not None:
        result.data["saved_settings"] = str(saved)
        result.say(f"Saved --start-url and --idc-region in {saved}.", "dim")


def _add_next_steps(ctx: Context, home: Path, result: Result, report: ConfigureReport) -> None:
    from kiro_bootstrap.layout.detect import find_installed_kiro
    from kiro_bootstrap.next_steps import add_next_steps, build_next_steps, situation_of

    installed = find_installed_kiro(ctx.facts, ctx.paths, home, ctx.settings.kiro.version_field)
    situation = situation_of(
        ctx, admin_commands=report.admin_commands, installed=installed is not None
    )
    add_next_steps(result, build_next_steps(situation))
