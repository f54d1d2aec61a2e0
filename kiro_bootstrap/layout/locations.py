"""Where Kiro goes for a scope on each OS."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kiro_bootstrap import NAME
from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.paths import Paths

Scope = Literal["user", "system"]
DEB_LOCATION = "/usr/share/kiro"  # where Kiro's .deb puts it


def deb_location(paths: Paths) -> Path:
    """Where the package puts Kiro."""
    return paths.system(DEB_LOCATION)


def resolve_scope(requested: str, facts: HostFacts) -> Scope:
    """`auto` → system for root/admin on Linux and macOS, else user; Windows is user only."""
    if facts.os == "windows":
        if requested == "system":
            raise DeploymentError(
                "Kiro has no machine-wide installer on Windows; it installs per user.",
                hint="Use scope 'user' (or 'auto'); under SYSTEM it runs as the signed-in user.",
            )
        return "user"
    if requested == "auto":
        return "system" if facts.is_admin else "user"
    return "system" if requested == "system" else "user"


def install_prefix(scope: Scope, facts: HostFacts, paths: Paths, home: Path) -> Path:
    """The folder Kiro's files live under for this scope."""
    if facts.os == "linux":
        return (
            paths.system("/opt/kiro")
            if scope == "system"
            else (home / ".local" / "share" / NAME / "kiro")
        )
    if facts.os == "darwin":
        return paths.system("/Applications") if scope == "system" else home / "Applications"
    return home / "AppData" / "Local" / "Programs" / "Kiro"


CURRENT_LINK = "current"
SHIM_NAME = "kiro"
DESKTOP_ENTRY_NAME = "kiro.desktop"
ICON_NAME = "kiro.png"
ICON_SIZE_FOLDER = "512x512"  # hicolor theme folder for Kiro's code.png


@dataclass(frozen=True)
class LinuxLayout:
    """Where a tar.gz install puts things: versioned folders, `current`, shim, menu entry."""

    prefix: Path  # holds <version>/ folders and the `current` link
    shim: Path  # `kiro` on PATH, a link to current/bin/kiro
    desktop_entry: Path
    icon: Path

    @property
    def current(self) -> Path:
        """The link naming the version in use."""
        return self.prefix / CURRENT_LINK

    def version_folder(self, version: str) -> Path:
        """Where one version is unpacked."""
        return self.prefix / version


def linux_layout(scope: Scope, facts: HostFacts, paths: Paths, home: Path) -> LinuxLayout:
    """The tar.gz layout for a scope: ~/.local for a user, /opt and /usr/local for the system."""
    prefix = install_prefix(scope, facts, paths, home)
    share = home / ".local" / "share" if scope == "user" else paths.system("/usr/local/share")
    bin_folder = home / ".local" / "bin" if scope == "user" else paths.system("/usr/local/bin")
    return LinuxLayout(
        prefix=prefix,
        shim=bin_folder / SHIM_NAME,
        desktop_entry=share / "applications" / DESKTOP_ENTRY_NAME,
        icon=share / "icons" / "hicolor" / ICON_SIZE_FOLDER / "apps" / ICON_NAME,
    )
