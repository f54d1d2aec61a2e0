"""Find an installed Kiro and its version, and whether it is running."""

from __future__ import annotations

import plistlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap import NAME
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.host.users import same_user
from kiro_bootstrap.host.win32 import lookup_account_sid
from kiro_bootstrap.host.windows import parse_reg_query
from kiro_bootstrap.host.windows_sessions import find_session
from kiro_bootstrap.parsing import load_json_bytes
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
            home / f".local/share/{NAME}/kiro/current/resources/app/product.json",
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
        data = load_json_bytes(product_json.read_bytes(), what="product.json")
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


# Kiro's Inno Setup AppId (FACTS §1); the key lives in the user's hive (per-user install).
WINDOWS_UNINSTALL_KEY = (
    "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
    "{A2CA08B5-C756-463E-B13D-F051F4F11F0B}_is1"
)
APP_BUNDLE = "Kiro.app"


def user_registry_hive(user: str, facts: HostFacts) -> str | None:
    """HKCU for ourselves, else HKU\\<SID> of `user` (SYSTEM acting for the signed-in person).

    The SID comes from the host facts' sessions (LookupAccountNameW, no PowerShell, which
    Constrained Language Mode may block); a person not signed in is asked for directly.
    """
    if same_user(user, facts.current_user, facts):
        return "HKCU"

    session = find_session(facts.sessions, user)
    sid = session.sid if session is not None else lookup_account_sid(user)
    return f"HKU\\{sid}" if sid else None


def read_windows_uninstall_entry(user: str, facts: HostFacts, runner: Runner) -> dict[str, str]:
    """Kiro's uninstall key values (DisplayVersion, UninstallString, ...) in the user's hive."""
    hive = user_registry_hive(user, facts)
    if hive is None:
        return {}
    done = runner(["reg", "query", f"{hive}\\{WINDOWS_UNINSTALL_KEY}"])
    if not done.ok:  # not installed, or the user's hive is not loaded
        return {}
    return {name: value.data for name, value in parse_reg_query(done.stdout).items()}


def read_app_version(app: Path) -> str | None:
    """CFBundleShortVersionString from a macOS app's Info.plist."""
    try:
        with (app / "Contents" / "Info.plist").open("rb") as handle:
            info = plistlib.load(handle)
    except (OSError, plistlib.InvalidFileException, ValueError):
        return None
    version = info.get("CFBundleShortVersionString") if isinstance(info, dict) else None
    return str(version) if version else None


def read_current_link(current: Path) -> str | None:
    """The version a Linux `current` link names, when it points at an unpacked version."""
    try:
        name = current.readlink().name
    except OSError:
        return None
    return name if (current.parent / name / "resources" / "app").is_dir() else None
