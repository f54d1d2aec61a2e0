"""A failed `install` is recorded for inventory (exit code, reason), never changing the result."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sandbox.roster_server import RosterServer
from tests.fixtures.rosters import BOB, signed_roster
from tests.host import fixtures
from tests.install.support import root_of, run_install, user_host
from tests.release import support
from tests.release.support import LATEST
from tests.roster.org import REQUEST_URL, write_config

origin = support.origin
release_tree = support.release_tree
MACHINE = "var/lib/kiro-bootstrap/status.json"
PERSONAL = ".local/state/kiro-bootstrap/status.json"


def machine_record(isolated: dict[str, str], user: str = "alice") -> dict:
    machine = json.loads((root_of(isolated) / MACHINE).read_text())
    return machine["users"][user]


def personal_record(isolated: dict[str, str]) -> dict:
    return json.loads((Path(isolated["HOME"]) / PERSONAL).read_text())


def test_an_unsupported_host_is_recorded_as_failed_3_in_both_files(cli, origin, isolated):
    debian = fixtures.debian12(Path(isolated["HOME"]), is_admin=True)
    refused = run_install(cli, origin, isolated, facts=debian)
    assert refused.code == 3
    for record in (machine_record(isolated), personal_record(isolated)):
        assert (record["last_command"], record["last_exit_code"]) == ("install", 3)
        assert "glibc 2.36" in record["last_error"]
        assert "\n" not in record["last_error"]
        assert record["kiro_version"] is None
        assert record["last_run_at"]
    machine = json.loads((root_of(isolated) / MACHINE).read_text())
    assert (machine["last_command"], machine["last_exit_code"]) == ("install", 3)


def test_a_running_kiro_is_recorded_and_a_later_success_clears_it(cli, origin, isolated):
    assert run_install(cli, origin, isolated).code == 0
    blocked = run_install(cli, origin, isolated, "--version", "1.0.309", "--allow-downgrade",
                          process_names=lambda: ["kiro"])  # fmt: skip
    assert blocked.code == 7
    record = machine_record(isolated)
    assert (record["last_exit_code"], record["kiro_version"]) == (7, LATEST)
    assert "Kiro is running" in record["last_error"]
    # An up-to-date rerun installs nothing, but it does clear the failure on record.
    again = run_install(cli, origin, isolated)
    assert (again.code, again.json["action"]) == (0, "up-to-date")
    record = machine_record(isolated)
    assert (record["last_exit_code"], record["last_error"]) == (0, None)


def test_an_unavailable_release_is_recorded_as_failed_4(cli, origin, isolated):
    offline = run_install(cli, origin, isolated, "--offline")
    assert offline.code == 4
    record = machine_record(isolated)
    assert record["last_exit_code"] == 4
    assert record["last_error"] == offline.json["error"]["message"]


def test_a_person_without_root_is_recorded_only_in_their_own_file(cli, origin, isolated):
    refused = run_install(cli, origin, isolated, "--scope", "system", facts=user_host(isolated))
    assert refused.code == 9
    assert personal_record(isolated)["last_exit_code"] == 9
    assert not (root_of(isolated) / MACHINE).exists()


def test_a_record_that_cannot_be_written_keeps_the_exit_code(cli, origin, isolated):
    # A folder where each status file should be: it cannot be replaced, even by root.
    for blocked in (root_of(isolated) / MACHINE, Path(isolated["HOME"]) / PERSONAL):
        (blocked / "in-the-way").mkdir(parents=True)
    debian = fixtures.debian12(Path(isolated["HOME"]), is_admin=True)
    refused = run_install(cli, origin, isolated, facts=debian)
    assert refused.code == 3
    assert refused.json["error"]["code"] == "host-unsupported"
    assert "could not record this run's failure" in refused.stderr


def test_a_second_run_held_off_by_the_lock_leaves_the_record_to_the_first(cli, origin, isolated):
    from kiro_bootstrap.install.lock import install_lock
    from tests.release.support import Sleeps

    lock = root_of(isolated) / "var/lib/kiro-bootstrap/install.lock"
    with install_lock(lock, sleep=Sleeps()):
        held = run_install(cli, origin, isolated)
    assert held.code == 7
    assert not (root_of(isolated) / MACHINE).exists()


def install_with_a_roster_of_bob(cli, origin, isolated, tmp_path, extra: str = ""):
    """`install --json` for alice with a roster (signed, served on loopback) that holds only bob."""
    key = Ed25519PrivateKey.generate()
    with RosterServer() as roster_server:
        roster_server.publish(signed_roster(key, [BOB]))
        config = write_config(
            tmp_path / "org.toml", public_keys=[key], roster_url=roster_server.url, extra=extra
        )
        return run_install(cli, origin, isolated, "--config", str(config))


def test_not_subscribed_after_the_install_is_recorded_as_failed_8(cli, origin, isolated, tmp_path):
    result = install_with_a_roster_of_bob(cli, origin, isolated, tmp_path)
    assert result.code == 8, result.stdout
    assert (result.json["exit_code"], result.json["subscription"]["subscribed"]) == (8, False)
    record = machine_record(isolated)
    assert (record["last_exit_code"], record["kiro_version"]) == (8, LATEST)
    assert record["last_error"] == (
        f"Kiro is installed, but alice is not subscribed. Ask for access at {REQUEST_URL}"
    )


def test_not_subscribed_when_not_required_is_a_warning_and_a_success(
    cli, origin, isolated, tmp_path
):
    result = install_with_a_roster_of_bob(cli, origin, isolated, tmp_path, "required = false")
    assert result.code == 0, result.stdout
    assert result.json["subscription"]["subscribed"] is False
    assert f"alice is not subscribed to Kiro. Ask for access at {REQUEST_URL}" in result.stderr
    record = machine_record(isolated)
    assert (record["last_exit_code"], record["last_error"]) == (0, None)
