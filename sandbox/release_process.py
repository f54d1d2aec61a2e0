"""Run the sandbox release server in its own process and drive it over `/_control/`."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from sandbox.faults import Fault
from sandbox.release_server import READY_PREFIX

# Building 1 GiB artifacts on a cold cache takes a while before READY appears.
READY_TIMEOUT_SECONDS = 300.0
STOP_TIMEOUT_SECONDS = 10.0
CONTROL_TIMEOUT_SECONDS = 10.0
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ReleaseServerProcess:
    """`python -m sandbox.release_server` as a context manager that waits for READY."""

    def __init__(
        self,
        folder: Path,
        *,
        versions: list[str] | None = None,
        artifact_size: int | None = None,
        extra_arguments: list[str] | None = None,
        ready_timeout: float = READY_TIMEOUT_SECONDS,
    ) -> None:
        """Prepare the command line; nothing starts until `start()` or `with`."""
        self.command = [sys.executable, "-m", "sandbox.release_server", "--dir", str(folder)]
        if versions:
            self.command += ["--versions", ",".join(versions)]
        if artifact_size:
            self.command += ["--artifact-size", str(artifact_size)]
        self.command += extra_arguments or []
        self.ready_timeout = ready_timeout
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> ReleaseServerProcess:
        """Start the process and wait for its READY line."""
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the process."""
        self.stop()

    def start(self) -> ReleaseServerProcess:
        """Start the server process and read `READY <url>` from its stdout."""
        # The child must import `sandbox` whatever the caller's working directory is.
        python_path = os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        )
        self._process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": python_path},
        )
        assert self._process.stdout is not None  # stdout=PIPE guarantees it
        line = _read_line(self._process.stdout, self.ready_timeout)
        if not line.startswith(f"{READY_PREFIX} "):
            self.stop()
            raise RuntimeError(f"release server did not become ready (said {line!r})")
        self.base_url = line.split(" ", 1)[1].strip()
        return self

    def stop(self) -> int | None:
        """Send SIGTERM, wait, kill if it will not stop; return the exit code."""
        if self._process is None:
            return None
        process, self._process = self._process, None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return process.returncode

    @property
    def pid(self) -> int:
        """Return the server's process id."""
        if self._process is None:
            raise RuntimeError("the release server process is not running")
        return self._process.pid

    def stats(self) -> dict[str, Any]:
        """Return the server's counters (`total_bytes`, `bytes_served`, `requests`, `faults`)."""
        return self._control("GET", "stats")

    def tree(self) -> dict[str, Any]:
        """Return the served tree: versions, signing pin, artifacts with sha256, size and URL."""
        return self._control("GET", "tree")

    def reset(self) -> None:
        """Forget the server's request log and byte counts."""
        self._control("POST", "reset")

    def set_faults(self, faults: list[Fault]) -> None:
        """Replace the server's pending faults."""
        self._control("POST", "faults", [fault.to_json() for fault in faults])

    def _control(self, method: str, action: str, body: Any = None) -> dict[str, Any]:
        """Call a control endpoint and return its JSON answer."""
        url = f"{self.base_url}/_control/{action}"
        response = httpx.request(method, url, json=body, timeout=CONTROL_TIMEOUT_SECONDS)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


def _read_line(stream: IO[str], timeout: float) -> str:
    """Return the next line of `stream`, or "" if none starts within `timeout` seconds."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return stream.readline()
