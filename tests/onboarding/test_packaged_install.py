"""The portal flow in-process: a person runs the packaged agent with no --config and ends with
Kiro installed, configured and told how to sign in; root refuses the person-writable file."""

from __future__ import annotations

import configparser
from pathlib import Path

from kiro_bootstrap.errors import ExitStatus
from sandbox.release_server import ReleaseServer
from tests.conftest import CliRunner
from tests.install.support import admin_host, user_host
from tests.onboarding.support import IDC_REGION, START_URL, write_organisation
from tests.release import support
from tests.release.support import Sleeps

origin = support.origin
release_tree = support.release_tree


def _packaged(tmp_path: Path, server: ReleaseServer) -> Path:
    """A portal download: the agent and kiro-bootstrap.toml beside it."""
    org = write_organisation(tmp_path / "admin", server)
    folder = tmp_path / "Downloads"
    folder.mkdir()
    program = folder / "kiro-bootstrap"
    program.write_bytes(b"stand-in")
    (folder / "kiro-bootstrap.toml").write_bytes(org.read_bytes())
    return program


def test_person_installs_and_configures_from_the_packaged_settings(
    cli: CliRunner, origin: ReleaseServer, isolated: dict[str, str], tmp_path: Path
) -> None:
    program = _packaged(tmp_path, origin)
    facts = user_host(isolated)
    result = cli("install", "--json", facts=facts, program=program, sleep=Sleeps())
    assert result.code == 0, result.stdout + result.stderr
    assert result.json["action"] == "install"
    aws = configparser.RawConfigParser()
    aws.read(Path(isolated["HOME"]) / ".aws" / "config")
    assert aws["sso-session kiro"]["sso_start_url"] == START_URL
    steps = result.json["next_steps"]
    texts = " | ".join(step["what"] for step in steps)
    assert "IAM Identity Center" in texts
    assert f"Type the start URL {START_URL} and the IDC region {IDC_REGION}" in texts
    admin = [step for step in steps if step["who"] == "admin"]
    # The agent sits in a folder the person can write: first a root-owned copy, then configure.
    assert admin[0]["what"].startswith("Install the agent to a root-owned path first")
    assert "/usr/local/bin/kiro-bootstrap.toml" in admin[0]["command"]
    assert admin[1]["command"].startswith("sudo /usr/local/bin/kiro-bootstrap configure")


def test_person_text_ends_with_next_in_kiro_and_a_path_hint(
    cli: CliRunner, origin: ReleaseServer, isolated: dict[str, str], tmp_path: Path
) -> None:
    program = _packaged(tmp_path, origin)
    env = {"PATH": "/usr/bin:/bin"}
    result = cli("install", facts=user_host(isolated), program=program, env=env, sleep=Sleeps())
    assert result.code == 0, result.stderr
    block = result.stdout.split("Next, in Kiro:", 1)[1]
    home = Path(isolated["HOME"])
    assert f"{home / '.local' / 'bin'} is not on PATH yet" in block
    assert f"{home / '.local' / 'bin' / 'kiro'}" in block
    assert START_URL in block


def test_root_refuses_the_packaged_settings_in_a_person_writable_folder(
    cli: CliRunner, origin: ReleaseServer, isolated: dict[str, str], tmp_path: Path
) -> None:
    program = _packaged(tmp_path, origin)
    result = cli("install", "--offline", facts=admin_host(isolated), program=program)
    assert "is not used when running as root/Administrator" in result.stderr
    assert "root-owned --config FILE" in result.stderr
    assert result.code == ExitStatus.UNAVAILABLE  # the official feed, offline: nothing to do
    assert origin.requests == []


def test_start_url_and_idc_region_flags_configure_without_any_file(
    cli: CliRunner, isolated: dict[str, str]
) -> None:
    facts = user_host(isolated)
    argv = ["configure", "--json", "--start-url", START_URL + "/", "--idc-region", IDC_REGION]
    result = cli(*argv, facts=facts)
    assert result.code == 0, result.stderr
    aws = configparser.RawConfigParser()
    aws.read(Path(isolated["HOME"]) / ".aws" / "config")
    assert aws["sso-session kiro"]["sso_start_url"] == START_URL
    assert aws["sso-session kiro"]["sso_region"] == IDC_REGION
    saved = Path(result.json["saved_settings"])
    assert saved.stat().st_mode & 0o777 == 0o600
    again = cli("--json", "config", "show", facts=facts)
    origin = again.json["settings"]["identity_center.start_url"]["origin"]
    assert origin == f"file {saved}"


def test_idc_region_flag_is_validated_like_the_setting(
    cli: CliRunner, isolated: dict[str, str]
) -> None:
    argv = ["configure", "--start-url", START_URL, "--idc-region", "mars-1"]
    result = cli(*argv, facts=user_host(isolated))
    assert result.code == ExitStatus.USAGE
    assert "identity_center.region (from flag --idc-region)" in result.stderr
