"""A repository is hostile input: `repo init` never follows a link inside the work tree.

A committed `.gitignore` (or `.kiro`, or `.kiro/steering`) can be a symbolic link to
`~/.aws/credentials`; following it would read the person's secrets into a diff and append to
them. Every component of every path `repo init` reads or writes is checked with `lstat` first.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from kiro_bootstrap.errors import UsageError

_HINT = (
    "Look at what the link points to (`ls -l`), remove it or replace it with a real file or "
    "folder, commit that, then run again."
)


def _refuse(relative: str, why: str) -> UsageError:
    return UsageError(f"{relative} {why}: repo init does not follow it; nothing was written.",
                      hint=_HINT)  # fmt: skip


def check_no_links(top: Path, relative: str) -> None:
    """Exit 2, naming it, when a component of `top/relative` is a link or not the right kind.

    Every folder on the way must be a real folder; the file itself a regular file, if present.
    """
    parts = PurePosixPath(relative).parts
    current = top
    for depth, part in enumerate(parts, start=1):
        current = current / part
        shown = "/".join(parts[:depth])
        try:
            found = os.lstat(current)
        except FileNotFoundError:
            return  # nothing further down exists either; it will be created as a real path
        except OSError as error:
            raise _refuse(shown, f"cannot be examined ({error.strerror})") from None
        if stat.S_ISLNK(found.st_mode):
            raise _refuse(shown, "is a symbolic link")
        last = depth == len(parts)
        if not last and not stat.S_ISDIR(found.st_mode):
            raise _refuse(shown, "is not a folder")
        if last and not stat.S_ISREG(found.st_mode):
            raise _refuse(shown, "is not a regular file")
