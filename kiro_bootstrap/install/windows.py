"""Windows: Kiro's per-user Inno Setup installer, run as the person (a scheduled task when we
are SYSTEM), and its uninstaller from the registry."""

from __future__ import annotations

from collections.abc import Sequence

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import InstallError, RetryLaterError
from kiro_bootstrap.host.runas import (
    build_run_as_user,
    build_task_status_query,
    parse_task_last_result,
)
from kiro_bootstrap.install.job import InstallJob, Placed
from kiro_bootstrap.install.locations import install_prefix

# FACTS §1; /MERGETASKS=!runcode stops the installer launching Kiro when it is done.
INNO_SWITCHES = ("/SP-", "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/MERGETASKS=!runcode")
UNINSTALL_SWITCHES = ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")
INSTALLER_TIMEOUT_SECONDS = 900.0
TASK_POLL_SECONDS = 2.0
TASK_STEP_TIMEOUT_SECONDS = 60.0
TASK_NAME = "kiro-bootstrap-install"


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


def require_signed_in_user(ctx: Context, user: str) -> None:
    """Under SYSTEM, somebody must be signed in for a per-user install: else exit 7."""
    from kiro_bootstrap.host.users import same_user

    if ctx.facts.is_system and same_user(user, ctx.facts.current_user, ctx.facts):
        raise RetryLaterError(
            "Nobody is signed in: Kiro installs per user, so there is nobody to install it for.",
            hint="Run again when the person is signed in, or name them with --for-user.",
            code="nobody-signed-in",
        )


def run_as_person(ctx: Context, user: str, argv: Sequence[str], *, timeout: float) -> int:
    """Run `argv` as `user` and return its exit code (a scheduled task when we are not them)."""
    runner = ctx.env.runner
    steps = build_run_as_user(ctx.facts, user, argv, task_name=TASK_NAME)
    if len(steps) == 1:
        return runner(steps[0], timeout=timeout).returncode
    create, start, delete = steps
    try:
        for step in (create, start):
            done = runner(step, timeout=TASK_STEP_TIMEOUT_SECONDS)
            if not done.ok:
                raise InstallError(
                    f"Cannot start a task as {user}: {done.stderr.strip() or done.returncode}."
                )
        waited = 0.0
        while waited < timeout:
            status = runner(build_task_status_query(TASK_NAME), timeout=TASK_STEP_TIMEOUT_SECONDS)
            code = parse_task_last_result(status.stdout) if status.ok else None
            if code is not None:
                return code
            ctx.env.sleep(TASK_POLL_SECONDS)
            waited += TASK_POLL_SECONDS
        raise InstallError(f"The task run as {user} did not finish within {timeout:g} s.")
    finally:
        runner(delete, timeout=TASK_STEP_TIMEOUT_SECONDS)


def install_inno(job: InstallJob) -> Placed:
    """Run the verified installer as the person; Inno Setup undoes its own failed install."""
    ctx = job.ctx
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
