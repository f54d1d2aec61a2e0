"""The next-steps model: what a person and an administrator read after a run."""

from __future__ import annotations

from pathlib import Path

from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.next_steps import Situation, build_next_steps
from sandbox.release_server import ReleaseServer
from tests.conftest import CliRunner
from tests.host import fixtures
from tests.install.support import run_install, user_host
from tests.onboarding.support import IDC_REGION, START_URL
from tests.release import support
from tests.release.support import origin_env

origin = support.origin
release_tree = support.release_tree


def test_prefilled_sign_in_says_confirm_not_type() -> None:
    situation = Situation(os="darwin", start_url=START_URL, idc_region=IDC_REGION, prefilled=True)
    steps = build_next_steps(situation)
    assert steps[0].command == "open -a Kiro"
    assert any("Kiro pre-fills the start URL" in step.what for step in steps)
    assert all(step.who == "person" for step in steps)


def test_without_settings_the_person_is_told_the_command_to_give_them() -> None:
    steps = build_next_steps(Situation(os="linux", start_url=None, idc_region=None))
    asked = [step for step in steps if step.command and "--start-url" in step.command]
    assert asked[0].command == "kiro-bootstrap configure --start-url URL --idc-region REGION"


def test_windows_admin_step_copies_the_agent_to_program_files_first(tmp_path: Path) -> None:
    agent = tmp_path / "kiro-bootstrap.exe"
    situation = Situation(
        os="windows",
        start_url=START_URL,
        idc_region=IDC_REGION,
        admin_commands=(r'"C:\Program Files\kiro-bootstrap\kiro-bootstrap.exe" configure',),
        agent=agent,
        agent_writable_reason="it is in Downloads",
    )
    admin = [step for step in build_next_steps(situation) if step.who == "admin"]
    assert admin[0].command is not None
    assert admin[0].command.startswith(r'mkdir "C:\Program Files\kiro-bootstrap"')
    assert admin[1].command == situation.admin_commands[0]


def test_doctor_warns_without_a_start_url_and_says_where_settings_come_from(
    cli: CliRunner,
) -> None:
    result = cli("doctor", "--offline", "--json", facts=fixtures.ubuntu2404())
    check = next(c for c in result.json["checks"] if c["id"] == "idc-start-url")
    assert check["status"] == "warn"
    assert "kiro-bootstrap.toml" in check["remedy"]
    assert "--start-url" in check["remedy"]


def test_status_is_never_compliant_without_organisation_settings(
    cli: CliRunner, origin: ReleaseServer, isolated: dict[str, str]
) -> None:
    facts = user_host(isolated)
    installed = run_install(cli, origin, isolated, facts=facts)
    assert installed.code == 0, installed.stderr
    result = cli("status", "--json", "--offline", facts=facts, env=origin_env(origin))
    assert result.json["installed"] is True, result.stdout
    assert result.code == ExitStatus.DRIFTED
    assert result.json["unconfigured"] is True
    assert any("--start-url" in (step["command"] or "") for step in result.json["next_steps"])


def test_configure_without_settings_offers_the_sso_session_it_found(
    cli: CliRunner, isolated: dict[str, str]
) -> None:
    aws = Path(isolated["HOME"]) / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    config = f'[sso-session "corp"]\nSSO_Start_URL: {START_URL}\nsso_region = {IDC_REGION}\n'
    (aws / "config").write_text(config)
    result = cli("configure", "--json", facts=user_host(isolated))
    assert result.code == 0, result.stderr
    offer = next(s for s in result.json["next_steps"] if "[sso-session corp]" in s["what"])
    assert offer["command"] == (
        f"kiro-bootstrap configure --start-url {START_URL} --idc-region {IDC_REGION}"
    )
    assert (aws / "config").read_text() == config  # offered, never used silently
