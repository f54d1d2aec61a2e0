"""Linux tar.gz: versioned folders, an atomically swapped `current` link, shim, menu entry.

Order: unpack into a staging folder beside the versions, rename it to `<version>`, switch
`current` with one rename, then write the shim, desktop entry and icon. A failure after the
switch puts `current` back, removes the new folder and restores what was replaced (exit 6).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

from kiro_bootstrap.crash import reach_phase
from kiro_bootstrap.errors import InstallError
from kiro_bootstrap.install.archive import unpack_tarball
from kiro_bootstrap.install.integration import write_integration
from kiro_bootstrap.install.job import InstallJob, Placed
from kiro_bootstrap.layout.detect import read_current_link
from kiro_bootstrap.layout.locations import LinuxLayout

PREFIX_MODE = 0o755
STAGING_PREFIX = ".staging-"
LINK_TEMPORARY_PREFIX = ".current-"
_VERSION_FOLDER = re.compile(r"^\d+(\.\d+){1,3}$")


def remove_leftovers(layout: LinuxLayout) -> None:
    """Drop staging folders and half-made links an interrupted run left (we hold the lock)."""
    if not layout.prefix.is_dir():
        return
    for leftover in layout.prefix.iterdir():
        if leftover.name.startswith(STAGING_PREFIX):
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover.name.startswith(LINK_TEMPORARY_PREFIX):
            leftover.unlink(missing_ok=True)


def point_current_at(layout: LinuxLayout, version: str | None) -> None:
    """Switch `current` to `version` in one rename (None: remove the link)."""
    if version is None:
        layout.current.unlink(missing_ok=True)
        return
    temporary = layout.prefix / f"{LINK_TEMPORARY_PREFIX}{os.getpid()}"
    temporary.unlink(missing_ok=True)
    # Relative, so the prefix can be seen through another mount or root and still resolve.
    temporary.symlink_to(version)
    temporary.replace(layout.current)


def install_tarball(job: InstallJob, layout: LinuxLayout) -> Placed:
    """Put the verified tar.gz in place and switch to it; restores the previous one on failure."""
    environ, version = job.ctx.environ, job.build.version
    layout.prefix.mkdir(parents=True, exist_ok=True, mode=PREFIX_MODE)
    remove_leftovers(layout)
    previous = read_current_link(layout.current)
    target = layout.version_folder(version)
    placed_new = previous != version or not target.is_dir()
    if placed_new:
        _place_version(job, layout, target)
    reach_phase(environ, "before-swap")
    point_current_at(layout, version)
    reach_phase(environ, "after-swap")

    def undo_swap() -> None:
        point_current_at(layout, previous)
        if placed_new and previous != version:
            shutil.rmtree(target, ignore_errors=True)

    try:
        written = write_integration(
            layout,
            environ,
            previous_created=job.previous_created,
            previous_replaced=job.previous_replaced,
        )
    except OSError as error:
        undo_swap()
        back = f"Kiro {previous} is back in place" if previous else "nothing was left installed"
        raise InstallError(
            f"Installing Kiro {version} failed after switching to it ({error}); {back}.",
            hint="Fix the cause (a file in the way, a full disk), then run again.",
        ) from None

    def undo_all() -> None:
        written.undo()
        undo_swap()

    def finish() -> None:
        # The version before this one stays for a rollback; older ones go.
        prune_versions(layout, keep={version, previous})

    return Placed(
        "tarball", target, written.created, written.replaced, undo_all, finish, written.notes
    )


def _place_version(job: InstallJob, layout: LinuxLayout, target: Path) -> None:
    environ = job.ctx.environ
    staging = layout.prefix / f"{STAGING_PREFIX}{job.build.version}-{os.getpid()}"
    top = unpack_tarball(
        job.build.path, staging, on_first_file=lambda: reach_phase(environ, "unpacking")
    )
    reach_phase(environ, "unpacked-to-staging")
    if target.exists():  # an earlier run's folder that `current` does not use: replace it
        shutil.rmtree(target)
    top.replace(target)
    shutil.rmtree(staging, ignore_errors=True)
    reach_phase(environ, "version-placed")


def prune_versions(layout: LinuxLayout, *, keep: set[str | None]) -> list[Path]:
    """Remove version folders other than those in `keep`; returns what was removed."""
    removed = []
    for folder in sorted(layout.prefix.iterdir()) if layout.prefix.is_dir() else []:
        if _VERSION_FOLDER.match(folder.name) and folder.name not in keep and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def remove_tarball_install(layout: LinuxLayout, *, dry_run: bool) -> list[str]:
    """Remove `current` and every version folder we made; returns what was (or would be) removed."""
    removed: list[str] = []
    if not layout.prefix.is_dir():
        return removed
    for entry in sorted(layout.prefix.iterdir()):
        ours = entry.name == "current" or bool(_VERSION_FOLDER.match(entry.name))
        if not (ours or entry.name.startswith((STAGING_PREFIX, LINK_TEMPORARY_PREFIX))):
            continue
        removed.append(str(entry))
        if dry_run:
            continue
        if entry.is_symlink() or entry.is_file():
            entry.unlink()
        else:
            shutil.rmtree(entry)
    if not dry_run:
        with contextlib.suppress(OSError):  # kept when something not ours is inside
            layout.prefix.rmdir()
    return removed
