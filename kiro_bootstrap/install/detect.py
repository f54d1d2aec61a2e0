"""Find an installed Kiro and its version, and whether it is running."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.paths import Paths

# Kiro CLI ships kiro-cli, kiro-cli-chat, kiro-cli-term: another product, never the IDE.
CLI_PREFIX = "kiro-cli"
DEFAULT_PROCESS_NAMES = {
    "linux": ("kiro", "Kiro"),
    "darwin": ("Kiro",),
    "windows": ("Kiro.exe",),
}


@dataclass(frozen=True)
class InstalledKiro:
    """A Kiro found on disk."""

    location: Path
    version: str | None


def product_json_candidates(facts: HostFacts, paths: Paths, home: Path) -> list[Path]:
    """Where an installed Kiro's product.json can be, most specific first."""
    if facts.os == "linux":
        return [
            home / ".local/share/kiro-bootstrap/kiro/current/resources/app/product.json",
            paths.system("/opt/kiro/current/resources/app/product.json"),
            paths.system("/usr/share/kiro/resources/app/product.json"),
        ]
    if facts.os == "darwin":
        return [
            base / "Kiro.app/Contents/Resources/app/product.json"
            for base in (paths.system("/Applications"), home / "Applications")
        ]
    return [home / "AppData/Local/Programs/Kiro/resources/app/product.json"]


def read_product_version(product_json: Path, version_field: str) -> str | None:
    """Kiro's version from product.json (which field holds it is configurable)."""
    try:
        data = json.loads(product_json.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get(version_field) if isinstance(data, dict) else None
    return str(value) if value else None


def find_installed_kiro(
    facts: HostFacts, paths: Paths, home: Path, version_field: str
) -> InstalledKiro | None:
    """The first Kiro found on disk, or None."""
    for candidate in product_json_candidates(facts, paths, home):
        if candidate.is_file():
            # product.json sits at <install>/resources/app/ (or Contents/Resources/app on macOS).
            location = candidate.parents[2]
            if location.name == "Contents":
                location = location.parent
            return InstalledKiro(location, read_product_version(candidate, version_field))
    return None


def running_kiro(names_running: Iterable[str], process_names: Iterable[str]) -> list[str]:
    """The running processes that are Kiro IDE (never Kiro CLI)."""
    wanted = {name.lower() for name in process_names}
    return sorted(
        {
            name
            for name in names_running
            if name.lower() in wanted and not name.lower().startswith(CLI_PREFIX)
        }
    )
