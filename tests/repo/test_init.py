"""`repo init`: scaffolds .kiro/ in a real Git work tree, idempotently, never over edits."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner
from tests.repo.conftest import MakeRepo

GITHUB_HTTPS = "https://github.com/acme/widgets.git"
GITLAB_SSH = "git@gitlab.example.com:platform/widgets.git"
SCAFFOLD = (
    ".kiro/steering/product.md",
    ".kiro/steering/tech.md",
    ".kiro/steering/structure.md",
    ".kiro/specs/README.md",
    ".kiro/settings/mcp.json",
    ".kiro/kiro-bootstrap.json",
    ".gitignore",
)


def _servers(top: Path) -> dict[str, dict[str, object]]:
    data = json.loads((top / ".kiro/settings/mcp.json").read_text("utf-8"))
    servers: dict[str, dict[str, object]] = data["mcpServers"]
    return servers


def _mtimes(top: Path) -> dict[str, int]:
    return {name: (top / name).stat().st_mtime_ns for name in SCAFFOLD}


def test_init_with_a_github_remote_scaffolds_everything(
    cli: CliRunner, make_repo: MakeRepo
) -> None:
    top = make_repo(remote=GITHUB_HTTPS)
    result = cli("repo", "init", str(top), "--json")
    assert result.code == 0, result.stderr
    assert result.json["forge"] == {"kind": "github", "host": "github.com"}
    for name in SCAFFOLD:
        assert (top / name).is_file(), name
    assert (top / ".kiro/steering/product.md").read_text().startswith("---\ninclusion: always\n---")
    assert "requirements.md" in (top / ".kiro/specs/README.md").read_text()
    github = _servers(top)["github"]
    assert github["env"] == {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_PERSONAL_ACCESS_TOKEN}"}
    assert "GITHUB_HOST" not in json.dumps(github)
    assert ".kiro/settings/*.local.json" in (top / ".gitignore").read_text().splitlines()


def _hosts_config(tmp_path: Path, text: str) -> str:
    config = tmp_path / "hosts.toml"
    config.write_text(text)
    return str(config)


def test_init_with_a_self_managed_gitlab_ssh_remote(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    top = make_repo(remote=GITLAB_SSH)
    config = _hosts_config(tmp_path, "[repo]\ngitlab_hosts = ['GitLab.Example.com']\n")
    assert cli("--config", config, "repo", "init", str(top)).code == 0
    # GitLab's own MCP endpoint, never the archived npm package.
    assert _servers(top)["gitlab"] == {
        "url": "https://gitlab.example.com/api/v4/mcp",
        "disabled": False,
        "autoApprove": [],
    }
    assert "server-gitlab" not in (top / ".kiro/settings/mcp.json").read_text()
    assert "github" not in _servers(top)


def test_a_gitlab_package_named_by_the_setting_is_run_instead(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    top = make_repo(remote="https://gitlab.com/acme/widgets.git")
    config = _hosts_config(tmp_path, "[repo]\ngitlab_mcp_package = '@acme/gitlab-mcp'\n")
    assert cli("--config", config, "repo", "init", str(top)).code == 0
    gitlab = _servers(top)["gitlab"]
    assert gitlab["args"] == ["-y", "@acme/gitlab-mcp"]
    assert gitlab["env"] == {
        "GITLAB_PERSONAL_ACCESS_TOKEN": "${GITLAB_PERSONAL_ACCESS_TOKEN}",
        "GITLAB_API_URL": "https://gitlab.com/api/v4",
    }


def test_init_with_github_enterprise_points_the_server_at_that_host(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    top = make_repo(remote="https://ci-bot:hunter2@github.acme.internal/org/app.git")
    config = _hosts_config(tmp_path, "[repo]\ngithub_hosts = ['github.acme.internal']\n")
    result = cli("--config", config, "repo", "init", str(top), "--json")
    assert result.code == 0
    assert _servers(top)["github"]["env"] == {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_PERSONAL_ACCESS_TOKEN}",
        "GITHUB_HOST": "https://github.acme.internal",
    }
    assert "hunter2" not in result.stdout  # credentials in the remote URL are never shown


def test_init_from_a_subfolder_uses_the_top_of_the_work_tree(
    cli: CliRunner, make_repo: MakeRepo
) -> None:
    top = make_repo(remote=GITHUB_HTTPS)
    (top / "src" / "app").mkdir(parents=True)
    assert cli("repo", "init", str(top / "src" / "app")).code == 0
    assert (top / ".kiro/steering/tech.md").is_file()
    assert not (top / "src" / ".kiro").exists()


def test_a_rerun_changes_nothing(cli: CliRunner, make_repo: MakeRepo) -> None:
    top = make_repo(remote=GITHUB_HTTPS)
    assert cli("repo", "init", str(top)).code == 0
    before = _mtimes(top)
    again = cli("repo", "init", str(top), "--json")
    assert again.code == 0
    assert again.json["changed"] is False
    assert {item["change"] for item in again.json["files"]} == {"unchanged"}
    assert _mtimes(top) == before
    assert "Nothing to change." in cli("repo", "init", str(top)).stdout


def test_a_person_edited_file_is_left_alone_and_reported(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    top = make_repo(remote=GITHUB_HTTPS)
    assert cli("repo", "init", str(top)).code == 0
    product = top / ".kiro/steering/product.md"
    edited = "---\ninclusion: always\n---\n\n# Widgets\nWe sell widgets to plumbers.\n"
    product.write_text(edited)
    # The organisation changes its template: the edited file still wins, the others follow.
    config = tmp_path / "org.toml"
    config.write_text(
        '[repo.steering_templates]\nproduct = "Org product template"\ntech = "Org tech template"\n'
    )
    result = cli("--config", str(config), "repo", "init", str(top), "--json")
    assert result.code == 0
    assert product.read_text() == edited
    changes = {item["path"]: item["change"] for item in result.json["files"]}
    assert changes[".kiro/steering/product.md"] == "kept-edited"
    assert changes[".kiro/steering/tech.md"] == "update"
    assert "Org tech template" in (top / ".kiro/steering/tech.md").read_text()
    assert any("product.md: changed by a person" in line for line in result.json["kept"])
    text = cli("--config", str(config), "repo", "init", str(top)).stdout
    assert "left alone: .kiro/steering/product.md: changed by a person" in text


def test_a_person_edited_mcp_server_and_their_own_server_are_kept(
    cli: CliRunner, make_repo: MakeRepo
) -> None:
    top = make_repo(remote=GITHUB_HTTPS)
    assert cli("repo", "init", str(top)).code == 0
    mcp = top / ".kiro/settings/mcp.json"
    data = json.loads(mcp.read_text())
    data["mcpServers"]["github"]["disabled"] = True
    data["mcpServers"]["team-docs"] = {"url": "https://docs.example.com/mcp"}
    mcp.write_text(json.dumps(data, indent=2) + "\n")
    result = cli("repo", "init", str(top), "--json")
    assert result.code == 0
    assert json.loads(mcp.read_text()) == data
    assert any("server 'github' changed by a person" in line for line in result.json["kept"])


def test_a_person_deleted_file_is_not_recreated(cli: CliRunner, make_repo: MakeRepo) -> None:
    top = make_repo()
    assert cli("repo", "init", str(top)).code == 0
    (top / ".kiro/steering/structure.md").unlink()
    result = cli("repo", "init", str(top), "--json")
    assert not (top / ".kiro/steering/structure.md").exists()
    assert any("removed by a person" in line for line in result.json["kept"])


def test_gitignore_lines_are_appended_once_keeping_the_persons_order(
    cli: CliRunner, make_repo: MakeRepo
) -> None:
    top = make_repo()
    (top / ".gitignore").write_text(
        "node_modules/\n*.log\nkiro-auth-token.json"
    )  # no final newline
    assert cli("repo", "init", str(top)).code == 0
    assert cli("repo", "init", str(top)).code == 0
    lines = (top / ".gitignore").read_text().splitlines()
    assert lines[:3] == ["node_modules/", "*.log", "kiro-auth-token.json"]
    assert lines.count(".kiro/settings/*.local.json") == 1
    assert lines.count("kiro-auth-token.json") == 1


def test_without_a_forge_remote_and_shared_servers_no_mcp_json(
    cli: CliRunner, make_repo: MakeRepo
) -> None:
    top = make_repo(remote="https://bitbucket.org/acme/widgets.git")
    result = cli("repo", "init", str(top))
    assert result.code == 0
    assert not (top / ".kiro/settings/mcp.json").exists()
    assert "The origin's host bitbucket.org is not a recognised forge" in result.stdout
    top = make_repo(name="local")
    result = cli("repo", "init", str(top))
    assert "No GitHub or GitLab" in result.stdout


def test_dry_run_shows_every_file_and_writes_nothing(cli: CliRunner, make_repo: MakeRepo) -> None:
    top = make_repo(remote=GITHUB_HTTPS)
    result = cli("repo", "init", str(top), "--dry-run")
    assert result.code == 0
    for name in SCAFFOLD:
        assert f"+++ {name}" in result.stdout, name
    assert "Dry run: nothing was written." in result.stdout
    assert sorted(path.name for path in top.iterdir()) == [".git"]


def test_outside_a_git_work_tree_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli("repo", "init", str(plain))
    assert result.code == 2
    assert "not inside a Git work tree" in result.stderr
    assert not (plain / ".kiro").exists()


def test_organisation_servers_and_hooks_are_shared(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    top = make_repo(remote=GITLAB_SSH)
    hook = {
        "name": "Update tests",
        "when": {"type": "fileEdited", "patterns": ["src/**/*.py"]},
        "then": {"type": "askAgent", "prompt": "Update the tests for the saved file."},
    }
    (tmp_path / "tests.kiro.hook").write_text(json.dumps(hook))
    config = tmp_path / "org.toml"
    config.write_text(
        "[repo]\nmcp_servers = ['docs']\ngitlab_hosts = ['gitlab.example.com']\n"
        "[repo.hooks]\nupdate-tests = 'tests.kiro.hook'\n"
        "[mcp.servers.docs]\nurl = 'https://docs.example.com/mcp'\n"
        "headers = { Authorization = 'Bearer ${DOCS_TOKEN}' }\n"
    )
    result = cli("--config", str(config), "repo", "init", str(top))
    assert result.code == 0, result.stderr
    assert json.loads((top / ".kiro/hooks/update-tests.kiro.hook").read_text()) == hook
    servers = _servers(top)
    assert servers["docs"]["headers"] == {"Authorization": "Bearer ${DOCS_TOKEN}"}
    assert "gitlab" in servers
    assert cli("repo", "check", str(top)).code == 0


def test_a_shared_server_with_a_literal_token_is_refused(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    top = make_repo(remote=GITHUB_HTTPS)
    config = tmp_path / "org.toml"
    token = "ghp_" + "a" * 36
    config.write_text(
        f"[repo]\nmcp_servers = ['gh']\n[mcp.servers.gh]\ncommand = 'gh-mcp'\n"
        f"env = {{ GH_TOKEN = '{token}' }}\n"
    )
    result = cli("--config", str(config), "repo", "init", str(top))
    assert result.code == 2
    assert "repo.mcp_servers (gh)" in result.stderr
    assert token not in result.stderr + result.stdout
    assert not (top / ".kiro").exists()


def test_a_bad_organisation_hook_is_refused(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    top = make_repo()
    config = tmp_path / "org.toml"
    config.write_text(
        "[repo.hooks]\nlint = '''\n"
        '{"name": "lint", "when": {"type": "onSave"}, "then": {"type": "askAgent", "prompt": "x"}}'
        "\n'''\n"
    )
    result = cli("--config", str(config), "repo", "init", str(top))
    assert result.code == 2
    assert "repo.hooks.lint" in result.stderr
    assert "onSave" in result.stderr
    assert not (top / ".kiro").exists()


def test_an_unknown_shared_server_name_is_a_config_error(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    config = tmp_path / "org.toml"
    config.write_text("[repo]\nmcp_servers = ['nope']\n")
    result = cli("--config", str(config), "repo", "init", str(make_repo()))
    assert result.code == 2
    assert "nope" in result.stderr


def test_damaged_inputs_stop_init_before_anything_is_written(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    top = make_repo(remote=GITHUB_HTTPS)
    (top / ".kiro/settings").mkdir(parents=True)
    (top / ".kiro/settings/mcp.json").write_text('{"mcpServers": {')
    result = cli("repo", "init", str(top))
    assert result.code == 2
    assert ".kiro/settings/mcp.json cannot be parsed" in result.stderr
    assert not (top / ".kiro/steering").exists()
    (top / ".kiro/settings/mcp.json").unlink()
    (top / ".kiro/kiro-bootstrap.json").write_text("not json")
    result = cli("repo", "init", str(top))
    assert result.code == 2
    assert "kiro-bootstrap.json is damaged" in result.stderr
    assert not (top / ".kiro/steering").exists()


def test_a_missing_template_file_or_path_is_exit_2(
    cli: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    config = tmp_path / "org.toml"
    config.write_text("[repo.steering_templates]\ntech = 'templates/tech.md'\n")
    top = make_repo()
    result = cli("--config", str(config), "repo", "init", str(top))
    assert result.code == 2
    assert "repo.steering_templates.tech names" in result.stderr
    assert not (top / ".kiro").exists()
    assert cli("repo", "init", str(tmp_path / "nowhere")).code == 2


def test_a_host_that_only_contains_github_gets_no_server(
    cli: CliRunner, make_repo: MakeRepo
) -> None:
    top = make_repo(remote="https://notgithub.attacker.example/acme/widgets.git")
    result = cli("repo", "init", str(top), "--json")
    assert result.code == 0
    assert result.json["forge"] is None
    assert not (top / ".kiro/settings/mcp.json").exists()
    text = cli("repo", "init", str(top), "--dry-run").stdout
    assert "notgithub.attacker.example is not a recognised forge" in text
    assert "repo.github_hosts" in text
