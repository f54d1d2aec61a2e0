"""Read and write the JSON state files: atomically, never half-written, tolerant of damage."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from kiro_bootstrap.files import make_folders, write_atomic

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
    make_folders(path.parent, mode=STATE_FOLDER_MODE)
    text = json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"
    write_atomic(path, text.encode("utf-8"), mode=mode)
