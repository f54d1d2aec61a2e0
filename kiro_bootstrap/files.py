"""The one way files are written: atomically, with an explicit mode, never through a link.

Readers see the old bytes or the new ones, never half of either. The temporary file is created
with O_EXCL | O_NOFOLLOW inside a folder opened component by component with O_NOFOLLOW, so a
link planted anywhere on the path (a folder or the file itself) is refused, not followed; the
rename then replaces whatever name stands there (a planted link included) without writing
through it. Modes never depend on the umask: the file is fchmod-ed before it gets its name.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kiro_bootstrap.errors import DeploymentError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_TEMPORARY_ATTEMPTS = 16
_HASH_CHUNK_BYTES = 1024 * 1024


def refuse_link(path: Path) -> DeploymentError:
    """The error for a link found where we write (exit 9)."""
    return DeploymentError(
        f"{path} is a symbolic link (or a folder on its way is); it was not followed.",
        hint="Remove the link, or run the command as the account that owns it.",
        code="link-refused",
    )


@contextlib.contextmanager
def open_folder(folder: Path, *, follow_links: bool) -> Iterator[int | None]:
    """A descriptor of `folder` reached without following links (None on Windows)."""
    if os.name == "nt":
        yield None
        return
    if follow_links:
        descriptor = os.open(folder, os.O_RDONLY | _DIRECTORY)
    else:
        descriptor = _walk_without_links(folder)
    try:
        yield descriptor
    finally:
        os.close(descriptor)


def _walk_without_links(folder: Path) -> int:
    absolute = Path(os.path.abspath(folder))  # noqa: PTH100 - resolve() would follow links
    descriptor = os.open(absolute.anchor or "/", os.O_RDONLY | _DIRECTORY)
    try:
        for part in absolute.parts[1:]:
            try:
                child = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=descriptor)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):  # a link (or not a folder)
                    raise refuse_link(folder) from None
                raise
            os.close(descriptor)
            descriptor = child
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def make_folders(folder: Path, *, mode: int) -> list[Path]:
    """Create `folder` and missing parents with exactly `mode`; return those created."""
    missing: list[Path] = []
    current = folder
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=mode)
        except FileExistsError:
            continue
        path.chmod(mode)  # mkdir's mode is masked by the umask; ours is not
    return list(reversed(missing))


def write_atomic(
    path: Path,
    data: bytes,
    *,
    mode: int,
    follow_links: bool | None = None,
    prepare: Callable[[int], None] | None = None,
    folder_mode: int | None = None,
) -> None:
    """Write via an O_EXCL temporary in the same folder, fchmod, fsync, rename over `path`.

    `follow_links` is for a person writing their own files (dotfile links are theirs to have);
    None means: follow only when this process is not root; root never writes through a link.
    `prepare` gets the temporary's descriptor before the rename (e.g. to fchown it), so the
    final name never points at a file with the wrong owner. `folder_mode`: create the missing
    folders on the way with that mode first.
    """
    if folder_mode is not None:
        make_folders(path.parent, mode=folder_mode)
    if os.name == "nt":
        _write_atomic_windows(path, data, mode=mode)
        return
    if follow_links is None:
        follow_links = os.geteuid() != 0
    with open_folder(path.parent, follow_links=follow_links) as folder:
        name, descriptor = _create_temporary(path.name, folder)
        try:
            os.fchmod(descriptor, mode)
            if prepare is not None:
                prepare(descriptor)
            _write_all(descriptor, data)
            os.fsync(descriptor)
            os.close(descriptor)
            descriptor = -1
            os.replace(name, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            if descriptor >= 0:
                os.close(descriptor)
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=folder)
            raise
        with contextlib.suppress(OSError):
            os.fsync(folder)  # type: ignore[arg-type]


def write_json(
    path: Path,
    document: Mapping[str, Any],
    *,
    mode: int,
    folder_mode: int | None = None,
    follow_links: bool | None = None,
) -> None:
    """Write `document` as indented JSON with sorted keys and a final newline, atomically."""
    text = json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"
    write_atomic(
        path, text.encode("utf-8"), mode=mode, follow_links=follow_links, folder_mode=folder_mode
    )


def _create_temporary(base: str, folder: int | None) -> tuple[str, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMPORARY_ATTEMPTS):
        name = f".{base}.{secrets.token_hex(6)}.tmp"
        try:
            return name, os.open(name, flags, 0o600, dir_fd=folder)
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {base}")


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def _write_atomic_windows(path: Path, data: bytes, *, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows cannot open folders for fsync, and needs not."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read once in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
