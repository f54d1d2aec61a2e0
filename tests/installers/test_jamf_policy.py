"""The Jamf policy script, the pkg recipe and its postinstall, run with bash."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiro_bootstrap.errors import ExitStatus
from tests.installers.conftest import (
    INSTALLERS,
    ScriptRunner,
    run_agent_directly,
    write_executable,
)

POLICY = "jamf/kiro-bootstrap-policy.sh"
# Jamf's own first three arguments: mount point, computer name, user name.
JAMF_FIXED = ("/", "mac-042", "alice")
START_URL = "https://d-1234567890.awsapps.com/start"
SETTING_VARIABLES = (
    "KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL",
    "KIRO_BOOTSTRAP_IDENTITY_CENTER__REGION",
    "KIRO_BOOTSTRAP_RELEASE__VERSION",
    "KIRO_BOOTSTRAP_BIN",
)


@pytest.fixture
def recording_agent(tmp_path: Path) -> tuple[Path, Path]:
    """An agent that writes its argv and the settings it was given, then exits 7."""
    record = tmp_path / "record"
    lines = "".join(
        f'echo "{name}=${{{name}-unset}}" >> "{record}"\n' for name in SETTING_VARIABLES
    )
    agent = write_executable(
        tmp_path / "recording-agent",
        f'#!/bin/sh\necho "argv=$*" > "{record}"\n{lines}exit 7\n',
    )
    return agent, record


def recorded(record: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in record.read_text().splitlines())


def test_parameters_become_settings_and_flags(
    run_script: ScriptRunner, recording_agent: tuple[Path, Path]
) -> None:
    agent, record = recording_agent
    done = run_script(
        POLICY,
        *JAMF_FIXED,
        START_URL,
        "eu-west-1",
        "1.0.309",
        "--close-running  --allow-downgrade",
        env={"KIRO_BOOTSTRAP_BIN": str(agent)},
    )
    assert done.code == ExitStatus.RETRY_LATER  # the agent's code, unchanged
    seen = recorded(record)
    assert seen["argv"] == "install --silent --close-running --allow-downgrade"
    assert seen["KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL"] == START_URL
    assert seen["KIRO_BOOTSTRAP_IDENTITY_CENTER__REGION"] == "eu-west-1"
    assert seen["KIRO_BOOTSTRAP_RELEASE__VERSION"] == "1.0.309"
    # The agent refuses KIRO_BOOTSTRAP_* names it does not know: the wrapper's own is removed.
    assert seen["KIRO_BOOTSTRAP_BIN"] == "unset"


def test_empty_parameters_leave_settings_to_the_profile(
    run_script: ScriptRunner, recording_agent: tuple[Path, Path]
) -> None:
    agent, record = recording_agent
    run_script(POLICY, *JAMF_FIXED, "", "", "", "", env={"KIRO_BOOTSTRAP_BIN": str(agent)})
    seen = recorded(record)
    assert seen["argv"] == "install --silent"
    assert seen["KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL"] == "unset"
    assert seen["KIRO_BOOTSTRAP_RELEASE__VERSION"] == "unset"


def test_a_bad_start_url_is_the_agents_exit_2(run_script: ScriptRunner) -> None:
    done = run_script(POLICY, *JAMF_FIXED, "http://d-1234567890.awsapps.com/start", "us-east-1")
    assert done.code == ExitStatus.USAGE
    assert "identity_center.start_url" in done.stderr
    assert "KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL" in done.stderr


def test_the_agents_install_code_passes_through(
    run_script: ScriptRunner, agent: Path, sandbox_env: dict[str, str]
) -> None:
    direct = run_agent_directly(agent, sandbox_env, "install", "--silent", "--offline")
    done = run_script(POLICY, *JAMF_FIXED, START_URL, "us-east-1", "", "--offline")
    assert (done.code, done.stderr) == (direct.code, direct.stderr)
    assert done.code != 0  # offline, with nothing cached, nothing can be installed


def test_missing_agent_is_exit_9(run_script: ScriptRunner, tmp_path: Path) -> None:
    done = run_script(POLICY, *JAMF_FIXED, env={"KIRO_BOOTSTRAP_BIN": str(tmp_path / "none")})
    assert done.code == ExitStatus.CANNOT_WORK_AS_SET_UP
    assert "pkg" in done.stderr


def test_postinstall_proves_the_agent_starts(
    run_script: ScriptRunner, agent: Path, tmp_path: Path
) -> None:
    volume = tmp_path / "volume"
    installed = volume / "usr/local/bin/kiro-bootstrap"
    installed.parent.mkdir(parents=True)
    installed.write_bytes(agent.read_bytes())
    installed.chmod(0o700)
    done = run_script("jamf/pkg/scripts/postinstall", "pkg", "/", str(volume))
    assert done.code == 0, done.stderr
    assert "installed kiro-bootstrap " in done.stdout
    assert stat.S_IMODE(installed.stat().st_mode) == 0o755


def test_postinstall_fails_the_pkg_when_the_agent_cannot_start(
    run_script: ScriptRunner, tmp_path: Path
) -> None:
    volume = tmp_path / "volume"
    write_executable(volume / "usr/local/bin/kiro-bootstrap", "#!/bin/sh\nexit 126\n")
    done = run_script("jamf/pkg/scripts/postinstall", "pkg", "/", str(volume))
    assert done.code == 1
    assert "does not start" in done.stderr


def test_pkg_recipe_lays_out_the_payload(
    run_script: ScriptRunner, agent: Path, tool_dir: Path, tmp_path: Path
) -> None:
    # pkgbuild exists only on macOS: this stand-in keeps what it was given.
    kept = tmp_path / "pkgbuild-saw"
    write_executable(
        tool_dir / "pkgbuild",
        '#!/bin/bash\nwhile [ "$#" -gt 1 ]; do\n  case $1 in\n'
        f'    --root) cp -a "$2" "{kept}"; shift 2 ;;\n'
        f'    --scripts|--identifier|--version|--install-location) echo "$1 $2" >> "{kept}.args"; '
        "shift 2 ;;\n    *) shift ;;\n  esac\ndone\n"
        f'touch "$1"\n',
    )
    output = tmp_path / "out"
    done = run_script("jamf/pkg/build-pkg.sh", str(agent), "0.1.0", str(output))
    assert done.code == 0, done.stderr
    assert (output / "kiro-bootstrap-0.1.0.pkg").exists()
    payload_agent = kept / "usr/local/bin/kiro-bootstrap"
    assert payload_agent.read_bytes() == agent.read_bytes()
    assert stat.S_IMODE(payload_agent.stat().st_mode) == 0o755
    arguments = (Path(f"{kept}.args")).read_text()
    assert "--identifier dev.kiro.bootstrap.agent" in arguments
    assert "--install-location /" in arguments
    scripts = Path(arguments.split("--scripts ", 1)[1].split("\n", 1)[0])
    assert scripts == INSTALLERS / "jamf/pkg/scripts"
    assert os.access(scripts / "postinstall", os.X_OK)
