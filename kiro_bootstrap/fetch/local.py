"""Copy a build from a local folder (a mirror on disk) the way a download would: one pass."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kiro_bootstrap.errors import UnavailableError, VerificationError
from kiro_bootstrap.files import make_folders
from kiro_bootstrap.net.http_transfer import Downloaded, discard_part
from kiro_bootstrap.net.limits import CHUNK_BYTES
from kiro_bootstrap.net.progress import ProgressReporter


def copy_to_part(
    source: Path, part: Path, *, cap_bytes: int, progress: ProgressReporter, what: str
) -> Downloaded:
    """Copy `source` into `part`, hashing as it goes; over the cap is exit 5."""
    make_folders(part.parent, mode=0o755)
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as reader, part.open("wb") as sink:
            progress.begin(what, source.stat().st_size, 0)
            while chunk := reader.read(CHUNK_BYTES):
                size += len(chunk)
                _refuse_over_cap(source, size, cap_bytes)
                digest.update(chunk)
                sink.write(chunk)
                progress.advance(len(chunk))
    except OSError as error:
        discard_part(part)
        raise UnavailableError(f"Cannot read {source}: {error.strerror}.") from None
    except VerificationError:
        discard_part(part)
        raise
    finally:
        progress.end()
    return Downloaded(digest.hexdigest(), size)


def _refuse_over_cap(source: Path, size: int, cap_bytes: int) -> None:
    if size > cap_bytes:
        raise VerificationError(f"Refusing {source}: it is larger than the {cap_bytes:,}-byte cap.")


def read_small(source: Path, *, limit: int, what: str) -> bytes:
    """Read a small local file (signature, certificate) whole, refusing oversized ones."""
    try:
        size = source.stat().st_size
        if size > limit:
            raise VerificationError(f"Refusing {what} {source}: larger than {limit:,} bytes.")
        return source.read_bytes()
    except FileNotFoundError:
        raise UnavailableError(f"{what} is missing: {source}.") from None
    except OSError as error:
        raise UnavailableError(f"Cannot read {source}: {error.strerror}.") from None
