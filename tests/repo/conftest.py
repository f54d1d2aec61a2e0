"""Real Git work trees in tmp_path for the `repo` tests."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

MakeRepo = Callable[..., Path]


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """`make_repo(remote=URL)`: `git init` a fresh work tree, optionally with an origin remote."""

    def make(remote: str | None = None, name: str = "work") -> Path:
        top = tmp_path / name
        top.mkdir()
        subprocess.run(["git", "init", "-q", str(top)], check=True)
        if remote is not None:
            subprocess.run(["git", "-C", str(top), "remote", "add", "origin", remote], check=True)
        return top.resolve()

    return make
