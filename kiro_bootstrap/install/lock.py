"""One install at a time: an OS file lock (released by the kernel if the holder dies)."""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from kiro_bootstrap.errors import RetryLaterError
from kiro_bootstrap.files import make_folders

LOCK_WAIT_SECONDS = 10.0  # a second run waits this long for the first, then exit 7
LOCK_POLL_SECONDS = 0.25
LOCK_FILE_MODE = 0o644
LOCK_FOLDER_MODE = 0o755  # the state folder that holds it: status.json is for everyone
LOCKED_CODE = "locked"  # the error code of "another install holds the lock"


def _try_lock(descriptor: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt (imported by name: its stubs exist only there)
        msvcrt = importlib.import_module("msvcrt")
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def install_lock(
    path: Path,
    *,
    sleep: Callable[[float], None],
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[None]:
    """Hold the install lock at `path`; another holder past `wait_seconds` is exit 7."""
    make_folders(path.parent, mode=LOCK_FOLDER_MODE)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, LOCK_FILE_MODE)
    try:
        waited = 0.0
        while not _try_lock(descriptor):
            if waited >= wait_seconds:
                raise RetryLaterError(
                    "Another kiro-bootstrap install is running on this machine.",
                    hint="Wait for it to finish, then run again.",
                    code=LOCKED_CODE,
                )
            sleep(LOCK_POLL_SECONDS)
            waited += LOCK_POLL_SECONDS
        yield
    finally:
        # Closing the descriptor releases the lock (flock and msvcrt alike).
        os.close(descriptor)
