"""The CLI contract: global options anywhere, the JSON envelope, and the exit-code table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiro_bootstrap import __version__
from kiro_bootstrap.cli import main
from kiro_bootstrap.context import Environment
from kiro_bootstrap.errors import ExitStatus
from tests.conftest import CliRunner
from tests.host import fixtures


def test_version_is_defined_once_and_printed(cli: CliRunner) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"kiro-bootstrap {__version__}"


def test_help_lists_only_working_commands(cli: CliRunner) -> None:
    result = cli("--help")
    assert result.code == 0
    assert "doctor" in result.stdout
    assert "config" in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "doctor", "--offline"],
        ["doctor", "--json", "--offline"],
        ["--offline", "doctor", "--json"],
    ],
)
def test_global_options_before_or_after_the_command(cli: CliRunner, argv: list[str]) -> None:
    result = cli(*argv, facts=fixtures.ubuntu2404())
    assert result.code == 0
    envelope = result.json
    assert envelope["schema"] == "kiro-bootstrap/1"
    assert envelope["command"] == "doctor"
    assert envelope["ok"] is True
    assert envelope["exit_code"] == 0


def test_unknown_command_is_usage_error_in_json_too(cli: CliRunner) -> None:
    result = cli("--json", "frobnicate")
    assert result.code == ExitStatus.USAGE
    assert result.json["error"]["code"] == "usage"
    assert "frobnicate" in result.json["error"]["message"]


def test_no_command_is_usage_error(cli: CliRunner) -> None:
    result = cli()
    assert result.code == ExitStatus.USAGE
    assert "Name a command" in result.stderr


def test_bad_config_is_exit_2_one_sentence_no_traceback(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[kiro]\nprofile_region = "ap-southeast-2"\n', encoding="utf-8")
    result = cli("doctor", "--offline", "--config", str(config), facts=fixtures.ubuntu2404())
    assert result.code == ExitStatus.USAGE
    assert "Traceback" not in result.stderr
    assert "kiro.profile_region" in result.stderr
    assert str(config) in result.stderr
    assert result.stdout == ""


def test_missing_config_file_is_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("config", "show", "--config", str(tmp_path / "nope.toml"), "--json")
    assert result.code == ExitStatus.USAGE
    assert "does not exist" in result.json["error"]["message"]


def test_internal_error_is_exit_1_with_a_hint(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("kiro_bootstrap.doctor.run.run_doctor", explode)
    result = cli("doctor", "--offline", facts=fixtures.ubuntu2404())
    assert result.code == ExitStatus.INTERNAL_ERROR
    assert "bug" in result.stderr
    assert "Traceback" not in result.stderr
    debug = cli("doctor", "--offline", "--debug", facts=fixtures.ubuntu2404())
    assert "Traceback" in debug.stderr


def test_interrupt_is_exit_130(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("kiro_bootstrap.doctor.run.run_doctor", interrupt)
    assert cli("doctor", "--offline", facts=fixtures.ubuntu2404()).code == 130


def test_unsupported_host_is_exit_3(cli: CliRunner) -> None:
    assert cli("doctor", "--offline", facts=fixtures.ubuntu2204()).code == 3


def test_config_show_prints_values_with_origins_and_masks_secrets(
    cli: CliRunner, tmp_path: Path
) -> None:
    config = tmp_path / "org.toml"
    config.write_text(
        '[network]\nproxy = "http://bob:hunter2@proxy.example.com:8080"\n'
        '[mcp.servers.gh]\ncommand = "gh-mcp"\nenv = { GITHUB_TOKEN = "ghp_secretvalue" }\n',
        encoding="utf-8",
    )
    env = {"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.0.309"}
    result = cli("config", "show", "--json", "--config", str(config), env=env)
    assert result.code == 0
    rows = result.json["settings"]
    assert rows["release.version"] == {
        "value": "1.0.309",
        "origin": "env KIRO_BOOTSTRAP_RELEASE__VERSION",
    }
    assert rows["network.proxy"]["origin"] == f"file {config}"
    assert "hunter2" not in result.stdout
    assert "ghp_secretvalue" not in result.stdout
    assert rows["release.channel"]["origin"] == "default"
    text = cli("config", "show", "--config", str(config), env=env)
    assert "hunter2" not in text.stdout
    assert "release.version" in text.stdout


def test_policy_locked_values_show_as_locked(cli: CliRunner, isolated: dict[str, str]) -> None:
    policy = Path(isolated["KIRO_BOOTSTRAP_ROOT"]) / "etc" / "kiro-bootstrap" / "config.toml"
    policy.parent.mkdir(parents=True)
    policy.write_text('[release]\nversion = "1.0.309"\n', encoding="utf-8")
    result = cli("config", "show", "--json", env={"KIRO_BOOTSTRAP_RELEASE__VERSION": "2.0.0"},
                 facts=fixtures.ubuntu2404())  # fmt: skip
    row = result.json["settings"]["release.version"]
    assert row["value"] == "1.0.309"
    assert "locked by policy" in row["origin"]
    assert "ignored" in result.stderr


def test_windows_policy_registry_is_read_through_the_injected_reader(cli: CliRunner) -> None:
    tree = {"release": {"allowed_hosts": '["mirror.corp.example"]'}}
    result = cli(
        "config", "show", "--json",
        facts=fixtures.windows11_system(),
        registry_reader=lambda key: tree if key.endswith("KiroBootstrap") else None,
    )  # fmt: skip
    row = result.json["settings"]["release.allowed_hosts"]
    assert row["value"] == ["mirror.corp.example"]
    assert row["origin"].startswith("policy HKLM\\SOFTWARE\\Policies\\KiroBootstrap")


def test_log_file_is_written_and_shown_with_verbose(cli: CliRunner) -> None:
    result = cli("doctor", "--offline", "-v", facts=fixtures.ubuntu2404())
    line = next(line for line in result.stderr.splitlines() if line.startswith("log: "))
    log = Path(line.removeprefix("log: "))
    assert log.is_file()
    assert log.stat().st_mode & 0o077 == 0


def test_main_reads_sys_argv_when_none_given(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    out = io.StringIO()
    monkeypatch.setattr("sys.argv", ["kiro-bootstrap", "--version"])
    assert main(None, Environment(stdout=out)) == 0
    assert __version__ in out.getvalue()


def test_json_mode_prints_exactly_one_object(cli: CliRunner) -> None:
    result = cli("doctor", "--offline", "--json", facts=fixtures.debian12())
    assert result.code == 3
    decoder = json.JSONDecoder()
    _obj, end = decoder.raw_decode(result.stdout)
    assert result.stdout[end:].strip() == ""


def test_entry_point_answers_version_without_loading_the_cli() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.argv = ['kiro-bootstrap', '--version']\n"
        "from kiro_bootstrap.entry import run\n"
        "try:\n    run()\nexcept SystemExit as done:\n"
        "    assert done.code == 0\n"
        "    assert 'kiro_bootstrap.cli' not in sys.modules\n"
        "    assert 'pydantic' not in sys.modules\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == f"kiro-bootstrap {__version__}"


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["--json", "--config", "FILE.toml", "subscription"], "subscription"),
        (["--json", "--root", "DIR", "repo", "check", "--bogus"], "repo check"),
        (["--json", "admin", "roster", "keygen", "--bogus"], "admin roster keygen"),
        (["--json", "--config", "admin", "admin", "roster", "--bogus"], "admin roster"),
    ],
)
def test_error_envelope_names_the_full_command_path(
    cli: CliRunner, argv: list[str], command: str
) -> None:
    result = cli(*argv)
    assert result.code != 0
    assert result.json["command"] == command


def test_success_envelope_names_the_full_command_path_after_global_options(
    cli: CliRunner, tmp_path: Path
) -> None:
    config = tmp_path / "org.toml"
    config.write_text("", encoding="utf-8")
    result = cli("--config", str(config), "--json", "config", "show")
    assert result.code == 0
    assert result.json["command"] == "config show"
