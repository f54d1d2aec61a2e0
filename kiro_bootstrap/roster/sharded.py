"""The sharded roster (schema 2): a small signed index, shards, and Merkle proof pages.

A workstation needs only its own answer, so the entries are split into `shard_count` shards by the
first bits of each principal (like a k-anonymity range lookup). The signed index carries the
organisation, the dates, the salt, a publish id and the Merkle root over the shards; it stays the
same size whatever the organisation's. Files of one set, relative to the index:

    index.json                                   the signed index (schema 2, in the envelope)
    shards/<sha256 hex of the shard>.json        {"schema": 2, "shard": n, "entries": {...}}
    publishes/<publish id>/proofs/<page>.json    {"schema": 2, "page": p, "digests": [...],
                                                  "path": [...]}

A shard is content-addressed, so an unchanged shard keeps its name and bytes across publishes (a
workstation that holds it fetches nothing). A proof page covers PAGE_SHARDS consecutive shards:
their SHA-256 digests and the sibling hashes from their subtree to the root. Leaf n is
SHA-256(0x00 ‖ n as 4 bytes big-endian ‖ digest n); a node is SHA-256(0x01 ‖ left ‖ right).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiro_bootstrap.roster.model import (
    PRINCIPAL_PATTERN,
    RosterFormatError,
    header_payload,
    parse_header,
)
from kiro_bootstrap.settings.model import PLANS

INDEX_SCHEMA = 2
INDEX_NAME = "index.json"
SHARD_FOLDER = "shards"
PUBLISH_FOLDER = "publishes"
# With random bucketing the smallest shard holds about two thirds of the mean: a mean of 48
# people keeps every shard at ≥ 32 people (what one shard can reveal) and a few KiB.
MEAN_PEOPLE_PER_SHARD = 48
MAX_SHARD_BITS = 16
PAGE_SHARDS = 16
MAX_SHARD_BYTES = 1024 * 1024
MAX_PAGE_BYTES = 64 * 1024
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
_PUBLISH_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_INDEX_FIELDS = frozenset(
    {"schema", "start_url", "instance_arn", "profile_region", "issued_at", "expires_at",
     "key_id", "salt", "publish_id", "shard_count", "merkle_root"}
)  # fmt: skip


@dataclass(frozen=True)
class RosterIndex:
    """A decoded index: the roster's header, without entries."""

    start_url: str
    instance_arn: str
    profile_region: str
    issued_at: datetime
    expires_at: datetime
    key_id: str
    salt: bytes
    publish_id: str
    shard_count: int
    merkle_root: bytes
    schema: int = INDEX_SCHEMA

    def to_payload(self) -> dict[str, Any]:
        """The JSON payload (before canonical encoding)."""
        return {
            "schema": self.schema,
            **header_payload(self),
            "publish_id": self.publish_id,
            "shard_count": self.shard_count,
            "merkle_root": self.merkle_root.hex(),
        }


def index_from_payload(payload: Any) -> RosterIndex:
    """Decode and check a schema-2 payload strictly; anything unexpected is a RosterFormatError."""
    header = parse_header(payload, INDEX_SCHEMA, _INDEX_FIELDS)
    if not isinstance(payload["publish_id"], str) or not _PUBLISH_ID.match(payload["publish_id"]):
        raise RosterFormatError("publish_id is not like 20250131T120000Z-0a1b2c3d")
    count = payload["shard_count"]
    if not isinstance(count, int) or count < 1 or count > 1 << MAX_SHARD_BITS or count & count - 1:
        raise RosterFormatError(f"shard_count is not a power of two up to {1 << MAX_SHARD_BITS}")
    if not isinstance(payload["merkle_root"], str) or not _DIGEST.match(payload["merkle_root"]):
        raise RosterFormatError("merkle_root is not 64 hex digits")
    return RosterIndex(
        **header,
        publish_id=payload["publish_id"],
        shard_count=count,
        merkle_root=bytes.fromhex(payload["merkle_root"]),
    )


def shard_count_for(people: int) -> int:
    """The largest power of two that keeps MEAN_PEOPLE_PER_SHARD people in a shard."""
    count = 1
    while count < 1 << MAX_SHARD_BITS and people // (count * 2) >= MEAN_PEOPLE_PER_SHARD:
        count *= 2
    return count


