"""settings.json and mcp.json, read back by Microsoft's jsonc-parser (what VS Code and Kiro use)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.consumers import oracle
from tests.consumers.conftest import Configure

SETTINGS = ".config/Kiro/User/settings.json"
MCP = ".kiro/settings/mcp.json"
Edit = Callable[[bytes], bytes]
EDITS: dict[str, Edit] = {
    "comments-and-trailing-commas": oracle.edit_jsonc_comments_and_trailing_commas,
    "crlf": oracle.edit_crlf,
}


def check_settings(home: Path) -> None:
    value = oracle.load_jsonc(home / SETTINGS)
    assert value["http.proxy"] == "http://proxy.example.com:8080"


def check_mcp(home: Path) -> None:
    value = oracle.load_jsonc(home / MCP)
    assert value["mcpServers"]["docs"]["command"] == "uvx"


CHECKS = {SETTINGS: check_settings, MCP: check_mcp}


@pytest.mark.parametrize("relative", CHECKS)
def test_fresh_file_loads_in_jsonc_parser(configure: Configure, home: Path, relative: str) -> None:
    configure()
    CHECKS[relative](home)


@pytest.mark.parametrize("relative", CHECKS)
def test_rerun_file_loads_in_jsonc_parser(configure: Configure, home: Path, relative: str) -> None:
    configure()
    first = (home / relative).read_bytes()
    configure()
    assert (home / relative).read_bytes() == first
    CHECKS[relative](home)


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("relative", CHECKS)
def test_edited_file_still_loads_after_a_rerun(
    configure: Configure, home: Path, relative: str, edit: str
) -> None:
    configure()
    path = home / relative
    path.write_bytes(EDITS[edit](path.read_bytes()))
    oracle.load_jsonc(path)  # the person's edit is itself valid JSONC
    configure()
    CHECKS[relative](home)
    if edit == "comments-and-trailing-commas":
        assert "// mine" in path.read_text("utf-8")


def test_settings_holding_only_comments_is_configured(configure: Configure, home: Path) -> None:
    path = home / SETTINGS
    path.parent.mkdir(parents=True)
    path.write_text("// my settings live in the profile for now\n/* nothing yet */\n")
    assert oracle.load_jsonc(path) is None  # valid JSONC: no value at all
    configure()
    check_settings(home)
    assert "// my settings live in the profile for now" in path.read_text("utf-8")


def test_a_comment_inside_an_organisation_entry_survives_its_restore(
    configure: Configure, home: Path
) -> None:
    configure()
    path = home / MCP
    text = path.read_text("utf-8")
    edited = text.replace('"command": "uvx",', '"command": "uvx", // pinned by the platform team')
    edited = edited.replace('"disabled": false', '"disabled": true')
    assert edited.count("// pinned") == 1
    assert '"disabled": true' in edited
    path.write_text(edited)
    configure()  # puts the organisation's entry back
    restored = path.read_text("utf-8")
    assert "// pinned by the platform team" in restored
    value = oracle.load_jsonc(path)
    assert value["mcpServers"]["docs"]["disabled"] is False
