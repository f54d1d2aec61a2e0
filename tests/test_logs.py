"""Run logs: one JSON event a line that tells the story; rotated, 0700/0600, secrets redacted.

The test for each kind of run: its log alone says what was asked, what was decided and done,
and how it ended (exit code, error and remedy).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiro_bootstrap import __version__
from kiro_bootstrap.logs import KEEP_RUN_LOGS, start_run_log, stop_run_log
from kiro_bootstrap.redact import redact
from tests.release import support
from tests.release.support import LATEST

origin = support.origin
release_tree = support.release_tree


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("proxy http://bob:hunter2@proxy.corp:8080", "hunter2"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9"),
        ("key AKIAIOSFODNN7EXAMPLE used", "IOSFODNN7EXAMPLE"),
        ('{"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}', "wJalrXUtnFEMI"),
        ("token=ghp_abcdefghijklmnop", "ghp_abcdefghijklmnop"),
        ("cloned with ghp_" + "a1" * 18 + " at 10:00", "a1a1a1a1"),
        ("glpat-" + "x" * 20 + " leaked", "xxxxxxxxxx"),
        ("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "MIIE"),
    ],
)
def test_redact_masks_secrets(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "downloaded https://prod.download.desktop.kiro.dev/stable/x.json in 0.2 s"
    assert redact(text) == text


def test_run_log_is_private_redacted_and_rotated(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    for index in range(KEEP_RUN_LOGS + 5):
        (folder / f"run-20200101T0000{index:02d}-1.log").write_text("old", encoding="utf-8")
    path = start_run_log(folder, "doctor", datetime(2026, 11, 26, tzinfo=UTC))
    assert path is not None
    logging.getLogger("kiro_bootstrap.test").info("proxy http://u:topsecret@p:1")
    stop_run_log()
    assert path.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700 or folder.exists()  # made by the test here
    assert "topsecret" not in path.read_text("utf-8")
    assert len(list(folder.glob("run-*.log"))) == KEEP_RUN_LOGS


def test_unwritable_log_folder_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert start_run_log(blocker / "logs", "doctor", datetime.now(UTC)) is None


def events_of(isolated: dict[str, str]) -> tuple[list[dict], str]:
    """The JSON events and the summary line of the one run log under the test's root."""
    (log,) = sorted(
        (Path(isolated["KIRO_BOOTSTRAP_ROOT"]) / "var/log/kiro-bootstrap").glob("run-*")
    )
    *lines, summary = log.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines], summary


def kinds(events: list[dict], kind: str) -> list[dict]:
    return [event for event in events if event["event"] == kind]


def test_a_successful_install_tells_its_story(cli, origin, isolated) -> None:
    from tests.install.support import EXAMPLE_CONFIG, run_install

    assert run_install(cli, origin, isolated, "--config", str(EXAMPLE_CONFIG)).code == 0
    events, summary = events_of(isolated)
    (start,) = kinds(events, "start")
    assert (start["agent_version"], start["command"]) == (__version__, "install")
    assert start["argv"][:2] == ["install", "--json"]
    (host,) = kinds(events, "host")
    assert host["verdict"]["supported"] is True
    origins = {event["key"]: event["origin"] for event in kinds(events, "setting")}
    assert origins["identity_center.start_url"].startswith("file ")  # from --config
    assert "subscription.roster_url" not in origins  # a default: nobody chose it
    assert origins["release.base_url"].startswith("env ")
    # The settings were checked before anything was fetched, then the version decided.
    checked, decision = kinds(events, "decision")
    assert checked["message"] == "settings valid"
    assert (decision["message"], decision["offered"]) == ("install", LATEST)
    calls = kinds(events, "call")
    assert calls
    assert all(call["host"].startswith("127.0.0.1:") for call in calls)
    assert {call["status"] for call in calls} == {200}
    assert any(call["bytes"] and call["bytes"] > 1000 for call in calls)  # the build itself
    paths = [event["path"] for event in kinds(events, "action")]
    assert any(path.endswith("managed-settings.json") for path in paths)
    assert any(path.endswith(LATEST) for path in paths)  # the install folder
    assert any(path.endswith("status.json") for path in paths)
    assert kinds(events, "result")[0]["exit_code"] == 0
    assert summary.startswith("kiro-bootstrap install: exit 0 after ")
    assert "actions" in summary
    assert "calls" in summary


