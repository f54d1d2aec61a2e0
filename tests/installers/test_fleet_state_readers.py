"""One answer everywhere: `status --json`, the Jamf EA, the Linux wrapper and Intune's detection.

Each case leaves a machine status file behind: real runs of the agent where the sandbox can
make the situation, the agent's own records otherwise. Every reader is fed that same file and
must give the agent's `state`; Intune's detection (parsed, not run) must detect exactly the
states DECISIONS §4 lists.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kiro_bootstrap.state.fleet import INTUNE_DETECTED, STATES
from tests.install.support import EXAMPLE_CONFIG, admin_host, root_of, run_install
from tests.installers.conftest import INSTALLERS, ScriptRunner, write_executable
from tests.installers.status_samples import user_status, write_machine_status
from tests.installers.test_intune import nodes, parse, text
from tests.release import support
from tests.release.support import origin_env

origin = support.origin
release_tree = support.release_tree
CONFIG = ("--config", str(EXAMPLE_CONFIG))
LINUX_STATUS = "var/lib/kiro-bootstrap/status.json"
MAC_STATUS = "Library/Application Support/kiro-bootstrap/status.json"
PIN_PREVIOUS = {"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.0.309"}


def break_managed_settings(isolated: dict[str, str]) -> None:
    managed = root_of(isolated) / "etc/kiro/managed-settings.json"
    document = json.loads(managed.read_text())
    document["settings"]["idc_region"] = "eu-west-1"
    managed.write_text(json.dumps(document))


# name -> (what to do before `status`, host overrides, environment)
Scenario = tuple[Callable[..., None], dict[str, str], dict[str, str]]


def _nothing(cli, origin, isolated) -> None:
    return None


def _install(*argv: str, facts: dict | None = None, env: dict | None = None) -> Callable:
    def act(cli, origin, isolated) -> None:
        host = admin_host(isolated, **(facts or {}))
        run_install(cli, origin, isolated, *CONFIG, *argv, facts=host, env=env)

    return act


def _install_then_break(cli, origin, isolated) -> None:
    _install()(cli, origin, isolated)
    break_managed_settings(isolated)


SCENARIOS: dict[str, tuple[Callable[..., None], dict, dict]] = {
    "not-installed": (_nothing, {}, {}),
    "compliant": (_install(), {}, {}),
    "unconfigured": (_install("--no-configure"), {}, {}),
    "behind": (_install(env=PIN_PREVIOUS), {}, {}),
    "drifted": (_install_then_break, {}, {}),
    "unsupported": (_install(facts={"libc_version": "2.31"}), {"libc_version": "2.31"}, {}),
}


@pytest.fixture(autouse=True)
def osascript(tool_dir: Path) -> None:
    node = shutil.which("node")
    assert node, "node runs the osascript stand-in"
    standin = Path(__file__).with_name("osascript_standin.cjs")
    write_executable(tool_dir / "osascript", f'#!/bin/sh\nexec "{node}" "{standin}" "$@"\n')


def detected_states() -> set[str]:
    """The states Detect.ps1 lists as detected, read from its syntax tree."""
    tree = parse(INSTALLERS / "intune/Detect.ps1")
    (assignment,) = (
        node
        for node in nodes(tree, "assignment_expression")
        if text(node).startswith("$DetectedStates =")
    )
    source = text(assignment)
    return {part.strip().strip("'") for part in source[source.index("(") + 1 : -1].split(",")}


def intune_detects(record: dict) -> bool:
    """Detect.ps1's Test-Detected, on its own list: a listed state, or failed with Kiro there."""
    state = record.get("state")
    return state in detected_states() or (state == "failed" and bool(record.get("kiro_version")))


@pytest.fixture
def readers(run_script: ScriptRunner, sandbox_env: dict) -> Callable[[Path], dict]:
    """What each reader makes of a machine status file, for alice."""
    return lambda machine_file: readers_answer(machine_file, run_script, sandbox_env)


