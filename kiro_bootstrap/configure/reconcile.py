"""Bring a document's owned keys to what the organisation wants; give them back on removal.

Planning never touches the disk: it produces a `FilePlan` (bytes before and after, the new
ownership entry, commands to run). `run.py` applies every plan only once all have been made,
so a file that cannot be parsed stops the run before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from kiro_bootstrap.configure.documents import Document, display_key, same_value
from kiro_bootstrap.configure.ownership import FileRecord, OwnedKey

Scope = Literal["system", "user"]


@dataclass(frozen=True)
class Drift:
    """An owned key whose current value differs from what we wrote (`actual` None: missing)."""

    file: Path
    key: str
    expected: Any
    actual: Any


@dataclass
class FilePlan:
    """What one writer will do to one file (or registry key)."""

    path: Path
    scope: Scope
    label: str
    before: bytes | None
    after: bytes | None
    entry: FileRecord | None  # None: we own nothing there any more
    mode: int = 0o644
    commands: list[list[str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the file's bytes (or the registry) would change."""
        return self.before != self.after or bool(self.commands)


def _give_back(doc: Document, key: str, owned: OwnedKey, where: str, warnings: list[str]) -> None:
    """Restore what `key` held before us, unless a person has changed it since."""
    present, current = doc.get(key)
    if not present:
        return
    if not same_value(current, owned.written):
        warnings.append(f"{where}: left {display_key(key)} as it is (changed since we wrote it).")
        return
    if owned.had_previous:
        doc.set(key, owned.previous)
    else:
        doc.delete(key)


def plan_keys(
    *,
    path: Path,
    scope: Scope,
    label: str,
    doc: Document,
    before: bytes | None,
    file_format: str,
    desired: Mapping[str, Any],
    previous: FileRecord | None,
    mode: int = 0o644,
) -> FilePlan:
    """Set each desired key, take ownership of new ones, give back keys no longer wanted."""
    warnings: list[str] = []
    owned = dict(previous.keys) if previous else {}
    for key in [key for key in owned if key not in desired]:
        _give_back(doc, key, owned.pop(key), label, warnings)
    for key, value in desired.items():
        present, current = doc.get(key)
        if key not in owned:
            owned[key] = OwnedKey(written=value, previous=current, had_previous=present)
            if present and not same_value(current, value):
                warnings.append(
                    f"{label}: replacing the value of {display_key(key)} that was there "
                    "(kept, and given back by uninstall)."
                )
        else:
            if present and not same_value(current, owned[key].written):
                warnings.append(f"{label}: putting back {display_key(key)}, changed by hand.")
            owned[key] = replace(owned[key], written=value)
        if not present or not same_value(current, value):
            doc.set(key, value)
    created = previous.created if previous else before is None
    after = doc.render() if doc.changed else before
    if created and not owned and doc.is_empty():
        after = None
    entry = None
    if owned:
        entry = FileRecord(file_format, created, owned, previous.backup if previous else None)
    return FilePlan(path, scope, label, before, after, entry, mode, doc.commands(), warnings)


def plan_removal(
    *, path: Path, scope: Scope, label: str, doc: Document, before: bytes | None, entry: FileRecord
) -> FilePlan:
    """Give back every owned key; remove the file when we created it and nothing is left."""
    warnings: list[str] = []
    for key, owned in entry.keys.items():
        _give_back(doc, key, owned, label, warnings)
    after = doc.render() if doc.changed else before
    if entry.created and doc.is_empty():
        after = None
    return FilePlan(path, scope, label, before, after, None, 0o644, doc.commands(), warnings)


def find_drift(path: Path, doc: Document, entry: FileRecord) -> list[Drift]:
    """Owned keys whose value is no longer the one we wrote."""
    drifts = []
    for key, owned in entry.keys.items():
        present, current = doc.get(key)
        if not present or not same_value(current, owned.written):
            drifts.append(Drift(path, display_key(key), owned.written, current))
    return drifts
