"""Kill root's process or the person's step at configure's write points, as a real account:
the rerun finishes the job and the person's own value is what removal gives back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiro_bootstrap.crash import CRASH_VARIABLE
from sandbox.isolation import isolated_environ
from tests.privsep.conftest import PERSON, as_person

REPO = Path(__file__).resolve().parents[2]
ORG = """
[identity_center]
start_url = "https://d-1234567890.awsapps.com/start"
region = "eu-west-1"

[network]
proxy = "http://user:pr0xy-s3cret@proxy.example.com:8080"
"""
MINE = "http://mine:3128"


def _run(environ: dict[str, str], org: Path, command: str, crash: str | None = None) -> int:
    """The CLI's exit code (its stderr is printed, for a failing test's report)."""
    env = dict(environ)
    if crash:
        env[CRASH_VARIABLE] = crash
    argv = [sys.executable, "-m", "kiro_bootstrap", command, "--for-user", PERSON,
            "--config", str(org)]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, timeout=120, check=False)
    print(f"$ {command} (crash at {crash}): exit {done.returncode}\n{done.stderr.decode()}")
    return done.returncode


def _running_as(uid: int) -> list[str]:
    """Live processes of `uid` (zombies waiting for a reaper are dead), after a moment."""
    for _ in range(50):
        listing = subprocess.run(["ps", "-o", "pid=,stat=", "-u", str(uid)],
                                 capture_output=True, text=True, check=False)  # fmt: skip
        alive = [
            line for line in listing.stdout.splitlines() if not line.split()[1].startswith("Z")
        ]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


@pytest.mark.parametrize(
    "crash",
    ["configure-owned", "configure-written", "parent@configure-owned", "parent@configure-written"],
)
def test_a_kill_of_either_side_at_a_write_point_loses_nothing(
    tmp_path, person_account, isolated, crash
):
    environ = isolated_environ(tmp_path / "box")
    environ["PYTHONPATH"] = str(REPO)
    root = Path(environ["KIRO_BOOTSTRAP_ROOT"])
    home = root / "home" / PERSON
    settings = home / ".config/Kiro/User/settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"http.proxy": MINE}))
    for path in [home, *settings.parents]:
        if path == home.parent:
            break
        as_person(path, person_account)
    as_person(settings, person_account)
    for folder in home.parents:
        if folder == Path("/tmp"):
            break
        folder.chmod(folder.stat().st_mode | 0o055)
    org = tmp_path / "org.toml"
    org.write_text(ORG)
    org.chmod(0o644)
    # A killed step is reported by root (exit 9); a killed root takes its step with it.
    expected = -signal.SIGKILL if crash.startswith("parent@") else 9
    assert _run(environ, org, "configure", crash) == expected
    assert _run(environ, org, "configure") == 0
    assert json.loads(settings.read_text())["http.proxy"].endswith("@proxy.example.com:8080")
    assert settings.stat().st_uid == person_account.pw_uid
    assert settings.stat().st_mode & 0o777 == 0o600
    assert _run(environ, org, "uninstall") == 0
    assert json.loads(settings.read_text())["http.proxy"] == MINE
    # The person's step died with root's process: nothing of theirs is left running.
    assert _running_as(person_account.pw_uid) == []
    assert os.geteuid() == 0
