"""Every path the tool reads or writes, chosen once from host facts and the root override."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

import platformdirs

from kiro_bootstrap import NAME
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.process import is_live_root


def under_root(root: Path, system_path: str) -> Path:
    """Map a system path (`/etc/x` or `C:\\ProgramData\\x`) under the root override."""
    if ":" in system_path[:3]:
        windows = PureWindowsPath(system_path)
        return root.joinpath(windows.drive.rstrip(":"), *windows.parts[1:])
    return root.joinpath(*PurePosixPath(system_path).parts[1:])


# System locations per OS, before the root override is applied.
_SYSTEM = {
    "linux": {
        "policy_config": f"/etc/{NAME}/config.toml",
        "state": f"/var/lib/{NAME}",
        "logs": f"/var/log/{NAME}",
        "kiro_managed_settings": "/etc/kiro/managed-settings.json",
        "system_prefix": "/opt/kiro",
        "managed_preferences": "",
    },
    "darwin": {
        "policy_config": "",
        "state": f"/Library/Application Support/{NAME}",
        "logs": f"/Library/Logs/{NAME}",
        "kiro_managed_settings": "/Library/Application Support/Kiro/managed-settings.json",
        "system_prefix": "/Applications",
        "managed_preferences": "/Library/Managed Preferences",
    },
    "windows": {
        "policy_config": "",
        "state": f"C:\\ProgramData\\{NAME}",
        "logs": f"C:\\ProgramData\\{NAME}\\logs",
        "kiro_managed_settings": "C:\\ProgramData\\Kiro\\managed-settings.json",
        "system_prefix": "",
        "managed_preferences": "",
    },
}


@dataclass(frozen=True)
class Paths:
    """Resolved locations; system ones already sit under the root override."""

    root: Path
    user_config_file: Path
    user_cache_dir: Path
    user_state_dir: Path
    log_dir: Path
    system_state_dir: Path
    policy_config_file: Path | None
    managed_preferences_dir: Path | None
    kiro_managed_settings: Path
    # The machine's own root (no override, facts of this OS): the live system may be asked.
    is_live_root: bool

    def system(self, system_path: str) -> Path:
        """Any other system path, under the root override."""
        return under_root(self.root, system_path)


def build_paths(facts: HostFacts, root: Path) -> Paths:
    """Choose every path for this host; system paths go under `root`."""
    system = _SYSTEM[facts.os]

    def optional(key: str) -> Path | None:
        return under_root(root, system[key]) if system[key] else None

    dirs = platformdirs.PlatformDirs(NAME, appauthor=False)
    log_dir = under_root(root, system["logs"]) if facts.is_admin else dirs.user_log_path
    return Paths(
        root=root,
        user_config_file=dirs.user_config_path / "config.toml",
        user_cache_dir=dirs.user_cache_path,
        user_state_dir=dirs.user_state_path,
        log_dir=log_dir,
        system_state_dir=under_root(root, system["state"]),
        policy_config_file=optional("policy_config"),
        managed_preferences_dir=optional("managed_preferences"),
        kiro_managed_settings=under_root(root, system["kiro_managed_settings"]),
        is_live_root=is_live_root(root, facts.os),
    )
