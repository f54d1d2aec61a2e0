"""What the install pipeline hands a platform installer, and what the installer hands back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiro_bootstrap.fetch.cache import cache_folder
from kiro_bootstrap.layout.locations import Scope

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.fetch.obtain import VerifiedBuild


INSTALLERS_FOLDER = "installers"  # beside the build cache: artifacts under their real names


def installers_folder(ctx: Context) -> Path:
    """Where dmg, exe and deb files are placed under their real names for the OS tools."""
    return cache_folder(ctx.facts, ctx.paths).parent / INSTALLERS_FOLDER


def _nothing() -> None:
    """An undo or finish step with nothing to do."""


@dataclass(frozen=True)
class InstallJob:
    """One verified build to put in place for one person in one scope."""

    ctx: Context
    build: VerifiedBuild
    scope: Scope
    user: str
    home: Path
    close_running: bool
    # From the previous install record: files outside the install we own, backups we hold.
    previous_created: tuple[str, ...] = ()
    previous_replaced: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Placed:
    """A build in place: where, how, what else it wrote, and how to undo or finish it."""

    method: str  # "tarball" | "deb" | "dmg" | "inno"
    location: Path
    created: list[str] = field(default_factory=list)
    replaced: dict[str, str] = field(default_factory=dict)
    undo: Callable[[], None] = _nothing  # put the previous version back (tar.gz only)
    finish: Callable[[], None] = _nothing  # drop what rollback needed (old versions, backups)
    notes: list[str] = field(default_factory=list)  # what the person should know (a kept edit)
