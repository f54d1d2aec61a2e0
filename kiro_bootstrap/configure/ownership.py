"""The ownership record: which keys of which files we wrote, what we wrote, what was there before.

Drift is a current value that differs from what we wrote; removal gives back what was there
before, only for keys still holding our value. System files are recorded in the machine's
state folder, a person's files in that person's own state folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiro_bootstrap.configure.files import PRIVATE_MODE
from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.files import write_atomic
from kiro_bootstrap.paths import Paths

RECORD_NAME = "configured.json"
RECORD_VERSION = 1
RECORD_FOLDER_MODE = 0o755  # the machine state folder: status.json in it is for everyone


@dataclass
class OwnedKey:
    """One key we own: the value we wrote and the value it replaced (if there was one)."""

    written: Any
    previous: Any = None
    had_previous: bool = False


@dataclass
class FileRecord:
    """What we own in one file (or registry key)."""

    format: str
    created: bool
    keys: dict[str, OwnedKey] = field(default_factory=dict)
    backup: str | None = None


@dataclass
class Record:
    """Every file one scope (the machine, or one person) has configured, keyed by path."""

    location: Path
    files: dict[str, FileRecord] = field(default_factory=dict)

    def to_json(self) -> str:
        """The record as stable, pretty JSON."""
        files = {path: asdict(entry) for path, entry in sorted(self.files.items())}
        data = {"version": RECORD_VERSION, "files": files}
        return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def system_record_path(paths: Paths) -> Path:
    """The machine's record (managed settings, update policy)."""
    return paths.system_state_dir / RECORD_NAME


def _file_record(data: Mapping[str, Any]) -> FileRecord:
    keys = {name: OwnedKey(**owned) for name, owned in data.get("keys", {}).items()}
    return FileRecord(
        format=str(data["format"]),
        created=bool(data.get("created", False)),
        keys=keys,
        backup=data.get("backup"),
    )


def load_record(location: Path) -> Record:
    """Read a record; a missing one is empty, a damaged one stops the run (exit 2)."""
    try:
        text = location.read_text("utf-8")
    except FileNotFoundError:
        return Record(location)
    try:
        data = json.loads(text)
        files = {path: _file_record(entry) for path, entry in data["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ConfigError(
            f"The configuration record {location} is damaged ({type(error).__name__}).",
            hint="Move it aside and run `kiro-bootstrap configure` again; the backups folder "
            "beside it holds the files as they were.",
        ) from None
    return Record(location, files)


def save_record(record: Record, *, follow_links: bool = False) -> bool:
    """Write the record (or remove it when empty); True when anything on disk changed."""
    if not record.files:
        if record.location.exists():
            record.location.unlink()
            return True
        return False
    text = record.to_json()
    try:
        if record.location.read_text("utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    write_atomic(
        record.location,
        text.encode("utf-8"),
        mode=PRIVATE_MODE,
        follow_links=follow_links,
        folder_mode=RECORD_FOLDER_MODE,
    )
    return True
