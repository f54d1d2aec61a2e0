"""The Linux desktop pieces of a tar.gz install: `kiro` on PATH, the menu entry, its icon.

Each is written only when it differs (a rerun changes no mtime). Something already there that
is not ours is moved aside to `<name>.kiro-bootstrap-backup` and recorded, so uninstall can put
it back; a folder in the way is an error, never moved.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kiro_bootstrap import NAME
from kiro_bootstrap.configure import desktop_entry
from kiro_bootstrap.crash import reach_phase
from kiro_bootstrap.files import make_folders, write_atomic
from kiro_bootstrap.layout.locations import LinuxLayout

BACKUP_SUFFIX = f".{NAME}-backup"
MANAGED_MARKER = "X-KiroBootstrap-Managed=true"
ICON_SOURCE = Path("resources/app/resources/linux/code.png")
FILE_MODE = 0o644
FOLDER_MODE = 0o755


EntryState = Literal["absent", "ours", "outdated", "edited", "foreign"]


def desktop_entry_text(layout: LinuxLayout, *, launch: str | None = None) -> str:
    """The menu entry; it names `current`, so it stays the same across upgrades.

    `Exec=` is quoted per the Desktop Entry spec (a HOME with a space still launches);
    `launch` overrides it with an `Exec=` value as written (the older, unquoted form).
    """
    if launch is None:
        launch = desktop_entry.exec_value([str(layout.current / "kiro")])
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Kiro\n"
        "Comment=Kiro IDE (installed by kiro-bootstrap)\n"
        f"Exec={launch}\n"
        f"Icon={layout.icon}\n"
        "Terminal=false\n"
        "Categories=Development;IDE;\n"
        "StartupWMClass=Kiro\n"
        f"{MANAGED_MARKER}\n"
    )


def desktop_entry_state(layout: LinuxLayout) -> EntryState:
    """Whether the menu entry is ours as we write it now, as we wrote it before, or edited.

    The launch environment `configure` adds to `Exec=` (an `env …` prefix) does not count
    as an edit: it is owned and drift-checked by `configure`.
    """
    if not (layout.desktop_entry.exists() or layout.desktop_entry.is_symlink()):
        return "absent"
    try:
        text = layout.desktop_entry.read_text("utf-8")
        bare = desktop_entry.without_environment(text)
    except (OSError, UnicodeDecodeError):
        return "foreign"
    except ValueError:  # an unclosed quote in Exec=: a person's edit, not ours
        return "edited"
    if layout.desktop_entry.is_symlink() or MANAGED_MARKER not in text:
        return "foreign"
    # Before Exec= was quoted we wrote the path bare: an entry of ours, not a person's edit.
    # (Where the path needs no quoting both are the same text: "ours" is checked last, so wins.)
    known: dict[str, EntryState] = {
        desktop_entry_text(layout, launch=f"{layout.current / 'kiro'} %F"): "outdated",
        desktop_entry_text(layout): "ours",
    }
    return known.get(bare, "edited")


def edited_entry_note(path: Path) -> str:
    """What a person is told about their edited menu entry."""
    return (
        f"The menu entry {path} was edited by hand: kept as it is (remove it and run "
        "install again to get ours back)."
    )


def _refresh_desktop_entry(layout: LinuxLayout, written: Written) -> None:
    """Write the entry unless a person edited it (then say so and keep theirs)."""
    state = desktop_entry_state(layout)
    path = layout.desktop_entry
    if state in {"foreign", "absent"}:
        _ensure(path, written, layout, data=desktop_entry_text(layout).encode())
        return
    written.created.append(str(path))
    if state == "edited":
        written.notes.append(edited_entry_note(path))
        return
    if state == "outdated":
        old = path.read_text("utf-8")
        variables, _ = desktop_entry.split_environment(
            desktop_entry.read_key(old, desktop_entry.ENTRY_GROUP, "Exec") or ""
        )
        launch = desktop_entry.with_environment(
            desktop_entry.exec_value([str(layout.current / "kiro")]), variables
        )
        _put(path, None, desktop_entry_text(layout, launch=launch).encode())


@dataclass
class Written:
    """What write_integration left: our files, backups made, and how to undo this run."""

    created: list[str] = field(default_factory=list)
    replaced: dict[str, str] = field(default_factory=dict)
    owned_before: frozenset[str] = frozenset()  # what the previous install record lists as ours
    notes: list[str] = field(default_factory=list)  # what a person should know (a kept edit)
    undo_steps: list[Callable[[], None]] = field(default_factory=list)

    def undo(self) -> None:
        """Put back what this run changed, newest first."""
        for step in reversed(self.undo_steps):
            with contextlib.suppress(OSError):
                step()


def _is_ours(path: Path, layout: LinuxLayout, owned: Collection[str]) -> bool:
    if str(path) in owned:  # recorded as ours (we wrote it, or moved a person's file aside)
        return True
    if path.is_symlink():
        return path.readlink().is_relative_to(layout.prefix)
    try:
        return MANAGED_MARKER in path.read_text("utf-8", errors="replace")
    except OSError:
        return False


def _matches(path: Path, link: Path | None, data: bytes | None) -> bool:
    if link is not None:
        return path.is_symlink() and path.readlink() == link
    try:
        return not path.is_symlink() and path.read_bytes() == data
    except OSError:
        return False


def _put(path: Path, link: Path | None, data: bytes | None) -> None:
    """Write a link or a file through a temporary name and one rename."""
    make_folders(path.parent, mode=FOLDER_MODE)
    if link is None:
        write_atomic(path, data or b"", mode=FILE_MODE)
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    try:
        temporary.symlink_to(link)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _ensure(
    path: Path,
    written: Written,
    layout: LinuxLayout,
    *,
    link: Path | None = None,
    data: bytes | None = None,
) -> None:
    written.created.append(str(path))
    if _matches(path, link, data):
        return
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(f"a folder is in the way at {path}")
    if not (path.exists() or path.is_symlink()):
        _put(path, link, data)
        written.undo_steps.append(lambda: path.unlink(missing_ok=True))
        return
    if _is_ours(path, layout, {*written.owned_before, *written.replaced}):
        _put(path, link, data)
        return
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    path.replace(backup)
    written.replaced[str(path)] = str(backup)

    def restore() -> None:
        backup.replace(path)

    written.undo_steps.append(restore)
    _put(path, link, data)


def write_integration(
    layout: LinuxLayout,
    environ: Mapping[str, str],
    *,
    previous_created: Collection[str],
    previous_replaced: Mapping[str, str],
) -> Written:
    """Write the shim, the desktop entry and the icon; raise OSError when one cannot be."""
    written = Written(replaced=dict(previous_replaced), owned_before=frozenset(previous_created))
    _ensure(layout.shim, written, layout, link=layout.current / "bin" / "kiro")
    reach_phase(environ, "shim-written")
    icon_source = layout.current / ICON_SOURCE
    if icon_source.is_file():
        _ensure(layout.icon, written, layout, data=icon_source.read_bytes())
    _refresh_desktop_entry(layout, written)
    reach_phase(environ, "desktop-entry-written")
    return written


def integration_complete(layout: LinuxLayout) -> bool:
    """True when the shim, the desktop entry and the icon are in place (an edited entry counts)."""
    if not _matches(layout.shim, layout.current / "bin" / "kiro", None):
        return False
    if desktop_entry_state(layout) not in ("ours", "edited"):
        return False
    icon_source = layout.current / ICON_SOURCE
    return not icon_source.is_file() or _matches(layout.icon, None, icon_source.read_bytes())


def remove_integration(
    created: list[str], replaced: Mapping[str, str], layout: LinuxLayout, *, dry_run: bool
) -> list[str]:
    """Remove our shim, entry and icon and restore the backups; returns what changed."""
    changes: list[str] = []
    for name in created:
        path = Path(name)
        if not (path.exists() or path.is_symlink()):
            continue
        # A link or entry that no longer points at us was replaced since: theirs, left alone.
        if path != layout.icon and not _is_ours(path, layout, ()):
            continue
        changes.append(f"remove {path}")
        backup = replaced.get(name)
        if backup and Path(backup).exists():
            changes.append(f"restore {path} from {backup}")
        if dry_run:
            continue
        path.unlink()
        if backup and Path(backup).exists():
            Path(backup).replace(path)
    return changes
