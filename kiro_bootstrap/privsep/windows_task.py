"""Windows: run a program as a signed-in person through a scheduled task (SYSTEM cannot
become them the way root forks and drops to a uid)."""

from __future__ import annotations

from collections.abc import Sequence

from kiro_bootstrap import NAME
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import DeploymentError, InstallError, RetryLaterError
from kiro_bootstrap.files import write_atomic
from kiro_bootstrap.host.facts import WindowsSession
from kiro_bootstrap.host.runas import PersonTask, build_person_task, read_task_state
from kiro_bootstrap.host.system_acl import prepare_system_folder
from kiro_bootstrap.host.users import same_user
from kiro_bootstrap.host.windows_sessions import find_session

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
