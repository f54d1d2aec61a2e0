"""Whether a person (not root) could change a file: its owner and mode, and every parent's."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath

# Folders only Administrators and SYSTEM can write on a default Windows installation.
_WINDOWS_PROTECTED_VARIABLES = ("ProgramFiles", "ProgramFiles(x86)", "SystemRoot")


def person_writable_reason(path: Path) -> str | None:
    """Why a person could change `path` (POSIX), or None when only root could.

    The file and every folder above it must belong to root and be writable by no group or
    other; a world-writable folder with the sticky bit (/tmp) still lets its owner's files be
    swapped, so it counts as writable too.
    """
    for current in (path, *path.parents):
        try:
            info = current.stat()
        except OSError as error:
            return f"{current} cannot be checked ({error.strerror})"
        if info.st_uid != 0:
            return f"{current} belongs to uid {info.st_uid}, not root"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"{current} is writable by its group or by everyone"
    return None


def windows_person_writable_reason(path: PureWindowsPath, environ: Mapping[str, str]) -> str | None:
    """Why a person could change `path` on Windows: anything outside Program Files or Windows."""
    lowered = str(path).lower()
    for name in _WINDOWS_PROTECTED_VARIABLES:
        folder = environ.get(name)
        if folder and lowered.startswith(folder.rstrip("\\").lower() + "\\"):
            return None
    return f"{path} is outside Program Files, where a person may be able to write"


def writable_by_a_person(path: Path, environ: Mapping[str, str], *, os_name: str) -> str | None:
    """The reason a person could change `path` on this OS, or None when it is root-owned."""
    if os_name == "windows" or sys.platform == "win32":
        return windows_person_writable_reason(PureWindowsPath(str(path)), environ)
    # Links are resolved first: what counts is who can change the folders really walked.
    return person_writable_reason(Path(os.path.realpath(path)))
