"""`repo init` and `repo check`: Kiro's artefacts shared through a team's Git repository."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kiro_bootstrap.errors import ExitStatus, UsageError
from kiro_bootstrap.output import Result, Tone

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.repo.ignored import IgnoreRule
    from kiro_bootstrap.repo.scaffold import InitPlan

_TONES: dict[str, Tone] = {"unchanged": "dim", "kept-edited": "warn", "kept-removed": "warn"}


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `repo init` and `repo check`."""
    parser = commands.add_parser(
        "repo", parents=[common], help="share Kiro's steering, specs, hooks and MCP servers in Git"
    )
    actions = parser.add_subparsers(dest="repo_action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        parents=[common],
        help="scaffold .kiro/ in a Git work tree (never overwrites what a person changed)",
    )
    init.add_argument("path", nargs="?", default=".", metavar="PATH", help="default: here")
    init.add_argument(
        "--dry-run", action="store_true", help="show every file it would write; write nothing"
    )
    init.set_defaults(handler=run_init, command_name="repo init")
    check = actions.add_parser(
        "check",
        parents=[common],
        help="check .kiro/ for pre-commit and CI (exit 2 on any problem)",
    )
    check.add_argument("path", nargs="?", default=".", metavar="PATH", help="default: here")
    check.set_defaults(handler=run_check, command_name="repo check")


def _render_plan(plan: InitPlan, result: Result, rules: list[IgnoreRule], *, dry_run: bool) -> None:
    from kiro_bootstrap.configure.files import mask_secrets, unified_diff

    for item in plan.files:
        result.say(f"{item.change:<13} {item.relative}", _TONES.get(item.change, "plain"))
        if dry_run and item.writes:
            diff = mask_secrets(unified_diff(Path(item.relative), item.before, item.after))
            for line in diff.rstrip("\n").splitlines():
                result.say(f"    {line}", "dim")
    for sentence in plan.kept:
        result.say(f"left alone: {sentence}", "warn")
    for rule in rules:
        result.say(f"ignored by Git: {rule.advice()}", "warn")
    if dry_run:
        result.say("Dry run: nothing was written.", "ok")
    elif not plan.changed:
        result.say("Nothing to change.", "ok")
    elif rules:
        result.say(
            "Written, but Git ignores part of it: change the ignore rule above first.", "warn"
        )
    else:
        result.say("Review with `git diff`, then commit .kiro/ and .gitignore.", "ok")


def run_init(ctx: Context, args: argparse.Namespace) -> Result:
    """Find the work tree and its forge, plan, write (unless --dry-run), report."""
    from kiro_bootstrap.repo.ignored import ignoring_rules
    from kiro_bootstrap.repo.remote import (
        ForgeFinding,
        ForgeHosts,
        find_forge,
        find_worktree_top,
        origin_url,
    )
    from kiro_bootstrap.repo.scaffold import apply_plan, plan_init

    top = find_worktree_top(Path(args.path), ctx.env.runner)
    url = origin_url(top, ctx.env.runner)
    repo = ctx.settings.repo
    hosts = ForgeHosts(frozenset(repo.github_hosts), frozenset(repo.gitlab_hosts))
    found = find_forge(url, hosts, ctx.env.runner) if url else ForgeFinding(None)
    forge = found.forge
    try:
        plan = plan_init(top, ctx.loaded, forge)
        if not args.dry_run:
            apply_plan(plan)
    except IsADirectoryError as error:
        raise UsageError(
            f"{error.filename} is a folder where repo init needs a file; nothing was written.",
            hint="Move it out of the way (or rename it) and run repo init again.",
        ) from None
    except NotADirectoryError as error:
        raise UsageError(
            f"A part of {error.filename} is a file where repo init needs a folder (such as "
            ".kiro); nothing was written.",
            hint="Move that file out of the way and run repo init again.",
        ) from None
    ours = [item.relative for item in plan.files if item.after is not None]
    rules = ignoring_rules(top, ours, ctx.env.runner)
    result = Result(
        data={
            "root": str(top),
            # Kind and host only: a remote URL can carry credentials.
            "forge": None if forge is None else {"kind": forge.kind, "host": forge.host},
            "dry_run": args.dry_run,
            "changed": plan.changed,
            "files": [{"path": item.relative, "change": item.change} for item in plan.files],
            "kept": plan.kept,
            "ignored": [rule.to_json() for rule in rules],
        }
    )
    if found.note is not None:
        result.say(found.note, "warn")
    elif forge is None:
        result.say("No GitHub or GitLab `origin` remote: no forge MCP server added.", "dim")
    _render_plan(plan, result, rules, dry_run=args.dry_run)
    return result


def run_check(ctx: Context, args: argparse.Namespace) -> Result:
    """Check the work tree's `.kiro/` (or PATH itself outside Git); exit 2 on any problem."""
    from kiro_bootstrap.repo.check import check_repository, count_checked, has_errors, printable
    from kiro_bootstrap.repo.remote import find_worktree_top

    path = Path(args.path)
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder.")
    try:
        top = find_worktree_top(path, ctx.env.runner)
    except UsageError:
        top = path  # an exported tree in CI has no .git: check the folder as given
    problems = check_repository(top)
    failed = has_errors(problems)
    result = Result(
        status=ExitStatus.USAGE if failed else ExitStatus.OK,
        data={
            "root": printable(str(top)),
            "files_checked": count_checked(top),
            "problems": [problem.to_json() for problem in problems],
        },
    )
    for problem in problems:
        result.say(str(problem), "warn" if problem.warning else "fail")
    if not failed:
        warnings = f" ({len(problems)} warnings)" if problems else ""
        result.say(f"{count_checked(top)} Kiro files checked: no problems{warnings}.", "ok")
    return result
