"""The last good roster: its exact bytes (re-verified on every use), URL and ETag."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiro_bootstrap.roster.model import format_timestamp
from kiro_bootstrap.roster.signing import MAX_ROSTER_BYTES
from kiro_bootstrap.subscription.storage import PUBLIC_MODE, write_atomically

ROSTER_FILE = "roster.json"
META_FILE = "roster.meta.json"


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

    def store(self, data: bytes, url: str, etag: str | None, fetched_at: datetime) -> None:
        """Keep a roster that just verified (the bytes first, so meta never names missing bytes)."""
        write_atomically(self.folder / ROSTER_FILE, data, PUBLIC_MODE)
        meta = {"url": url, "etag": etag, "fetched_at": format_timestamp(fetched_at)}
        write_atomically(self.folder / META_FILE, json.dumps(meta).encode(), PUBLIC_MODE)
