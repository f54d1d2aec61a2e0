"""`repo check`: passes on the scaffold, and names the file and line of every seeded problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.repo.conftest import MakeRepo

GOOD_HOOK = {
    "enabled": True,
    "name": "Lint on save",
    "when": {"type": "fileEdited", "patterns": ["**/*.ts"]},
    "then": {"type": "runCommand", "command": "npm run lint"},
}


@pytest.fixture
def scaffolded(cli: CliRunner, make_repo: MakeRepo) -> Path:
    top = make_repo(remote="git@github.com:acme/widgets.git")
    assert cli("repo", "init", str(top)).code == 0
    return top


def _write(top: Path, relative: str, text: str) -> None:
    path = top / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_check_passes_on_the_scaffold(cli: CliRunner, scaffolded: Path) -> None:
    _write(scaffolded, ".kiro/hooks/lint.kiro.hook", json.dumps(GOOD_HOOK, indent=2))
    for name in ("requirements.md", "design.md", "tasks.md"):
        _write(scaffolded, f".kiro/specs/login/{name}", "# Login\n")
    result = cli("repo", "check", str(scaffolded))
    assert result.code == 0, result.stdout
    assert "5 Kiro files checked: no problems." in result.stdout


def test_bad_front_matter_is_reported_with_file_and_line(cli: CliRunner, scaffolded: Path) -> None:
    _write(scaffolded, ".kiro/steering/api.md", "---\ntitle: API\ninclusion: sometimes\n---\nx\n")
    _write(scaffolded, ".kiro/steering/ts.md", "---\ninclusion: fileMatch\n---\nUse strict TS.\n")
    _write(scaffolded, ".kiro/steering/db.md", "---\ninclusion: auto\nname: db\n---\nSQL rules\n")
    _write(scaffolded, ".kiro/steering/open.md", "---\ninclusion: always\nNo closing fence\n")
    result = cli("repo", "check", str(scaffolded))
    assert result.code == 2
    lines = result.stdout.splitlines()
    assert (
        ".kiro/steering/api.md:3: inclusion 'sometimes' is not one of "
        "always, fileMatch, manual, auto"
    ) in lines
    assert ".kiro/steering/ts.md:2: inclusion fileMatch needs a fileMatchPattern" in lines
    assert (
        ".kiro/steering/db.md:2: warning: inclusion auto without a description: "
        "Kiro matches requests against it"
    ) in lines
    assert ".kiro/steering/open.md:1: front matter has no closing '---'" in lines


def test_valid_modes_pass(cli: CliRunner, scaffolded: Path) -> None:
    _write(
        scaffolded,
        ".kiro/steering/a.md",
        '---\ninclusion: fileMatch\nfileMatchPattern: "**/*.ts"\n---\n',
    )
    _write(
        scaffolded,
        ".kiro/steering/b.md",
        "---\ninclusion: fileMatch\nfileMatchPattern:\n  - '*.tf'\n---\n",
    )
    _write(
        scaffolded,
        ".kiro/steering/c.md",
        "---\ninclusion: auto\nname: c\ndescription: Use for SQL\n---\n",
    )
    _write(scaffolded, ".kiro/steering/d.md", "No front matter: Kiro includes it always.\n")
    assert cli("repo", "check", str(scaffolded)).code == 0


def test_a_bad_hook_event_is_reported_on_its_line(cli: CliRunner, scaffolded: Path) -> None:
    hook = {**GOOD_HOOK, "when": {"type": "fileSaved", "patterns": ["*.ts"]}}
    _write(scaffolded, ".kiro/hooks/lint.kiro.hook", json.dumps(hook, indent=2))
    _write(scaffolded, ".kiro/hooks/broken.kiro.hook", '{\n  "name": "x",\n  "when": {\n')
    _write(
        scaffolded,
        ".kiro/hooks/ask.kiro.hook",
        json.dumps({**GOOD_HOOK, "then": {"type": "askAgent"}}, indent=2),
    )
    result = cli("repo", "check", str(scaffolded))
    assert result.code == 2
    lines = result.stdout.splitlines()
    event_line = json.dumps(hook, indent=2).splitlines().index('    "type": "fileSaved",') + 1
    assert any(
        line.startswith(f".kiro/hooks/lint.kiro.hook:{event_line}: event type 'fileSaved'")
        for line in lines
    ), lines
    assert any(line.startswith(".kiro/hooks/broken.kiro.hook:4: not valid JSON") for line in lines)
    assert any(
        line.startswith(".kiro/hooks/ask.kiro.hook:") and "askAgent needs a `prompt`" in line
        for line in lines
    )


LEAKS = {
    "ghp": ("ghp_" + "A1b2" * 9, "a GitHub token"),
    "pat": ("github_pat_" + "x" * 40, "a GitHub token"),
    "glpat": ("glpat-" + "z" * 20, "a GitLab token"),
    "akia": ("AKIA" + "Q" * 16, "an AWS access key id"),
}


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_a_literal_token_in_mcp_json_is_reported_on_its_line(
    cli: CliRunner, scaffolded: Path, name: str
) -> None:
    token, kind = LEAKS[name]
    mcp = scaffolded / ".kiro/settings/mcp.json"
    data = json.loads(mcp.read_text())
    data["mcpServers"]["github"]["env"]["UPSTREAM"] = token
    text = json.dumps(data, indent=2)
    mcp.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if token in row)
    result = cli("repo", "check", str(scaffolded), "--json")
    assert result.code == 2
    problems = result.json["problems"]
    assert problems[0]["path"] == ".kiro/settings/mcp.json"
    assert problems[0]["line"] == line
    assert problems[0]["message"].startswith(kind)
    assert token not in result.stdout


def test_secrets_in_headers_env_and_keys_are_reported(cli: CliRunner, scaffolded: Path) -> None:
    text = """{
  "mcpServers": {
    "docs": {
      "url": "https://docs.example.com/mcp",
      "headers": {"Authorization": "Bearer abcdefghijklmnop"}
    },
    "aws": {
      "command": "uvx",
      "args": ["awslabs.aws-api-mcp-server"],
      "env": {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMIxK7MDENGxbPxRfiCYzzzzzzzzzz", "A": "b"}
    },
    "fine": {"command": "x", "env": {"API_TOKEN": "${API_TOKEN}"}},
    "both": {"command": "x", "url": "https://x.example.com"},
    "key": {"command": "x", "args": ["-----BEGIN RSA PRIVATE KEY-----"]}
  }
}
"""
    (scaffolded / ".kiro/settings/mcp.json").write_text(text)
    result = cli("repo", "check", str(scaffolded))
    lines = [line for line in result.stdout.splitlines() if "mcp.json" in line]
    assert result.code == 2
    assert lines[0].startswith(".kiro/settings/mcp.json:5: a bearer token")
    assert lines[1].startswith(".kiro/settings/mcp.json:10: an AWS secret access key")
    assert lines[2].startswith(".kiro/settings/mcp.json:13: server 'both' needs exactly one")
    assert lines[3].startswith(".kiro/settings/mcp.json:14: a private key")
    assert len(lines) == 4  # ${API_TOKEN} is fine; one problem per line


def test_mcp_json_shape(cli: CliRunner, scaffolded: Path) -> None:
    (scaffolded / ".kiro/settings/mcp.json").write_text(
        '{\n  "mcpServers": {\n    "a": {"command": "x", "args": "not-a-list"}\n  }\n}\n'
    )
    result = cli("repo", "check", str(scaffolded))
    assert ".kiro/settings/mcp.json:3: a.args must be a list of strings" in result.stdout
    (scaffolded / ".kiro/settings/mcp.json").write_text(
        '{"mcpServers": {\n  "a": {"command": "x",\n    "env": {"API_KEY": "plain-value"}}}}'
    )
    result = cli("repo", "check", str(scaffolded))
    assert (
        ".kiro/settings/mcp.json:3: a.env.API_KEY holds a literal value; use a ${VAR} reference"
    ) in result.stdout
    (scaffolded / ".kiro/settings/mcp.json").write_text('{"servers": {}}')
    result = cli("repo", "check", str(scaffolded))
    assert ".kiro/settings/mcp.json:1: `mcpServers` must be an object" in result.stdout


def test_an_incomplete_spec_folder_is_reported(cli: CliRunner, scaffolded: Path) -> None:
    _write(scaffolded, ".kiro/specs/checkout/requirements.md", "# Checkout\n")
    result = cli("repo", "check", str(scaffolded), "--json")
    assert result.code == 2
    assert [(p["path"], p["line"]) for p in result.json["problems"]] == [
        (".kiro/specs/checkout/design.md", 1),
        (".kiro/specs/checkout/tasks.md", 1),
    ]


def test_check_works_on_a_folder_outside_git(cli: CliRunner, tmp_path: Path) -> None:
    _write(tmp_path / "export", ".kiro/steering/x.md", "---\ninclusion: never\n---\n")
    result = cli("repo", "check", str(tmp_path / "export"))
    assert result.code == 2
    assert result.stdout.startswith(".kiro/steering/x.md:2:")


def test_check_of_a_missing_folder_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("repo", "check", str(tmp_path / "nowhere"))
    assert result.code == 2
    assert "is not a folder" in result.stderr
