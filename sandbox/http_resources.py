"""What the release server can serve, and the HTTP rules for ranges and validators."""

from __future__ import annotations

import email.utils
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

ETAG_HEX_DIGITS = 32
CONTENT_TYPES = {
    ".json": "application/json",
    ".gz": "application/gzip",
    ".deb": "application/vnd.debian.binary-package",
    ".dmg": "application/x-apple-diskimage",
    ".zip": "application/zip",
    ".exe": "application/vnd.microsoft.portable-executable",
    ".pem": "application/x-pem-file",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class RangeNotSatisfiableError(Exception):
    """The client asked for a byte range that lies outside the resource."""


@dataclass(frozen=True)
class Resource:
    """Something servable: its size, validators, type, and how to open it for reading."""

    size: int
    etag: str
    last_modified: int
    content_type: str
    open: Callable[[], BinaryIO]


def bytes_resource(data: bytes, last_modified: int, content_type: str) -> Resource:
    """Wrap in-memory bytes (rendered metadata, a forged signature) as a resource."""
    etag = f'"{hashlib.sha256(data).hexdigest()[:ETAG_HEX_DIGITS]}"'
    return Resource(len(data), etag, last_modified, content_type, lambda: io.BytesIO(data))


def content_type_for(path: str) -> str:
    """Guess a Content-Type from the file name."""
    suffix = path[path.rfind(".") :] if "." in path.rsplit("/", 1)[-1] else ""
    return CONTENT_TYPES.get(suffix, DEFAULT_CONTENT_TYPE)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Return (start, end exclusive) of a single byte range, or None to send the whole body.

    Malformed and multi-range headers are ignored (RFC 9110 allows it) and give None.
    """
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes=") :].strip().partition("-")
    if not _all_digits(first, last):
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiableError(header)
        return max(size - suffix, 0), size
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiableError(header)
    return start, end


def if_range_allows(value: str | None, resource: Resource) -> bool:
    """Say whether a Range may be honoured given If-Range (strong ETag or exact date)."""
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == resource.etag
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    return int(parsed.timestamp()) == resource.last_modified


def _all_digits(*parts: str) -> bool:
    """Say whether every non-empty part is digits and at least one part is given."""
    return any(parts) and all(part.isdigit() for part in parts if part)
