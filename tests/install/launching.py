"""Launch a desktop entry the way a person's menu does (GLib's `gio launch`), and read back
what the sandbox's fake Kiro was started with (its arguments and environment)."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.artifacts import REPORT_VARIABLE

LAUNCH_WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Launched:
    """What the fake Kiro reported: its arguments and environment."""

    argv: list[str]
    environ: dict[str, str]


def consumer(name: str) -> str:
    """The path of a consumer program; a missing one fails (`.ci/run` installs it)."""
    found = shutil.which(name)
    assert found, f"{name} is needed (Debian: libglib2.0-bin / desktop-file-utils)"
    return found


def validate(entry: Path) -> str:
    """desktop-file-validate's complaints about an entry (empty: valid)."""
    done = subprocess.run(
        [consumer("desktop-file-validate"), str(entry)], capture_output=True, text=True, check=False
    )
    return (done.stdout + done.stderr).strip() if done.returncode else ""


def gio_launch(entry: Path, report: Path, *files: str) -> Launched:
    """`gio launch ENTRY FILES…` with a clean environment; wait for Kiro's report."""
    report.unlink(missing_ok=True)
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(report.parent), REPORT_VARIABLE: str(report)}
    done = subprocess.run(
        [consumer("gio"), "launch", str(entry), *files],
        capture_output=True, text=True, check=False, env=environ, timeout=LAUNCH_WAIT_SECONDS,
    )  # fmt: skip
    assert done.returncode == 0, f"gio launch failed: {done.stderr.strip()}"
    deadline = time.monotonic() + LAUNCH_WAIT_SECONDS
    while not report.exists():
        assert time.monotonic() < deadline, "Kiro did not start from the menu entry"
        time.sleep(POLL_SECONDS)
    argv, environ_seen = [], {}
    for line in report.read_text().splitlines():
        if line.startswith("argv="):
            argv.append(line.removeprefix("argv="))
        elif "=" in line:
            name, _, value = line.partition("=")
            environ_seen[name] = value
    return Launched(argv, environ_seen)
