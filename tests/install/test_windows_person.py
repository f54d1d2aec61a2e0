"""Windows as SYSTEM acting for a person: Entra ID profiles, several people signed in, a task
Windows never starts, and an uninstall with nobody (or their hive) there."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from kiro_bootstrap.host.facts import WindowsSession
from kiro_bootstrap.layout.detect import WINDOWS_UNINSTALL_KEY
from tests.commands.test_install_macos_windows import (
    NOT_STARTED,
    WindowsRunner,
    _windows_env,
    alice,
    task_user,
)
from tests.host import fixtures
from tests.install.support import root_of, run_install
from tests.privsep.windows_task import signed_in
from tests.release import support
from tests.release.support import LATEST

origin = support.origin
release_tree = support.release_tree
ENTRA_HIVE_KEY = f"HKU\\{fixtures.ENTRA_SID}\\{WINDOWS_UNINSTALL_KEY}"


@pytest.fixture(autouse=True)
def _profiles(isolated):
    """The profile folders Windows made when each person first signed in."""
    for folder in ("alice", "AliceSmith.CONTOSO", "bob.CONTOSO", "carol"):
        (root_of(isolated) / "C/Users" / folder).mkdir(parents=True, exist_ok=True)


BOB = WindowsSession("CONTOSO\\bob", "S-1-5-21-1-2-3-1104", False, "C:\\Users\\bob.CONTOSO", True)


def test_an_entra_id_profile_is_the_folder_the_registry_names(cli, origin, isolated):
    runner = WindowsRunner(hive_key=ENTRA_HIVE_KEY)
    as_her = signed_in(
        runner,
        root_of(isolated),
        isolated,
        profile_folder="AliceSmith.CONTOSO",
        account="AliceSmith",
    )
    result = run_install(cli, origin, isolated, "--no-configure",
                         facts=fixtures.windows11_system_entra(), runner=as_her,
                         env=_windows_env())  # fmt: skip
    assert result.code == 0, result.stdout
    assert task_user(runner.tasks[0]) == fixtures.ENTRA_SID
    # Not C:\Users\AliceSmith: the profile Windows made, as ProfileList says.
    assert result.json["location"] == str(
        root_of(isolated) / "C/Users/AliceSmith.CONTOSO/AppData/Local/Programs/Kiro"
    )


def test_with_two_people_signed_in_the_active_one_is_chosen_and_named(cli, origin, isolated):
    facts = fixtures.windows11_system(sessions=(fixtures.ALICE_SESSION, BOB))
    result = run_install(cli, origin, isolated, "--no-configure", facts=facts,
                         runner=alice(WindowsRunner(), isolated), env=_windows_env())  # fmt: skip
    assert result.code == 0, result.stdout
    assert "2 people are signed in (alice, CONTOSO\\bob); acting for alice" in result.stderr


def test_a_task_windows_never_starts_is_exit_7_not_6(cli, origin, isolated):
    runner = WindowsRunner(last_result=NOT_STARTED)
    result = run_install(cli, origin, isolated, "--no-configure", facts=fixtures.windows11_system(),
                         runner=runner, env=_windows_env())  # fmt: skip
    assert result.code == 7, result.stdout
    assert "did not start the task as alice" in result.json["error"]["message"]
    assert runner.calls[-1][:2] == ("schtasks", "/Delete")


def test_for_user_who_is_not_signed_in_is_exit_7(cli, origin, isolated):
    result = run_install(cli, origin, isolated, "--no-configure", "--for-user", "carol",
                         facts=fixtures.windows11_system(), runner=WindowsRunner(),
                         env=_windows_env())  # fmt: skip
    assert result.code == 7
    assert "carol is not signed in" in result.json["error"]["message"]


def _installed_for_alice(cli, origin, isolated) -> Path:
    assert run_install(cli, origin, isolated, "--no-configure", facts=fixtures.windows11_system(),
                       runner=alice(WindowsRunner(), isolated),
                       env=_windows_env()).code == 0  # fmt: skip
    return root_of(isolated) / "C/ProgramData/kiro-bootstrap/status.json"


def test_uninstall_with_nobody_signed_in_is_exit_7_and_records_nothing(cli, origin, isolated):
    status = _installed_for_alice(cli, origin, isolated)
    before = status.read_bytes()
    runner = WindowsRunner(installed=LATEST)
    facts = fixtures.windows11_system(console_user=None, sessions=())
    removed = cli("uninstall", "--json", facts=facts, runner=runner, env=_windows_env())
    assert removed.code == 7
    assert "Nobody is signed in" in removed.json["error"]["message"]
    assert not any(call[0] == "schtasks" for call in runner.calls)
    assert status.read_bytes() == before
    assert json.loads(before)["users"]["alice"]["kiro_version"] == LATEST


def test_uninstall_when_the_persons_hive_is_not_loaded_is_exit_7(cli, origin, isolated):
    status = _installed_for_alice(cli, origin, isolated)
    before = status.read_bytes()
    signed_out = dataclasses.replace(fixtures.ALICE_SESSION, hive_loaded=False)
    facts = fixtures.windows11_system(sessions=(signed_out,))
    runner = WindowsRunner(installed=None)  # HKU\<SID> unreadable: no uninstall key seen
    removed = cli("uninstall", "--json", "--for-user", "alice", facts=facts, runner=runner,
                  env=_windows_env())  # fmt: skip
    assert removed.code == 7
    assert "alice is not signed in" in removed.json["error"]["message"]
    assert status.read_bytes() == before


def test_several_people_none_active_asks_for_for_user(cli, origin, isolated):
    away = dataclasses.replace(fixtures.ALICE_SESSION, active=False)
    facts = fixtures.windows11_system(console_user=None, sessions=(away, BOB))
    result = run_install(cli, origin, isolated, facts=facts, runner=WindowsRunner())
    assert result.code == 7
    assert (
        "2 people are signed in (alice, CONTOSO\\bob) and none is active"
        in (result.json["error"]["message"])
    )
    assert "--for-user" in result.json["error"]["hint"]
