"""Writing configuration files safely: atomic replace, backups, ownership, masked diffs."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.files import make_folders, write_atomic

# The most recent backups kept per file; older ones are pruned so a daily MDM run cannot
# fill the disk, while the last few states stay recoverable.
MAX_BACKUPS_PER_FILE = 5
BACKUP_DIR_NAME = "backups"
PRIVATE_MODE = 0o600  # backups and records may hold tokens from a person's files
BACKUP_FOLDER_MODE = 0o700
FOLDER_MODE = 0o755
DIFF_CONTEXT_LINES = 3
MASK = "****"
_URL_CREDENTIALS = re.compile(r"(://)[^/@\s\"']+@")
_SECRET_MEMBER = re.compile(
    r"""(?ix)
    (["']?[\w.-]*(?:token|secret|password|passwd|authorization|api[_-]?key|credential)[\w.-]*["']?
    \s*[:=]\s*)
    ("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}]+)"""
)


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """Hide credentials in URLs, values of secret-looking keys, and the given secret strings."""
    for secret in sorted({value for value in secrets if value}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _URL_CREDENTIALS.sub(rf"\1{MASK}@", text)
    return _SECRET_MEMBER.sub(lambda match: f'{match.group(1)}"{MASK}"', text)


def unified_diff(path: Path, before: bytes | None, after: bytes | None) -> str:
    """A unified diff of two versions of a file (`None`: the file does not exist)."""
    old = (before or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    new = (after or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(
        old,
        new,
        fromfile="/dev/null" if before is None else str(path),
        tofile="/dev/null" if after is None else str(path),
        n=DIFF_CONTEXT_LINES,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def keep_backup(
    path: Path, data: bytes, backup_root: Path, now: datetime, *, follow_links: bool = False
) -> Path:
    """Save what `path` held before we replace it; prune the oldest beyond the limit."""
    folder = backup_root / BACKUP_DIR_NAME
    # Only `backups/` is private: its parent (the state folder) stays readable (DECISIONS §2).
    make_folders(backup_root, mode=FOLDER_MODE)
    make_folders(folder, mode=BACKUP_FOLDER_MODE)
    # The hash keeps apart files that share a name (two "config" files in different folders).
    tag = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:8]
    stem = f"{path.name}.{tag}."
    backup = folder / f"{stem}{now.strftime('%Y%m%dT%H%M%S%fZ')}.bak"
    write_atomic(backup, data, mode=PRIVATE_MODE, follow_links=follow_links)
    backups = sorted(folder.glob(f"{stem}*.bak"))
    for old in backups[:-MAX_BACKUPS_PER_FILE]:
        old.unlink(missing_ok=True)
    return backup


def refuse_links_under(home: Path, path: Path) -> None:
    """Refuse when a folder or the file itself below `home` is a symbolic link.

    Acting as root in another person's home, a link planted there (~/.kiro -> /etc) would
    make us read or write a system file with root's rights.
    """
    try:
        relative = path.relative_to(home)
    except ValueError:
        return
    current = home
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise DeploymentError(
                f"{current} is a symbolic link; as root we do not follow links in a person's home.",
                hint="Run `kiro-bootstrap configure` as that user instead.",
            )
