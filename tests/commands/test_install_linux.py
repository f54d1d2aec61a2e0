"""`install` on Linux with the tar.gz: a real install into a temporary root, reruns, dry runs,
rollback, version rules and a running Kiro."""

from __future__ import annotations

import json
from pathlib import Path

from tests.install.support import (
    EXAMPLE_CONFIG,
    admin_host,
    launch,
    root_of,
    run_install,
    snapshot,
    user_host,
)
from tests.release import support
from tests.release.support import LATEST, Sleeps

origin = support.origin
release_tree = support.release_tree
PREVIOUS = "1.0.309"
PIN_PREVIOUS = {"KIRO_BOOTSTRAP_RELEASE__VERSION": PREVIOUS}


def test_system_install_unpacks_switches_current_and_puts_kiro_on_path(cli, origin, isolated):
    result = run_install(cli, origin, isolated)
    assert result.code == 0, result.stdout + result.stderr
    data = result.json
    root = root_of(isolated)
    assert (data["action"], data["version"], data["scope"]) == ("install", LATEST, "system")
    assert (root / "opt/kiro/current").readlink() == Path(LATEST)
    assert launch(root / "usr/local/bin/kiro") == f"Kiro {LATEST} (kiro-bootstrap sandbox build)"
    entry = (root / "usr/local/share/applications/kiro.desktop").read_text()
    assert f"Exec={root}/opt/kiro/current/kiro %F" in entry
    assert (root / "usr/local/share/icons/hicolor/512x512/apps/kiro.png").read_bytes()[:4] == (
        b"\x89PNG"
    )
    status = json.loads((root / "var/lib/kiro-bootstrap/status.json").read_text())
    assert status["install"]["version"] == LATEST
    assert status["install"]["sha256"] == origin.tree.artifact("linux-x64").sha256
    assert status["users"]["alice"]["kiro_version"] == LATEST
    checks = {check["id"]: check["status"] for check in data["checks"]}
    assert checks["linux-signature"] == "pass"


def test_user_scope_installs_under_the_home(cli, origin, isolated):
    result = run_install(cli, origin, isolated, facts=user_host(isolated))
    assert result.code == 0, result.stdout
    home = Path(isolated["HOME"])
    assert launch(home / ".local/bin/kiro").startswith(f"Kiro {LATEST}")
    assert (home / ".local/share/kiro-bootstrap/kiro/current").readlink() == Path(LATEST)
    assert not (root_of(isolated) / "var/lib/kiro-bootstrap/status.json").exists()
    state = json.loads((home / ".local/state/kiro-bootstrap/status.json").read_text())
    assert state["install"]["scope"] == "user"


def test_rerun_of_a_pinned_version_serves_no_bytes_and_changes_no_mtime(cli, origin, isolated):
    config = ("--config", str(EXAMPLE_CONFIG))
    assert run_install(cli, origin, isolated, *config, env=PIN_PREVIOUS).code == 0
    root, home = root_of(isolated), Path(isolated["HOME"])
    logs = (root / "var/log",)  # every run writes its own log file, by design
    before = snapshot(root, home, skip=logs)
    origin.reset_counters()
    again = run_install(cli, origin, isolated, *config, env=PIN_PREVIOUS)
    assert again.code == 0, again.stdout
    assert again.json["action"] == "up-to-date"
    assert origin.bytes_served() == 0
    assert snapshot(root, home, skip=logs) == before


def test_rerun_of_latest_reads_only_the_metadata(cli, origin, isolated):
    assert run_install(cli, origin, isolated).code == 0
    origin.reset_counters()
    assert run_install(cli, origin, isolated).json["action"] == "up-to-date"
    assert origin.bytes_served(".tar.gz") == 0
    assert {record.path.rsplit("/", 1)[-1] for record in origin.requests} == {
        "metadata-linux-x64-stable.json"
    }


def test_dry_run_touches_no_byte_and_no_mtime_under_root_and_home(cli, origin, isolated):
    assert run_install(cli, origin, isolated, env=PIN_PREVIOUS).code == 0
    root, home = root_of(isolated), Path(isolated["HOME"])
    logs = (root / "var/log",)
    before = snapshot(root, home, skip=logs)
    dry = run_install(cli, origin, isolated, "--dry-run", "--config", str(EXAMPLE_CONFIG))
    assert dry.code == 0, dry.stdout
    data = dry.json
    assert (data["action"], data["dry_run"]) == ("upgrade", True)
    assert any(f"switch {root}/opt/kiro/current -> {LATEST}" in a for a in data["actions"])
    assert data["configure"]["changed"] is True
    assert snapshot(root, home, skip=logs) == before
    assert origin.bytes_served(".tar.gz") == origin.tree.artifact("linux-x64", PREVIOUS).size


