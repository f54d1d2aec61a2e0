"""`status`: exit 0 compliant, 11 not installed, 12 behind or drifted; what MDM reads."""

from __future__ import annotations

import json

from tests.install.support import EXAMPLE_CONFIG, admin_host, root_of, run_install
from tests.release import support
from tests.release.support import LATEST, origin_env

origin = support.origin
release_tree = support.release_tree
PIN_PREVIOUS = {"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.0.309"}
CONFIG = ("--config", str(EXAMPLE_CONFIG))


def status(cli, origin, isolated, *argv, env=None):
    return cli("status", "--json", *CONFIG, *argv, facts=admin_host(isolated),
               env={**origin_env(origin), **(env or {})})  # fmt: skip


def test_not_installed_is_exit_11(cli, origin, isolated):
    result = status(cli, origin, isolated)
    assert result.code == 11
    assert result.json["installed"] is False


def test_installed_and_compliant_is_exit_0_with_verification_and_last_run(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    result = status(cli, origin, isolated)
    assert result.code == 0, result.stdout
    data = result.json
    assert (data["version"], data["target"], data["scope"]) == (LATEST, "linux-x64", "system")
    assert data["installed_by_us"] is True
    assert {check["id"] for check in data["checks"]} >= {"linux-signature", "linux-cert-pin"}
    assert (data["last_run"]["command"], data["last_run"]["exit_code"]) == ("install", 0)
    assert data["drift"] == []


def test_behind_the_latest_is_exit_12(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG, env=PIN_PREVIOUS).code == 0
    result = status(cli, origin, isolated)
    assert result.code == 12
    assert (result.json["behind"], result.json["wanted_version"]) == (True, LATEST)


def test_a_changed_owned_key_is_drift_exit_12(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    managed = root_of(isolated) / "etc/kiro/managed-settings.json"
    document = json.loads(managed.read_text())
    document["settings"]["idc_region"] = "eu-west-1"
    managed.write_text(json.dumps(document))
    result = status(cli, origin, isolated)
    assert result.code == 12
    assert any(item["key"].endswith("idc_region") for item in result.json["drift"])
    text = cli("status", *CONFIG, facts=admin_host(isolated), env=origin_env(origin))
    assert "Drift:" in text.stdout


def test_ahead_of_pin_is_compliant(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    result = status(cli, origin, isolated, env=PIN_PREVIOUS)
    assert (result.code, result.json["ahead_of_pin"]) == (0, True)


def test_status_offline_does_not_fail_on_the_latest_check(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    result = cli("status", "--json", "--offline", *CONFIG, facts=admin_host(isolated),
                 env=origin_env(origin))  # fmt: skip
    assert result.code == 0
    assert "offline" in result.json["wanted_note"]


def test_machine_status_keeps_a_record_per_user(cli, origin, isolated):
    from pathlib import Path

    from tests.host import fixtures

    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    bob_home = Path(isolated["HOME"]).parent / "bob"
    bob_home.mkdir()
    bob = fixtures.ubuntu2404(bob_home, is_admin=True, current_user="bob", console_user="bob")
    assert run_install(cli, origin, isolated, *CONFIG, facts=bob).code == 0
    machine = json.loads((root_of(isolated) / "var/lib/kiro-bootstrap/status.json").read_text())
    assert sorted(machine["users"]) == ["alice", "bob"]
    assert machine["users"]["alice"]["kiro_version"] == LATEST
    assert machine["schema"] == "kiro-bootstrap-status/1"


MACHINE = "var/lib/kiro-bootstrap/status.json"
PERSONAL = ".local/state/kiro-bootstrap/status.json"


def test_status_records_drift_for_inventory_apart_from_the_last_install(cli, origin, isolated):
    from pathlib import Path

    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    managed = root_of(isolated) / "etc/kiro/managed-settings.json"
    document = json.loads(managed.read_text())
    document["settings"]["idc_region"] = "eu-west-1"
    managed.write_text(json.dumps(document))
    result = status(cli, origin, isolated)
    assert result.code == 12
    machine = json.loads((root_of(isolated) / MACHINE).read_text())
    personal = json.loads((Path(isolated["HOME"]) / PERSONAL).read_text())
    for record in (machine["users"]["alice"], personal):
        assert {"file": str(managed), "key": "settings.idc_region"} in record["drift"]
        assert all(set(item) == {"file", "key"} for item in record["drift"])  # never values
        assert record["last_check"]["exit_code"] == 12
        assert record["last_check"]["wanted_version"] == LATEST
        # The check does not pose as a run: the last install and its result stay on record.
        assert (record["last_command"], record["last_exit_code"]) == ("install", 0)
    assert (machine["last_command"], machine["last_exit_code"]) == ("install", 0)
    assert sorted(result.json["status_files"]) == sorted(
        [str(root_of(isolated) / MACHINE), str(Path(isolated["HOME"]) / PERSONAL)]
    )
    # An install repairs the drift; the next check finds and records nothing wrong.
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    assert json.loads((root_of(isolated) / MACHINE).read_text())["users"]["alice"]["drift"] == []
    assert status(cli, origin, isolated).code == 0
    record = json.loads((root_of(isolated) / MACHINE).read_text())["users"]["alice"]
    assert (record["drift"], record["last_check"]["exit_code"]) == ([], 0)


def test_status_records_behind_and_ahead_of_pin(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG, env=PIN_PREVIOUS).code == 0
    assert status(cli, origin, isolated).code == 12
    record = json.loads((root_of(isolated) / MACHINE).read_text())["users"]["alice"]
    assert (record["behind"], record["kiro_version"]) == (True, "1.0.309")
    # Offline the latest is unknown: the last answer (and its state) stands, not "not behind".
    offline = cli("status", "--offline", "--json", *CONFIG, facts=admin_host(isolated),
                  env=origin_env(origin))  # fmt: skip
    assert (offline.code, offline.json["state"]) == (12, "behind")
    record = json.loads((root_of(isolated) / MACHINE).read_text())["users"]["alice"]
    assert (record["behind"], record["state"]) == (True, "behind")
    assert run_install(cli, origin, isolated, *CONFIG).code == 0  # upgrades to the latest
    assert status(cli, origin, isolated, env=PIN_PREVIOUS).code == 0
    record = json.loads((root_of(isolated) / MACHINE).read_text())["users"]["alice"]
    assert (record["behind"], record["ahead_of_pin"]) == (False, True)


def test_a_persons_own_status_writes_only_their_own_file(cli, origin, isolated):
    from pathlib import Path

    from tests.install.support import snapshot, user_host

    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    machine_folder = root_of(isolated) / "var/lib/kiro-bootstrap"
    before = snapshot(machine_folder)
    result = cli("status", "--json", *CONFIG, facts=user_host(isolated), env=origin_env(origin))
    assert result.code == 0, result.stdout
    assert snapshot(machine_folder) == before
    personal = Path(isolated["HOME"]) / PERSONAL
    assert result.json["status_files"] == [str(personal)]
    assert json.loads(personal.read_text())["last_check"]["exit_code"] == 0


def test_status_still_answers_when_the_state_folder_is_not_writable(cli, origin, isolated):
    from pathlib import Path

    # A folder where each status file should be: it cannot be replaced, even by root.
    for blocked in (root_of(isolated) / MACHINE, Path(isolated["HOME"]) / PERSONAL):
        (blocked / "in-the-way").mkdir(parents=True)
    result = status(cli, origin, isolated)
    assert result.code == 11
    assert result.json["status_files"] == []
    assert "could not record this check" in result.stderr
