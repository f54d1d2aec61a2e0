"""`uninstall`: remove the Kiro we installed and the configuration keys we own."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `uninstall`."""
    parser = commands.add_parser(
        "uninstall",
        parents=[common],
        help="remove the Kiro we installed and the settings we wrote",
        description="Remove what kiro-bootstrap installed, restore what it replaced and give "
        "back only the configuration keys it owns. Kiro's user data stays unless --purge.",
    )
    parser.add_argument(
        "--purge", action="store_true", help="also remove Kiro's user data (settings, ~/.kiro)"
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would be removed")
    parser.add_argument("--for-user", metavar="NAME", help="uninstall for this person")
    parser.add_argument(
        "--close-running", action="store_true", help="close a running Kiro (unsaved work is lost)"
    )
    parser.set_defaults(handler=run, command_name="uninstall")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Remove and report."""
    from kiro_bootstrap.commands.configure import configuration_lines
    from kiro_bootstrap.install.removal import remove_kiro

    outcome = remove_kiro(
        ctx,
        for_user=args.for_user,
        purge=args.purge,
        dry_run=args.dry_run,
        close_running=args.close_running,
    )
    for change in outcome.changes:
        ctx.events.action(change, dry_run=args.dry_run)
    if outcome.configure is not None:
        outcome.configure.log_actions(ctx.events)
    result = Result(
        data={
            "user": outcome.user,
            "dry_run": args.dry_run,
            "purge": args.purge,
            "removed": outcome.removed_versions,
            "changes": outcome.changes,
            "configure": outcome.configure.to_json() if outcome.configure else None,
            "status_files": [str(path) for path in outcome.status_files],
        }
    )
    verb = "Dry run: would remove" if args.dry_run else "Removed"
    if outcome.removed_versions:
        result.say(f"{verb} Kiro {', '.join(outcome.removed_versions)}.", "ok")
    else:
        result.say("No Kiro installed by kiro-bootstrap was found; nothing to remove.", "ok")
    for change in outcome.changes:
        result.say(f"  {change}")
    if outcome.configure is not None:
        for line in configuration_lines(outcome.configure):
            result.say(line, "warn" if line.startswith("warning") else "plain")
    return result
