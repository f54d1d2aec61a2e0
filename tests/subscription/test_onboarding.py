"""The subscription check as install's last step, and what `status` reads back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiro_bootstrap.commands.status import describe_last
from kiro_bootstrap.context import Context, Environment, GlobalOptions, build_context
from kiro_bootstrap.errors import ExitStatus, UnavailableError
from kiro_bootstrap.output import Output
from kiro_bootstrap.subscription.onboarding import confirm_after_install, last_subscription_summary
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


def context(isolated: dict[str, str], config: Path) -> Context:
    env = Environment(environ=isolated, stdout=io.StringIO(), stderr=io.StringIO(),
                      facts=fixtures.ubuntu2404(), keyring=MemoryKeyring(),
                      clock=lambda: NOW + timedelta(hours=1),
                      registry_reader=lambda _key: None)  # fmt: skip
    output = Output(stdout=env.stdout, stderr=env.stderr)
    return build_context(GlobalOptions(config=config), env, output, {})


def test_required_and_not_subscribed_is_a_failure_with_kiro_left_installed(
    isolated: dict[str, str], tmp_path: Path, server: RosterServer
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[KEY], roster_url=server.url)
    ctx = context(isolated, config)
    checked = confirm_after_install(ctx, user="mallory")
    assert checked.failure == (
        f"Kiro is installed, but mallory is not subscribed. Ask for access at {REQUEST_URL}"
    )
    assert checked.to_json() is not None
    assert checked.to_json()["subscribed"] is False  # type: ignore[index]
    assert "NOT subscribed" in describe_last(last_subscription_summary(ctx))


def test_not_required_is_never_a_failure(
    isolated: dict[str, str], tmp_path: Path, server: RosterServer
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[KEY], roster_url=server.url,
                          extra="required = false")  # fmt: skip
    ctx = context(isolated, config)
    server.status = 503
    unreachable = confirm_after_install(ctx, user="alice")
    assert unreachable.failure is None
    assert unreachable.error is not None
    assert unreachable.to_json() == {
        "error": unreachable.error.message,
        "code": unreachable.error.code,
    }
    server.status = None
    stranger = confirm_after_install(ctx, user="mallory")
    assert stranger.failure is None
    assert stranger.confirmed is not None
    assert not stranger.confirmed.subscribed


def test_a_subscribed_user_is_reported_and_recorded_for_status(
    isolated: dict[str, str], tmp_path: Path, server: RosterServer
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[KEY], roster_url=server.url)
    ctx = context(isolated, config)
    assert "not checked yet" in describe_last(last_subscription_summary(ctx))
    checked = confirm_after_install(ctx, user="alice")
    assert checked.failure is None
    assert checked.to_json()["plan"] == "pro"  # type: ignore[index]
    assert "alice plan pro" in describe_last(last_subscription_summary(ctx))


def test_required_and_unreachable_keeps_its_exit_code_and_says_kiro_is_installed(
    isolated: dict[str, str], tmp_path: Path, server: RosterServer
) -> None:
    server.status = 503
    config = write_config(tmp_path / "org.toml", public_keys=[KEY], roster_url=server.url)
    ctx = context(isolated, config)
    with pytest.raises(UnavailableError) as raised:
        confirm_after_install(ctx, user="alice")
    assert raised.value.exit_status == ExitStatus.UNAVAILABLE
    assert "Kiro is installed" in str(raised.value.hint)


def test_without_a_roster_url_there_is_nothing_to_check(
    isolated: dict[str, str], tmp_path: Path
) -> None:
    ctx = context(isolated, write_config(tmp_path / "org.toml", public_keys=[KEY]))
    checked = confirm_after_install(ctx, user="alice")
    assert checked.failure is None
    assert checked.to_json() is None
