"""What `repo init` writes in a work tree, read back by jsonc-parser (Kiro's JSONC reader)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.consumers import oracle
from tests.repo.conftest import MakeRepo

MCP = ".kiro/settings/mcp.json"
HOOK = ".kiro/hooks/update-tests.kiro.hook"
RECORD = ".kiro/kiro-bootstrap.json"
HOOK_TEXT = {
    "name": "Update tests",
    "version": "1",
    "when": {"type": "fileEdited", "patterns": ["src/**/*.py"]},
    "then": {"type": "askAgent", "prompt": "Update the tests for the saved file."},
}
EDITS: dict[str, Callable[[bytes], bytes]] = {
    "comments-and-trailing-commas": oracle.edit_jsonc_comments_and_trailing_commas,
    "crlf": oracle.edit_crlf,
}


@pytest.fixture
def init(cli: CliRunner, make_repo: MakeRepo, tmp_path: Path) -> Callable[[], Path]:
    top = make_repo(remote="https://github.com/acme/widgets.git")
    (tmp_path / "hook.json").write_text(json.dumps(HOOK_TEXT))
    config = tmp_path / "org.toml"
    config.write_text("[repo.hooks]\nupdate-tests = 'hook.json'\n")

    def run() -> Path:
        result = cli("--config", str(config), "repo", "init", str(top))
        assert result.code == 0, result.stdout + result.stderr
        return top

    return run


@pytest.mark.parametrize("relative", [MCP, HOOK, RECORD])
def test_fresh_and_rerun_files_load_in_jsonc_parser(init, relative: str) -> None:
    top = init()
    first = oracle.load_jsonc(top / relative)
    assert isinstance(first, dict)
    init()
    assert oracle.load_jsonc(top / relative) == first


@pytest.mark.parametrize("edit", EDITS)
def test_an_edited_mcp_json_still_loads_and_keeps_the_edit(init, edit: str) -> None:
    top = init()
    path = top / MCP
    path.write_bytes(EDITS[edit](path.read_bytes()))
    init()
    value = oracle.load_jsonc(path)
    assert value["mcpServers"]["github"]["command"] == "docker"
    assert cli_check_passes(top)


def cli_check_passes(top: Path) -> bool:
    from kiro_bootstrap.repo.check import check_repository, has_errors

    return not has_errors(check_repository(top))
