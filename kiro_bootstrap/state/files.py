"""Read the JSON state files, tolerant of damage; their modes (`files.write_json` writes them)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

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
