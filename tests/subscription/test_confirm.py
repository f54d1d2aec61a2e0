"""`subscription`: publish from the local AWS, serve on loopback, confirm on a workstation."""

from __future__ import annotations

import base64
import io
import json
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiro_bootstrap.cli import main
from kiro_bootstrap.context import Environment
from kiro_bootstrap.paths import build_paths
from kiro_bootstrap.roster.keys import KEYRING_ACCOUNT, KEYRING_SERVICE
from kiro_bootstrap.subscription.result import read_last_result
from kiro_bootstrap.subscription.token import KEYRING_ACCOUNT as TOKEN_ACCOUNT
from kiro_bootstrap.subscription.token import KEYRING_SERVICE as TOKEN_SERVICE
from sandbox.aws import LocalAws
from sandbox.isolation import isolated_environ
from sandbox.roster_server import RosterServer
from tests.conftest import CliResult, CliRunner
from tests.fixtures.rosters import ALICE, signed_roster
from tests.host import fixtures
from tests.roster.memory_keyring import MemoryKeyring
from tests.roster.org import REQUEST_URL, SCENARIO, START_URL, pem, write_config

NOW = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@dataclass(frozen=True)
class Published:
    """A roster the admin command published from the local AWS, and the key that signed it."""

    data: bytes
    key: Ed25519PrivateKey
    instance_arn: str


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Run `admin roster publish` once against the local AWS (the slow part, shared)."""
    folder = tmp_path_factory.mktemp("publisher")
    key = Ed25519PrivateKey.generate()
    keyring = MemoryKeyring()
    keyring.set_password(KEYRING_SERVICE, KEYRING_ACCOUNT, pem(key))
    config = write_config(folder / "org.toml", public_keys=[key])
    dest = folder / "roster.json"
    with LocalAws(SCENARIO) as aws:
        out, err = io.StringIO(), io.StringIO()
        environ = {**isolated_environ(folder / "sandbox"), **aws.env()}
        argv = ["admin", "roster", "publish", "--config", str(config), "--dest", str(dest)]
        environment = Environment(environ=environ, stdout=out, stderr=err,
                                  facts=fixtures.ubuntu2404(), keyring=keyring,
                                  clock=lambda: NOW, registry_reader=lambda _key: None)  # fmt: skip
        assert main(argv, environment) == 0, err.getvalue()
        return Published(dest.read_bytes(), key, aws.instance_arn)


@pytest.fixture
def server(published: Published) -> Iterator[RosterServer]:
    with RosterServer() as running:
        running.publish(published.data)
        yield running


@pytest.fixture
def config(tmp_path: Path, published: Published, server: RosterServer) -> Path:
    return write_config(tmp_path / "org.toml", public_keys=[published.key], roster_url=server.url)


def check(cli: CliRunner, config: Path, *argv: str, **overrides: object) -> CliResult:
    overrides.setdefault("clock", lambda: LATER)
    overrides.setdefault("facts", fixtures.ubuntu2404())
    overrides.setdefault("keyring", MemoryKeyring())
    return cli("subscription", "--config", str(config), *argv, **overrides)


def sign(key: Ed25519PrivateKey, *, issued: datetime = NOW, start_url: str = START_URL) -> bytes:
    """A roster built here rather than through AWS, for the cases the publisher never makes."""
    return signed_roster(key, [ALICE], issued_at=issued, start_url=start_url)


def test_round_trip_known_users_match_with_their_highest_plan(cli: CliRunner, config: Path) -> None:
    alice = check(cli, config, "--user", "CORP\\Alice", "--json")
    assert alice.code == 0, alice.stderr
    assert alice.json["subscription"]["plan"] == "pro"
    assert alice.json["subscription"]["source"] == "network"
    bob = check(cli, config, "--user", "bob")
    assert bob.code == 0
    assert "bob is subscribed to Kiro (plan: power)" in bob.stdout  # two groups: the higher


def test_a_stranger_is_not_subscribed_and_is_told_where_to_ask(
    cli: CliRunner, config: Path
) -> None:
    for stranger in ("mallory", "dave"):  # dave is in IDC but holds no plan
        result = check(cli, config, "--user", stranger)
        assert result.code == 8
        assert f"{stranger} is not subscribed" in result.stdout
        assert REQUEST_URL in result.stdout
        assert f"Looked up: {stranger}, {stranger}@example.com." in result.stdout
        assert "--user NAME" in result.stdout


def test_json_names_the_identities_looked_up_and_the_request_url_never_the_roster(
    cli: CliRunner, config: Path
) -> None:
    result = check(cli, config, "--user", "CORP\\Mallory", "--json")
    assert result.code == 8
    assert result.json["subscription"]["looked_up"] == ["mallory", "mallory@example.com"]
    assert result.json["subscription"]["request_url"] == REQUEST_URL
    assert "alice" not in result.stdout  # nothing of the roster's contents


def test_the_user_comes_from_the_environment_then_the_login_with_the_email_domain(
    cli: CliRunner, config: Path
) -> None:
    from_env = check(cli, config, "--json", env={"KIRO_BOOTSTRAP_USER": "erin"})
    assert from_env.json["subscription"]["user"] == "erin"
    assert from_env.json["subscription"]["plan"] == "pro-plus"
    # carol's IDC e-mail is carol.cook@example.com: her login plus email_domain finds it.
    login = check(cli, config, "--json", facts=fixtures.ubuntu2404(current_user="carol.cook"))
    assert login.code == 0, login.stderr
    assert login.json["subscription"]["plan"] == "pro-plus"


def test_the_result_is_recorded_for_status(cli: CliRunner, config: Path, isolated: dict) -> None:
    assert check(cli, config, "--user", "alice").code == 0
    facts = fixtures.ubuntu2404()
    last = read_last_result(facts, build_paths(facts, Path(isolated["KIRO_BOOTSTRAP_ROOT"])))
    assert last is not None
    assert (last.user, last.plan, last.checked_at) == ("alice", "pro", LATER)


def test_a_tampered_roster_is_refused(
    cli: CliRunner, config: Path, server: RosterServer, published: Published
) -> None:
    envelope = json.loads(published.data)
    payload = base64.b64decode(envelope["payload"]).replace(b'"pro"', b'"power"', 1)
    envelope["payload"] = base64.b64encode(payload).decode()
    server.publish(json.dumps(envelope).encode())
    result = check(cli, config, "--user", "alice")
    assert result.code == 5
    assert "bad signature" in result.stderr


def test_a_roster_signed_by_an_unknown_key_is_refused(
    cli: CliRunner, tmp_path: Path, server: RosterServer
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[Ed25519PrivateKey.generate()],
                          roster_url=server.url)  # fmt: skip
    result = check(cli, config, "--user", "alice")
    assert result.code == 5
    assert "not in subscription.public_keys" in result.stderr


def test_another_organisations_roster_is_refused(
    cli: CliRunner, tmp_path: Path, server: RosterServer, published: Published
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[published.key], roster_url=server.url,
                          start_url="https://d-0000000000.awsapps.com/start")  # fmt: skip
    result = check(cli, config, "--user", "alice")
    assert result.code == 5
    assert "belongs to another organisation" in result.stderr


def test_rotation_a_roster_from_the_new_key_verifies_while_both_are_trusted(
    cli: CliRunner, tmp_path: Path, server: RosterServer, published: Published
) -> None:
    new = Ed25519PrivateKey.generate()
    server.publish(sign(new, issued=LATER))
    config = write_config(tmp_path / "org.toml", public_keys=[published.key, new],
                          roster_url=server.url)  # fmt: skip
    assert check(cli, config, "--user", "alice").code == 0


def test_an_expired_roster_is_exit_4_naming_the_date(cli: CliRunner, config: Path) -> None:
    result = check(cli, config, "--user", "alice", clock=lambda: NOW + timedelta(days=8))
    assert result.code == 4
    assert "expired on 2025-03-10T06:00:00Z" in result.stderr


def test_max_age_days_on_the_workstation_cuts_a_long_validity_short(
    cli: CliRunner, tmp_path: Path, server: RosterServer, published: Published
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[published.key],
                          roster_url=server.url, extra="max_age_days = 2")  # fmt: skip
    result = check(cli, config, "--user", "alice", clock=lambda: NOW + timedelta(days=3))
    assert result.code == 4
    assert "expired on 2025-03-05T06:00:00Z" in result.stderr


def test_unreachable_or_offline_uses_the_cached_roster_and_says_so(
    cli: CliRunner, config: Path, server: RosterServer
) -> None:
    assert check(cli, config, "--user", "alice").code == 0
    server.status = 503
    down = check(cli, config, "--user", "alice", "--json")
    assert down.code == 0
    assert down.json["subscription"]["source"] == "cache"
    assert "unreachable" in down.json["subscription"]["note"]
    offline = check(cli, config, "--user", "alice", "--offline")
    assert offline.code == 0
    assert "offline (--offline): using the cached roster" in offline.stdout
    stale = check(cli, config, "--user", "alice", clock=lambda: NOW + timedelta(days=8))
    assert stale.code == 4
    assert "cached roster expired on 2025-03-10" in stale.stderr


def test_unreachable_with_nothing_cached_is_exit_4(
    cli: CliRunner, config: Path, server: RosterServer
) -> None:
    server.status = 503
    result = check(cli, config, "--user", "alice")
    assert result.code == 4
    assert "no roster is cached" in result.stderr


def test_the_etag_saves_the_download_on_the_next_run(
    cli: CliRunner, config: Path, server: RosterServer
) -> None:
    assert check(cli, config, "--user", "alice").code == 0
    again = check(cli, config, "--user", "alice", "--json")
    assert again.json["subscription"]["source"] == "not-modified"
    assert "If-None-Match" in server.requests[-1][1]


def test_an_older_roster_than_the_cached_one_is_refused(
    cli: CliRunner, config: Path, server: RosterServer, published: Published
) -> None:
    assert check(cli, config, "--user", "alice").code == 0
    server.publish(sign(published.key, issued=NOW - timedelta(days=1)))
    result = check(cli, config, "--user", "alice")
    assert result.code == 5
    assert "refusing an older roster" in result.stderr


@pytest.mark.parametrize("other_origin", ["localhost", "another port", "https"])
def test_a_redirect_off_the_roster_origin_is_refused_before_the_token_is_sent(
    cli: CliRunner, config: Path, server: RosterServer, other_origin: str
) -> None:
    port = int(server.url.split(":")[2].split("/")[0])
    target = {
        "localhost": server.url.replace("127.0.0.1", "localhost"),  # the same server, by name
        "another port": server.url.replace(f":{port}/", f":{port + 1}/"),
        "https": server.url.replace("http://", "https://"),
    }[other_origin]
    server.redirect_to = target
    keyring = MemoryKeyring()
    keyring.set_password(TOKEN_SERVICE, TOKEN_ACCOUNT, "origin-bound-token")
    result = check(cli, config, "--user", "alice", keyring=keyring)
    assert result.code == 5
    assert "redirects off its origin" in result.stderr
    assert len(server.requests) == 1  # the redirect target was never contacted
    assert "origin-bound-token" not in result.stdout + result.stderr


def test_a_redirect_on_the_same_origin_is_followed(
    cli: CliRunner, config: Path, server: RosterServer, published: Published
) -> None:
    server.publish_file("/moved/roster.json", published.data)
    server.redirect_once = server.url.replace("/roster.json", "/moved/roster.json")
    result = check(cli, config, "--user", "alice")
    assert result.code == 0, result.stderr


def test_a_roster_from_the_future_is_refused_never_cached_and_a_correct_one_follows(
    cli: CliRunner, config: Path, server: RosterServer, published: Published
) -> None:
    server.publish(sign(published.key, issued=NOW + timedelta(days=300)))
    future = check(cli, config, "--user", "alice")
    assert future.code == 5
    assert "after this machine's clock" in future.stderr
    server.publish(published.data)
    assert check(cli, config, "--user", "alice").code == 0
    skewed = sign(published.key, issued=LATER + timedelta(minutes=2))  # within the allowance
    server.publish(skewed)
    assert check(cli, config, "--user", "alice").code == 0


def test_a_local_path_works_as_the_roster_location(
    cli: CliRunner, tmp_path: Path, published: Published
) -> None:
    share = tmp_path / "share" / "roster.json"
    share.parent.mkdir()
    share.write_bytes(published.data)
    config = write_config(tmp_path / "org.toml", public_keys=[published.key],
                          roster_url=str(share))  # fmt: skip
    result = check(cli, config, "--user", "bob", "--json")
    assert result.code == 0, result.stderr
    assert result.json["subscription"]["source"] == "file"


def test_token_set_reads_stdin_into_the_keyring_and_the_fetch_sends_it(
    cli: CliRunner, config: Path, server: RosterServer
) -> None:
    server.require_token = "s3cr3t-token"
    keyring = MemoryKeyring()
    assert check(cli, config, "--user", "alice", keyring=keyring).code == 4  # 401, nothing cached
    stored = cli("subscription", "token", "set", "--config", str(config),
                 facts=fixtures.ubuntu2404(), keyring=keyring,
                 stdin=io.StringIO("s3cr3t-token\n"))  # fmt: skip
    assert stored.code == 0, stored.stderr
    assert "s3cr3t-token" not in stored.stdout + stored.stderr
    assert keyring.secrets[(TOKEN_SERVICE, TOKEN_ACCOUNT)] == "s3cr3t-token"
    assert check(cli, config, "--user", "alice", keyring=keyring).code == 0
    assert server.requests[-1][1]["Authorization"] == "Bearer s3cr3t-token"


def test_a_system_run_keeps_the_token_in_a_root_only_file(
    cli: CliRunner, config: Path, server: RosterServer, isolated: dict
) -> None:
    server.require_token = "mdm-token"
    root_facts = fixtures.ubuntu2404(is_admin=True, current_user="root", console_user="alice")
    stored = cli("subscription", "token", "set", "--json", "--config", str(config),
                 facts=root_facts, keyring=MemoryKeyring(locked=True),
                 stdin=io.StringIO("mdm-token"))  # fmt: skip
    assert stored.code == 0, stored.stderr
    path = Path(stored.json["path"])
    assert path.is_relative_to(isolated["KIRO_BOOTSTRAP_ROOT"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    result = check(cli, config, "--json", facts=root_facts)
    assert result.code == 0, result.stderr
    assert result.json["subscription"]["user"] == "alice"  # the console user, not root


def test_token_set_refuses_an_empty_or_malformed_token(cli: CliRunner, config: Path) -> None:
    for text in ("", "two words", "x" * 5000):
        result = cli("subscription", "token", "set", "--config", str(config),
                     facts=fixtures.ubuntu2404(), keyring=MemoryKeyring(),
                     stdin=io.StringIO(text))  # fmt: skip
        assert result.code == 2, text


def test_without_public_keys_nothing_is_trusted(cli: CliRunner, tmp_path: Path) -> None:
    config = write_config(tmp_path / "org.toml", roster_url="https://roster.example.com/r.json")
    result = check(cli, config, "--user", "alice")
    assert result.code == 2
    assert "public_keys is empty" in result.stderr


def test_token_set_without_a_keyring_as_a_plain_user_is_exit_9(
    cli: CliRunner, config: Path
) -> None:
    from keyring.backends import fail

    result = cli("subscription", "token", "set", "--config", str(config),
                 facts=fixtures.ubuntu2404(), keyring=fail.Keyring(),
                 stdin=io.StringIO("a-token"))  # fmt: skip
    assert result.code == 9
    assert "as root/Administrator" in result.stderr
    assert "a-token" not in result.stdout + result.stderr


def test_status_shows_the_last_result(cli: CliRunner, config: Path) -> None:
    assert check(cli, config, "--user", "alice").code == 0
    status = cli("status", "--json", "--config", str(config), facts=fixtures.ubuntu2404())
    assert status.json["subscription"]["plan"] == "pro"
    assert status.json["subscription"]["user"] == "alice"
    text = cli("status", "--config", str(config), facts=fixtures.ubuntu2404())
    assert "subscription: alice plan pro" in text.stdout


def test_looking_up_someone_else_does_not_replace_this_machines_record(
    cli: CliRunner, config: Path
) -> None:
    assert check(cli, config, "--user", "alice").code == 0
    assert check(cli, config, "--user", "mallory").code == 8
    status = cli("status", "--json", "--config", str(config), facts=fixtures.ubuntu2404())
    assert status.json["subscription"]["user"] == "alice"
