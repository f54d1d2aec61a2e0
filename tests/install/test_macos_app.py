"""macOS: the swap under App Management, and whom Kiro.app belongs to afterwards."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from kiro_bootstrap.errors import ExitStatus, InstallError
from kiro_bootstrap.install.macos import app_owner, swap_app
from tests.host import fixtures


def _apps(tmp_path: Path) -> tuple[Path, Path, Path]:
    applications = tmp_path / "Applications"
    target, staged = applications / "Kiro.app", applications / ".Kiro.app.kiro-bootstrap-staging"
    for app, version in ((target, "old"), (staged, "new")):
        (app / "Contents").mkdir(parents=True)
        (app / "Contents/version").write_text(version)
    return staged, target, applications / ".Kiro.app.kiro-bootstrap-previous"


def refuse_launched_app(source: Path, destination: Path) -> None:
    """What rename(2) answers under App Management for an app that has been launched."""
    if source.name == "Kiro.app":
        raise PermissionError(errno.EPERM, "Operation not permitted", str(source))
    source.replace(destination)


def test_app_management_refusal_is_exit_6_naming_the_permission_and_leaves_no_copy(tmp_path):
    staged, target, previous = _apps(tmp_path)
    with pytest.raises(InstallError) as refused:
        swap_app(staged, target, previous, rename=refuse_launched_app)
    assert refused.value.exit_status == ExitStatus.INSTALL_FAILED == 6
    assert "App Management permission (SystemPolicyAppBundles)" in refused.value.message
    assert "PPPC" in (refused.value.hint or "")
    assert (target / "Contents/version").read_text() == "old"
    assert sorted(path.name for path in target.parent.iterdir()) == ["Kiro.app"]


def test_a_refused_second_rename_puts_the_old_app_back(tmp_path):
    staged, target, previous = _apps(tmp_path)

    def refuse_new_app(source: Path, destination: Path) -> None:
        if source == staged:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(source))
        source.replace(destination)

    with pytest.raises(InstallError, match="SystemPolicyAppBundles"):
        swap_app(staged, target, previous, rename=refuse_new_app)
    assert (target / "Contents/version").read_text() == "old"
    assert not staged.exists()
    assert not previous.exists()


def test_the_swap_keeps_the_old_app_aside_until_finished(tmp_path):
    staged, target, previous = _apps(tmp_path)
    swap_app(staged, target, previous)
    assert (target / "Contents/version").read_text() == "new"
    assert (previous / "Contents/version").read_text() == "old"


def test_kiro_app_is_handed_to_the_person_unless_updates_are_off():
    root = fixtures.macos14_arm64(is_admin=True, current_user="root")
    # Jamf as root for alice: hers, so Kiro's own updater can replace it.
    assert app_owner(root, "alice", None) == "alice"
    assert app_owner(root, "alice", "manual") == "alice"
    # Updates pinned off: root keeps it, so the person cannot change the version.
    assert app_owner(root, "alice", "none") is None
    # Nobody to hand it to, or alice installing for herself.
    assert app_owner(root, "root", None) is None
    assert app_owner(fixtures.macos14_arm64(), "alice", None) is None