def readers_answer(machine_file: Path, run_script: ScriptRunner, sandbox_env: dict) -> dict:
    """What each reader makes of `machine_file` for alice."""
    script_root = Path(sandbox_env["KIRO_BOOTSTRAP_ROOT"])
    for relative in (LINUX_STATUS, MAC_STATUS):
        (script_root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(machine_file, script_root / relative)
    ea = run_script("jamf/kiro-bootstrap-ea.sh", env={"KIRO_BOOTSTRAP_USER": "alice"})
    wrapper = run_script("linux/kiro-bootstrap-fleet.sh", "state")
    assert (ea.code, wrapper.code) == (0, 0), ea.stderr + wrapper.stderr
    document = json.loads(machine_file.read_text())
    return {
        "ea": ea.stdout.strip().removeprefix("<result>").removesuffix("</result>").split()[0],
        "wrapper": wrapper.stdout.strip(),
        "intune": intune_detects(document["users"]["alice"]),
    }


def test_detect_lists_exactly_the_states_decisions_name() -> None:
    assert detected_states() == set(INTUNE_DETECTED)
    assert set(INTUNE_DETECTED) <= set(STATES)


@pytest.mark.parametrize("expected", sorted(SCENARIOS))
def test_every_reader_gives_the_agents_state(
    expected: str, cli, origin, isolated, readers: Callable[[Path], dict]
) -> None:
    act, facts, env = SCENARIOS[expected]
    act(cli, origin, isolated)
    checked = cli("status", "--json", *CONFIG, facts=admin_host(isolated, **facts),
                  env={**origin_env(origin), **env})  # fmt: skip
    assert checked.json["state"] == expected, checked.stdout
    answers = readers(root_of(isolated) / LINUX_STATUS)
    assert (answers["ea"], answers["wrapper"]) == (expected, expected)
    assert answers["intune"] is (expected in INTUNE_DETECTED)


@pytest.mark.parametrize(
    ("record", "expected", "detected"),
    [
        (user_status("alice", exit_code=6), "failed", True),  # Kiro in place: reinstall won't help
        (user_status("alice", version=None, exit_code=4), "failed", False),
        (user_status("alice", exit_code=8, subscribed=False), "not-subscribed", True),
    ],
    ids=["failed-with-kiro", "failed-without-kiro", "not-subscribed"],
)
def test_recorded_states_read_the_same_everywhere(
    record, expected: str, detected: bool, tmp_path: Path, readers: Callable[[Path], dict]
) -> None:
    assert record.extra["state"] == expected
    machine_file = write_machine_status(tmp_path / "status.json", record)
    answers = readers(machine_file)
    assert answers == {"ea": expected, "wrapper": expected, "intune": detected}


def state_list(script: str, variable: str) -> set[str]:
    """A `$Name = @('a', 'b')` list of states in one of the Intune scripts."""
    tree = parse(INSTALLERS / "intune" / script)
    (assignment,) = (
        node
        for node in nodes(tree, "assignment_expression")
        if text(node).startswith(f"${variable} =")
    )
    source = text(assignment)
    return {part.strip().strip("'") for part in source[source.index("(") + 1 : -1].split(",")}


def test_the_intune_remediation_fixes_what_an_install_fixes_and_names_the_rest() -> None:
    fixed = state_list("Remediation-Fix.ps1", "FixedByInstall")
    # A host Kiro cannot run on, a missing subscription or an administrator's step need a person.
    assert fixed == set(STATES) - {"compliant", "unsupported", "not-subscribed", "pending-admin"}
    for script in ("Remediation-Detect.ps1", "Remediation-Fix.ps1"):
        source = (INSTALLERS / "intune" / script).read_text(encoding="utf-8")
        assert "status --inventory --json" in source
        assert "$answer.state" in source or "$after.state" in source
    detect = (INSTALLERS / "intune/Remediation-Detect.ps1").read_text(encoding="utf-8")
    assert "Start-Sleep -Seconds (Get-Random -Minimum 0 -Maximum $MaxStartDelaySeconds)" in detect


def test_the_launchd_job_records_the_state_daily_with_a_random_start() -> None:
    import plistlib

    job = plistlib.loads((INSTALLERS / "jamf/dev.kiro.bootstrap.status.plist").read_bytes())
    command = job["ProgramArguments"][-1]
    assert command.startswith("sleep $(( $(od -An -N2 -tu2 /dev/urandom) % 14400 ));")
    assert command.endswith("kiro-bootstrap status --inventory --quiet")
    assert job["StartCalendarInterval"] == {"Hour": 10, "Minute": 0}
