"""The Jamf extension attribute reports Kiro's state from the status file the agent writes.

osascript does not exist here: a stand-in runs the script's JavaScript unchanged under node,
providing only the Objective-C bridge's file read (tests/installers/osascript_standin.cjs).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.install.support import EXAMPLE_CONFIG, admin_host, root_of, run_install
from tests.installers.conftest import ScriptRunner, write_executable
from tests.installers.status_samples import (
    DRIFT,
    KIRO_VERSION,
    user_status,
    write_machine_status,
    write_user_status,
)
from tests.release import support
from tests.release.support import LATEST, origin_env

# The release host fixtures, for the test that reads what the agent itself wrote.
origin = support.origin
release_tree = support.release_tree
EA = "jamf/kiro-bootstrap-ea.sh"
STATUS = "Library/Application Support/kiro-bootstrap/status.json"


@pytest.fixture(autouse=True)
def osascript(tool_dir: Path) -> None:
    """Put the osascript stand-in first on PATH."""
    node = shutil.which("node")
    assert node, "node runs the osascript stand-in"
    standin = Path(__file__).with_name("osascript_standin.cjs")
    write_executable(tool_dir / "osascript", f'#!/bin/sh\nexec "{node}" "{standin}" "$@"\n')


@pytest.fixture
def root(sandbox_env: dict[str, str]) -> Path:
    return Path(sandbox_env["KIRO_BOOTSTRAP_ROOT"])


def report(run_script: ScriptRunner, user: str) -> str:
    done = run_script(EA, env={"KIRO_BOOTSTRAP_USER": user})
    assert done.code == 0, done.stderr
    return done.stdout.strip()


def test_compliant_machine_reports_state_and_version(run_script: ScriptRunner, root: Path) -> None:
    write_machine_status(root / STATUS, user_status("alice"))
    assert report(run_script, "alice") == f"<result>compliant {KIRO_VERSION}</result>"


def test_drift_is_reported_as_drifted(run_script: ScriptRunner, root: Path) -> None:
    write_machine_status(root / STATUS, user_status("alice", drift=DRIFT))
    assert report(run_script, "alice") == f"<result>drifted {KIRO_VERSION}</result>"


def test_a_failed_last_run_is_failed(run_script: ScriptRunner, root: Path) -> None:
    write_machine_status(root / STATUS, user_status("alice", exit_code=6))
    assert report(run_script, "alice") == f"<result>failed {KIRO_VERSION}</result>"


def test_not_subscribed_is_its_own_state(run_script: ScriptRunner, root: Path) -> None:
    write_machine_status(root / STATUS, user_status("alice", exit_code=8, subscribed=False))
    assert report(run_script, "alice") == f"<result>not-subscribed {KIRO_VERSION}</result>"


def test_missing_status_file_is_not_installed(run_script: ScriptRunner) -> None:
    assert report(run_script, "alice") == "<result>not-installed</result>"


def test_damaged_status_file_is_not_installed(run_script: ScriptRunner, root: Path) -> None:
    (root / STATUS).parent.mkdir(parents=True)
    (root / STATUS).write_text('{"users": {"alice": ', encoding="utf-8")
    assert report(run_script, "alice") == "<result>not-installed</result>"


def test_shared_mac_reports_the_console_user(run_script: ScriptRunner, root: Path) -> None:
    write_machine_status(
        root / STATUS,
        user_status("alice", updated_at="2026-08-14T09:00:00+00:00"),
        user_status("bob.smith", version="1.0.300", drift=DRIFT, updated_at="2026-08-13T09:00:00"),
    )
    assert report(run_script, "bob.smith") == "<result>drifted 1.0.300</result>"
    assert report(run_script, "alice") == f"<result>compliant {KIRO_VERSION}</result>"
    # Someone with no record on this Mac has no Kiro of ours.
    assert report(run_script, "carol") == "<result>not-installed</result>"


def test_login_window_reports_the_latest_record(run_script: ScriptRunner, root: Path) -> None:
    write_machine_status(
        root / STATUS,
        user_status("alice", exit_code=7, updated_at="2026-08-15T09:00:00+00:00"),
        user_status("bob", updated_at="2026-08-14T09:00:00+00:00"),
    )
    # At the login window the console belongs to root.
    assert report(run_script, "root") == f"<result>failed {KIRO_VERSION}</result>"


def test_a_user_scope_run_is_read_from_the_persons_own_file(
    run_script: ScriptRunner, root: Path
) -> None:
    write_user_status(root / "Users/alice" / STATUS, user_status("alice", version="1.0.310"))
    assert report(run_script, "alice") == "<result>compliant 1.0.310</result>"


def test_behind_the_wanted_version_is_reported_as_behind(
    run_script: ScriptRunner, root: Path
) -> None:
    write_machine_status(root / STATUS, user_status("alice", version="1.0.300", behind=True))
    assert report(run_script, "alice") == "<result>behind 1.0.300</result>"


def test_a_system_install_counts_for_the_console_user(run_script: ScriptRunner, root: Path) -> None:
    # Ansible with nobody logged in: the agent ran for root, Kiro is system-wide.
    write_machine_status(root / STATUS, user_status("root"))
    assert report(run_script, "alice") == f"<result>compliant {KIRO_VERSION}</result>"


def test_a_failed_install_wins_over_drift_and_needs_no_kiro(
    run_script: ScriptRunner, root: Path
) -> None:
    write_machine_status(
        root / STATUS,
        user_status("alice", exit_code=7, drift=DRIFT),
        user_status("bob", version=None, exit_code=4),
    )
    assert report(run_script, "alice") == f"<result>failed {KIRO_VERSION}</result>"
    # A first install that failed before Kiro was in place: the failure, not "not-installed".
    assert report(run_script, "bob") == "<result>failed</result>"


def test_reads_what_the_agents_status_check_recorded(
    cli, origin, isolated, run_script: ScriptRunner, root: Path
) -> None:
    """The agent's own `status` (drift found, exit 12) read back by the extension attribute."""
    config = ("--config", str(EXAMPLE_CONFIG))
    assert run_install(cli, origin, isolated, *config).code == 0
    managed = root_of(isolated) / "etc/kiro/managed-settings.json"
    document = json.loads(managed.read_text())
    document["settings"]["idc_region"] = "eu-west-1"
    managed.write_text(json.dumps(document))
    checked = cli("status", *config, facts=admin_host(isolated), env=origin_env(origin))
    assert checked.code == 12
    # The record is the same on every OS; only where the file lives differs.
    written = root_of(isolated) / "var/lib/kiro-bootstrap/status.json"
    (root / STATUS).parent.mkdir(parents=True)
    (root / STATUS).write_bytes(written.read_bytes())
    assert report(run_script, "alice") == f"<result>drifted {LATEST}</result>"
