"""Fixtures for the admin tests: the package's LocalAws and a runner bound to it."""

from tests.fixtures.local_aws import aws, use

__all__ = ["aws", "use"]  # pytest finds fixtures by name in the conftest
