"""`configure`: write the organisation's settings where Kiro and its tools read them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

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
    parser.set_defaults(handler=run, command_name="configure")


# A dry run changes nothing: it says what it would do.
_DRY_RUN_WORDS = {"created": "would create", "updated": "would update", "removed": "would remove"}


def render_report(report: ConfigureReport, result: Result, *, verbose: bool) -> None:
    """Add the report's lines: each file's change, diffs (dry run), warnings, admin commands."""
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
    if report.admin_commands:
        result.say("An administrator must run:", "heading")
        for command in report.admin_commands:
            result.say(f"    {command}")
    if not report.files:
        # Nothing wanted and nothing owned: most likely no organisation config was given.
        result.say(
            "Nothing to configure: the settings ask for nothing on this machine "
            "(set identity_center.start_url and region, or pass --config FILE).",
            "warn",
        )
    elif report.dry_run:
        result.say("Dry run: nothing was written.", "ok")
    elif not report.changed:
        result.say("Everything is already configured.", "ok")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Resolve whose files, find the installed Kiro, configure, report."""
    from kiro_bootstrap.configure.run import configure_user_and_system, validate_identity_center
    from kiro_bootstrap.host.person import person_for_run
    from kiro_bootstrap.install.lock import install_lock
    from kiro_bootstrap.install.pipeline import lock_path
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
    return result