def test_failure_after_the_swap_puts_the_previous_version_back(cli, origin, isolated):
    assert run_install(cli, origin, isolated, env=PIN_PREVIOUS).code == 0
    root = root_of(isolated)
    entry = root / "usr/local/share/applications/kiro.desktop"
    entry.unlink()
    entry.mkdir()  # a folder in the way: writing the menu entry fails after `current` switched
    failed = run_install(cli, origin, isolated)
    assert failed.code == 6, failed.stdout
    assert "Kiro 1.0.309 is back in place" in failed.json["error"]["message"]
    assert (root / "opt/kiro/current").readlink() == Path(PREVIOUS)
    assert not (root / "opt/kiro" / LATEST).exists()
    assert launch(root / "usr/local/bin/kiro").startswith(f"Kiro {PREVIOUS}")
    status = json.loads((root / "var/lib/kiro-bootstrap/status.json").read_text())
    assert status["install"]["version"] == PREVIOUS


def test_upgrade_keeps_the_previous_version_for_rollback_and_prunes_older(cli, origin, isolated):
    assert run_install(cli, origin, isolated, env=PIN_PREVIOUS).code == 0
    root = root_of(isolated)
    (root / "opt/kiro/1.0.1").mkdir()  # an old version folder from long ago
    upgraded = run_install(cli, origin, isolated)
    assert upgraded.json["action"] == "upgrade"
    assert sorted(p.name for p in (root / "opt/kiro").iterdir()) == [PREVIOUS, LATEST, "current"]


def test_ahead_of_pin_is_left_alone_and_recorded(cli, origin, isolated):
    assert run_install(cli, origin, isolated).code == 0
    origin.reset_counters()
    result = run_install(cli, origin, isolated, env=PIN_PREVIOUS)
    assert result.code == 0
    assert (result.json["action"], result.json["version"]) == ("ahead-of-pin", LATEST)
    assert origin.bytes_served() == 0
    root = root_of(isolated)
    assert (root / "opt/kiro/current").readlink() == Path(LATEST)
    status = json.loads((root / "var/lib/kiro-bootstrap/status.json").read_text())
    assert status["users"]["alice"]["ahead_of_pin"] is True


def test_older_version_from_a_flag_is_refused_without_allow_downgrade(cli, origin, isolated):
    assert run_install(cli, origin, isolated).code == 0
    refused = run_install(cli, origin, isolated, "--version", PREVIOUS)
    assert refused.code == 5
    assert "Refusing to downgrade" in refused.json["error"]["message"]
    done = run_install(cli, origin, isolated, "--version", PREVIOUS, "--allow-downgrade")
    assert (done.code, done.json["action"]) == (0, "downgrade")
    assert (root_of(isolated) / "opt/kiro/current").readlink() == Path(PREVIOUS)


def test_a_running_kiro_is_exit_7_unless_close_running(cli, origin, isolated):
    from kiro_bootstrap.host.runner import RecordedRunner

    running = run_install(cli, origin, isolated, process_names=lambda: ["kiro", "kiro-cli"])
    assert running.code == 7
    assert "Kiro is running (kiro)" in running.json["error"]["message"]
    assert not (root_of(isolated) / "opt/kiro").exists()
    names = iter([["kiro"], ["kiro"], []])  # running, asked to quit, gone
    runner = RecordedRunner().add(["pkill"], "")
    closed = run_install(
        cli, origin, isolated, "--close-running",
        process_names=lambda: next(names, []), runner=runner, sleep=Sleeps(),
    )  # fmt: skip
    assert closed.code == 0, closed.stdout
    assert runner.calls == [("pkill", "-TERM", "-u", "alice", "-x", "kiro")]
    assert "unsaved work" in closed.stderr


def test_an_unsupported_host_is_exit_3_unless_allowed_and_then_recorded(cli, origin, isolated):
    from tests.host import fixtures

    debian = fixtures.debian12(Path(isolated["HOME"]), is_admin=True)
    refused = run_install(cli, origin, isolated, facts=debian)
    assert refused.code == 3
    assert "glibc 2.36" in refused.json["error"]["message"]
    allowed = run_install(cli, origin, isolated, "--allow-unsupported-os", facts=debian)
    assert allowed.code == 0
    assert "does not support" in allowed.stderr
    status = json.loads((root_of(isolated) / "var/lib/kiro-bootstrap/status.json").read_text())
    assert status["install"]["unsupported_os_allowed"] is True


def test_system_scope_without_root_is_exit_9(cli, origin, isolated):
    result = run_install(cli, origin, isolated, "--scope", "system", facts=user_host(isolated))
    assert result.code == 9
    assert "needs root" in result.json["error"]["message"]


def test_a_file_of_ours_replaced_by_a_person_is_backed_up_and_restored_on_uninstall(
    cli, origin, isolated
):
    root = root_of(isolated)
    theirs = root / "usr/local/bin/kiro"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("#!/bin/sh\necho theirs\n")
    assert run_install(cli, origin, isolated).code == 0
    assert (root / "usr/local/bin/kiro.kiro-bootstrap-backup").read_text().endswith("theirs\n")
    removed = cli("uninstall", "--json", facts=admin_host(isolated))
    assert removed.code == 0, removed.stdout
    assert theirs.read_text().endswith("theirs\n")
    assert not (root / "opt/kiro").exists()
