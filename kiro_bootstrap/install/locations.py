"""Where Kiro goes for a scope on each OS."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.paths import Paths

Scope = Literal["user", "system"]


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
            else (home / ".local" / "share" / "kiro-bootstrap" / "kiro")
        )
    if facts.os == "darwin":
        return paths.system("/Applications") if scope == "system" else home / "Applications"
    return home / "AppData" / "Local" / "Programs" / "Kiro"
