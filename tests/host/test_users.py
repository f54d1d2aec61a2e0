"""Whom we act for (--for-user, sudo, the console) and where their home is."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiro_bootstrap.host.users import account_name, home_of, resolve_target_user
from tests.host.fixtures import (
    debian12,
    macos14_arm64,
    ubuntu2404,
    windows11_system,
    windows11_user,
)

HOMES = {"alice": "/home/alice", "bob": "/home/bob", "carol": "/Users/carol"}


def lookup(user: str) -> str:
    return HOMES[user]


def test_for_user_wins_over_everything():
    facts = debian12(is_admin=True, current_user="root", console_user="alice")
    assert resolve_target_user(" carol ", {"SUDO_USER": "bob"}, facts) == "carol"


def test_sudo_user_then_console_user_when_root():
    facts = ubuntu2404(is_admin=True, current_user="root", console_user="alice")
    assert resolve_target_user(None, {"SUDO_USER": "bob"}, facts) == "bob"
    assert resolve_target_user(None, {"SUDO_USER": "root"}, facts) == "alice"
    assert resolve_target_user(None, {}, facts) == "alice"


def test_root_with_nobody_at_the_screen_means_root():
    facts = macos14_arm64(is_admin=True, current_user="root", console_user=None)
    assert resolve_target_user(None, {}, facts) == "root"


def test_windows_system_acts_for_the_console_user():
    assert resolve_target_user(None, {}, windows11_system()) == "alice"
    assert resolve_target_user(None, {}, windows11_system(console_user=None)) == "SYSTEM"


def test_a_regular_user_over_ssh_means_themselves():
    facts = ubuntu2404(current_user="bob", console_user="alice")
    assert resolve_target_user(None, {"SUDO_USER": "carol"}, facts) == "bob"


def test_current_users_home_is_the_facts_home(tmp_path):
    facts = ubuntu2404(tmp_path / "alice")
    assert home_of("alice", facts, fs_root=tmp_path, lookup=lookup) == tmp_path / "alice"


def test_other_posix_users_come_from_the_password_database_under_the_root(tmp_path):
    facts = debian12(is_admin=True, current_user="root")
    assert home_of("bob", facts, fs_root=tmp_path, lookup=lookup) == tmp_path / "home/bob"
    assert home_of("bob", facts, fs_root=Path("/"), lookup=lookup) == Path("/home/bob")
    with pytest.raises(LookupError, match="nobody"):
        home_of("nobody", facts, fs_root=tmp_path, lookup=lookup)


def test_windows_profiles_map_under_the_root(tmp_path):
    facts = windows11_system()
    assert home_of("alice", facts, fs_root=tmp_path) == tmp_path / "C" / "Users" / "alice"
    assert home_of("AzureAD\\AliceSmith", facts, fs_root=tmp_path) == (
        tmp_path / "C" / "Users" / "AliceSmith"
    )
    # Windows facts checked on a POSIX test machine with the real root still map: /C/Users/...
    assert home_of("alice", facts, fs_root=Path("/")) == Path("/C/Users/alice")


def test_windows_current_user_home_and_lookup_override(tmp_path):
    facts = windows11_user(tmp_path / "profile")
    assert home_of("ALICE", facts, fs_root=tmp_path) == tmp_path / "profile"
    profile = home_of("bob", facts, fs_root=tmp_path, lookup=lambda user: f"D:\\Profiles\\{user}")
    assert profile == tmp_path / "D" / "Profiles" / "bob"


def test_account_name_drops_the_domain():
    assert account_name("CONTOSO\\alice") == "alice"
    assert account_name("alice") == "alice"
