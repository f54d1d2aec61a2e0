"""The sharded roster's pieces: shard count, bucketing, Merkle proof pages, the monthly salt."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiro_bootstrap.roster.model import RosterFormatError, Subscriber, principal_of
from kiro_bootstrap.roster.roster_set import epoch_salt
from kiro_bootstrap.roster.sharded import (
    RosterIndex,
    decode_shard,
    page_of,
    page_path,
    shard_count_for,
    shard_of,
    verify_page,
)
from kiro_bootstrap.roster.signing import open_roster, public_key_text, trusted_keys
from tests.fixtures.rosters import make_roster_set

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def people(count: int) -> list[Subscriber]:
    return [Subscriber(f"user{i:05d}", (f"user{i:05d}@example.com",), "pro") for i in range(count)]


def build(key: Ed25519PrivateKey, count: int, issued: datetime = NOW):
    return make_roster_set(key, people(count), issued_at=issued)


@pytest.mark.parametrize(
    ("people_count", "shards"), [(0, 1), (95, 1), (96, 2), (10_000, 128), (100_000, 2048)]
)
def test_the_shard_count_keeps_about_48_people_a_shard(people_count: int, shards: int) -> None:
    assert shard_count_for(people_count) == shards


def test_every_shard_of_a_large_set_holds_at_least_32_people_and_proves_against_the_index() -> None:
    key = Ed25519PrivateKey.generate()
    roster_set = build(key, 10_000)
    index = open_roster(roster_set.index_bytes, trusted_keys([public_key_text(key.public_key())]),
                        source="test")  # fmt: skip
    assert isinstance(index, RosterIndex)
    assert len(roster_set.index_bytes) < 2048  # the index stays small at any size
    sizes = []
    for number in range(index.shard_count):
        page = roster_set.pages[page_path(index.publish_id, page_of(number))]
        digest = verify_page(page, page_of(number), index)[number % 16]
        data = roster_set.shards[f"shards/{digest}.json"]
        assert hashlib.sha256(data).hexdigest() == digest
        sizes.append(len(decode_shard(data, number, index.shard_count)) // 2)  # 2 ids a person
    assert min(sizes) >= 32
    assert max(len(data) for data in roster_set.shards.values()) < 16 * 1024
    principal = principal_of(index.salt, "user00042@example.com")
    number = shard_of(principal, index.shard_count)
    page = roster_set.pages[page_path(index.publish_id, page_of(number))]
    digest = verify_page(page, page_of(number), index)[number % 16]
    assert decode_shard(roster_set.shards[f"shards/{digest}.json"], number, 128)[principal] == "pro"


def test_a_proof_page_of_another_publish_or_position_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    first, second = build(key, 2_000), build(key, 2_001)
    index = open_roster(first.index_bytes, trusted_keys([public_key_text(key.public_key())]),
                        source="test")  # fmt: skip
    assert isinstance(index, RosterIndex)
    other = second.pages[page_path(second.index.publish_id, 0)]
    with pytest.raises(RosterFormatError, match="Merkle root"):
        verify_page(other, 0, index)
    with pytest.raises(RosterFormatError):
        verify_page(first.pages[page_path(index.publish_id, 0)], 1, index)


def test_the_salt_is_monthly_and_unchanged_people_keep_their_shard_bytes() -> None:
    key = Ed25519PrivateKey.generate()
    assert epoch_salt(key, NOW) == epoch_salt(key, NOW + timedelta(days=20))
    assert epoch_salt(key, NOW) != epoch_salt(key, NOW + timedelta(days=31))
    assert epoch_salt(key, NOW) != epoch_salt(Ed25519PrivateKey.generate(), NOW)
    today, tomorrow = build(key, 1_000), build(key, 1_000, NOW + timedelta(days=1))
    assert today.shards == tomorrow.shards
    assert today.index.publish_id != tomorrow.index.publish_id
    next_month = build(key, 1_000, NOW + timedelta(days=31))
    assert not set(next_month.shards) & set(today.shards)


def test_a_shard_holding_an_entry_from_another_shard_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    roster_set = build(key, 500)
    data = sorted(roster_set.shards.values())[0]
    with pytest.raises(RosterFormatError):
        decode_shard(data, 3, roster_set.index.shard_count)  # claimed as another number
