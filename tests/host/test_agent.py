"""The agent an administrator is told to run: never one a person could swap."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiro_bootstrap.host.agent import agent_command, agent_writable_reason


def test_an_agent_a_person_can_change_is_named_by_its_root_owned_place(tmp_path: Path) -> None:
    # Under the test's own temporary folder: its owner (or /tmp's everyone) could swap it.
    agent = tmp_path / "kiro-bootstrap"
    agent.write_bytes(b"#!/bin/sh\n")
    assert agent_writable_reason(agent, {}, os_name="linux") is not None
    assert agent_command(agent, {}, os_name="linux") == "/usr/local/bin/kiro-bootstrap"
    assert agent_command(agent, {}, os_name="darwin") == "/usr/local/bin/kiro-bootstrap"


def test_a_root_owned_agent_is_named_where_it_is() -> None:
    found = shutil.which("sh")
    assert found is not None
    agent = Path(found)
    assert agent_writable_reason(agent, {}, os_name="linux") is None
    assert agent_command(agent, {}, os_name="linux") == str(agent)


def test_windows_trusts_program_files_only() -> None:
    environ = {"ProgramFiles": r"C:\Program Files"}
    kept = Path(r"C:\Program Files\kiro-bootstrap\kiro-bootstrap.exe")
    downloaded = Path(r"C:\Users\alice\Downloads\kiro-bootstrap.exe")
    assert agent_command(kept, environ, os_name="windows") == str(kept)
    assert agent_command(downloaded, environ, os_name="windows") == (
        r"C:\Program Files\kiro-bootstrap\kiro-bootstrap.exe"
    )


def test_run_from_source_the_agent_is_the_program_name() -> None:
    assert agent_writable_reason(None, {}, os_name="linux") is None
    assert agent_command(None, {}, os_name="linux") == "kiro-bootstrap"
