"""Windows: Kiro's per-user Inno Setup installer, run as the person (a scheduled task when we
are SYSTEM: privsep.windows_task), and its uninstaller from the registry."""

from __future__ import annotations

import os
from pathlib import Path

from kiro_bootstrap.errors import InstallError
from kiro_bootstrap.host.windows import extended_length_path
from kiro_bootstrap.host.windows_sessions import describe_choice
from kiro_bootstrap.install.job import InstallJob, Placed
from kiro_bootstrap.layout.locations import install_prefix
from kiro_bootstrap.privsep.windows_task import run_as_person

# FACTS §1; /MERGETASKS=!runcode stops the installer launching Kiro when it is done.
INNO_SWITCHES = ("/SP-", "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/MERGETASKS=!runcode")
UNINSTALL_SWITCHES = ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")
INSTALLER_TIMEOUT_SECONDS = 900.0


def for_deletion(path: Path) -> Path:
    """`path` as the delete calls should see it: with the \\\\?\\ prefix on Windows, where
    Kiro's extension trees under AppData pass the 260-character limit."""
    if os.name != "nt":
        return path

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
