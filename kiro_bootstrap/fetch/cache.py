"""The content-addressed build cache: blobs named by SHA-256, an index from release to digest.

Where: the user's cache folder; when running as root/Administrator (MDM) the system one
(`/var/cache/kiro-bootstrap`, `/Library/Caches/kiro-bootstrap`,
`C:\\ProgramData\\kiro-bootstrap\\cache`), which only administrators can write, so a plain user
cannot plant a build that a privileged install would then pick up.

Blobs are not fsynced: every cache hit hashes the blob again before it is trusted, so a blob cut
short by a crash is found, dropped and downloaded again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kiro_bootstrap import NAME
from kiro_bootstrap.files import make_folders, write_atomic, write_json
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.paths import Paths

CACHE_FOLDER = "builds"
SYSTEM_CACHE = {
    "linux": f"/var/cache/{NAME}",
    "darwin": f"/Library/Caches/{NAME}",
    "windows": f"C:\\ProgramData\\{NAME}\\cache",
}
INDEX_NAME = "index.json"
INDEX_SCHEMA = 1
BLOB_MODE = 0o644  # a mirror's web server (another user) reads hardlinks of these
FOLDER_MODE = 0o755


@dataclass(frozen=True)
class CacheEntry:
    """What the index remembers of one release file set."""

    artifact: str  # sha256
    size: int
    signature: str | None = None  # sha256 of the cached signature.bin
    certificate: str | None = None  # sha256 of the cached certificate.pem


def cache_folder(facts: HostFacts, paths: Paths) -> Path:
    """The system cache when running privileged, else the user's."""
    if facts.is_admin:
        return paths.system(SYSTEM_CACHE[facts.os]) / CACHE_FOLDER
    return paths.user_cache_dir / CACHE_FOLDER


class BuildCache:
    """Blobs under `blobs/`, resumable downloads under `partial/`, and `index.json`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def blob(self, sha256: str) -> Path:
        """Where the blob with this digest lives."""
        return self.root / "blobs" / sha256[:2] / sha256

    def partial(self, key: str, file_name: str) -> Path:
        """The `.part` file a download of `key` resumes from (in a folder of its own)."""
        folder = hashlib.sha256(key.encode()).hexdigest()[:32]
        return self.root / "partial" / folder / f"{file_name}.part"

    def lookup(self, key: str) -> CacheEntry | None:
        """The entry recorded for `key` whose blobs are all present, or None."""
        raw = self._read_index().get(key)
        if not isinstance(raw, dict):
            return None
        try:
            entry = CacheEntry(**raw)
        except TypeError:
            return None
        needed = [entry.artifact, entry.signature, entry.certificate]
        if not all(self.blob(digest).is_file() for digest in needed if digest):
            return None
        return entry

    def read_small(self, sha256: str | None) -> bytes | None:
        """A small blob's bytes (signature, certificate), checked against its name."""
        if sha256 is None:
            return None
        data = self.blob(sha256).read_bytes()
        return data if hashlib.sha256(data).hexdigest() == sha256 else None

    def adopt(self, part: Path, sha256: str) -> Path:
        """Move a verified download into the blob store (a rename on the same filesystem)."""
        target = self.blob(sha256)
        self._make_folder(target.parent)
        part.chmod(BLOB_MODE)
        part.replace(target)
        return target

    def store_small(self, data: bytes) -> str:
        """Store a small file by digest; return the digest."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.blob(sha256)
        if not target.is_file():
            self._make_folder(target.parent)
            write_atomic(target, data, mode=BLOB_MODE)
        return sha256

    def forget_blob(self, sha256: str) -> None:
        """Drop a blob that no longer matches its name."""
        with contextlib.suppress(OSError):
            self.blob(sha256).unlink()

    def record(self, key: str, entry: CacheEntry) -> None:
        """Remember `key` -> `entry` in the index (an atomic rewrite)."""
        index = self._read_index()
        index[key] = asdict(entry)
        self._make_folder(self.root)
        document = {"schema": INDEX_SCHEMA, "entries": index}
        write_json(self.root / INDEX_NAME, document, mode=0o644)

    def _read_index(self) -> dict[str, Any]:
        try:
            document = json.loads((self.root / INDEX_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        entries = document.get("entries") if isinstance(document, dict) else None
        return entries if isinstance(entries, dict) else {}

    def _make_folder(self, folder: Path) -> None:
        make_folders(folder, mode=FOLDER_MODE)


def place_at(source: Path, target: Path) -> bool:
    """Put `source` at `target` as a hardlink (atomic replace); copy only across filesystems.

    Returns True when it had to copy.
    """
    make_folders(target.parent, mode=0o755)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    copied = False
    try:
        try:
            os.link(source, temporary)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            shutil.copyfile(source, temporary)
            copied = True
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return copied
