"""System folders for machine-wide files: root's alone on POSIX, an explicit DACL on Windows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiro_bootstrap.configure.files import FOLDER_MODE
from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.files import make_folders
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.runner import Runner

ROOT_ACCOUNT = "root"
Chown = Callable[[Path, str], None]
# Well-known SIDs, so the commands work in every display language of Windows.
SID_SYSTEM = "*S-1-5-18"
SID_ADMINISTRATORS = "*S-1-5-32-544"
SID_USERS = "*S-1-5-32-545"
# (OI)(CI): files and folders created inside inherit the same rights.
INHERITED = "(OI)(CI)"


def windows_acl_commands(folder: Path) -> list[list[str]]:
    """icacls argv giving `folder` to Administrators with exactly: SYSTEM and Administrators
    full control, Users read. A folder a person created before us (owner and own rights)
    is corrected: the owner changes, /reset drops explicit rights, /inheritance:r the rest.
    """
    target = str(folder)
    return [
        ["icacls", target, "/setowner", SID_ADMINISTRATORS],
        ["icacls", target, "/reset"],
        ["icacls", target, "/inheritance:r", "/grant:r",
         f"{SID_SYSTEM}:{INHERITED}F", f"{SID_ADMINISTRATORS}:{INHERITED}F",
         f"{SID_USERS}:{INHERITED}RX"],
    ]  # fmt: skip


def prepare_system_folder(folder: Path, *, facts: HostFacts, runner: Runner, chown: Chown) -> None:
    """Create `folder` if needed and make sure only administrators can change what is in it."""
    make_folders(folder, mode=FOLDER_MODE)
    if facts.os == "windows":
        for argv in windows_acl_commands(folder):
            completed = runner(argv)
            if not completed.ok:
                reason = (completed.stderr or completed.stdout).strip().splitlines()
                raise DeploymentError(
                    f"Could not secure {folder} (icacls {argv[2]}: "
                    f"{reason[0] if reason else f'exit {completed.returncode}'}); "
                    "nothing was written there.",
                    hint="Run from an elevated prompt, or remove the folder and run again.",
                )
        return
    status = folder.stat()
    if status.st_uid != 0:
        chown(folder, ROOT_ACCOUNT)  # a folder someone else made would let them swap our file
    if status.st_mode & 0o022:
        folder.chmod(FOLDER_MODE)
