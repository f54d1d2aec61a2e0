"""Windows: Kiro's per-user Inno Setup installer, run as the person (a scheduled task when we
are SYSTEM), and its uninstaller from the registry."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from kiro_bootstrap import NAME
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import DeploymentError, InstallError, RetryLaterError
from kiro_bootstrap.host.runas import PersonTask, build_person_task, read_task_state
from kiro_bootstrap.host.users import same_user
from kiro_bootstrap.host.windows_sessions import WindowsSession, describe_choice, find_session
from kiro_bootstrap.install.job import InstallJob, Placed
from kiro_bootstrap.install.locations import install_prefix

# FACTS §1; /MERGETASKS=!runcode stops the installer launching Kiro when it is done.
INNO_SWITCHES = ("/SP-", "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/MERGETASKS=!runcode")
UNINSTALL_SWITCHES = ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")
INSTALLER_TIMEOUT_SECONDS = 900.0
TASK_POLL_SECONDS = 2.0
TASK_STEP_TIMEOUT_SECONDS = 60.0
# A task Windows accepts but does not start within this (the person signed out, a policy
# holds it) is "not now": exit 7, and the MDM retries.
TASK_START_TIMEOUT_SECONDS = 120.0
# The Task Scheduler stops the program this long after our own deadline, if we are gone.
TASK_TIME_LIMIT_MARGIN_SECONDS = 120.0
TASK_NAME = f"{NAME}-install"
TASK_FOLDER_NAME = "tasks"
TASK_FILE_MODE = 0o600


def for_deletion(path: Path) -> Path:
    """`path` as the delete calls should see it: with the \\\\?\\ prefix on Windows, where
    Kiro's extension trees under AppData pass the 260-character limit."""
    if os.name != "nt":
        return path
    from kiro_bootstrap.host.windows import extended_length_path

    return Path(extended_length_path(str(path)))


def inno_argv(installer: str, *, close_running: bool) -> list[str]:
    """The silent install command line; Kiro is closed by the installer only when asked."""
    closing = "/CLOSEAPPLICATIONS" if close_running else "/NOCLOSEAPPLICATIONS"
    return [installer, *INNO_SWITCHES, closing]


def parse_uninstall_string(text: str) -> str | None:
    """The program of an UninstallString (`"C:\\...\\unins000.exe"` with or without quotes)."""
    text = text.strip()
    if text.startswith('"'):
        end = text.find('"', 1)
        return text[1:end] if end > 1 else None
    return text.split(" /", 1)[0].strip() or None


def require_signed_in_user(ctx: Context, user: str) -> WindowsSession | None:
    """Acting for someone else, they must be signed in with their hive loaded, else exit 7.

    Kiro installs per user: as SYSTEM with nobody signed in there is nobody to act for, and
    with the person signed out their HKCU (Kiro's uninstall key, their proxy) cannot be read,
    so "no uninstall key" would be taken for "not installed". Returns their session; None
    when we act for ourselves.
    """
    facts = ctx.facts
    if same_user(user, facts.current_user, facts):
        if facts.is_system and len(facts.sessions) > 1:
            names = ", ".join(session.account for session in facts.sessions)
            raise RetryLaterError(
                f"{len(facts.sessions)} people are signed in ({names}) and none is active.",
                hint="Name the person to act for with --for-user.",
                code="several-signed-in",
            )
        if facts.is_system:
            raise RetryLaterError(
                "Nobody is signed in: Kiro installs per user, so there is nobody to act for.",
                hint="Run again when the person is signed in, or name them with --for-user.",
                code="nobody-signed-in",
            )
        return None
    if not facts.is_admin:
        raise DeploymentError(
            f"Cannot act for {user} while running as {facts.current_user}.",
            hint="Run as SYSTEM or an administrator, or run the tool as that person.",
        )
    session = find_session(facts.sessions, user)
    if session is None or not session.hive_loaded or not session.sid:
        raise RetryLaterError(
            f"{user} is not signed in (their registry hive is not loaded); nothing was changed.",
            hint="Run again while they are signed in.",
            code="person-not-signed-in",
        )
    return session


def run_as_person(ctx: Context, user: str, argv: Sequence[str], *, timeout: float) -> int:
    """Run `argv` as `user` and return its exit code (a scheduled task when we are not them)."""
    runner = ctx.env.runner
    session = require_signed_in_user(ctx, user)
    if session is None or session.sid is None:
        return runner(argv, timeout=timeout).returncode
    task = _write_task(ctx, session.sid, argv, timeout)
    try:
        for step in (task.create_argv(), task.run_argv()):
            done = runner(step, timeout=TASK_STEP_TIMEOUT_SECONDS)
            if not done.ok:
                raise InstallError(
                    f"Cannot start a task as {user}: {done.stderr.strip() or done.returncode}."
                )
        return _wait_for_task(ctx, task, user, timeout)
    finally:
        runner(task.delete_argv(), timeout=TASK_STEP_TIMEOUT_SECONDS)
        task.xml_file.unlink(missing_ok=True)


def _write_task(ctx: Context, sid: str, argv: Sequence[str], timeout: float) -> PersonTask:
    """The task's XML, in a folder only SYSTEM and Administrators can write (DECISIONS §1)."""
    from kiro_bootstrap.configure.system_acl import prepare_system_folder
    from kiro_bootstrap.files import write_atomic

    folder = ctx.paths.system_state_dir / TASK_FOLDER_NAME
    prepare_system_folder(folder, facts=ctx.facts, runner=ctx.env.runner, chown=ctx.env.chown)
    task = build_person_task(
        TASK_NAME,
        sid,
        argv,
        folder=folder,
        time_limit_seconds=timeout + TASK_TIME_LIMIT_MARGIN_SECONDS,
    )
    write_atomic(task.xml_file, task.xml, mode=TASK_FILE_MODE)
    return task


def _wait_for_task(ctx: Context, task: PersonTask, user: str, timeout: float) -> int:
    waited = 0.0
    while True:
        status = ctx.env.runner(task.query_argv(), timeout=TASK_STEP_TIMEOUT_SECONDS)
        state = read_task_state(status.stdout if status.ok else "")
        if state.exit_code is not None:
            return state.exit_code
        if not state.started and waited >= TASK_START_TIMEOUT_SECONDS:
            raise RetryLaterError(
                f"Windows did not start the task as {user} within "
                f"{TASK_START_TIMEOUT_SECONDS:g} s; nothing was changed.",
                hint="Run again while they are signed in.",
                code="task-not-started",
            )
        if waited >= timeout:
            raise InstallError(f"The task run as {user} did not finish within {timeout:g} s.")
        ctx.env.sleep(TASK_POLL_SECONDS)
        waited += TASK_POLL_SECONDS


def install_inno(job: InstallJob) -> Placed:
    """Run the verified installer as the person; Inno Setup undoes its own failed install."""
    ctx = job.ctx
    choice = describe_choice(ctx.facts.sessions, job.user)
    if choice is not None:
        ctx.output.note(choice, "plain")
    installer = str(job.build.dest_path or job.build.path)
    argv = inno_argv(installer, close_running=job.close_running)
    code = run_as_person(ctx, job.user, argv, timeout=INSTALLER_TIMEOUT_SECONDS)
    if code != 0:
        raise InstallError(
            f"Kiro's installer exited with code {code}; Inno Setup rolled its changes back, so "
            "the previous Kiro (if any) is still in place.",
            hint="Run it again; if it keeps failing, run the installer by hand to see why.",
        )
    return Placed("inno", install_prefix("user", ctx.facts, ctx.paths, job.home))
