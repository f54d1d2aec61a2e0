"""One fleet state, computed by the agent, written into the machine record and shown by `status`."""

from __future__ import annotations

import dataclasses
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiro_bootstrap.state.fleet import STATES, compute_state, fix_for
from kiro_bootstrap.state.model import UserStatus
from sandbox.roster_server import RosterServer
from tests.fixtures.rosters import BOB, signed_roster
from tests.install.support import EXAMPLE_CONFIG, admin_host, root_of, run_install
from tests.release import support
from tests.release.support import LATEST, origin_env
from tests.roster.org import write_config

origin = support.origin
release_tree = support.release_tree
MACHINE = "var/lib/kiro-bootstrap/status.json"
CONFIG = ("--config", str(EXAMPLE_CONFIG))
ORGANISATION = {"start_url": "https://d-1.awsapps.com/start", "idc_region": "us-east-1"}


def record(**fields: object) -> UserStatus:
    base = UserStatus("alice", "0.1.0", "2026-08-14T09:00:00+00:00", "install", 0,
                      kiro_version="1.0.309", extra={"organisation": ORGANISATION})  # fmt: skip
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


UNCONFIGURED = {"organisation": None}


@pytest.mark.parametrize(
    ("fields", "supported", "expected"),
    [
        ({}, True, "compliant"),
        ({}, False, "unsupported"),
        ({"unsupported_os_allowed": True}, False, "compliant"),  # installed knowingly
        ({"last_exit_code": 3, "kiro_version": None}, True, "unsupported"),
        ({"last_exit_code": 7, "drift": [{"file": "f", "key": "k"}]}, True, "failed"),
        ({"last_exit_code": 4, "kiro_version": None}, True, "failed"),
        ({"kiro_version": None}, True, "not-installed"),
        ({"extra": UNCONFIGURED, "behind": True}, True, "unconfigured"),
        (
            {"extra": {"organisation": ORGANISATION, "pending_admin": ["sudo configure"]}},
            True,
            "pending-admin",
        ),
        ({"last_exit_code": 8, "behind": True}, True, "not-subscribed"),
        ({"subscription": {"subscribed": False}}, True, "not-subscribed"),
        ({"behind": True, "drift": [{"file": "f", "key": "k"}]}, True, "behind"),
        ({"drift": [{"file": "f", "key": "k"}]}, True, "drifted"),
    ],
)
def test_state_follows_the_precedence(fields: dict, supported: bool, expected: str) -> None:
    assert compute_state(record(**fields), host_supported=supported) == expected


def test_the_wrappers_refusal_is_folded_into_the_state() -> None:
    refusal = {"state": "unsupported", "exit_code": 3}
    assert compute_state(record(), host_supported=True, wrapper=refusal) == "unsupported"


def test_every_problem_has_a_fix_and_compliant_none() -> None:
    assert fix_for("compliant", user="alice") is None
    for state in STATES[:-1]:
        fix = fix_for(state, user="alice")
        assert fix is not None
        assert fix["who"] in ("admin", "person")
        assert fix["command"].startswith("kiro-bootstrap ")
    drifted = fix_for("drifted", user="alice")
    assert drifted is not None
    assert drifted["command"] == "kiro-bootstrap configure --for-user alice"


def machine(isolated: dict[str, str]) -> dict:
    return json.loads((root_of(isolated) / MACHINE).read_text())


def status_json(cli, origin, isolated, *argv: str, facts=None):
    return cli("status", "--json", *argv, facts=facts or admin_host(isolated),
               env=origin_env(origin))  # fmt: skip


