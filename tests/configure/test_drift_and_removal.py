"""Ownership: drift after a person edits an owned key, removal giving back what was there."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from kiro_bootstrap.configure.run import (
    configure_user_and_system,
    detect_drift,
    remove_owned_configuration,
)
from kiro_bootstrap.context import Context
from kiro_bootstrap.privsep.person import Person
from tests.configure.conftest import snapshot
from tests.configure.test_configure_linux import AWS_TEXT, CONFIG_TEXT
from tests.host import fixtures


def prepare_person_files(home: Path) -> Path:
    settings = home / ".config/Kiro/User/settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(CONFIG_TEXT)
    (home / ".aws/config").write_text(AWS_TEXT)
    mcp = home / ".kiro/settings/mcp.json"
    mcp.parent.mkdir(parents=True)
    mcp.write_text('{\n  "mcpServers": {\n    "mine": {"command": "my-server"}\n  }\n}\n')
    return settings


def person_and_system_files(home: Path, root: Path) -> dict[str, bytes]:
    """The bytes of every file but our own state (records, backups)."""
    files = snapshot(home, root / "etc")
    return {path: data for path, (data, _mtime) in files.items() if "/.local/state/" not in path}


def ALICE(home: Path) -> Person:  # noqa: N802 - reads as the person it names
    return Person("alice", home, for_someone_else=False)


def test_drift_is_reported_after_a_person_edits_an_owned_key(
    make_context: Callable[..., Context], org_config: Path, home: Path
) -> None:
    ctx = make_context(org_config, facts=fixtures.ubuntu2404(home, is_admin=True))
    settings = prepare_person_files(home)
    configure_user_and_system(ctx, person=ALICE(home), kiro_version="1.3.0", dry_run=False)
    assert detect_drift(ctx, person=ALICE(home)) == []
    settings.write_text(settings.read_text().replace("proxy.example.com:8080", "mine:1"))
    (home / ".kiro/steering/standards.md").unlink()
    drifts = {(drift.key, drift.expected, drift.actual) for drift in
              detect_drift(ctx, person=ALICE(home))}  # fmt: skip
    assert drifts == {
        ("http.proxy", "http://proxy.example.com:8080", "http://mine:1"),
        ("content", "---\ninclusion: always\n---\n\nWrite tests for every change.\n", None),
    }


def test_removal_restores_every_file_as_it_was(
    make_context: Callable[..., Context], org_config: Path, home: Path, root: Path
) -> None:
    ctx = make_context(org_config, facts=fixtures.ubuntu2404(home, is_admin=True))
    prepare_person_files(home)
    managed = root / "etc/kiro/managed-settings.json"
    managed.parent.mkdir(parents=True)
    managed.write_text('{"rules": [], "settings": {"idc_region": "us-east-1"}}')
    originals = person_and_system_files(home, root)
    report = configure_user_and_system(ctx, person=ALICE(home), kiro_version=None, dry_run=False)
    assert report.changed
    # A person's own later edit outside our keys survives the removal.
    mcp = home / ".kiro/settings/mcp.json"
    removal = remove_owned_configuration(ctx, person=ALICE(home), dry_run=False)
    assert {item.change for item in removal.files} <= {"updated", "removed"}
    after = person_and_system_files(home, root)
    assert after == originals
    assert json.loads(mcp.read_text())["mcpServers"] == {"mine": {"command": "my-server"}}
    assert not (home / ".local/state/kiro-bootstrap/configured.json").exists()
    assert detect_drift(ctx, person=ALICE(home)) == []


def test_a_key_changed_by_hand_is_left_alone_on_removal(
    make_context: Callable[..., Context], org_config: Path, home: Path
) -> None:
    ctx = make_context(org_config, facts=fixtures.ubuntu2404(home, is_admin=True))
    configure_user_and_system(ctx, person=ALICE(home), kiro_version=None, dry_run=False)
    aws = home / ".aws/config"
    aws.write_text(aws.read_text().replace("sso_region = eu-west-1", "sso_region = us-east-2"))
    report = remove_owned_configuration(ctx, person=ALICE(home), dry_run=False)
    assert aws.read_text() == "[sso-session kiro]\nsso_region = us-east-2\n"
    assert any("left sso-session kiro.sso_region as it is" in text for text in report.warnings)
