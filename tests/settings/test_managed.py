"""The MDM-managed source on each OS: TOML, managed preferences, registry."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.paths import build_paths
from kiro_bootstrap.settings.managed import read_managed_source
from tests.host import fixtures


def test_linux_policy_file(tmp_path: Path) -> None:
    policy = tmp_path / "etc/kiro-bootstrap/config.toml"
    policy.parent.mkdir(parents=True)
    policy.write_text('[release]\nversion = "1.0.309"\n', encoding="utf-8")
    facts = fixtures.ubuntu2404()
    source = read_managed_source(facts, build_paths(facts, tmp_path))
    assert source is not None
    assert source.values == {"release": {"version": "1.0.309"}}
    assert source.description == str(policy)


def test_no_policy_means_no_source(tmp_path: Path) -> None:
    facts = fixtures.ubuntu2404()
    assert read_managed_source(facts, build_paths(facts, tmp_path)) is None


def test_macos_managed_preferences_drop_payload_keys(tmp_path: Path) -> None:
    folder = tmp_path / "Library/Managed Preferences"
    folder.mkdir(parents=True)
    plist = {
        "PayloadIdentifier": "dev.kiro.bootstrap",
        "identity_center": {"start_url": "https://d-1.awsapps.com/start"},
    }
    (folder / "dev.kiro.bootstrap.plist").write_bytes(plistlib.dumps(plist))
    facts = fixtures.macos14_arm64()
    source = read_managed_source(facts, build_paths(facts, tmp_path))
    assert source is not None
    assert source.values == {"identity_center": {"start_url": "https://d-1.awsapps.com/start"}}


def test_macos_unparseable_preferences_are_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "Library/Managed Preferences"
    folder.mkdir(parents=True)
    (folder / "dev.kiro.bootstrap.plist").write_bytes(b"not a plist")
    facts = fixtures.macos14_arm64()
    with pytest.raises(ConfigError, match="cannot be parsed"):
        read_managed_source(facts, build_paths(facts, tmp_path))


def test_windows_registry_json_values_are_decoded(tmp_path: Path) -> None:
    tree = {"release": {"allowed_hosts": '["a.example"]', "signing": {"require_pins": 1}}}
    facts = fixtures.windows11_system()
    source = read_managed_source(
        facts, build_paths(facts, tmp_path), registry_reader=lambda _key: tree
    )
    assert source is not None
    assert source.values == {
        "release": {"allowed_hosts": ["a.example"], "signing": {"require_pins": 1}}
    }


def test_windows_registry_bad_json_is_exit_2(tmp_path: Path) -> None:
    facts = fixtures.windows11_system()
    with pytest.raises(ConfigError, match="not valid JSON"):
        read_managed_source(
            facts,
            build_paths(facts, tmp_path),
            registry_reader=lambda _key: {"release": {"allowed_hosts": "[oops"}},
        )


def test_macos_user_level_managed_preferences_overlay_the_computer_level(tmp_path: Path) -> None:
    folder = tmp_path / "Library/Managed Preferences"
    (folder / "alice").mkdir(parents=True)
    computer = {"release": {"version": "1.0.309", "channel": "stable"}}
    (folder / "dev.kiro.bootstrap.plist").write_bytes(plistlib.dumps(computer))
    personal = {"PayloadUUID": "x", "release": {"version": "1.0.310"}}
    (folder / "alice/dev.kiro.bootstrap.plist").write_bytes(plistlib.dumps(personal))
    # Jamf as root acts for the console user: her user-level profile counts.
    facts = fixtures.macos14_arm64(is_admin=True, current_user="root", console_user="alice")
    source = read_managed_source(facts, build_paths(facts, tmp_path))
    assert source is not None
    assert source.values == {"release": {"version": "1.0.310", "channel": "stable"}}
    assert source.description.endswith("alice/dev.kiro.bootstrap.plist")
    # Another person's user-level profile is not hers.
    bob = fixtures.macos14_arm64(current_user="bob", console_user="bob")
    other = read_managed_source(bob, build_paths(bob, tmp_path))
    assert other is not None
    assert other.values == computer
