"""The Git work tree a path is in, and which forge (GitHub, GitLab) its `origin` lives on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.host.runner import EXIT_NOT_FOUND, Runner

GIT_TIMEOUT_SECONDS = 10.0
REMOTE_NAME = "origin"
# `git@host:group/project.git`: scp-like syntax, which has no scheme.
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?(?P<host>[^:/\s]+):(?!//)")

ForgeKind = Literal["github", "gitlab"]
PUBLIC_HOSTS: dict[ForgeKind, frozenset[str]] = {
    "github": frozenset({"github.com"}),
    "gitlab": frozenset({"gitlab.com"}),
}
GITHUB_HOSTS_SETTING = "repo.github_hosts"
GITLAB_HOSTS_SETTING = "repo.gitlab_hosts"


@dataclass(frozen=True)
class Forge:
    """Where the repository is hosted: the kind and the web address of its host."""

    kind: ForgeKind
    host: str
    web_url: str  # https://host[:port], never with credentials

    @property
    def is_public_service(self) -> bool:
        """True for github.com / gitlab.com, False for GitHub Enterprise or self-managed GitLab."""
        return self.host in PUBLIC_HOSTS[self.kind]


def find_worktree_top(path: Path, runner: Runner) -> Path:
    """The top folder of the Git work tree holding `path`; exit 2 when there is none."""
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder.")
    answer = runner(
        ["git", "-C", str(path), "rev-parse", "--show-toplevel"], timeout=GIT_TIMEOUT_SECONDS
    )
    if answer.ok and answer.stdout.strip():
        return Path(answer.stdout.strip())
    if answer.returncode == EXIT_NOT_FOUND:
        # No git program: a `.git` folder (or a worktree's `.git` file) marks the top as well.
        for folder in (path.resolve(), *path.resolve().parents):
            if (folder / ".git").exists():
                return folder
    raise UsageError(
        f"{path} is not inside a Git work tree.",
        hint="Run `git init` (or clone the repository) first, or pass the repository's folder.",
    )


def origin_url(top: Path, runner: Runner) -> str | None:
    """The `origin` remote's URL, or None when there is no such remote (or no git)."""
    answer = runner(
        ["git", "-C", str(top), "remote", "get-url", REMOTE_NAME], timeout=GIT_TIMEOUT_SECONDS
    )
    url = answer.stdout.strip()
    return url if answer.ok and url else None


@dataclass(frozen=True)
class RemoteHost:
    """The host a remote URL names: its name, the web port (https only), whether it is SSH."""

    name: str
    port: str  # ":8443" or ""
    ssh: bool


def remote_host(url: str) -> RemoteHost | None:
    """The host of an https, ssh:// or scp-like remote URL; None for local paths."""
    if "://" in url:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            return None
        host = (parts.hostname or "").lower()
        # An https remote names the web port; an ssh port says nothing about the web server.
        web_port = f":{port}" if parts.scheme == "https" and port else ""
        ssh = parts.scheme in ("ssh", "git+ssh", "ssh+git")
        return RemoteHost(host, web_port, ssh) if host else None
    match = _SCP_LIKE.match(url)
    return RemoteHost(match.group("host").lower(), "", ssh=True) if match else None


@dataclass(frozen=True)
class ForgeHosts:
    """The hosts taken for each forge: the public services plus the organisation's own."""

    github: frozenset[str] = frozenset()
    gitlab: frozenset[str] = frozenset()

    def kind_of(self, host: str) -> ForgeKind | None:
        """The forge at exactly this host name, or None."""
        if host in PUBLIC_HOSTS["github"] or host in self.github:
            return "github"
        if host in PUBLIC_HOSTS["gitlab"] or host in self.gitlab:
            return "gitlab"
        return None


def forge_of(url: str, hosts: ForgeHosts | None = None) -> Forge | None:
    """GitHub or GitLab when the remote's host is exactly a known one; None for other hosts.

    Known: github.com, gitlab.com, and the hosts in `repo.github_hosts`/`repo.gitlab_hosts`
    (GitHub Enterprise, self-managed GitLab). A name that merely contains "github" is not
    GitHub: the committed mcp.json would send teammates' tokens to whoever owns that host.
    """
    host = remote_host(url)
    kind = None if host is None else (hosts or ForgeHosts()).kind_of(host.name)
    if host is None or kind is None:
        return None
    return Forge(kind, host.name, f"https://{host.name}{host.port}")


def ssh_hostname(alias: str, runner: Runner) -> str | None:
    """The HostName ssh would connect to for `alias` (`ssh -G`, which never connects)."""
    if alias.startswith("-"):
        return None
    answer = runner(["ssh", "-G", "--", alias], timeout=GIT_TIMEOUT_SECONDS)
    if not answer.ok:
        return None
    for line in answer.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key.lower() == "hostname" and value.strip():
            return value.strip().lower()
    return None


@dataclass(frozen=True)
class ForgeFinding:
    """The forge of a remote, or why none was taken (a sentence for the person)."""

    forge: Forge | None
    note: str | None = None


def find_forge(url: str, hosts: ForgeHosts, runner: Runner) -> ForgeFinding:
    """The remote's forge; an SSH alias (`github.com-work`) is resolved through `ssh -G`."""
    found = forge_of(url, hosts)
    host = remote_host(url)
    if found is not None or host is None:
        return ForgeFinding(found)
    if host.ssh:
        real = ssh_hostname(host.name, runner)
        if real is not None and real != host.name and hosts.kind_of(real) is not None:
            kind = hosts.kind_of(real)
            assert kind is not None
            return ForgeFinding(Forge(kind, real, f"https://{real}"))
        if real is None:
            return ForgeFinding(
                None,
                f"`ssh -G -- {host.name}` did not say which host the SSH remote reaches: "
                "no forge MCP server added. Use the forge's own host name in the remote "
                "(`git remote set-url origin ...`), or check `ssh` is installed.",
            )
    return ForgeFinding(
        None,
        f"The origin's host {host.name} is not a recognised forge: no forge MCP server added. "
        f"For GitHub Enterprise add it to `{GITHUB_HOSTS_SETTING}`, for self-managed GitLab "
        f"to `{GITLAB_HOSTS_SETTING}`.",
    )
