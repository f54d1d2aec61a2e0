"""Look a person up in a sharded roster: only their shard(s), each proven against the index."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from kiro_bootstrap.errors import VerificationError
from kiro_bootstrap.roster.model import Roster, RosterFormatError, principal_of
from kiro_bootstrap.roster.sharded import (
    MAX_PAGE_BYTES,
    MAX_SHARD_BYTES,
    PAGE_SHARDS,
    RosterIndex,
    decode_shard,
    page_of,
    page_path,
    shard_of,
    shard_path,
    verify_page,
)

# (path relative to the index, size limit) → bytes; raises UnavailableError when it cannot.
Reader = Callable[[str, int], bytes]


def look_up(
    index: RosterIndex, identifiers: Iterable[str], read: Reader, *, source: str
) -> tuple[Roster, dict[str, bytes]]:
    """A Roster holding only the entries of the identifiers' shards, and the files it used.

    Exit 5 when a proof page does not lead to the signed Merkle root or a shard's bytes are not
    the ones its proof names (tampered, or from another publish).
    """
    principals = [principal_of(index.salt, identifier) for identifier in identifiers]
    numbers = sorted({shard_of(principal, index.shard_count) for principal in principals})
    files: dict[str, bytes] = {}
    entries: dict[str, str] = {}
    for number in numbers:
        page = page_path(index.publish_id, page_of(number))
        if page not in files:
            files[page] = read(page, MAX_PAGE_BYTES)
        try:
            digests = verify_page(files[page], page_of(number), index)
        except RosterFormatError as error:
            raise _refused(source, str(error)) from None
        digest = digests[number % min(PAGE_SHARDS, index.shard_count)]
        path = shard_path(digest)
        data = read(path, MAX_SHARD_BYTES)
        if hashlib.sha256(data).hexdigest() != digest:
            raise _refused(
                source, f"shard {number} is not the one this index names (altered, or from "
                "another publish)"
            )  # fmt: skip
        try:
            entries.update(decode_shard(data, number, index.shard_count))
        except RosterFormatError as error:
            raise _refused(source, str(error)) from None
        files[path] = data
    roster = Roster(
        start_url=index.start_url,
        instance_arn=index.instance_arn,
        profile_region=index.profile_region,
        issued_at=index.issued_at,
        expires_at=index.expires_at,
        key_id=index.key_id,
        salt=index.salt,
        entries={p: entries[p] for p in principals if p in entries},
        schema=index.schema,
    )
    return roster, files


def _refused(source: str, reason: str) -> VerificationError:
    return VerificationError(
        f"The subscription roster from {source} does not verify: {reason}.",
        hint="Ask the roster's publisher to publish again; never edit roster files by hand.",
        code="roster-bad-shard",
    )
