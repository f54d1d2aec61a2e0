"""Fixtures for the oracle tests: an organisation config and a `configure` run as a person."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.configure.conftest import ORG_CONFIG
from tests.host import fixtures
from tests.repo.conftest import make_repo  # noqa: F401 - the same Git work trees as tests/repo

Configure = Callable[[], None]


@pytest.fixture
def home(isolated: dict[str, str]) -> Path:
    """The isolated HOME (the person we configure)."""
    return Path(isolated["HOME"])


@pytest.fixture
def configure(cli, tmp_path: Path, home: Path) -> Configure:
    """Run `configure` with the organisation config of tests/configure; assert it succeeded."""
    config = tmp_path / "org.toml"
    config.write_text(ORG_CONFIG, encoding="utf-8")

    def run() -> None:
        facts = fixtures.ubuntu2404(home, is_admin=True)
        result = cli("configure", "--config", str(config), facts=facts)
        assert result.code == 0, result.stdout + result.stderr

    return run
