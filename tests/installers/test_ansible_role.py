"""The Ansible role, run by `ansible-playbook -c local` from a playbook outside the repository.

Every path the role writes is under a temporary root (never the real /usr/local or /etc); the
agent installs from the local release server, configured through the policy file the role
templates. The result comes from the agent's --json answer: `changed` once, `ok` on the
rerun, and `ok` with state "unsupported" on a host with an old glibc.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sandbox.isolation import isolated_environ
from tests.install.support import EXAMPLE_CONFIG
from tests.installers.conftest import INSTALLERS, write_executable
from tests.release import support
from tests.release.support import LATEST, origin_env

origin = support.origin
release_tree = support.release_tree
ROLE = INSTALLERS / "linux" / "ansible"
PLAY_TIMEOUT_SECONDS = 300
INSTALL_TASK = "Install and configure Kiro"
DEBIAN_12_LDD = "#!/bin/sh\necho 'ldd (Debian GLIBC 2.31-13) 2.31'\n"


def ansible_playbook() -> str:
    found = Path(sys.executable).with_name("ansible-playbook")
    assert found.exists(), "ansible-core (a dev dependency) provides ansible-playbook"
    return str(found)


@pytest.fixture
def play(tmp_path: Path, agent: Path, origin) -> object:
    """Write a playbook that uses the role by path; return a function running it."""
    environ = isolated_environ(tmp_path / "host")
    root = Path(environ["KIRO_BOOTSTRAP_ROOT"])
    example = tomllib.loads(EXAMPLE_CONFIG.read_text("utf-8"))["identity_center"]
    pins = json.loads(origin_env(origin)["KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_CERT_SHA256"])
    tools = tmp_path / "tools"
    tools.mkdir()

    def run(*extra_args: str, old_glibc: bool = False) -> tuple[int, str, Path]:
        variables = {
            "kiro_bootstrap_agent_source": str(agent),
            "kiro_bootstrap_root": str(root),
            "kiro_bootstrap_start_url": example["start_url"],
            "kiro_bootstrap_idc_region": example["region"],
            "kiro_bootstrap_base_url": origin_env(origin)["KIRO_BOOTSTRAP_RELEASE__BASE_URL"],
            "kiro_bootstrap_linux_cert_sha256": pins,
            "kiro_bootstrap_extra_args": list(extra_args),
            "kiro_bootstrap_enable_timer": False,
        }
        playbook = tmp_path / "elsewhere" / "site.yml"
        playbook.parent.mkdir(exist_ok=True)
        playbook.write_text(
            json.dumps(
                [
                    {
                        "hosts": "localhost",
                        "gather_facts": False,
                        "roles": [{"role": str(ROLE), "vars": variables}],
                    }
                ]
            ),
            encoding="utf-8",
        )
        path = environ["PATH"]
        if old_glibc:
            write_executable(tools / "ldd", DEBIAN_12_LDD)
            path = f"{tools}{os.pathsep}{path}"
        done = subprocess.run(
            [
                ansible_playbook(),
                "-c",
                "local",
                "-i",
                "localhost,",
                str(playbook),
                "-e",
                f"ansible_python_interpreter={sys.executable}",
            ],
            cwd=playbook.parent,
            env={
                **environ,
                "PATH": path,
                "LANG": "C.UTF-8",
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
                "ANSIBLE_REMOTE_TEMP": str(tmp_path / "ansible-tmp"),
            },
            capture_output=True,
            text=True,
            timeout=PLAY_TIMEOUT_SECONDS,
            check=False,
        )
        return done.returncode, done.stdout + done.stderr, root

    return run


def task_status(output: str, task: str) -> str:
    """`changed`, `ok`, `failed` or `skipping` for one task of the play's output."""
    match = re.search(rf"TASK \[[^\]]*{re.escape(task)}\][^\n]*\n(\w+):", output)
    assert match, output
    return match.group(1)


def recap(output: str) -> dict[str, int]:
    line = re.search(r"^localhost\s+:(.*)$", output, re.MULTILINE)
    assert line, output
    return {name: int(value) for name, value in re.findall(r"(\w+)=(\d+)", line.group(1))}


def test_installs_once_then_reports_ok(play) -> None:
    # This project's machines run Debian 12, older than Kiro's glibc floor: the override is
    # passed through the role's extra arguments, as a fleet would for a known exception.
    code, output, root = play("--allow-unsupported-os")
    assert code == 0, output
    assert task_status(output, INSTALL_TASK) == "changed"
    policy = tomllib.loads((root / "etc/kiro-bootstrap/config.toml").read_text("utf-8"))
    assert policy["identity_center"]["region"]
    assert policy["release"]["signing"]["linux_cert_sha256"]
    assert os.access(root / "usr/local/bin/kiro-bootstrap", os.X_OK)
    assert os.access(root / "usr/local/sbin/kiro-bootstrap-fleet", os.X_OK)
    timer = (root / "etc/systemd/system/kiro-bootstrap-status.timer").read_text("utf-8")
    assert "RandomizedDelaySec=4h" in timer
    service = (root / "etc/systemd/system/kiro-bootstrap-status.service").read_text("utf-8")
    assert "status --inventory" in service
    machine = json.loads((root / "var/lib/kiro-bootstrap/status.json").read_text("utf-8"))
    assert (machine["install"]["version"], machine["state"]) == (LATEST, "compliant")
    code, output, _root = play("--allow-unsupported-os")
    assert code == 0, output
    assert task_status(output, INSTALL_TASK) == "ok"
    assert recap(output)["changed"] == 0


def test_an_old_glibc_host_is_ok_with_state_unsupported(play) -> None:
    code, output, root = play(old_glibc=True)
    assert code == 0, output
    assert task_status(output, INSTALL_TASK) == "ok"
    assert "unsupported (exit 3)" in output
    assert recap(output)["failed"] == 0
    refusal = json.loads((root / "var/lib/kiro-bootstrap/wrapper.json").read_text("utf-8"))
    assert refusal["state"] == "unsupported"
    assert "glibc 2.31" in refusal["reason"]
    assert not (root / "opt").exists()  # nothing installed
