"""The Linux fleet wrapper: its own glibc verdict first, then the agent's exit codes unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kiro_bootstrap.errors import ExitStatus
from tests.installers.conftest import ScriptRunner, run_agent_directly, write_executable

WRAPPER = "linux/kiro-bootstrap-fleet.sh"
DEBIAN_LDD = "ldd (Debian GLIBC {version}-9) {version}\nCopyright (C) 2024 Free Software Foundation"


KIRO_GLIBC_FLOOR = (2, 39)


def glibc_older_than_kiro_needs() -> bool:
    """Whether this machine's own glibc is older than Kiro's floor."""
    name, version = os.confstr("CS_GNU_LIBC_VERSION").split()
    assert name == "glibc"
    return tuple(int(part) for part in version.split(".")[:2]) < KIRO_GLIBC_FLOOR


def fake_ldd(tool_dir: Path, version: str) -> None:
    banner = DEBIAN_LDD.format(version=version)
    write_executable(tool_dir / "ldd", f"#!/bin/sh\ncat <<'END'\n{banner}\nEND\n")


@pytest.fixture
def tripwire(tmp_path: Path) -> tuple[Path, Path]:
    """An agent that records that it was started."""
    mark = tmp_path / "agent-started"
    agent = write_executable(tmp_path / "tripwire-agent", f'#!/bin/sh\necho "$@" > "{mark}"\n')
    return agent, mark


@pytest.mark.parametrize("version", ["2.31", "2.17", "2.38"])
def test_old_glibc_gets_the_verdict_without_starting_the_agent(
    run_script: ScriptRunner, tool_dir: Path, tripwire: tuple[Path, Path], version: str
) -> None:
    fake_ldd(tool_dir, version)
    agent, mark = tripwire
    done = run_script(WRAPPER, "install", "--silent", env={"KIRO_BOOTSTRAP_BIN": str(agent)})
    assert done.code == ExitStatus.HOST_UNSUPPORTED
    assert f"glibc {version} is older than 2.39" in done.stderr
    assert not mark.exists()


def test_musl_gets_the_verdict(
    run_script: ScriptRunner, tool_dir: Path, tripwire: tuple[Path, Path]
) -> None:
    # musl's ldd prints its banner on stderr and exits 1.
    write_executable(tool_dir / "ldd", "#!/bin/sh\necho 'musl libc (x86_64)' >&2\nexit 1\n")
    agent, mark = tripwire
    done = run_script(WRAPPER, env={"KIRO_BOOTSTRAP_BIN": str(agent)})
    assert done.code == ExitStatus.HOST_UNSUPPORTED
    assert "musl" in done.stderr
    assert not mark.exists()


def test_arm_host_gets_the_verdict(
    run_script: ScriptRunner, tool_dir: Path, tripwire: tuple[Path, Path]
) -> None:
    write_executable(tool_dir / "uname", "#!/bin/sh\necho aarch64\n")
    fake_ldd(tool_dir, "2.39")
    agent, mark = tripwire
    done = run_script(WRAPPER, env={"KIRO_BOOTSTRAP_BIN": str(agent)})
    assert done.code == ExitStatus.HOST_UNSUPPORTED
    assert "aarch64" in done.stderr
    assert not mark.exists()


def test_allow_unsupported_os_leaves_the_decision_to_the_agent(
    run_script: ScriptRunner, tool_dir: Path, tripwire: tuple[Path, Path]
) -> None:
    fake_ldd(tool_dir, "2.31")
    agent, mark = tripwire
    done = run_script(
        WRAPPER, "install", "--allow-unsupported-os", env={"KIRO_BOOTSTRAP_BIN": str(agent)}
    )
    assert done.code == 0
    assert mark.read_text().split() == ["install", "--allow-unsupported-os"]


def test_without_arguments_it_runs_a_silent_install(
    run_script: ScriptRunner, tool_dir: Path, tripwire: tuple[Path, Path]
) -> None:
    fake_ldd(tool_dir, "2.39")
    agent, mark = tripwire
    assert run_script(WRAPPER, env={"KIRO_BOOTSTRAP_BIN": str(agent)}).code == 0
    assert mark.read_text().split() == ["install", "--silent"]


def test_missing_agent_is_exit_9(run_script: ScriptRunner, tool_dir: Path, tmp_path: Path) -> None:
    fake_ldd(tool_dir, "2.40")
    done = run_script(WRAPPER, env={"KIRO_BOOTSTRAP_BIN": str(tmp_path / "nowhere")})
    assert done.code == ExitStatus.CANNOT_WORK_AS_SET_UP
    assert "KIRO_BOOTSTRAP_BIN" in done.stderr


def test_the_agents_verdict_and_output_pass_through(
    run_script: ScriptRunner, tool_dir: Path, agent: Path, sandbox_env: dict[str, str]
) -> None:
    # The wrapper's check passes (a new glibc on PATH); the agent then judges the real host.
    fake_ldd(tool_dir, "2.39")
    direct = run_agent_directly(agent, sandbox_env, "doctor", "--offline", "--json")
    done = run_script(WRAPPER, "doctor", "--offline", "--json")
    assert done.code == direct.code
    report = json.loads(done.stdout)
    assert report["command"] == "doctor"
    assert report["exit_code"] == done.code


def test_a_silent_install_gives_the_agents_code(
    run_script: ScriptRunner, tool_dir: Path, agent: Path, sandbox_env: dict[str, str]
) -> None:
    # On a host older than Kiro's glibc floor (this project's Debian 12) that is exit 3, from
    # the agent itself this time: it reads the C library, not the fake ldd.
    fake_ldd(tool_dir, "2.39")
    direct = run_agent_directly(agent, sandbox_env, "install", "--silent", "--offline")
    done = run_script(WRAPPER, "install", "--silent", "--offline")
    assert (done.code, done.stderr) == (direct.code, direct.stderr)
    if glibc_older_than_kiro_needs():
        assert done.code == ExitStatus.HOST_UNSUPPORTED
        assert "Kiro cannot run on this machine" in done.stderr


def test_the_agents_usage_errors_pass_through(
    run_script: ScriptRunner, tool_dir: Path, tmp_path: Path
) -> None:
    fake_ldd(tool_dir, "2.39")
    bad = tmp_path / "bad.toml"
    bad.write_text('[release]\nbase_url = "http://example.com"\n', encoding="utf-8")
    done = run_script(WRAPPER, "doctor", "--offline", "--config", str(bad))
    assert done.code == ExitStatus.USAGE
    assert "release.base_url" in done.stderr


def test_a_refusal_is_recorded_in_wrapper_json_and_printed_as_one_json_object(
    run_script: ScriptRunner, tool_dir: Path, tripwire: tuple[Path, Path], sandbox_env: dict
) -> None:
    import stat

    fake_ldd(tool_dir, "2.31")
    agent, _mark = tripwire
    done = run_script(
        WRAPPER, "install", "--silent", "--json", env={"KIRO_BOOTSTRAP_BIN": str(agent)}
    )
    assert done.code == ExitStatus.HOST_UNSUPPORTED
    (line,) = done.stdout.splitlines()
    answer = json.loads(line)
    assert (answer["command"], answer["exit_code"], answer["state"]) == (
        "install",
        3,
        "unsupported",
    )
    assert "glibc 2.31 is older than 2.39" in answer["error"]["message"]
    state_dir = Path(sandbox_env["KIRO_BOOTSTRAP_ROOT"]) / "var/lib/kiro-bootstrap"
    record = json.loads((state_dir / "wrapper.json").read_text())
    assert (record["state"], record["exit_code"], record["command"]) == (
        "unsupported",
        3,
        "install --silent --json",
    )
    assert stat.S_IMODE((state_dir / "wrapper.json").stat().st_mode) == 0o644
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o755
    assert not list(state_dir.glob(".wrapper.json.*"))
    assert run_script(WRAPPER, "state").stdout.strip() == "unsupported"
    # A host that passes later (glibc upgraded) drops the old refusal.
    fake_ldd(tool_dir, "2.39")
    assert run_script(WRAPPER, env={"KIRO_BOOTSTRAP_BIN": str(agent)}).code == 0
    assert not (state_dir / "wrapper.json").exists()


def test_the_agent_folds_the_wrappers_refusal_into_its_state(
    run_script: ScriptRunner, tool_dir: Path, agent: Path, sandbox_env: dict
) -> None:
    fake_ldd(tool_dir, "2.31")
    assert run_script(WRAPPER, "install", "--silent").code == ExitStatus.HOST_UNSUPPORTED
    # The agent itself (run directly, e.g. by the status timer) reports what the wrapper saw.
    checked = run_agent_directly(agent, sandbox_env, "status", "--json", "--offline")
    assert json.loads(checked.stdout)["state"] == "unsupported"
    inventory = run_agent_directly(agent, sandbox_env, "status", "--inventory", "--offline")
    assert inventory.code == 0
