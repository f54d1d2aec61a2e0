"""Run the installer wrappers with bash against a real agent in a sandbox HOME and root.

The agent is the package itself started as a process (`python -m kiro_bootstrap` behind a tiny
launcher), or the built binary when KIRO_BOOTSTRAP_TEST_AGENT names it (`.ci/smoke-installers`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.isolation import isolated_environ

REPO = Path(__file__).resolve().parents[2]
INSTALLERS = REPO / "installers"
AGENT_VARIABLE = "KIRO_BOOTSTRAP_TEST_AGENT"
SCRIPT_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class ScriptRun:
    """What one script run gave."""

    code: int
    stdout: str
    stderr: str


ScriptRunner = Callable[..., ScriptRun]


def write_executable(path: Path, text: str) -> Path:
    """A small executable file (a launcher or a stand-in tool)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kiro-bootstrap agent the wrappers start."""
    built = os.environ.get(AGENT_VARIABLE)
    if built:
        return Path(built).resolve()
    launcher = tmp_path_factory.mktemp("agent") / "kiro-bootstrap"
    return write_executable(
        launcher,
        f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m kiro_bootstrap "$@"\n',
    )


@pytest.fixture
def tool_dir(tmp_path: Path) -> Path:
    """A folder put first on PATH, for stand-in tools (a fake `ldd`, `osascript`)."""
    folder = tmp_path / "tools"
    folder.mkdir()
    return folder


@pytest.fixture
def sandbox_env(tmp_path: Path, agent: Path, tool_dir: Path) -> dict[str, str]:
    """A throwaway HOME and root, KIRO_BOOTSTRAP_BIN set to the agent, stand-in tools first."""
    environ = isolated_environ(tmp_path / "script-sandbox")
    environ["KIRO_BOOTSTRAP_BIN"] = str(agent)
    environ["PATH"] = f"{tool_dir}{os.pathsep}{environ.get('PATH', os.defpath)}"
    return environ


@pytest.fixture
def run_script(sandbox_env: dict[str, str]) -> ScriptRunner:
    """Run an installer script with bash: `run_script("linux/x.sh", "doctor", env={...})`."""
    bash = shutil.which("bash")
    assert bash, "bash is needed to run the installer scripts"

    def run(script: str, *args: str, env: dict[str, str] | None = None) -> ScriptRun:
        done = subprocess.run(
            [bash, str(INSTALLERS / script), *args],
            env={**sandbox_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT_SECONDS,
            check=False,
        )
        return ScriptRun(done.returncode, done.stdout, done.stderr)

    return run


def run_agent_directly(agent: Path, environ: dict[str, str], *args: str) -> ScriptRun:
    """The agent started without any wrapper (and without the wrappers' own variable)."""
    done = subprocess.run(
        [str(agent), *args],
        env={name: value for name, value in environ.items() if name != "KIRO_BOOTSTRAP_BIN"},
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT_SECONDS,
        check=False,
    )
    return ScriptRun(done.returncode, done.stdout, done.stderr)
