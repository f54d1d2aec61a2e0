"""`uninstall`: removes what we installed and the keys we own; user data only with --purge."""

from __future__ import annotations

from pathlib import Path

from tests.install.support import (
    EXAMPLE_CONFIG,
    admin_host,
    root_of,
    run_install,
    snapshot,
)
from tests.release import support

origin = support.origin
release_tree = support.release_tree
CONFIG = ("--config", str(EXAMPLE_CONFIG))


def _uninstall(cli, isolated, *argv, **overrides):
    return cli("uninstall", "--json", *CONFIG, *argv, facts=admin_host(isolated), **overrides)


def test_uninstall_removes_the_install_and_owned_keys_but_keeps_user_data(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    root, home = root_of(isolated), Path(isolated["HOME"])
    user_data = home / ".config/Kiro/User/workspaceStorage"
    user_data.mkdir(parents=True)
    result = _uninstall(cli, isolated)
    assert result.code == 0, result.stdout
    assert not (root / "opt/kiro").exists()
    assert not (root / "usr/local/bin/kiro").exists()
    assert not (root / "usr/local/share/applications/kiro.desktop").exists()
    assert not (root / "etc/kiro/managed-settings.json").exists()
    assert "[sso-session kiro]" not in (home / ".aws/config").read_text()
    assert user_data.is_dir()
    assert cli("status", "--json", facts=admin_host(isolated)).code == 11


def test_purge_also_removes_kiros_user_data(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    home = Path(isolated["HOME"])
    (home / ".kiro/steering").mkdir(parents=True, exist_ok=True)
    result = _uninstall(cli, isolated, "--purge")
    assert result.code == 0
    assert not (home / ".config/Kiro").exists()
    assert not (home / ".kiro").exists()
    assert (home / ".aws/credentials").exists()


def test_dry_run_uninstall_changes_nothing(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    root, home = root_of(isolated), Path(isolated["HOME"])
    before = snapshot(root, home, skip=(root / "var/log",))
    result = _uninstall(cli, isolated, "--dry-run", "--purge")
    assert result.code == 0
    assert any("opt/kiro/current" in change for change in result.json["changes"])
    assert snapshot(root, home, skip=(root / "var/log",)) == before


def test_uninstall_with_kiro_running_is_exit_7(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    result = _uninstall(cli, isolated, process_names=lambda: ["kiro"])
    assert result.code == 7
    assert (root_of(isolated) / "opt/kiro/current").exists()


def test_nothing_installed_is_a_quiet_success(cli, isolated):
    result = _uninstall(cli, isolated)
    assert (result.code, result.json["removed"]) == (0, [])
