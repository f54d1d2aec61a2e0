"""What is installed now: our own record where it still matches the disk, else the OS's word.

Kiro updates itself on macOS and Windows, so there the app's own version (Info.plist, the
uninstall key's DisplayVersion) wins over a stale record. On Linux the tar.gz `current` link
names the version; for a .deb our record comes first because which product.json field holds
Kiro's version is uncertain (`kiro.version_field`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiro_bootstrap.context import Context
from kiro_bootstrap.layout.detect import (
    APP_BUNDLE,
    read_app_version,
    read_current_link,
    read_product_version,
    read_windows_uninstall_entry,
)
from kiro_bootstrap.layout.locations import Scope, deb_location, install_prefix, linux_layout
from kiro_bootstrap.layout.targets import TargetSpec
from kiro_bootstrap.state.model import InstallRecord

PRODUCT_JSON = Path("resources/app/product.json")


@dataclass(frozen=True)
class CurrentInstall:
    """The Kiro in place for one scope and method, and our record of it when it matches."""

    version: str | None
    location: Path | None
    record: InstallRecord | None  # None: not installed by us, or the record is stale
    uninstall_string: str | None = None  # Windows only


def method_of(spec: TargetSpec) -> str:
    """How a target is installed: tarball, deb, dmg or inno."""
    return {"linux": "tarball" if spec.extension == "tar.gz" else "deb",
            "darwin": "dmg", "windows": "inno"}[spec.family]  # fmt: skip


def _matching(
    record: InstallRecord | None, version: str | None, method: str
) -> InstallRecord | None:
    if record is None or record.method != method or version is None:
        return None
    return record if record.version == version else None


def find_current_install(
    ctx: Context,
    spec: TargetSpec,
    scope: Scope,
    *,
    user: str,
    home: Path,
    record: InstallRecord | None,
) -> CurrentInstall:
    """The installed version and location for this target's install method."""
    method = method_of(spec)
    if method == "tarball":
        layout = linux_layout(scope, ctx.facts, ctx.paths, home)
        version = read_current_link(layout.current)
        location = layout.version_folder(version) if version else None
        return CurrentInstall(version, location, _matching(record, version, method))
    if method == "deb":
        location = deb_location(ctx.paths)
        if not (location / PRODUCT_JSON).is_file():
            return CurrentInstall(None, None, None)
        if record is not None and record.method == method:
            return CurrentInstall(record.version, location, record)
        field = ctx.settings.kiro.version_field
        return CurrentInstall(read_product_version(location / PRODUCT_JSON, field), location, None)
    if method == "dmg":
        app = install_prefix(scope, ctx.facts, ctx.paths, home) / APP_BUNDLE
        version = read_app_version(app) if app.exists() else None
        return CurrentInstall(version, app if version else None, _matching(record, version, method))
    entry = read_windows_uninstall_entry(user, ctx.facts, ctx.env.runner)
    version = entry.get("DisplayVersion") or None
    location = install_prefix("user", ctx.facts, ctx.paths, home) if version else None
    return CurrentInstall(
        version, location, _matching(record, version, method), entry.get("UninstallString")
    )


def current_from_inspection(ctx: Context, home: Path, answer: dict[str, Any]) -> CurrentInstall:
    """What a person's own step found in their home (untrusted: it only steers the decision).

    The location is root's own derivation from the version, never a path the step returned.
    """
    version = answer.get("version")
    version = version if isinstance(version, str) and version else None
    location = None
    if version is not None:
        location = linux_layout("user", ctx.facts, ctx.paths, home).version_folder(version)
    return CurrentInstall(version, location, None)
