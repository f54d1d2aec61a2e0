"""Fixtures for the local AWS tests: one LocalAws per package, reset per test."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest

from sandbox.aws import LocalAws, Scenario

IDC = "ap-southeast-2"
HEALTHY = Scenario(key_type="CUSTOMER_MANAGED_KEY", users=30, groups=3)


@pytest.fixture(scope="package")
def server() -> Iterator[LocalAws]:
    """One running LocalAws for the package; each test re-seeds the scenario it needs."""
    with LocalAws(HEALTHY) as aws:
        yield aws


@pytest.fixture
def use(server: LocalAws) -> Callable[..., LocalAws]:
    """Reset the shared LocalAws to a scenario (HEALTHY with overrides)."""

    def apply(**overrides: object) -> LocalAws:
        server.reset(dataclasses.replace(HEALTHY, **overrides))
        return server

    return apply