def test_a_compliant_install_records_state_host_organisation_and_hostname(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    document = machine(isolated)
    alice = document["users"]["alice"]
    assert (document["state"], alice["state"]) == ("compliant", "compliant")
    assert alice["host"] == {"supported": True, "reasons": []}
    assert alice["hostname"]
    organisation = alice["organisation"]
    assert organisation["start_url"].startswith("https://")
    assert organisation["idc_region"]
    assert organisation["digest"].startswith("sha256:")
    result = status_json(cli, origin, isolated, *CONFIG)
    assert (result.code, result.json["state"], result.json["state_fix"]) == (0, "compliant", None)


def test_an_install_without_configuration_is_unconfigured(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG, "--no-configure").code == 0
    assert machine(isolated)["users"]["alice"]["state"] == "unconfigured"
    result = status_json(cli, origin, isolated, *CONFIG)
    assert (result.code, result.json["state"]) == (12, "unconfigured")
    assert result.json["state_fix"]["command"] == "kiro-bootstrap configure --for-user alice"


def test_a_refused_install_records_unsupported_and_status_agrees(cli, origin, isolated):
    old_glibc = admin_host(isolated, libc_version="2.31")
    refused = run_install(cli, origin, isolated, *CONFIG, facts=old_glibc)
    assert refused.code == 3
    alice = machine(isolated)["users"]["alice"]
    assert (alice["state"], alice["kiro_version"]) == ("unsupported", None)
    assert alice["host"]["supported"] is False
    assert "2.31" in alice["host"]["reasons"][0]
    result = status_json(cli, origin, isolated, *CONFIG, facts=old_glibc)
    assert (result.code, result.json["state"]) == (3, "unsupported")
    inventory = status_json(cli, origin, isolated, "--inventory", *CONFIG, facts=old_glibc)
    assert (inventory.code, inventory.json["state"]) == (0, "unsupported")


def test_not_subscribed_is_its_own_state_and_the_record_holds_the_answer(
    cli, origin, isolated, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    with RosterServer() as roster_server:
        roster_server.publish(signed_roster(key, [BOB]))
        config = write_config(
            tmp_path / "org.toml", public_keys=[key], roster_url=roster_server.url
        )
        assert run_install(cli, origin, isolated, "--config", str(config)).code == 8
        alice = machine(isolated)["users"]["alice"]
        assert (alice["state"], alice["kiro_version"]) == ("not-subscribed", LATEST)
        assert alice["subscription"]["subscribed"] is False
        checked = status_json(cli, origin, isolated, "--config", str(config))
    # Every reader agrees with the record: not "compliant" (exit 0) after an exit-8 install.
    assert (checked.code, checked.json["state"]) == (8, "not-subscribed")
    assert checked.json["state_fix"]["who"] == "person"


def test_status_text_names_the_state_and_the_checks_once(cli, origin, isolated):
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    text = cli("status", *CONFIG, facts=admin_host(isolated), env=origin_env(origin)).stdout
    assert text.splitlines()[0].endswith("State: compliant.")
    assert "Verified at install:" in text
    assert "linux-signature" not in text
    verbose = cli("status", "-v", *CONFIG, facts=admin_host(isolated), env=origin_env(origin))
    assert "Verified at install:" not in verbose.stdout


def test_configure_as_root_before_any_install_keeps_the_state_folder_readable(cli, isolated):
    done = cli("configure", *CONFIG, facts=admin_host(isolated))
    assert done.code == 0, done.stderr
    folder = root_of(isolated) / "var/lib/kiro-bootstrap"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    record = folder / "configured.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600


def test_a_persons_own_install_leaves_the_machine_files_pending_admin(cli, origin, isolated):
    from tests.install.support import user_host

    person = user_host(isolated)
    assert run_install(cli, origin, isolated, *CONFIG, facts=person).code == 0
    result = status_json(cli, origin, isolated, *CONFIG, facts=person)
    assert (result.code, result.json["state"]) == (12, "pending-admin")
    assert result.json["state_fix"]["who"] == "admin"


def validate(document: dict) -> None:
    from jsonschema import Draft202012Validator

    repo = Path(__file__).resolve().parents[2]
    schema = json.loads((repo / "config" / "status.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(document)


def test_the_status_files_the_agent_writes_match_the_shipped_schema(cli, origin, isolated):
    from jsonschema import ValidationError

    old_glibc = admin_host(isolated, libc_version="2.31")
    assert run_install(cli, origin, isolated, *CONFIG, facts=old_glibc).code == 3
    validate(machine(isolated))
    assert run_install(cli, origin, isolated, *CONFIG).code == 0
    assert status_json(cli, origin, isolated, *CONFIG).code == 0
    document = machine(isolated)
    validate(document)
    personal = Path(isolated["HOME"]) / ".local/state/kiro-bootstrap/status.json"
    validate(json.loads(personal.read_text()))
    document["users"]["alice"]["state"] = "fine"  # a state no reader knows
    with pytest.raises(ValidationError):
        validate(document)