def shard_of(principal: str, shard_count: int) -> int:
    """The shard holding a principal: the first bits of its hash."""
    bits = shard_count.bit_length() - 1
    digest = principal_digest(principal)
    return int.from_bytes(digest[:4], "big") >> (32 - bits) if bits else 0


def principal_digest(principal: str) -> bytes:
    """The 32 bytes a principal's base64url text stands for."""
    return base64.urlsafe_b64decode(principal + "=")


def shard_path(digest: str) -> str:
    """Where a shard with this SHA-256 (hex) lives, relative to the index."""
    return f"{SHARD_FOLDER}/{digest}.json"


def page_path(publish_id: str, page: int) -> str:
    """Where a publish's proof page lives, relative to the index."""
    return f"{PUBLISH_FOLDER}/{publish_id}/proofs/{page:04d}.json"


def page_of(shard: int) -> int:
    """The proof page that covers a shard."""
    return shard // PAGE_SHARDS


def encode_shard(number: int, entries: Mapping[str, str]) -> bytes:
    """A shard's bytes: canonical JSON, so the same entries always give the same bytes."""
    return _canonical({"schema": INDEX_SCHEMA, "shard": number, "entries": dict(entries)})


def decode_shard(data: bytes, number: int, shard_count: int) -> dict[str, str]:
    """A shard's entries; RosterFormatError unless every entry belongs in shard `number`."""
    document = _json(data, "shard")
    entries = document.get("entries")
    if document.get("schema") != INDEX_SCHEMA or document.get("shard") != number:
        raise RosterFormatError(f"the file is not shard {number}")
    if not isinstance(entries, dict) or not all(
        isinstance(principal, str)
        and PRINCIPAL_PATTERN.match(principal)
        and plan in PLANS
        and shard_of(principal, shard_count) == number
        for principal, plan in entries.items()
    ):
        raise RosterFormatError(f"shard {number} holds entries that do not belong to it")
    return entries


def merkle_levels(digests: list[bytes]) -> list[list[bytes]]:
    """Every level of the tree over the shard digests, leaves first, root last."""
    level = [_leaf(number, digest) for number, digest in enumerate(digests)]
    levels = [level]
    while len(level) > 1:
        level = [_node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def build_pages(digests: list[bytes], levels: list[list[bytes]]) -> list[bytes]:
    """The proof pages: each one's digests and its subtree's path to the root."""
    size = min(PAGE_SHARDS, len(digests))
    subtree_level = size.bit_length() - 1
    pages = []
    for page in range(len(digests) // size):
        path, position = [], page
        for level in levels[subtree_level:-1]:
            path.append(level[position ^ 1].hex())
            position //= 2
        chunk = digests[page * size : (page + 1) * size]
        pages.append(_canonical({"schema": INDEX_SCHEMA, "page": page,
                                 "digests": [d.hex() for d in chunk], "path": path}))  # fmt: skip
    return pages


def verify_page(data: bytes, page: int, index: RosterIndex) -> list[str]:
    """The shard digests (hex) a proof page vouches for, once it leads to the signed root."""
    document = _json(data, "proof page")
    size = min(PAGE_SHARDS, index.shard_count)
    digests, path = document.get("digests"), document.get("path")
    levels = (index.shard_count // size).bit_length() - 1
    if (
        document.get("schema") != INDEX_SCHEMA
        or document.get("page") != page
        or not isinstance(digests, list)
        or not isinstance(path, list)
        or len(digests) != size
        or len(path) != levels
        or not all(isinstance(item, str) and _DIGEST.match(item) for item in digests + path)
    ):
        raise RosterFormatError(f"proof page {page} is not one")
    first = page * size
    level = [_leaf(first + i, bytes.fromhex(d)) for i, d in enumerate(digests)]
    while len(level) > 1:
        level = [_node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    node, position = level[0], page
    for sibling in path:
        pair = (
            (node, bytes.fromhex(sibling)) if position % 2 == 0 else (bytes.fromhex(sibling), node)
        )
        node, position = _node(*pair), position // 2
    if node != index.merkle_root:
        raise RosterFormatError(f"proof page {page} does not lead to the index's Merkle root")
    return list(digests)


def _leaf(number: int, digest: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + number.to_bytes(4, "big") + digest).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _json(data: bytes, what: str) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise RosterFormatError(f"the {what} is not JSON") from None
    if not isinstance(document, dict):
        raise RosterFormatError(f"the {what} is not a JSON object")
    return document
