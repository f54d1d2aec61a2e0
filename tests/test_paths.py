"""System paths always land under the root override, chosen from host facts."""

from __future__ import annotations

from pathlib import Path

from kiro_bootstrap.paths import build_paths, under_root
from tests.host import fixtures


def test_windows_paths_map_under_root(tmp_path: Path) -> None:
    assert under_root(tmp_path, "C:\\ProgramData\\Kiro\\managed-settings.json") == (
        tmp_path / "C" / "ProgramData" / "Kiro" / "managed-settings.json"
    )


def test_posix_paths_map_under_root(tmp_path: Path) -> None:
    assert under_root(tmp_path, "/etc/kiro/policy.json") == tmp_path / "etc/kiro/policy.json"


def test_each_os_gets_its_own_system_locations(tmp_path: Path) -> None:
    linux = build_paths(fixtures.ubuntu2404(), tmp_path)
    assert linux.kiro_managed_settings == tmp_path / "etc/kiro/managed-settings.json"
    assert linux.policy_config_file == tmp_path / "etc/kiro-bootstrap/config.toml"
    assert linux.system_state_dir == tmp_path / "var/lib/kiro-bootstrap"
    mac = build_paths(fixtures.macos14_arm64(), tmp_path)
    assert mac.kiro_managed_settings == (
        tmp_path / "Library/Application Support/Kiro/managed-settings.json"
    )
    assert mac.managed_preferences_dir == tmp_path / "Library/Managed Preferences"
    windows = build_paths(fixtures.windows11_system(), tmp_path)
    assert windows.kiro_managed_settings == tmp_path / "C/ProgramData/Kiro/managed-settings.json"
    assert windows.system_state_dir == tmp_path / "C/ProgramData/kiro-bootstrap"


def test_admin_runs_log_to_the_system_folder(tmp_path: Path) -> None:
    root_run = build_paths(fixtures.ubuntu2404(is_admin=True), tmp_path)
    assert root_run.log_dir == tmp_path / "var/log/kiro-bootstrap"
    user_run = build_paths(fixtures.ubuntu2404(is_admin=False), tmp_path)
    assert not str(user_run.log_dir).startswith(str(tmp_path / "var"))


def test_only_the_machines_own_root_with_its_own_os_is_live(tmp_path: Path) -> None:
    # The one answer behind apt-get vs dpkg --root, a printed --root and profile lookups.
    assert build_paths(fixtures.ubuntu2404(), Path("/")).is_live_root
    assert not build_paths(fixtures.ubuntu2404(), tmp_path).is_live_root
    # Windows facts on this Linux test machine: even "/" is not that Windows machine's root.
    assert not build_paths(fixtures.windows11_system(), Path("/")).is_live_root
