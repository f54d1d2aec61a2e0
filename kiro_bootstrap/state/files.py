"""Read and write the JSON state files: atomically, never half-written, tolerant of damage."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from kiro_bootstrap.files import write_atomic

STATE_FILE_MODE = 0o644  # MDM inventory scripts (another account) read the status files
STATE_FOLDER_MODE = 0o755
_log = logging.getLogger(__name__)


def read_json_document(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`; None when it is missing or damaged (the state is rebuilt)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        _log.warning("ignoring unreadable state file %s: %s", path, error)
        return None
    return data if isinstance(data, dict) else None


def write_json_atomic(path: Path, document: dict[str, Any], *, mode: int = STATE_FILE_MODE) -> None:
    """Write `document` through a temporary file in the same folder, fsync and rename."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=STATE_FOLDER_MODE)
    text = json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"
    write_atomic(path, text.encode("utf-8"), mode=mode)


def _owner_ids(user: str) -> tuple[int, int] | None:
    """The account's uid and primary gid; None where there are none (Windows, unknown user)."""
    try:
        import pwd
    except ImportError:
        return None
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def hand_over(path: Path, user: str) -> None:
    """Give one file, folder or link (never what a link points at) to `user`; best effort."""
    ids = _owner_ids(user)
    if ids is not None:
        with contextlib.suppress(OSError):  # not root: the file stays ours, still readable
            os.chown(path, *ids, follow_symlinks=False)


def give_to_user(path: Path, user: str, *, stop_at: Path) -> None:
    """Hand `path` and its parents up to `stop_at` to `user` (root writing into a home)."""
    current = path
    while True:
        hand_over(current, user)
        if current in (stop_at, current.parent) or stop_at not in current.parents:
            return
        current = current.parent
