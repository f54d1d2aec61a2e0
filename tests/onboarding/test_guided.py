"""A bare run on a terminal: the guided onboarding, driven through a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiro_bootstrap.cli import main
from kiro_bootstrap.context import Environment
from sandbox.release_server import ReleaseServer
from tests.install.support import user_host
from tests.onboarding.support import IDC_REGION, START_URL, organisation_toml
from tests.release import support
from tests.release.support import Sleeps, origin_env

origin = support.origin
release_tree = support.release_tree
WAIT_SECONDS = 60.0


class Terminal:
    """The person's side of a pseudo-terminal: read the screen, type answers."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.screen = ""

    def expect(self, text: str) -> str:
        """Read until `text` is on the screen; the screen so far."""
        deadline = time.monotonic() + WAIT_SECONDS
        while text not in self.screen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} never appeared; the screen:\n{self.screen}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                self.screen += os.read(self.master, 65536).decode("utf-8", "replace")
        return self.screen

    def type(self, line: str) -> None:
        """Type a line and press Enter."""
        os.write(self.master, f"{line}\n".encode())


@pytest.fixture
def run_on_terminal(isolated: dict[str, str]) -> Iterator[Any]:
    """Start `main(argv)` on a pseudo-terminal in a thread; yield (terminal, result holder)."""
    started: list[tuple[threading.Thread, int, int]] = []

    def start(*argv: str, env: dict[str, str], **overrides: Any) -> tuple[Terminal, dict[str, int]]:
        master, slave = pty.openpty()
        reader = open(slave, encoding="utf-8", closefd=False)  # noqa: SIM115 - closed below
        writer = open(slave, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
        environment = Environment(
            environ={**isolated, **env},
            stdin=reader,
            stdout=writer,
            stderr=writer,
            facts=user_host(isolated),
            processes=list,
            registry_reader=lambda _key: None,
            sleep=Sleeps(),
            **overrides,
        )
        outcome: dict[str, int] = {}

        def run() -> None:
            outcome["code"] = main(list(argv), environment)
            writer.flush()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        started.append((thread, master, slave))
        return Terminal(master), outcome

    yield start
    for thread, master, slave in started:
        thread.join(WAIT_SECONDS)
        os.close(master)
        os.close(slave)


def _finish(outcome: dict[str, int], terminal: Terminal) -> int:
    deadline = time.monotonic() + WAIT_SECONDS
    while "code" not in outcome and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "code" in outcome, terminal.screen
    return outcome["code"]


def test_bare_run_asks_sign_in_confirms_installs_and_waits_for_enter(
    run_on_terminal: Any, origin: ReleaseServer, isolated: dict[str, str]
) -> None:
    terminal, outcome = run_on_terminal(env=origin_env(origin), console_owner=lambda: True)
    terminal.expect("This machine can run Kiro.")
    terminal.expect("start URL (https://")
    terminal.type("http://not-https.example.com/start")
    terminal.expect("must use https")
    terminal.type(START_URL)
    terminal.expect("region (e.g. eu-west-1):")
    terminal.type(IDC_REGION)
    screen = terminal.expect("Go ahead? [Y/n]")
    assert f"configure the sign-in: {START_URL} (IDC region {IDC_REGION})" in screen
    assert "Installed Kiro" not in screen  # nothing before the one confirmation
    terminal.type("")
    screen = terminal.expect("Press Enter to close.")
    assert "Installed Kiro" in screen
    block = screen.split("Next, in Kiro:", 1)[1]
    assert f"Type the start URL {START_URL} and the IDC region {IDC_REGION}" in block
    terminal.type("")
    assert _finish(outcome, terminal) == 0
    saved = Path(isolated["XDG_CONFIG_HOME"]) / "kiro-bootstrap" / "config.toml"
    assert START_URL in saved.read_text()


def test_packaged_settings_and_yes_ask_nothing(
    run_on_terminal: Any, origin: ReleaseServer, tmp_path: Path
) -> None:
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / "kiro-bootstrap.toml").write_text(organisation_toml(origin), encoding="utf-8")
    terminal, outcome = run_on_terminal(
        "--yes", env={}, program=folder / "kiro-bootstrap", console_owner=lambda: False
    )
    assert _finish(outcome, terminal) == 0
    screen = terminal.expect("Next, in Kiro:")
    assert "start URL (https://" not in screen
    assert "Go ahead?" not in screen
    assert "Press Enter to close." not in screen


def test_an_sso_session_in_aws_config_is_offered_not_taken(
    run_on_terminal: Any, origin: ReleaseServer, isolated: dict[str, str]
) -> None:
    aws = Path(isolated["HOME"]) / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "config").write_text(
        f"[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = {IDC_REGION}\n"
    )
    terminal, outcome = run_on_terminal(env=origin_env(origin), console_owner=lambda: False)
    terminal.expect(f"Use {START_URL} ({IDC_REGION}) from ~/.aws/config [sso-session corp]?")
    terminal.type("y")
    terminal.expect("Go ahead? [Y/n]")
    terminal.type("n")
    terminal.expect("Nothing was changed.")
    assert _finish(outcome, terminal) == 0