def test_a_rerun_says_why_nothing_was_downloaded(cli, origin, isolated) -> None:
    from tests.install.support import run_install

    assert run_install(cli, origin, isolated).code == 0
    for old in (Path(isolated["KIRO_BOOTSTRAP_ROOT"]) / "var/log/kiro-bootstrap").glob("run-*"):
        old.unlink()
    assert run_install(cli, origin, isolated).code == 0
    events, _summary = events_of(isolated)
    decision = kinds(events, "decision")[-1]
    assert decision["message"] == "up-to-date"
    assert "nothing to download" in decision["why"]


def test_an_unsupported_host_refusal_says_why_and_the_remedy(cli, origin, isolated) -> None:
    from tests.install.support import admin_host, run_install

    old = admin_host(isolated, libc_version="2.31")
    assert run_install(cli, origin, isolated, facts=old).code == 3
    events, summary = events_of(isolated)
    assert kinds(events, "host")[0]["verdict"]["supported"] is False
    (error,) = kinds(events, "error")
    assert (error["code"], error["exit_code"]) == ("host-unsupported", 3)
    assert "2.31" in error["message"]
    assert "doctor" in error["remedy"]
    assert not kinds(events, "call")  # refused before anything was downloaded
    assert summary.startswith("kiro-bootstrap install: exit 3 ")
    assert "Kiro cannot run on this machine" in summary


def test_a_config_error_is_logged_with_its_exit_code(cli, isolated, tmp_path: Path) -> None:
    from tests.install.support import admin_host

    bad = tmp_path / "bad.toml"
    bad.write_text('[identity_center]\nstart_urll = "https://d-1.awsapps.com/start"\n', "utf-8")
    assert cli("install", "--config", str(bad), facts=admin_host(isolated)).code == 2
    events, summary = events_of(isolated)
    (error,) = kinds(events, "error")
    assert (error["code"], error["exit_code"]) == ("config", 2)
    assert "start_urll" in error["message"]
    assert summary.startswith("kiro-bootstrap install: exit 2 ")


def test_a_secret_in_the_settings_never_reaches_the_log(cli, origin, isolated) -> None:
    from tests.install.support import run_install

    proxy = {"KIRO_BOOTSTRAP_NETWORK__PROXY": "http://bob:hunter2secret@127.0.0.1:9"}
    run_install(cli, origin, isolated, "--dry-run", env=proxy)
    text = next((Path(isolated["KIRO_BOOTSTRAP_ROOT"]) / "var/log/kiro-bootstrap").glob("run-*"))
    assert "hunter2secret" not in text.read_text("utf-8")


def test_verbose_prints_the_path_and_debug_mirrors_the_log(cli, isolated) -> None:
    from tests.install.support import admin_host

    verbose = cli("doctor", "--offline", "-v", facts=admin_host(isolated))
    assert "log: " in verbose.stderr
    debug = cli("doctor", "--offline", "--debug", facts=admin_host(isolated))
    mirrored = [json.loads(line) for line in debug.stderr.splitlines() if line.startswith("{")]
    assert {event["event"] for event in mirrored} >= {"start", "host", "result"}


def test_an_admin_aws_failure_names_the_failed_check_and_its_remedy(
    cli, isolated, tmp_path: Path
) -> None:
    import dataclasses

    from tests.admin.harness import HEALTHY, local_aws, write_config
    from tests.host import fixtures

    admin = dataclasses.replace(fixtures.ubuntu2404(Path(isolated["HOME"])), is_admin=True)
    for aws in local_aws():
        aws.reset(dataclasses.replace(HEALTHY, caller="management"))
        config = write_config(tmp_path)
        secret = aws.env()["AWS_SECRET_ACCESS_KEY"]
        done = cli("admin", "preflight", "--config", str(config), facts=admin, env=aws.env())
        assert done.code == 10, done.stdout
    events, summary = events_of(isolated)
    (guard,) = [check for check in kinds(events, "check") if check["id"] == "management-account"]
    assert guard["status"] == "fail"
    assert "member account" in guard["remedy"]
    assert kinds(events, "result")[0]["exit_code"] == 10
    assert summary.startswith("kiro-bootstrap admin preflight: exit 10 ")
    assert secret not in "\n".join(json.dumps(event) for event in events)
