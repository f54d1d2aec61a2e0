"""Fixtures for the AWS session tests: the package's LocalAws and an admin runner."""

from tests.fixtures.local_aws import aws, use

__all__ = ["aws", "use"]  # pytest finds fixtures by name in the conftest
