"""`install --from DIR` (a mirror folder, no network) and `install --silent` (what MDM runs)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.host import fixtures
from tests.install.support import admin_host, launch, root_of, run_install
from tests.release import support
from tests.release.support import LATEST, TAR, Sleeps, origin_env

origin = support.origin
release_tree = support.release_tree
MACHINE = "var/lib/kiro-bootstrap/status.json"
# What a progress bar (rich, on a terminal) writes: escape sequences and carriage returns.
TERMINAL_CONTROL = ("\x1b", "\r")


@pytest.fixture
def mirror_folder(cli, origin, isolated, tmp_path) -> Path:
    """A mirror folder made by `mirror --dest`, and a fresh cache so nothing comes from it."""
    dest = tmp_path / "mirror"
    built = cli("mirror", "--json", "--dest", str(dest), "--base-url",
                "https://mirror.example.com/kiro", "--target", TAR,
                facts=fixtures.ubuntu2404(), env=origin_env(origin))  # fmt: skip
    assert built.code == 0, built.stdout
    cache = Path(isolated["XDG_CACHE_HOME"])
    cache.rename(cache.with_name("cache-before-the-install"))
    origin.reset_counters()
    return dest


def test_install_from_a_mirror_folder_sends_no_request_to_the_origin(
    cli, origin, isolated, mirror_folder
):
    result = run_install(cli, origin, isolated, "--from", str(mirror_folder))
    assert result.code == 0, result.stdout + result.stderr
    assert (result.json["action"], result.json["version"]) == ("install", LATEST)
    assert origin.requests == []
    assert origin.bytes_served() == 0
    assert launch(root_of(isolated) / "usr/local/bin/kiro").startswith(f"Kiro {LATEST}")
    checks = {check["id"]: check["status"] for check in result.json["checks"]}
    assert (checks["linux-signature"], checks["linux-cert-pin"]) == ("pass", "pass")
    record = json.loads((root_of(isolated) / MACHINE).read_text())["install"]
    assert record["sha256"] == origin.tree.artifact(TAR).sha256


def test_a_tampered_mirror_folder_is_exit_5_installs_nothing_and_is_recorded(
    cli, origin, isolated, mirror_folder
):
    (artifact,) = mirror_folder.rglob(f"kiro-ide-{LATEST}-stable-linux-x64.tar.gz")
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))
    result = run_install(cli, origin, isolated, "--from", str(mirror_folder))
    assert result.code == 5, result.stdout
    assert not (root_of(isolated) / "opt/kiro").exists()
    assert origin.requests == []
    record = json.loads((root_of(isolated) / MACHINE).read_text())["users"]["alice"]
    assert (record["last_exit_code"], record["kiro_version"]) == (5, None)
    assert record["last_error"] == result.json["error"]["message"]


class Terminal(io.StringIO):
    """A stream that says it is a terminal, so the CLI would draw progress bars on it."""

    def isatty(self) -> bool:
        return True


class NoKeyboard(Terminal):
    """A terminal's input that fails the test if anything tries to read (prompt) from it."""

    def read(self, size: int | None = -1) -> str:
        raise AssertionError("install --silent tried to read input")

    def readline(self, size: int | None = -1) -> str:
        raise AssertionError("install --silent tried to read input")


def test_silent_never_prompts_and_draws_no_progress_even_on_a_terminal(
    cli, origin, isolated, monkeypatch
):
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stderr", Terminal())

    def install_as_text(*argv: str):  # text, not --json: --json alone would hide the bar
        return cli("install", *argv, facts=admin_host(isolated), env=origin_env(origin),
                   sleep=Sleeps(), stdin=NoKeyboard())  # fmt: skip

    silent = install_as_text("--silent")
    assert silent.code == 0, silent.stdout + silent.stderr
    assert f"Installed Kiro {LATEST}" in silent.stdout
    for stream in (silent.stdout, silent.stderr):
        assert not any(control in stream for control in TERMINAL_CONTROL), repr(stream)
    # The same terminal without --silent does draw a bar (so the check above means something).
    drawn = install_as_text("--version", "1.0.309", "--allow-downgrade")
    assert drawn.code == 0, drawn.stdout + drawn.stderr
    assert "\x1b[?25l" in drawn.stderr  # rich hides the cursor while it draws the bar
