"""`admin roster keygen` and `admin roster publish` against the local AWS."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from keyring.backends import fail

from kiro_bootstrap.roster.keys import KEYRING_ACCOUNT, KEYRING_SERVICE, key_from_pem
from kiro_bootstrap.roster.model import Roster
from kiro_bootstrap.roster.sharded import RosterIndex
from kiro_bootstrap.roster.signing import open_roster, trusted_keys
from sandbox.aws import LocalAws
from tests.conftest import CliRunner
from tests.host import fixtures
from tests.roster.memory_keyring import MemoryKeyring
from tests.roster.org import PEOPLE, SCENARIO, pem, write_config

NOW = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    """One local AWS for the module, seeded with the small organisation."""
    with LocalAws(SCENARIO) as local:
        yield local


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def keyring(key: Ed25519PrivateKey) -> MemoryKeyring:
    """A test keyring already holding the signing key."""
    backend = MemoryKeyring()
    backend.set_password(KEYRING_SERVICE, KEYRING_ACCOUNT, pem(key))
    return backend


@pytest.fixture
def config(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    return write_config(tmp_path / "org.toml", public_keys=[key])


def publish(cli: CliRunner, aws: LocalAws, config: Path, *extra: str, **overrides: object):
    aws.reset(SCENARIO)
    overrides.setdefault("clock", lambda: NOW)
    return cli(
        "admin", "roster", "publish", "--config", str(config), *extra,
        facts=fixtures.ubuntu2404(), env=aws.env(), **overrides,
    )  # fmt: skip


def opened(data: bytes, key: Ed25519PrivateKey) -> Roster:
    return open_roster(data, trusted_keys([_public(key)]), source="test")


def _public(key: Ed25519PrivateKey) -> str:
    from kiro_bootstrap.roster.signing import public_key_text

    return public_key_text(key.public_key())


def test_keygen_keeps_the_key_in_the_keyring_and_prints_the_public_key(cli: CliRunner) -> None:
    backend = MemoryKeyring()
    result = cli("admin", "roster", "keygen", "--json", keyring=backend)
    assert result.code == 0, result.stderr
    stored = key_from_pem(backend.secrets[(KEYRING_SERVICE, KEYRING_ACCOUNT)], "test")
    assert result.json["public_key"] == _public(stored)
    assert result.json["stored_in"] == "keyring"
    assert "BEGIN PRIVATE KEY" not in result.stdout + result.stderr
    again = cli("admin", "roster", "keygen", keyring=backend)
    assert again.code == 2
    assert "--rotate" in again.stderr
    rotated = cli("admin", "roster", "keygen", "--rotate", "--json", keyring=backend)
    assert rotated.code == 0
    assert rotated.json["key_id"] != result.json["key_id"]


@pytest.mark.parametrize("backend", [fail.Keyring(), MemoryKeyring(locked=True)])
def test_keygen_without_a_usable_keyring_says_so_and_asks_for_a_key_file(
    cli: CliRunner, backend: object
) -> None:
    result = cli("admin", "roster", "keygen", keyring=backend)
    assert result.code == 2
    assert "keyring" in result.stderr
    assert "--key-file" in result.stderr


def test_keygen_key_file_is_created_owner_only_and_never_overwritten(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "roster-signing.pem"
    result = cli("admin", "roster", "keygen", "--key-file", str(path), "--json")
    assert result.code == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert result.json["public_key"] == _public(key_from_pem(path.read_text(), "test"))
    before = path.read_bytes()
    assert cli("admin", "roster", "keygen", "--key-file", str(path)).code == 2
    assert path.read_bytes() == before


def test_publish_signs_every_subscriber_with_the_highest_plan(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, key: Ed25519PrivateKey
) -> None:
    dest = config.parent / "www" / "roster.json"
    dest.parent.mkdir()
    result = publish(cli, aws, config, "--dest", str(dest), "--json", keyring=keyring)
    assert result.code == 0, result.stderr
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    roster = opened(dest.read_bytes(), key)
    assert roster.start_url == "https://d-9767a1b2c3.awsapps.com/start"
    assert roster.instance_arn == aws.instance_arn
    assert roster.expires_at == NOW + timedelta(days=7)
    assert roster.plan_for(["alice"]) == "pro"
    assert roster.plan_for(["bob"]) == "power"  # in kiro-pro and kiro-power
    assert roster.plan_for(["carol.cook@example.com"]) == "pro-plus"
    assert roster.plan_for(["erin"]) == "pro-plus"
    assert roster.plan_for(["dave", "dave@example.com"]) is None
    assert result.json["users_per_plan"] == {"pro": 1, "pro-plus": 2, "power": 1}


def test_the_published_bytes_hold_no_name_or_email_in_the_clear(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    dest = tmp_path / "roster.json"
    assert publish(cli, aws, config, "--dest", str(dest), keyring=keyring).code == 0
    data = dest.read_bytes()
    readable = data + base64.b64decode(json.loads(data)["payload"])
    for person in PEOPLE:
        for text in (person.user_name, person.email, person.display_name, *person.groups):
            assert text.encode() not in readable.lower(), text


def test_two_publishes_use_different_salts(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, key: Ed25519PrivateKey
) -> None:
    dest = config.parent / "roster.json"
    assert publish(cli, aws, config, "--dest", str(dest), keyring=keyring).code == 0
    first = opened(dest.read_bytes(), key)
    assert publish(cli, aws, config, "--dest", str(dest), keyring=keyring).code == 0
    second = opened(dest.read_bytes(), key)
    assert first.salt != second.salt
    assert not set(first.entries) & set(second.entries)
    assert second.plan_for(["alice"]) == first.plan_for(["alice"]) == "pro"


def test_dry_run_prints_counts_per_plan_never_names_and_writes_nothing(
    cli: CliRunner, aws: LocalAws, config: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "roster.json"
    result = publish(cli, aws, config, "--dest", str(dest), "--dry-run", keyring=MemoryKeyring())
    assert result.code == 0, result.stderr
    assert "pro 1, pro-plus 2, power 1" in result.stdout
    assert not dest.exists()
    for person in PEOPLE:
        assert person.user_name not in (result.stdout + result.stderr).lower()


def test_publish_to_s3_sets_content_type_and_cache_headers(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, key: Ed25519PrivateKey
) -> None:
    aws.reset(SCENARIO)
    s3 = aws.session().client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="kiro-roster")
    result = cli(
        "admin", "roster", "publish", "--config", str(config),
        "--dest", "s3://kiro-roster/kiro/roster.json",
        facts=fixtures.ubuntu2404(), env=aws.env(), keyring=keyring, clock=lambda: NOW,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    stored = s3.get_object(Bucket="kiro-roster", Key="kiro/roster.json")
    assert stored["ContentType"] == "application/json"
    assert stored["CacheControl"] == "no-cache"
    assert opened(stored["Body"].read(), key).plan_for(["bob@example.com"]) == "power"


def test_publish_signs_with_a_key_file_or_stdin(
    cli: CliRunner, aws: LocalAws, config: Path, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    import io

    key_file = tmp_path / "signing.pem"
    key_file.write_text(pem(key))
    key_file.chmod(0o600)
    dest = tmp_path / "roster.json"
    assert publish(cli, aws, config, "--dest", str(dest), "--key-file", str(key_file)).code == 0
    assert opened(dest.read_bytes(), key).plan_for(["alice"]) == "pro"
    piped = publish(
        cli, aws, config, "--dest", str(dest), "--key-file", "-", stdin=io.StringIO(pem(key))
    )
    assert piped.code == 0, piped.stderr
    key_file.chmod(0o644)
    exposed = publish(cli, aws, config, "--dest", str(dest), "--key-file", str(key_file))
    assert exposed.code == 2
    assert "chmod 600" in exposed.stderr


def test_publish_warns_when_the_live_roster_is_close_to_expiry(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    dest = tmp_path / "roster.json"
    assert publish(cli, aws, config, "--dest", str(dest), keyring=keyring).code == 0
    on_time = publish(cli, aws, config, "--dest", str(dest), keyring=keyring,
                      clock=lambda: NOW + timedelta(days=1))  # fmt: skip
    assert "expires" not in on_time.stderr
    late = publish(cli, aws, config, "--dest", str(dest), keyring=keyring,
                   clock=lambda: NOW + timedelta(days=7))  # fmt: skip
    assert late.code == 0
    assert "expires on 2025-03-11T06:00:00Z" in late.stderr
    assert "publishing schedule" in late.stderr


def test_publish_refuses_to_replace_a_file_that_is_not_a_roster(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    dest = tmp_path / "index.html"
    dest.write_text("<html>our intranet</html>")
    result = publish(cli, aws, config, "--dest", str(dest), keyring=keyring)
    assert result.code == 2
    assert "not a roster" in result.stderr
    assert dest.read_text() == "<html>our intranet</html>"


def test_publish_warns_when_workstations_would_not_trust_the_key(
    cli: CliRunner, aws: LocalAws, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    other = write_config(tmp_path / "other.toml", public_keys=[Ed25519PrivateKey.generate()])
    result = publish(cli, aws, other, "--dest", str(tmp_path / "r.json"), keyring=keyring)
    assert result.code == 0
    assert "not in this config's subscription.public_keys" in result.stderr


def test_cross_check_reports_who_differs_from_list_user_subscriptions(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    aws.reset(SCENARIO)
    env = aws.env()
    applied = cli("admin", "subscribe", "--experimental-internal-api", "--config", str(config),
                  facts=fixtures.ubuntu2404(), env=env)  # fmt: skip
    assert applied.code == 0, applied.stderr
    for state_key, assignment in list(aws.kiro_state.assignments.items()):
        if assignment.principal_type == "USER":  # erin's direct assignment, removed in the console
            del aws.kiro_state.assignments[state_key]
    result = cli(
        "admin", "roster", "publish", "--config", str(config), "--dest", str(tmp_path / "r.json"),
        "--experimental-internal-api", "--json",
        facts=fixtures.ubuntu2404(), env=env, keyring=keyring, clock=lambda: NOW,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.json["differences"] == [
        {"user_name": "erin", "roster_plan": "pro-plus", "live_plan": None}
    ]
    assert "UNSUPPORTED" in result.stderr


def test_an_unresolved_assignment_names_the_nearest_match_publishes_the_rest_and_exits_10(
    cli: CliRunner, aws: LocalAws, key: Ed25519PrivateKey, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    renamed = '[[assignments]]\ngroup = "kiro-pwoer"\nplan = "power"\n'
    renamed += '[[assignments]]\nuser = "erinn"\nplan = "pro"\n'
    config = write_config(tmp_path / "org.toml", public_keys=[key], extra=renamed)
    dest = tmp_path / "roster.json"
    result = publish(cli, aws, config, "--dest", str(dest), "--json", keyring=keyring)
    assert result.code == 10
    assert result.json["published"] is True
    assert result.json["unresolved"] == [
        {"kind": "group", "name": "kiro-pwoer", "nearest": "kiro-power"},
        {"kind": "user", "name": "erinn", "nearest": "erin"},
    ]
    assert opened(dest.read_bytes(), key).plan_for(["alice"]) == "pro"  # workstations keep working
    text = publish(cli, aws, config, "--dest", str(dest), keyring=keyring)
    assert text.code == 10
    assert "group 'kiro-pwoer' is not in the directory (did you mean 'kiro-power'?)" in text.stdout


def test_nothing_resolving_publishes_nothing_and_keeps_the_live_roster(
    cli: CliRunner, aws: LocalAws, key: Ed25519PrivateKey, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    config = tmp_path / "org.toml"
    write_config(config, public_keys=[key])
    text = config.read_text().split("[[assignments]]")[0]
    config.write_text(text + '[[assignments]]\ngroup = "nobody-here"\nplan = "pro"\n')
    dest = tmp_path / "roster.json"
    result = publish(cli, aws, config, "--dest", str(dest), "--json", keyring=keyring)
    assert result.code == 10
    assert result.json["published"] is False
    assert not dest.exists()


def test_a_sharded_publish_to_a_folder_writes_index_shards_and_proofs(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    www = tmp_path / "www"
    www.mkdir()
    first = publish(cli, aws, config, "--dest", f"{www}/", "--json", keyring=keyring)
    assert first.code == 0, first.stderr
    assert first.json["layout"] == "sharded"
    assert first.json["roster_location"] == str(www / "index.json")
    assert stat.S_IMODE((www / "index.json").stat().st_mode) == 0o644
    assert peek(www / "index.json").shard_count == first.json["shards"] == 1
    # The next day: same month, same people: every shard is kept, only the index and proofs new.
    second = publish(cli, aws, config, "--dest", str(www), "--json", keyring=keyring,
                     clock=lambda: NOW + timedelta(days=1))  # fmt: skip
    assert second.json["shards_written"] == 0
    assert second.json["shards_kept"] == 1
    assert len(list((www / "publishes").iterdir())) == 2  # the first index has not expired yet
    # Seven days and an hour on, the first publish's index has expired: its proofs go.
    third = publish(cli, aws, config, "--dest", str(www), "--json", keyring=keyring,
                    clock=lambda: NOW + timedelta(days=7, hours=1))  # fmt: skip
    assert third.json["publishes_removed"] == [first.json["publish_id"]]
    assert {p.name for p in (www / "publishes").iterdir()} == {
        second.json["publish_id"], third.json["publish_id"]}  # fmt: skip


def test_a_sharded_publish_to_an_s3_prefix(
    cli: CliRunner, aws: LocalAws, config: Path, keyring: MemoryKeyring, key: Ed25519PrivateKey
) -> None:
    aws.reset(SCENARIO)
    s3 = aws.session().client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="kiro-roster")
    result = cli(
        "admin", "roster", "publish", "--config", str(config), "--json",
        "--dest", "s3://kiro-roster/kiro/",
        facts=fixtures.ubuntu2404(), env=aws.env(), keyring=keyring, clock=lambda: NOW,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket="kiro-roster")["Contents"]]
    assert "kiro/index.json" in keys
    assert any(k.startswith("kiro/shards/") for k in keys)
    assert any(k.startswith(f"kiro/publishes/{result.json['publish_id']}/proofs/") for k in keys)
    index = s3.get_object(Bucket="kiro-roster", Key="kiro/index.json")
    assert index["CacheControl"] == "no-cache"
    shard_key = next(k for k in keys if k.startswith("kiro/shards/"))
    assert "immutable" in s3.get_object(Bucket="kiro-roster", Key=shard_key)["CacheControl"]
    index_doc = open_roster(index["Body"].read(), trusted_keys([_public(key)]), source="test")
    assert index_doc.key_id == result.json["key_id"]


def peek(path: Path) -> RosterIndex:
    from kiro_bootstrap.roster.signing import peek_roster

    document = peek_roster(path.read_bytes(), source=str(path))
    assert isinstance(document, RosterIndex)
    return document
