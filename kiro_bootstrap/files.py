"""Writing a file so that readers see the old bytes or the new ones, never half of either."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(
    path: Path, data: bytes, *, mode: int, prepare: Callable[[Path], None] | None = None
) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over `path`.

    `prepare` runs on the temporary file before the rename (e.g. to give it to its owner), so the
    final name never points at a file with the wrong owner or mode.
    """
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)
        if prepare is not None:
            prepare(temporary)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows cannot open folders for fsync, and needs not."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
