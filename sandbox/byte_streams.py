"""Streams for large files: incompressible padding, hashing while writing, atomic output."""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

STREAM_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BuiltFile:
    """What a writer produced: the file's SHA-256 (lowercase hex) and size in bytes."""

    sha256: str
    size: int


class PaddingStream(io.RawIOBase):
    """A readable stream of `size` incompressible bytes, deterministic for a given seed."""

    def __init__(self, seed: str, size: int) -> None:
        """Prepare an AES-CTR keystream (fast: several GB/s) keyed by `seed`."""
        super().__init__()
        key = hashlib.sha256(seed.encode()).digest()
        self._keystream = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
        self._remaining = size

    def readable(self) -> bool:
        """Say this stream can be read."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Return up to `size` bytes of padding (at most one chunk when `size` is negative)."""
        wanted = STREAM_CHUNK_BYTES if size < 0 else size
        count = min(wanted, self._remaining)
        self._remaining -= count
        return self._keystream.update(bytes(count))

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill `buffer` with padding and return how many bytes were written."""
        data = self.read(len(buffer))
        memoryview(buffer)[: len(data)] = data
        return len(data)


class HashingWriter(io.RawIOBase):
    """A write-only wrapper that hashes and counts everything written to the file beneath."""

    def __init__(self, target: BinaryIO) -> None:
        """Wrap `target`."""
        super().__init__()
        self._target = target
        self._hash = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        """Say this stream can be written."""
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        """Hash, count and pass on `data`."""
        self._hash.update(data)
        self.size += len(data)
        self._target.write(data)
        return len(data)

    def result(self) -> BuiltFile:
        """Return the hash and size of what was written so far."""
        return BuiltFile(self._hash.hexdigest(), self.size)


def hash_file(path: Path) -> BuiltFile:
    """Hash a file in chunks (never the whole file in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(STREAM_CHUNK_BYTES):
            digest.update(chunk)
    return BuiltFile(digest.hexdigest(), path.stat().st_size)


@contextlib.contextmanager
def open_part(path: Path) -> Iterator[BinaryIO]:
    """Write to a hidden `.part` file and rename it over `path` only if the block succeeds."""
    part = path.with_name(f".{path.name}.part")
    try:
        with part.open("wb") as stream:
            yield stream
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
