"""The harness every test shares: isolation, a loopback-only network, an in-process CLI."""

from __future__ import annotations

import io
import ipaddress
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiro_bootstrap.cli import main
from kiro_bootstrap.context import Environment, RunningProcess
from kiro_bootstrap.host.facts import HostFacts
from sandbox.isolation import isolated_environ


def _is_loopback(host: Any) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_traffic_off_the_box(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any DNS lookup or connection that is not loopback: tests never leave this machine."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise OSError(f"test isolation: DNS lookup of {host!r} blocked")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise OSError(f"test isolation: connection to {address!r} blocked")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point HOME, XDG, APPDATA, the root and the AWS files at tmp_path."""
    environ = isolated_environ(tmp_path / "sandbox")
    for name in list(__import__("os").environ):
        if name not in environ:
            monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return environ


@dataclass
class CliResult:
    """What one in-process CLI run gave."""

    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        """stdout parsed as the one JSON object it must be."""
        data = json.loads(self.stdout)
        assert isinstance(data, dict)
        return data


CliRunner = Callable[..., CliResult]


def owned_processes(names: list[str]) -> list[RunningProcess]:
    """Processes of the account running the tests, by name."""
    return [RunningProcess(name, uid=os.getuid()) for name in names]


@pytest.fixture
def cli(isolated: dict[str, str]) -> CliRunner:
    """Run the CLI in-process: `cli("doctor", "--json", facts=..., env={...})`."""

    def run(
        *argv: str,
        facts: HostFacts | None = None,
        env: dict[str, str] | None = None,
        **overrides: Any,
    ) -> CliResult:
        stdout, stderr = io.StringIO(), io.StringIO()
        names = overrides.pop("process_names", list)
        environment = Environment(
            environ={**isolated, **(env or {})},
            stdout=stdout,
            stderr=stderr,
            facts=facts,
            # Names alone are processes of the account running the tests.
            processes=overrides.pop("processes", lambda: owned_processes(names())),
            # An empty registry: Windows facts on Linux must never reach for winreg.
            registry_reader=overrides.pop("registry_reader", lambda _key: None),
            **overrides,
        )
        code = main(list(argv), environment)
        return CliResult(code, stdout.getvalue(), stderr.getvalue())

    return run


# Skips that are expected on this project's Linux machines; any other skip fails the run.
SKIP_ALLOWLIST = (
    "needs macOS",
    "needs Windows",
    "needs a real keyring",
    "needs the built binary (make binary)",  # .ci/run then runs it with REQUIRE_BUILT_BINARY=1
    # Allowed only outside CI: tests/consumers/oracle.py fails instead when CI=true, where
    # .ci/run installs every consumer.
    "consumer not installed",
)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test was skipped for a reason not on the allow-list."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    unexpected = []
    for report in reporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
        if not any(allowed in reason for allowed in SKIP_ALLOWLIST):
            unexpected.append(f"{report.nodeid}: {reason}")
    if unexpected:
        reporter.write_line("Skipped for a reason not on the allow-list (tests/conftest.py):")
        for line in unexpected:
            reporter.write_line(f"  {line}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
