"""The status files: atomic, tolerant of damage, keeping fields a newer version wrote."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from kiro_bootstrap.context import Context, Environment, GlobalOptions, build_context
from kiro_bootstrap.files import write_json
from kiro_bootstrap.output import Output
from kiro_bootstrap.privsep.person import Person
from kiro_bootstrap.state.files import STATE_FILE_MODE, STATE_FOLDER_MODE, read_json_document
from kiro_bootstrap.state.model import InstallRecord, MachineStatus, UserStatus
from kiro_bootstrap.state.store import StatusStore, new_user_status
from sandbox.isolation import isolated_environ
from tests.host import fixtures

NOW = datetime(2026, 8, 13, 12, 0, tzinfo=UTC)


def _context(tmp_path: Path) -> Context:
    """A run's context on Ubuntu 24.04 (the store adds the host verdict and the fleet state)."""
    import io

    environ = isolated_environ(tmp_path / "sandbox")
    env = Environment(environ=environ, stdout=io.StringIO(), stderr=io.StringIO(),
                      facts=fixtures.ubuntu2404(), registry_reader=lambda _key: None)  # fmt: skip
    return build_context(GlobalOptions(), env, Output(stdout=env.stdout, stderr=env.stderr), {})


def _store(tmp_path: Path, user: str = "alice") -> StatusStore:
    return StatusStore(
        ctx=_context(tmp_path),
        person=Person(user, tmp_path / "home" / user, for_someone_else=False),
        machine_file=tmp_path / "root/var/lib/kiro-bootstrap/status.json",
        user_file=tmp_path / "home" / user / ".local/state/kiro-bootstrap/status.json",
        can_write_machine=True,
    )


def _record(user: str, version: str) -> UserStatus:
    fresh = new_user_status(user, command="install", exit_code=0, now=NOW, previous=None)
    return UserStatus(**{**vars(fresh), "kiro_version": version})


def test_each_user_has_a_record_in_the_machine_file_and_their_own(tmp_path):
    alice, bob = _store(tmp_path), _store(tmp_path, "bob")
    alice.save(_record("alice", "1.0.310"), system_install=None, keep_system_install=True)
    bob.save(_record("bob", "1.0.309"), system_install=None, keep_system_install=True)
    machine = json.loads(alice.machine_file.read_text())
    assert {name: item["kiro_version"] for name, item in machine["users"].items()} == {
        "alice": "1.0.310",
        "bob": "1.0.309",
    }
    assert alice.load().user.kiro_version == "1.0.310"
    assert bob.load().user.kiro_version == "1.0.309"


def test_fields_from_a_newer_version_survive_a_rewrite(tmp_path):
    store = _store(tmp_path)
    store.user_file.parent.mkdir(parents=True)
    store.user_file.write_text(json.dumps({**_record("alice", "1.0.309").to_json(),
                                           "subscription_checked": "yes"}))  # fmt: skip
    previous = store.load().user
    fresh = new_user_status("alice", command="install", exit_code=0, now=NOW, previous=previous)
    store.save(fresh, system_install=None, keep_system_install=True)
    assert json.loads(store.user_file.read_text())["subscription_checked"] == "yes"
    machine = json.loads(store.machine_file.read_text())
    assert machine["users"]["alice"]["subscription_checked"] == "yes"


def test_a_damaged_status_file_reads_as_missing_and_is_replaced(tmp_path):
    store = _store(tmp_path)
    store.machine_file.parent.mkdir(parents=True)
    store.machine_file.write_text("{not json")
    assert store.load().machine is None
    install = InstallRecord("1.0.310", "linux-x64", "system", "tarball", "/opt/kiro/1.0.310",
                            NOW.isoformat())  # fmt: skip
    store.save(_record("alice", "1.0.310"), system_install=install, keep_system_install=False)
    assert store.load().install_record("system") == install


def test_atomic_write_leaves_no_temporary_files_and_is_readable_by_others(tmp_path):
    path = tmp_path / "state/status.json"
    write_json(path, {"a": 1}, mode=STATE_FILE_MODE, folder_mode=STATE_FOLDER_MODE)
    write_json(path, {"a": 2}, mode=STATE_FILE_MODE, folder_mode=STATE_FOLDER_MODE)
    assert read_json_document(path) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["status.json"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_machine_status_round_trips():
    machine = MachineStatus(
        "0.1.0", NOW.isoformat(), "install", 0, None, {"alice": _record("alice", "1")}
    )
    assert MachineStatus.from_json(machine.to_json()) == machine
