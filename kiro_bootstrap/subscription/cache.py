"""The last good roster: its exact bytes (re-verified on every use), URL and ETag; for a sharded
roster also the proof pages and shards this machine used (content-addressed, so a shard that did
not change is never fetched again)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiro_bootstrap.files import write_atomic, write_json
from kiro_bootstrap.roster.model import format_timestamp
from kiro_bootstrap.roster.signing import MAX_ROSTER_BYTES
from kiro_bootstrap.subscription.storage import FOLDER_MODE, PUBLIC_MODE

ROSTER_FILE = "roster.json"
META_FILE = "roster.meta.json"
SET_FOLDER = "set"  # the sharded roster's files, flattened: "shards/ab….json" → "shards--ab….json"


@dataclass(frozen=True)
class CachedRoster:
    """A roster that verified when it was stored."""

    data: bytes
    url: str
    etag: str | None
    fetched_at: str


class RosterCache:
    """`roster.json` (the envelope as fetched) beside `roster.meta.json`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self) -> CachedRoster | None:
        """The cached roster, or None when absent or unreadable."""
        try:
            meta = json.loads((self.folder / META_FILE).read_text(encoding="utf-8"))
            with (self.folder / ROSTER_FILE).open("rb") as stream:
                data = stream.read(MAX_ROSTER_BYTES + 1)
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or not isinstance(meta.get("url"), str):
            return None
        etag = meta.get("etag")
        return CachedRoster(
            data, meta["url"], etag if isinstance(etag, str) else None, str(meta.get("fetched_at"))
        )

    def read_file(self, relative: str, limit: int) -> bytes | None:
        """A cached file of the sharded set (verified again by the caller), or None."""
        try:
            with (self.folder / SET_FOLDER / _flat(relative)).open("rb") as stream:
                return stream.read(limit + 1)
        except OSError:
            return None

    def store(
        self,
        data: bytes,
        url: str,
        etag: str | None,
        fetched_at: datetime,
        files: dict[str, bytes] | None = None,
    ) -> None:
        """Keep a roster that just verified, and the set's files it used (replacing the others).

        The files first, then the bytes, then meta: meta never names what is not there.
        """
        keep = {_flat(relative): content for relative, content in (files or {}).items()}
        folder = self.folder / SET_FOLDER
        for name, content in keep.items():
            if self.read_file(name, len(content)) != content:
                write_atomic(folder / name, content, mode=PUBLIC_MODE, folder_mode=FOLDER_MODE)
        if folder.is_dir():
            for stale in folder.iterdir():
                if stale.name not in keep and not stale.name.startswith("."):
                    stale.unlink(missing_ok=True)
        write_atomic(self.folder / ROSTER_FILE, data, mode=PUBLIC_MODE, folder_mode=FOLDER_MODE)
        meta = {"url": url, "etag": etag, "fetched_at": format_timestamp(fetched_at)}
        write_json(self.folder / META_FILE, meta, mode=PUBLIC_MODE, folder_mode=FOLDER_MODE)


def _flat(relative: str) -> str:
    """One file name for a path of the set (never a path that could leave the folder)."""
    return relative.replace("/", "--").replace("\\", "--").lstrip(".")
