"""Fixtures for the admin tests: the package's LocalAws and a runner bound to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.aws import LocalAws
from tests.admin.harness import AdminRunner, admin_runner, local_aws
from tests.conftest import CliRunner


@pytest.fixture(scope="package")
def aws() -> Iterator[LocalAws]:
    """One LocalAws for the package; each test resets it to its scenario."""
    yield from local_aws()


@pytest.fixture
def use(cli: CliRunner, aws: LocalAws, tmp_path: Path) -> Callable[..., AdminRunner]:
    """Reset to a scenario and get a runner for `admin …`."""
    return admin_runner(cli, aws, tmp_path)
