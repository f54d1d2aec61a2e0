"""Which forge a remote URL names, and finding a work tree's top without git."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.host.runner import RecordedRunner
from kiro_bootstrap.repo.remote import find_worktree_top, forge_of


@pytest.mark.parametrize(
    ("url", "kind", "web_url"),
    [
        ("https://github.com/acme/app.git", "github", "https://github.com"),
        ("git@github.com:acme/app.git", "github", "https://github.com"),
        ("ssh://git@github.acme.com:7999/acme/app.git", "github", "https://github.acme.com"),
        ("https://token@GitHub.Example.com:8443/a/b", "github", "https://github.example.com:8443"),
        ("https://gitlab.com/group/sub/app.git", "gitlab", "https://gitlab.com"),
        ("git@gitlab.internal:group/app.git", "gitlab", "https://gitlab.internal"),
        (
            "ssh://git@code-gitlab.example.org/group/app",
            "gitlab",
            "https://code-gitlab.example.org",
        ),
    ],
)
def test_forge_of_known_hosts(url: str, kind: str, web_url: str) -> None:
    forge = forge_of(url)
    assert forge is not None
    assert (forge.kind, forge.web_url) == (kind, web_url)


@pytest.mark.parametrize(
    "url", ["https://bitbucket.org/a/b.git", "/srv/git/app.git", "file:///srv/app", ""]
)
def test_forge_of_other_hosts_is_none(url: str) -> None:
    assert forge_of(url) is None


def test_without_git_the_top_is_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "src").mkdir()
    runner = RecordedRunner(strict=False)  # every program: "not found"
    assert find_worktree_top(tmp_path / "repo" / "src", runner) == (tmp_path / "repo").resolve()
    with pytest.raises(UsageError):
        find_worktree_top(tmp_path, runner)
