"""A running Kiro blocks an install (exit 7) unless --close-running: ask it to quit, wait,
then terminate what is left. Only exact Kiro IDE process names of the person are touched:
another account's program called `kiro` never blocks anyone and is never signalled, unless it
runs the system-wide copy being replaced (matched by its executable's path)."""

from __future__ import annotations

import os

from kiro_bootstrap.context import Context, RunningProcess
from kiro_bootstrap.errors import RetryLaterError
from kiro_bootstrap.host.runas import build_run_as_user
from kiro_bootstrap.host.users import same_user
from kiro_bootstrap.layout.detect import DEFAULT_PROCESS_NAMES, running_kiro
from kiro_bootstrap.privsep.person import Person

CLOSE_GRACE_SECONDS = 20.0  # how long Kiro gets to quit by itself before it is terminated
CLOSE_POLL_SECONDS = 1.0
MACOS_BUNDLE_ID = "dev.kiro.desktop"


def kiro_process_names(ctx: Context) -> list[str]:
    """The configured process names, else the OS defaults (never kiro-cli)."""
    configured = ctx.settings.install.process_names
    return list(configured) if configured else list(DEFAULT_PROCESS_NAMES[ctx.facts.os])


def _belongs_to(ctx: Context, process: RunningProcess, person: Person) -> bool:
    if person.uid is not None and process.uid is not None:
        return process.uid == person.uid
    if process.user is not None:
        return same_user(process.user, person.name, ctx.facts)
    return False


def _runs_system_copy(ctx: Context, process: RunningProcess) -> bool:
    """A process started from the system-wide install (which a system install replaces)."""
    if process.exe is None or ctx.facts.os == "windows":
        return False
    prefixes = [ctx.paths.system("/opt/kiro"), ctx.paths.system("/usr/share/kiro"),
                ctx.paths.system("/Applications/Kiro.app")]  # fmt: skip
    exe = os.path.normpath(process.exe)
    return any(exe.startswith(os.path.normpath(prefix) + os.sep) for prefix in prefixes)


def find_running(ctx: Context, person: Person) -> list[str]:
    """The person's Kiro IDE processes running now (and anyone's running the system copy)."""
    mine = [
        process.name
        for process in ctx.env.processes()
        if _belongs_to(ctx, process, person) or _runs_system_copy(ctx, process)
    ]
    return running_kiro(mine, kiro_process_names(ctx))


def _ask_to_quit(ctx: Context, user: str, names: list[str]) -> None:
    runner, facts = ctx.env.runner, ctx.facts
    if facts.os == "darwin":
        # Quitting through the app lets Kiro prompt about unsaved files, as a person quitting it.
        script = f'tell application id "{MACOS_BUNDLE_ID}" to quit'
        for step in build_run_as_user(facts, user, ["osascript", "-e", script]):
            runner(step)
    elif facts.os == "windows":
        for name in names:  # without /F, taskkill asks the windows to close
            runner(["taskkill", "/FI", f"USERNAME eq {user}", "/IM", name])
    else:
        for name in names:
            runner(["pkill", "-TERM", "-u", user, "-x", name])


def _terminate(ctx: Context, user: str, names: list[str]) -> None:
    runner = ctx.env.runner
    for name in names:
        if ctx.facts.os == "windows":
            runner(["taskkill", "/F", "/FI", f"USERNAME eq {user}", "/IM", name])
        else:
            runner(["pkill", "-KILL", "-u", user, "-x", name])


def ensure_kiro_closed(ctx: Context, person: Person, *, close_running: bool) -> list[str]:
    """Exit 7 when Kiro runs and we may not close it; else close it. Returns what was closed."""
    user = person.name
    running = find_running(ctx, person)
    if not running:
        return []
    if not close_running:
        raise RetryLaterError(
            f"Kiro is running ({', '.join(running)}); it cannot be replaced while it runs.",
            hint="Ask the person to quit Kiro, or pass --close-running (unsaved work may be lost).",
            code="kiro-running",
        )
    ctx.output.warn(
        f"Closing Kiro ({', '.join(running)}) for the install: unsaved work in it may be lost."
    )
    _ask_to_quit(ctx, user, running)
    waited = 0.0
    while (still := find_running(ctx, person)) and waited < CLOSE_GRACE_SECONDS:
        ctx.env.sleep(CLOSE_POLL_SECONDS)
        waited += CLOSE_POLL_SECONDS
    if still:
        ctx.output.warn(f"Kiro did not quit within {CLOSE_GRACE_SECONDS:g} s; terminating it.")
        _terminate(ctx, user, still)
    return running
