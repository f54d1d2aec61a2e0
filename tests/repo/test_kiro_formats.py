"""`repo check` reads Kiro's own formats as Kiro documents them (FACTS §5), and YAML as YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.repo.conftest import MakeRepo
from tests.repo.test_check import GOOD_HOOK


@pytest.fixture
def top(cli: CliRunner, make_repo: MakeRepo) -> Path:
    top = make_repo(remote="git@github.com:acme/widgets.git")
    assert cli("repo", "init", str(top)).code == 0
    return top


def write(top: Path, relative: str, text: str) -> None:
    path = top / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("event", ["preTaskExecution", "postTaskExecution"])
def test_spec_task_hooks_with_timeout_and_string_version_pass(
    cli: CliRunner, top: Path, event: str
) -> None:
    hook = {
        "name": "Run tests after a task",
        "version": "1",
        "when": {"type": event},
        "then": {"type": "runCommand", "command": "npm test", "timeout": 120},
    }
    write(top, ".kiro/hooks/tests.kiro.hook", json.dumps(hook, indent=2))
    result = cli("repo", "check", str(top))
    assert result.code == 0, result.stdout
    assert "no problems." in result.stdout


def test_a_bad_timeout_fails_and_a_numeric_version_only_warns(cli: CliRunner, top: Path) -> None:
    hook = {**GOOD_HOOK, "version": 1, "then": {**GOOD_HOOK["then"], "timeout": -5}}
    text = json.dumps(hook, indent=2)
    write(top, ".kiro/hooks/lint.kiro.hook", text)
    result = cli("repo", "check", str(top), "--json")
    assert result.code == 2
    found = {(p["severity"], p["message"]) for p in result.json["problems"]}
    assert ("error", "then.timeout must be a positive number of seconds") in found
    assert ("warning", 'version is a string in Kiro\'s hooks (for example "1")') in found


def test_unknown_fields_are_warnings_never_errors(cli: CliRunner, top: Path) -> None:
    hook = {**GOOD_HOOK, "shortName": "lint", "when": {**GOOD_HOOK["when"], "debounce": 5}}
    write(top, ".kiro/hooks/lint.kiro.hook", json.dumps(hook, indent=2))
    write(top, ".kiro/steering/x.md", "---\ninclusion: always\npriority: 3\n---\nx\n")
    mcp = top / ".kiro/settings/mcp.json"
    data = json.loads(mcp.read_text())
    data["mcpServers"]["github"]["transport"] = "stdio"
    mcp.write_text(json.dumps(data, indent=2))
    result = cli("repo", "check", str(top))
    assert result.code == 0, result.stdout
    assert "warning: unknown field shortName" in result.stdout
    assert "warning: unknown field when.debounce" in result.stdout
    assert "warning: unknown front matter key 'priority'" in result.stdout
    assert "warning: github: unknown field 'transport'" in result.stdout
    assert "(4 warnings)" in result.stdout


def test_a_bugfix_spec_passes_and_a_spec_without_either_start_fails(
    cli: CliRunner, top: Path
) -> None:
    for name in ("bugfix.md", "design.md", "tasks.md"):
        write(top, f".kiro/specs/login-crash/{name}", "# Login crash\n")
    assert cli("repo", "check", str(top)).code == 0
    for name in ("design.md", "tasks.md"):
        write(top, f".kiro/specs/export/{name}", "# Export\n")
    result = cli("repo", "check", str(top), "--json")
    assert result.code == 2
    assert [p["path"] for p in result.json["problems"]] == [
        ".kiro/specs/export/requirements.md or bugfix.md"
    ]


def test_auto_steering_without_name_or_description_only_warns(cli: CliRunner, top: Path) -> None:
    write(top, ".kiro/steering/sql.md", "---\ninclusion: auto\n---\nUse SQL carefully.\n")
    result = cli("repo", "check", str(top))
    assert result.code == 0
    assert "sql.md:2: warning: inclusion auto without a name" in result.stdout


FRONT_MATTER = {
    "unquoted-glob": ("fileMatchPattern: *.ts", 3, 'quote the value: fileMatchPattern: "*.ts"'),
    "unclosed-quote": ('fileMatchPattern: "*.ts', 4, "front matter is not YAML"),
}


@pytest.mark.parametrize("case", FRONT_MATTER)
def test_front_matter_that_is_not_yaml_fails_on_its_line(
    cli: CliRunner, top: Path, case: str
) -> None:
    line, number, expected = FRONT_MATTER[case]
    write(top, ".kiro/steering/ts.md", f"---\ninclusion: fileMatch\n{line}\n---\nStrict TS.\n")
    result = cli("repo", "check", str(top))
    assert result.code == 2
    problem = next(row for row in result.stdout.splitlines() if row.startswith(".kiro/steering"))
    assert problem.startswith(f".kiro/steering/ts.md:{number}: front matter is not YAML")
    assert expected in problem


def test_a_yaml_comment_after_a_value_is_valid(cli: CliRunner, top: Path) -> None:
    write(top, ".kiro/steering/team.md", "---\ninclusion: always # team default\n---\nHi\n")
    result = cli("repo", "check", str(top))
    assert result.code == 0, result.stdout


def test_control_characters_in_names_are_escaped_in_text_and_json(
    cli: CliRunner, top: Path
) -> None:
    name = "x\n::error file=a::pwned\x1b[31m\u202e.md"
    write(top, f".kiro/steering/{name}", "---\ninclusion: sometimes\n---\n")
    text = cli("repo", "check", str(top))
    assert text.code == 2
    assert "\x1b" not in text.stdout
    assert "\u202e" not in text.stdout
    assert not any(line.startswith("::error") for line in text.stdout.splitlines())
    assert ".kiro/steering/x\\x0a::error file=a::pwned\\x1b[31m\\u202e.md:2:" in text.stdout
    data = cli("repo", "check", str(top), "--json")
    path = data.json["problems"][0]["path"]
    assert path == ".kiro/steering/x\\x0a::error file=a::pwned\\x1b[31m\\u202e.md"
