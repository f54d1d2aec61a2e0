"""Build one publish of the sharded roster: the signed index, its shards and its proof pages.

The salt changes once a calendar month (SALT_EPOCH), not at every publish: it is derived from the
signing key's deterministic Ed25519 signature over the month, so the publisher keeps no state and
nobody can predict it without the key. Within a month an unchanged shard keeps its bytes, name and
ETag, so a daily publish costs a workstation the index and one proof page per shard it uses.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kiro_bootstrap.roster.model import RosterHeader, Subscriber, pseudonymise
from kiro_bootstrap.roster.sharded import (
    RosterIndex,
    build_pages,
    encode_shard,
    merkle_levels,
    page_path,
    shard_count_for,
    shard_of,
    shard_path,
)
from kiro_bootstrap.roster.signing import key_id_of, seal_roster

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SALT_CONTEXT = b"kiro-bootstrap roster salt v1\x00"
SALT_EPOCH = "%Y-%m"  # one salt a calendar month (UTC)
PUBLISH_ID_RANDOM_BYTES = 4


@dataclass(frozen=True)
class RosterSet:
    """Every file of one publish, by path relative to the index."""

    index: RosterIndex
    index_bytes: bytes
    shards: dict[str, bytes]  # path → bytes (content-addressed: may already be published)
    pages: dict[str, bytes]  # path → bytes (this publish's only)
    principals: int

    @property
    def total_bytes(self) -> int:
        """Bytes of every file in the set."""
        return (
            len(self.index_bytes)
            + sum(map(len, self.shards.values()))
            + sum(map(len, self.pages.values()))
        )


def epoch_salt(key: Ed25519PrivateKey, issued_at: datetime) -> bytes:
    """This month's salt: SHA-256 of the key's signature over the month (deterministic)."""
    epoch = issued_at.astimezone(UTC).strftime(SALT_EPOCH).encode("ascii")
    return hashlib.sha256(key.sign(SALT_CONTEXT + epoch)).digest()


def new_publish_id(issued_at: datetime) -> str:
    """The issue time and a few random hex digits: sortable, and unique per publish."""
    stamp = issued_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{os.urandom(PUBLISH_ID_RANDOM_BYTES).hex()}"


def build_roster_set(
    subscribers: Iterable[Subscriber],
    header: RosterHeader,
    *,
    key: Ed25519PrivateKey,
) -> RosterSet:
    """Pseudonymise, bucket, hash and sign: one publish, ready to be written shards-first."""
    people = list(subscribers)
    issued = header.issued
    salt = epoch_salt(key, issued)
    entries = pseudonymise(people, salt)
    count = shard_count_for(len(people))
    buckets: dict[int, dict[str, str]] = defaultdict(dict)
    for principal, plan in entries.items():
        buckets[shard_of(principal, count)][principal] = plan
    shard_bytes = [encode_shard(number, buckets.get(number, {})) for number in range(count)]
    digests = [hashlib.sha256(data).digest() for data in shard_bytes]
    levels = merkle_levels(digests)
    index = RosterIndex(
        start_url=header.start_url,
        instance_arn=header.instance_arn,
        profile_region=header.profile_region,
        issued_at=issued,
        expires_at=header.expires_at,
        key_id=key_id_of(key.public_key()),
        salt=salt,
        publish_id=new_publish_id(issued),
        shard_count=count,
        merkle_root=levels[-1][0],
    )
    pages = build_pages(digests, levels)
    return RosterSet(
        index=index,
        index_bytes=seal_roster(index, key),
        shards={shard_path(d.hex()): data for d, data in zip(digests, shard_bytes, strict=True)},
        pages={page_path(index.publish_id, n): data for n, data in enumerate(pages)},
        principals=len(entries),
    )
