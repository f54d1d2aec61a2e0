"""Unpack a Kiro tar.gz into a staging folder, refusing anything that could escape it.

Every member is checked before it is written: no absolute paths, no `..`, no links pointing
outside the single top folder, no devices or FIFOs, no oversized members. tarfile's own
"data" filter runs as a second guard. A refused archive leaves nothing behind (the caller's
staging folder is removed).
"""

from __future__ import annotations

import posixpath
import shutil
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap.errors import VerificationError

MAX_MEMBER_BYTES = 4 * 1024**3  # Kiro's largest file is well under 1 GiB
MAX_UNPACKED_BYTES = 8 * 1024**3  # the whole unpacked tree (Kiro is ~1 GiB)
MAX_MEMBERS = 200_000
_ALLOWED_TYPES = (
    tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE,
)  # fmt: skip


@dataclass
class _Tally:
    """What the members seen so far add up to."""

    top: str | None = None
    total_bytes: int = 0
    members: int = 0


def _refuse(archive: Path, why: str) -> VerificationError:
    return VerificationError(
        f"Refusing to unpack {archive.name}: {why}.",
        hint="The archive is not a Kiro build we can trust; nothing was installed.",
        code="unsafe-archive",
    )


def _clean_name(name: str) -> str | None:
    """The member's normalised relative name, or None when it is absolute or climbs out."""
    if not name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return None
    if "\\" in name or any(part == ".." for part in name.split("/")):
        return None
    cleaned = posixpath.normpath(name)
    return None if cleaned.startswith("..") or cleaned == "." else cleaned


def _check_member(archive: Path, member: tarfile.TarInfo, top: str | None) -> str:
    """Validate one member; returns its top folder."""
    name = _clean_name(member.name)
    if name is None:
        raise _refuse(archive, f"member {member.name!r} has an absolute path or '..'")
    if member.type not in _ALLOWED_TYPES:
        raise _refuse(archive, f"member {name!r} is a device, FIFO or other special file")
    if member.size > MAX_MEMBER_BYTES:
        raise _refuse(archive, f"member {name!r} is larger than {MAX_MEMBER_BYTES} bytes")
    first = name.split("/", 1)[0]
    if top is not None and first != top:
        raise _refuse(archive, f"member {name!r} is outside the top folder {top!r}")
    if member.issym():
        link = member.linkname
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
        if link.startswith("/") or resolved.split("/", 1)[0] != first or resolved == "..":
            raise _refuse(archive, f"link {name!r} points outside the archive ({link!r})")
    if member.islnk():
        target = _clean_name(member.linkname)
        if target is None or target.split("/", 1)[0] != first:
            raise _refuse(archive, f"hard link {name!r} points outside the archive")
    if "/" not in name and not member.isdir():
        raise _refuse(archive, f"member {name!r} is not inside a top folder")
    return first


def unpack_tarball(
    archive: Path, staging: Path, *, on_first_file: Callable[[], None] | None = None
) -> Path:
    """Unpack `archive` into the empty folder `staging`; returns the archive's top folder."""
    staging.mkdir(parents=True, exist_ok=False)
    tally = _Tally()

    def checked(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
        announced = False
        for member in tar:
            tally.top = _check_member(archive, member, tally.top)
            tally.total_bytes += member.size
            tally.members += 1
            if tally.total_bytes > MAX_UNPACKED_BYTES or tally.members > MAX_MEMBERS:
                raise _refuse(archive, "it unpacks to more than the size or file-count limit")
            yield member
            # Code after `yield` runs once tarfile has written the member.
            if member.isfile() and not announced and on_first_file is not None:
                announced = True
                on_first_file()

    try:
        with tarfile.open(archive, "r|gz") as tar:
            tar.extractall(staging, members=checked(tar), filter="data")
    except VerificationError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise _refuse(archive, f"it is damaged or unsafe ({error})") from None
    if tally.top is None or not (staging / tally.top).is_dir():
        shutil.rmtree(staging, ignore_errors=True)
        raise _refuse(archive, "it holds no top folder")
    return staging / tally.top
