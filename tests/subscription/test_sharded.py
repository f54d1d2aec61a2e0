"""The sharded roster: publish a set from the local AWS, serve it on loopback, check a person."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiro_bootstrap.cli import main
from kiro_bootstrap.context import Environment
from kiro_bootstrap.roster.keys import KEYRING_ACCOUNT, KEYRING_SERVICE
from kiro_bootstrap.roster.model import Subscriber
from kiro_bootstrap.roster.sharded import INDEX_NAME
from sandbox.aws import LocalAws
from sandbox.isolation import isolated_environ
from sandbox.roster_server import RosterServer
from tests.conftest import CliResult, CliRunner
from tests.fixtures.rosters import make_roster_set
from tests.host import fixtures
from tests.roster.memory_keyring import MemoryKeyring
from tests.roster.org import SCENARIO, pem, write_config

NOW = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@dataclass(frozen=True)
class PublishedSet:
    """A sharded roster `admin roster publish` wrote from the local AWS, and its key."""

    folder: Path
    key: Ed25519PrivateKey


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> PublishedSet:
    """Run `admin roster publish --dest FOLDER/` once against the local AWS."""
    root = tmp_path_factory.mktemp("publisher")
    key = Ed25519PrivateKey.generate()
    keyring = MemoryKeyring()
    keyring.set_password(KEYRING_SERVICE, KEYRING_ACCOUNT, pem(key))
    config = write_config(root / "org.toml", public_keys=[key])
    (root / "www").mkdir()
    with LocalAws(SCENARIO) as aws:
        out, err = io.StringIO(), io.StringIO()
        environ = {**isolated_environ(root / "sandbox"), **aws.env()}
        argv = ["admin", "roster", "publish", "--config", str(config), "--dest", f"{root}/www/"]
        environment = Environment(environ=environ, stdout=out, stderr=err,
                                  facts=fixtures.ubuntu2404(), keyring=keyring,
                                  clock=lambda: NOW, registry_reader=lambda _key: None)  # fmt: skip
        assert main(argv, environment) == 0, err.getvalue()
    return PublishedSet(root / "www", key)


@pytest.fixture
def server(published: PublishedSet) -> Iterator[RosterServer]:
    with RosterServer() as running:
        running.publish_folder(published.folder)
        yield running


@pytest.fixture
def config(tmp_path: Path, published: PublishedSet, server: RosterServer) -> Path:
    return write_config(tmp_path / "org.toml", public_keys=[published.key],
                        roster_url=server.index_url)  # fmt: skip


def check(cli: CliRunner, config: Path, *argv: str, **overrides: object) -> CliResult:
    overrides.setdefault("clock", lambda: LATER)
    overrides.setdefault("facts", fixtures.ubuntu2404())
    overrides.setdefault("keyring", MemoryKeyring())
    return cli("subscription", "--config", str(config), *argv, **overrides)


def write_set(folder: Path, key: Ed25519PrivateKey, people: list[Subscriber]) -> list[str]:
    """A set built here (no AWS) for the cases the publisher never makes; its shard paths."""
    roster_set = make_roster_set(key, people, issued_at=NOW)
    for path, data in {INDEX_NAME: roster_set.index_bytes, **roster_set.shards,
                       **roster_set.pages}.items():  # fmt: skip
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return sorted(roster_set.shards)


def shard_requests(server: RosterServer) -> list[str]:
    return [path for path, _headers in server.requests if "/shards/" in path]


def test_a_person_is_found_through_the_index_and_their_shard(
    cli: CliRunner, config: Path, server: RosterServer
) -> None:
    alice = check(cli, config, "--user", "CORP\\Alice", "--json")
    assert alice.code == 0, alice.stderr
    assert alice.json["subscription"]["plan"] == "pro"
    assert check(cli, config, "--user", "bob").code == 0
    assert check(cli, config, "--user", "mallory").code == 8


def test_an_unchanged_republish_fetches_the_index_and_a_proof_page_but_no_shard(
    cli: CliRunner, tmp_path: Path, published: PublishedSet
) -> None:
    people = [Subscriber("alice", ("alice@example.com",), "pro"), Subscriber("bob", (), "power")]
    folder = tmp_path / "www"
    with RosterServer() as running:
        first_shards = write_set(folder, published.key, people)
        running.publish_folder(folder)
        config = write_config(tmp_path / "org.toml", public_keys=[published.key],
                              roster_url=running.index_url)  # fmt: skip
        assert check(cli, config, "--user", "alice").code == 0
        assert shard_requests(running)
        assert write_set(folder, published.key, people) == first_shards  # same month, same bytes
        running.publish_folder(folder)
        running.reset_counters()
        again = check(cli, config, "--user", "alice", "--json")
        assert again.json["subscription"]["source"] == "network"  # a new index (publish id)
        assert shard_requests(running) == []  # the cached shard is content-addressed
        assert running.bytes_served < 8 * 1024


def test_a_tampered_shard_is_refused(cli: CliRunner, config: Path, server: RosterServer) -> None:
    for path in list(server.files):
        if "/shards/" in path:
            server.files[path] = server.files[path].replace(b'"pro"', b'"power"')
    result = check(cli, config, "--user", "alice")
    assert result.code == 5
    assert "not the one this index names" in result.stderr


def test_a_shard_or_proof_from_another_publish_is_refused(
    cli: CliRunner, tmp_path: Path, published: PublishedSet
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    shards = write_set(first, published.key, [Subscriber("alice", (), "pro")])
    write_set(second, published.key, [Subscriber("alice", (), "power")])
    with RosterServer() as running:
        running.publish_folder(first)
        config = write_config(tmp_path / "org.toml", public_keys=[published.key],
                              roster_url=running.index_url)  # fmt: skip
        other_shard = next((second / "shards").iterdir()).read_bytes()
        running.files["/roster/" + shards[0]] = other_shard
        result = check(cli, config, "--user", "alice")
        assert result.code == 5, result.stderr
        running.publish_folder(first)
        proof = next((second / "publishes").rglob("0000.json"))
        first_proof = next(path for path in running.files if path.endswith("/proofs/0000.json"))
        running.files[first_proof] = proof.read_bytes()
        result = check(cli, config, "--user", "alice")
        assert result.code == 5
        assert "Merkle root" in result.stderr


def test_a_dropped_shard_is_unavailable_and_the_cached_roster_answers_meanwhile(
    cli: CliRunner, config: Path, server: RosterServer, tmp_path: Path, published: PublishedSet
) -> None:
    for path in [path for path in server.files if "/shards/" in path]:
        del server.files[path]
    dropped = check(cli, config, "--user", "alice")
    assert dropped.code == 4
    assert "no roster is cached" in dropped.stderr
    assert "HTTP 404" in dropped.stderr
    server.publish_folder(published.folder)
    assert check(cli, config, "--user", "alice").code == 0
    newer = tmp_path / "newer"  # the next publish, with alice now on another plan
    write_set(newer, published.key, [Subscriber("alice", ("alice@example.com",), "power")])
    server.publish_folder(newer)
    for path in [path for path in server.files if "/shards/" in path]:
        del server.files[path]
    cached = check(cli, config, "--user", "alice", "--json")
    assert cached.code == 0
    assert cached.json["subscription"]["source"] == "cache"
    assert cached.json["subscription"]["plan"] == "pro"
    assert "HTTP 404" in cached.json["subscription"]["note"]


def test_offline_answers_from_the_cached_index_and_shard(
    cli: CliRunner, config: Path, server: RosterServer
) -> None:
    assert check(cli, config, "--user", "alice").code == 0
    offline = check(cli, config, "--user", "alice", "--offline", "--json")
    assert offline.code == 0
    assert offline.json["subscription"]["source"] == "cache"
    someone_else = check(cli, config, "--user", "zed-nobody", "--offline")
    assert someone_else.code in (4, 8)  # their shard may or may not be the one cached


def test_a_local_folder_works_as_the_roster_location(
    cli: CliRunner, tmp_path: Path, published: PublishedSet
) -> None:
    config = write_config(tmp_path / "org.toml", public_keys=[published.key],
                          roster_url=str(published.folder / INDEX_NAME))  # fmt: skip
    result = check(cli, config, "--user", "erin", "--json")
    assert result.code == 0, result.stderr
    assert result.json["subscription"]["source"] == "file"
    assert result.json["subscription"]["plan"] == "pro-plus"


def test_the_published_set_holds_no_name_in_the_clear(published: PublishedSet) -> None:
    everything = b"".join(p.read_bytes() for p in published.folder.rglob("*") if p.is_file())
    for name in (b"alice", b"bob", b"carol", b"erin", b"example.com", b"kiro-pro"):
        # As a token of its own: base64 digests and signatures may hold "bob" by chance.
        token = rb"(?<![a-z0-9+/=_-])" + re.escape(name) + rb"(?![a-z0-9+/=_-])"
        assert re.search(token, everything.lower()) is None, name
    index = json.loads((published.folder / INDEX_NAME).read_bytes())
    assert index["format"] == "kiro-bootstrap-roster"
