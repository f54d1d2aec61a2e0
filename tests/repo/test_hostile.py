"""A repository is hostile input: links inside the work tree, and ignore rules that hide us."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.repo.conftest import MakeRepo

SECRET = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"


@pytest.fixture
def credentials(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "credentials"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


LINKS = {
    ".gitignore": "credentials",
    ".kiro": "folder",
    ".kiro/steering": "folder",
    ".kiro/steering/product.md": "credentials",
    ".kiro/settings/mcp.json": "credentials",
    ".kiro/kiro-bootstrap.json": "credentials",
}


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("link", LINKS)
def test_init_refuses_a_link_anywhere_on_its_paths(
    cli: CliRunner, make_repo: MakeRepo, credentials: Path, link: str, dry_run: bool
) -> None:
    top = make_repo(remote="git@github.com:acme/widgets.git")
    path = top / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(credentials if LINKS[link] == "credentials" else credentials.parent)
    before = sorted(p.name for p in credentials.parent.iterdir())
    result = cli("repo", "init", str(top), *(["--dry-run"] if dry_run else []))
    assert result.code == 2
    assert f"{link} is a symbolic link: repo init does not follow it" in result.stderr
    assert "nothing was written" in result.stderr
    assert "wJalrXUtnFEMI" not in result.stdout + result.stderr
    assert credentials.read_text() == SECRET
    assert sorted(p.name for p in credentials.parent.iterdir()) == before


@pytest.mark.parametrize(
    ("relative", "make", "why"),
    [
        (".gitignore", "folder", ".gitignore is not a regular file"),
        (".kiro", "file", ".kiro is not a folder"),
    ],
)
def test_init_refuses_the_wrong_kind_of_path_with_exit_2(
    cli: CliRunner, make_repo: MakeRepo, relative: str, make: str, why: str
) -> None:
    top = make_repo()
    if make == "folder":
        (top / relative).mkdir()
    else:
        (top / relative).write_text("not a folder\n")
    result = cli("repo", "init", str(top))
    assert result.code == 2
    assert why in result.stderr
    assert "Traceback" not in result.stderr


def test_a_gitignore_hiding_kiro_is_named_with_the_change_to_make(
    cli: CliRunner, make_repo: MakeRepo
) -> None:
    top = make_repo()
    (top / ".gitignore").write_text("node_modules/\n.kiro/\n")
    result = cli("repo", "init", str(top))
    assert result.code == 0
    assert "commit .kiro/" not in result.stdout
    assert (
        "ignored by Git: .gitignore line 2 (.kiro/) hides .kiro/steering/product.md and "
    ) in result.stdout
    assert "delete that line" in result.stdout
    data = cli("repo", "init", str(top), "--json").json
    assert data["ignored"][0]["line"] == 2
    assert ".kiro/settings/mcp.json" not in data["ignored"][0]["paths"]  # no forge: none written
    assert ".kiro/kiro-bootstrap.json" in data["ignored"][0]["paths"]


def test_an_unignored_scaffold_says_commit(cli: CliRunner, make_repo: MakeRepo) -> None:
    top = make_repo()
    (top / ".gitignore").write_text(".kiro/\n!.kiro/\n")
    result = cli("repo", "init", str(top), "--json")
    assert result.json["ignored"] == []
    top2 = make_repo(name="plain")
    text = cli("repo", "init", str(top2)).stdout
    assert "then commit .kiro/ and .gitignore" in text
