"""The packaged agent as real processes: `admin package`, then a person and root run it with no
--config. The agent is `make binary`'s dist/kiro-bootstrap when built (.ci/run builds it, then
runs this file again with REQUIRE_BUILT_BINARY=1, where a missing binary fails); otherwise the
venv's entry point in the same packaged layout stands in for root's runs. A person cannot run the
venv's interpreter on every machine (pyenv under /root), so their run needs the built binary."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.isolation import isolated_environ
from sandbox.release_server import ReleaseServer
from tests.onboarding.support import START_URL, write_organisation
from tests.release import support

origin = support.origin
release_tree = support.release_tree
REPO = Path(__file__).resolve().parents[2]
BUILT = REPO / "dist" / "kiro-bootstrap"
TIMEOUT_SECONDS = 300
REQUIRED = "REQUIRE_BUILT_BINARY"


def agent_under_test() -> Path:
    """The built binary when there is one, else the venv's console script."""
    return BUILT if BUILT.is_file() else Path(sys.executable).parent / "kiro-bootstrap"


@pytest.fixture(scope="session")
def person() -> Iterator[pwd.struct_passwd]:
    """A temporary unprivileged account with its own home (tests run as root here)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create a temporary account (CI and this project run as root)")
    name = f"kbo{uuid.uuid4().hex[:8]}"
    home = Path(tempfile.gettempdir()) / name
    subprocess.run(
        ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/sh", name],
        check=True,
    )
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def _package(agent: Path, org: Path, dest: Path, environ: dict[str, str]) -> Path:
    """`admin package` run by the agent under test; the packaged agent's path."""
    argv = [str(agent), "--config", str(org), "admin", "package", "--dest", str(dest)]
    argv += ["--binary", str(agent), "--target", "linux-x64", "--json"]
    done = subprocess.run(argv, env=environ, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return dest / "linux-x64" / "kiro-bootstrap"


def _person_environ(entry: pwd.struct_passwd) -> dict[str, str]:
    home = Path(entry.pw_dir)
    return {
        "HOME": str(home),
        "USER": entry.pw_name,
        "LOGNAME": entry.pw_name,
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }


def _give(path: Path, entry: pwd.struct_passwd) -> None:
    for current, _folders, files in os.walk(path):
        os.chown(current, entry.pw_uid, entry.pw_gid)
        for name in files:
            os.chown(Path(current) / name, entry.pw_uid, entry.pw_gid)


def test_a_person_installs_and_configures_with_only_the_packaged_agent(
    person: pwd.struct_passwd, origin: ReleaseServer, tmp_path: Path
) -> None:
    if not BUILT.is_file():
        assert os.environ.get(REQUIRED) != "1", f"{BUILT} is missing: run make binary"
        pytest.skip("needs the built binary (make binary); .ci/run runs it")
    org = write_organisation(tmp_path / "admin", origin)
    packaged = _package(BUILT, org, tmp_path / "portal", isolated_environ(tmp_path))
    downloads = Path(person.pw_dir) / "Downloads"
    shutil.copytree(packaged.parent, downloads)
    _give(downloads, person)
    argv = ["setpriv", f"--reuid={person.pw_uid}", f"--regid={person.pw_gid}", "--init-groups"]
    argv += [str(downloads / "kiro-bootstrap"), "install", "--allow-unsupported-os", "--json"]
    done = subprocess.run(
        argv,
        env=_person_environ(person),
        cwd=person.pw_dir,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT_SECONDS,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert (result["command"], result["action"], result["scope"]) == ("install", "install", "user")
    aws_config = (Path(person.pw_dir) / ".aws" / "config").read_text()
    assert START_URL in aws_config
    admin = [step for step in result["next_steps"] if step["who"] == "admin"]
    assert admin[0]["what"].startswith("Install the agent to a root-owned path first")
    assert f"belongs to uid {person.pw_uid}" in admin[0]["what"]


def test_root_refuses_the_settings_beside_a_person_owned_agent(
    person: pwd.struct_passwd, origin: ReleaseServer, tmp_path: Path
) -> None:
    org = write_organisation(tmp_path / "admin", origin)
    environ = isolated_environ(tmp_path / "root-run")
    packaged = _package(agent_under_test(), org, tmp_path / "portal", environ)
    downloads = Path(person.pw_dir) / "Downloads-for-root"
    shutil.copytree(packaged.parent, downloads)
    _give(downloads, person)
    argv = [str(downloads / "kiro-bootstrap"), "install", "--offline", "--allow-unsupported-os"]
    done = subprocess.run(
        argv, env=environ, capture_output=True, text=True, check=False, timeout=TIMEOUT_SECONDS
    )
    assert "is not used when running as root/Administrator" in done.stderr
    assert f"belongs to uid {person.pw_uid}, not root" in done.stderr
    assert done.returncode == 4  # the official feed, offline: nothing was installed
    assert origin.requests == []


def test_root_uses_the_settings_beside_a_root_owned_agent(
    origin: ReleaseServer, tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to install into a root-owned folder")
    org = write_organisation(tmp_path / "admin", origin)
    environ = isolated_environ(tmp_path / "root-run")
    owned = Path(tempfile.mkdtemp(prefix="kbo-", dir="/root"))  # root-owned, 0700, under /
    try:
        packaged = _package(agent_under_test(), org, owned / "portal", environ)
        argv = [str(packaged), "install", "--allow-unsupported-os", "--json"]
        done = subprocess.run(
            argv, env=environ, capture_output=True, text=True, check=False, timeout=TIMEOUT_SECONDS
        )
    finally:
        shutil.rmtree(owned, ignore_errors=True)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["scope"] == "system"
    managed = Path(environ["KIRO_BOOTSTRAP_ROOT"]) / "etc/kiro/managed-settings.json"
    assert json.loads(managed.read_text())["settings"]["idc_start_url"] == START_URL
