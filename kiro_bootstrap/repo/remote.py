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
FORGE_KINDS: tuple[ForgeKind, ...] = ("github", "gitlab")


@dataclass(frozen=True)
class Forge:
    """Where the repository is hosted: the kind and the web address of its host."""

    kind: ForgeKind
    host: str
    web_url: str  # https://host[:port], never with credentials

    @property
    def is_public_service(self) -> bool:
        """True for github.com / gitlab.com, False for GitHub Enterprise or self-managed GitLab."""
        return self.host in ("github.com", "gitlab.com")


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


def forge_of(url: str) -> Forge | None:
    """GitHub or GitLab from a remote URL (https, ssh:// or scp-like); None for other hosts.

    The rule: the host name contains "github" (github.com, GitHub Enterprise such as
    github.example.com) or "gitlab" (gitlab.com, self-managed gitlab.example.com).
    """
    if "://" in url:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        # An https remote names the web port; an ssh port says nothing about the web server.
        port = f":{parts.port}" if parts.scheme == "https" and parts.port else ""
    else:
        match = _SCP_LIKE.match(url)
        host, port = (match.group("host").lower(), "") if match else ("", "")
    if not host:
        return None
    for kind in FORGE_KINDS:
        if kind in host:
            return Forge(kind, host, f"https://{host}{port}")
    return None
