"""`configure`: write the organisation's settings where Kiro and its tools read them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kiro_bootstrap.errors import UsageError
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


def render_report(report: ConfigureReport, result: Result, *, verbose: bool) -> None:
    """Add the report's lines: each file's change, diffs (dry run), warnings, admin commands."""
    for item in report.files:
        tone: Tone = "dim" if item.change == "unchanged" else "plain"
        if item.change == "skipped-needs-admin":
            tone = "warn"
        result.say(f"{item.change:<20} {item.label}: {item.path}", tone)
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
    from kiro_bootstrap.configure.run import check_may_configure, configure_user_and_system
    from kiro_bootstrap.host.users import home_of, resolve_target_user
    from kiro_bootstrap.install.detect import find_installed_kiro

    user = resolve_target_user(args.for_user, ctx.environ, ctx.facts)
    check_may_configure(ctx, user)
    try:
        home = home_of(user, ctx.facts, fs_root=ctx.paths.root)
    except LookupError as error:
        raise UsageError(f"{error}.", hint="Check --for-user.") from None
    installed = find_installed_kiro(ctx.facts, ctx.paths, home, ctx.settings.kiro.version_field)
    report = configure_user_and_system(
        ctx,
        user=user,
        home=home,
        kiro_version=installed.version if installed else None,
        dry_run=args.dry_run,
    )
    result = Result(data={"user": user, **report.to_json()})
    render_report(report, result, verbose=ctx.options.verbose)
    return result
