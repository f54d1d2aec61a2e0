"""The subscription check as install's last step, and what `status` reads back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiro_bootstrap.context import Context, Environment, GlobalOptions, build_context
from kiro_bootstrap.errors import ExitStatus, UnavailableError
from kiro_bootstrap.output import Output, Result
from kiro_bootstrap.subscription.onboarding import (
    confirm_after_install,
    describe_last,
    last_subscription_summary,
)
from sandbox.roster_server import RosterServer
from tests.fixtures.rosters import ALICE, signed_roster
from tests.host import fixtures
from tests.roster.memory_keyring import MemoryKeyring
from tests.roster.org import REQUEST_URL, write_config

NOW = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def server() -> Iterator[RosterServer]:
    with RosterServer() as running:
        running.publish(signed_roster(KEY, [ALICE], issued_at=NOW))
        yield running


def context(isolated: dict[str, str], config: Path) -> tuple[Context, io.StringIO]:
    stderr = io.StringIO()
    env = Environment(environ=isolated, stdout=io.StringIO(), stderr=stderr,
                      facts=fixtures.ubuntu2404(), keyring=MemoryKeyring(),
                      clock=lambda: NOW + timedelta(hours=1),
                      registry_reader=lambda _key: None)  # fmt: skip
    output = Output(stdout=env.stdout, stderr=stderr)
    return build_context(GlobalOptions(config=config), env, output, {}), stderr


def test_required_and_not_subscribed_is_exit_8_with_kiro_left_installed(
    isolated: dict[str, str], tmp_path: Path, server: RosterServer
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[KEY], roster_url=server.url)
    ctx, _ = context(isolated, config)
    result = Result()
    confirm_after_install(ctx, result, user="mallory")
    assert result.status == ExitStatus.NOT_SUBSCRIBED
    assert any(REQUEST_URL in text and "Kiro is installed" in text for _, text in result.lines)
    assert "NOT subscribed" in describe_last(last_subscription_summary(ctx))


def test_not_required_makes_it_a_warning(
    isolated: dict[str, str], tmp_path: Path, server: RosterServer
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[KEY], roster_url=server.url,
                          extra="required = false")  # fmt: skip
    ctx, stderr = context(isolated, config)
    result = Result()
    server.status = 503
    confirm_after_install(ctx, result, user="alice")
    assert result.status == ExitStatus.OK
    assert "could not confirm the subscription" in stderr.getvalue()
    server.status = None
    confirm_after_install(ctx, result, user="mallory")
    assert result.status == ExitStatus.OK
    assert "mallory is not subscribed" in stderr.getvalue()


def test_a_subscribed_user_is_reported_and_recorded_for_status(
    isolated: dict[str, str], tmp_path: Path, server: RosterServer
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[KEY], roster_url=server.url)
    ctx, _ = context(isolated, config)
    assert "not checked yet" in describe_last(last_subscription_summary(ctx))
    result = Result()
    confirm_after_install(ctx, result, user="alice")
    assert result.status == ExitStatus.OK
    assert result.data["subscription"]["plan"] == "pro"
    assert "alice plan pro" in describe_last(last_subscription_summary(ctx))


def test_required_and_unreachable_keeps_its_exit_code_and_says_kiro_is_installed(
    isolated: dict[str, str], tmp_path: Path, server: RosterServer
) -> None:
    server.status = 503
    config = write_config(tmp_path / "org.toml", public_keys=[KEY], roster_url=server.url)
    ctx, _ = context(isolated, config)
    with pytest.raises(UnavailableError) as raised:
        confirm_after_install(ctx, Result(), user="alice")
    assert "Kiro is installed" in str(raised.value.hint)


def test_without_a_roster_url_there_is_nothing_to_check(
    isolated: dict[str, str], tmp_path: Path
) -> None:
    ctx, _ = context(isolated, write_config(tmp_path / "org.toml", public_keys=[KEY]))
    result = Result()
    confirm_after_install(ctx, result, user="alice")
    assert result.status == ExitStatus.OK
    assert result.data["subscription"] is None
