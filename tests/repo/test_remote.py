"""Which forge a remote URL names, and finding a work tree's top without git."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.host.runner import RecordedRunner
from kiro_bootstrap.repo.remote import ForgeHosts, find_forge, find_worktree_top, forge_of

HOSTS = ForgeHosts(
    github=frozenset({"github.acme.com", "github.example.com"}),
    gitlab=frozenset({"gitlab.internal", "code-gitlab.example.org"}),
)


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
    forge = forge_of(url, HOSTS)
    assert forge is not None
    assert (forge.kind, forge.web_url) == (kind, web_url)


@pytest.mark.parametrize(
    "url", ["https://bitbucket.org/a/b.git", "/srv/git/app.git", "file:///srv/app", ""]
)
def test_forge_of_other_hosts_is_none(url: str) -> None:
    assert forge_of(url, HOSTS) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://notgithub.attacker.example/acme/app.git",
        "https://github.com.attacker.example/acme/app.git",
        "git@gitlab.com.evil.example:acme/app.git",
        "https://github.acme.com/acme/app.git",  # an Enterprise host nobody listed
        "https://github.com:bad-port/acme/app.git",
    ],
)
def test_only_the_exact_host_is_a_forge(url: str) -> None:
    assert forge_of(url) is None


def test_an_ssh_alias_is_resolved_through_ssh_g() -> None:
    runner = RecordedRunner().add(
        ["ssh", "-G", "--", "github.com-work"], "user git\nhostname github.com\nport 22\n"
    )
    found = find_forge("git@github.com-work:acme/app.git", ForgeHosts(), runner)
    assert found.forge is not None
    assert (found.forge.kind, found.forge.host) == ("github", "github.com")
    assert runner.calls == [("ssh", "-G", "--", "github.com-work")]


def test_an_ssh_alias_to_another_host_is_not_a_forge() -> None:
    runner = RecordedRunner().add(["ssh", "-G"], "hostname evil.example\n")
    found = find_forge("git@github.com-work:acme/app.git", ForgeHosts(), runner)
    assert found.forge is None
    assert found.note is not None
    assert "github.com-work is not a recognised forge" in found.note
    assert "repo.github_hosts" in found.note


def test_an_ssh_alias_without_ssh_is_refused_with_a_hint() -> None:
    runner = RecordedRunner(strict=False)  # no ssh program
    found = find_forge("ssh://git@gh-work/acme/app.git", ForgeHosts(), runner)
    assert found.forge is None
    assert found.note is not None
    assert "`ssh -G -- gh-work` did not say which host" in found.note
    assert "git remote set-url origin" in found.note


def test_an_https_remote_is_never_resolved_through_ssh() -> None:
    runner = RecordedRunner()  # strict: any call fails the test
    found = find_forge("https://notgithub.attacker.example/a/b.git", ForgeHosts(), runner)
    assert found.forge is None
    assert runner.calls == []


def test_without_git_the_top_is_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "src").mkdir()
    runner = RecordedRunner(strict=False)  # every program: "not found"
    assert find_worktree_top(tmp_path / "repo" / "src", runner) == (tmp_path / "repo").resolve()
    with pytest.raises(UsageError):
        find_worktree_top(tmp_path, runner)
