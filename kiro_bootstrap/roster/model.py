"""The roster document: who is subscribed to which plan, pseudonymised with a per-publish salt.

Payload (schema 1), every field required:

    {"schema": 1, "start_url": ..., "instance_arn": ..., "profile_region": ...,
     "issued_at": "2025-01-01T00:00:00Z", "expires_at": ..., "key_id": ...,
     "salt": <base64url, no padding>, "entries": {<principal>: <plan>, ...}}

`principal` is base64url(SHA-256(salt ‖ UTF-8 of normalise(identifier))), one per user name and
per e-mail address; `plan` is the highest plan the person holds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kiro_bootstrap.roster.normalise import normalise
from kiro_bootstrap.settings.model import PLANS

SCHEMA_VERSION = 1
SALT_BYTES = 32
PRINCIPAL_LENGTH = 43  # base64url of 32 bytes without padding
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PRINCIPAL_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
_FIELDS = frozenset(
    {"schema", "start_url", "instance_arn", "profile_region", "issued_at", "expires_at",
     "key_id", "salt", "entries"}
)  # fmt: skip


class RosterFormatError(ValueError):
    """The payload is not a roster this version understands."""


@dataclass(frozen=True)
class Subscriber:
    """One directory user as the publisher sees them, before pseudonymisation."""

    user_name: str
    emails: tuple[str, ...]
    plan: str


@dataclass(frozen=True)
class RosterHeader:
    """What every publish states before its entries: whose it is, when issued, how long valid."""

    start_url: str
    instance_arn: str
    profile_region: str
    issued_at: datetime
    valid_for: timedelta

    @property
    def issued(self) -> datetime:
        """The issue time as written: UTC, whole seconds."""
        return self.issued_at.astimezone(UTC).replace(microsecond=0)

    @property
    def expires_at(self) -> datetime:
        """When workstations stop trusting the publish."""
        return self.issued + self.valid_for


@dataclass(frozen=True)
class Roster:
    """A decoded roster; entries map principal → plan."""

    start_url: str
    instance_arn: str
    profile_region: str
    issued_at: datetime
    expires_at: datetime
    key_id: str
    salt: bytes
    entries: Mapping[str, str]
    schema: int = SCHEMA_VERSION

    def plan_for(self, identifiers: Iterable[str]) -> str | None:
        """The highest plan any of the identifiers holds, or None."""
        plans = [self.entries.get(principal_of(self.salt, item)) for item in identifiers]
        found = [plan for plan in plans if plan is not None]
        return max(found, key=PLANS.index) if found else None

    def to_payload(self) -> dict[str, Any]:
        """The JSON payload (before canonical encoding)."""
        return {"schema": self.schema, **header_payload(self), "entries": dict(self.entries)}


def principal_of(salt: bytes, identifier: str) -> str:
    """base64url(SHA-256(salt ‖ normalise(identifier))), the only form a name takes in a roster."""
    digest = hashlib.sha256(salt + normalise(identifier).encode("utf-8")).digest()
    return b64url(digest)


def pseudonymise(subscribers: Iterable[Subscriber], salt: bytes) -> dict[str, str]:
    """principal → plan for every user name and e-mail; a clash keeps the higher plan."""
    entries: dict[str, str] = {}
    for subscriber in subscribers:
        for identifier in (subscriber.user_name, *subscriber.emails):
            if not normalise(identifier):
                continue
            principal = principal_of(salt, identifier)
            current = entries.get(principal)
            if current is None or PLANS.index(subscriber.plan) > PLANS.index(current):
                entries[principal] = subscriber.plan
    return entries


def build_roster(
    subscribers: Iterable[Subscriber],
    header: RosterHeader,
    *,
    key_id: str,
    salt: bytes | None = None,
) -> Roster:
    """Pseudonymise every user name and e-mail with a fresh salt; a clash keeps the higher plan."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    entries = pseudonymise(subscribers, salt)
    return Roster(
        start_url=header.start_url,
        instance_arn=header.instance_arn,
        profile_region=header.profile_region,
        issued_at=header.issued,
        expires_at=header.expires_at,
        key_id=key_id,
        salt=salt,
        entries=entries,
    )


def roster_from_payload(payload: Any) -> Roster:
    """Decode and check a schema-1 payload strictly; anything unexpected is a RosterFormatError."""
    header = parse_header(payload, SCHEMA_VERSION, _FIELDS)
    entries = payload["entries"]
    if not isinstance(entries, dict) or not all(
        isinstance(principal, str) and PRINCIPAL_PATTERN.match(principal) and plan in PLANS
        for principal, plan in entries.items()
    ):
        raise RosterFormatError(f"entries must map principals to one of {', '.join(PLANS)}")
    return Roster(**header, entries=entries)


def parse_header(payload: Any, schema: int, fields: frozenset[str]) -> dict[str, Any]:
    """The fields every roster document shares (organisation, dates, key id, salt), checked."""
    if not isinstance(payload, dict):
        raise RosterFormatError("the payload is not a JSON object")
    if payload.get("schema") != schema:
        raise RosterFormatError(f"schema {payload.get('schema')!r} is not {schema}")
    if set(payload) != fields:
        raise RosterFormatError(f"fields {sorted(set(payload) ^ fields)} are missing or unknown")
    for name in ("start_url", "instance_arn", "profile_region"):
        if not isinstance(payload[name], str) or not payload[name]:
            raise RosterFormatError(f"{name} is not a non-empty string")
    if not isinstance(payload["key_id"], str) or not _KEY_ID.match(payload["key_id"]):
        raise RosterFormatError("key_id is not 16 hex digits")
    issued_at = parse_timestamp(payload["issued_at"], "issued_at")
    expires_at = parse_timestamp(payload["expires_at"], "expires_at")
    if expires_at <= issued_at:
        raise RosterFormatError("expires_at is not after issued_at")
    return {
        "start_url": payload["start_url"],
        "instance_arn": payload["instance_arn"],
        "profile_region": payload["profile_region"],
        "issued_at": issued_at,
        "expires_at": expires_at,
        "key_id": payload["key_id"],
        "salt": _salt(payload["salt"]),
    }


def header_payload(roster: Roster | Any) -> dict[str, Any]:
    """The shared fields of a roster document as JSON values."""
    return {
        "start_url": roster.start_url,
        "instance_arn": roster.instance_arn,
        "profile_region": roster.profile_region,
        "issued_at": format_timestamp(roster.issued_at),
        "expires_at": format_timestamp(roster.expires_at),
        "key_id": roster.key_id,
        "salt": b64url(roster.salt),
    }


def format_timestamp(moment: datetime) -> str:
    """UTC, whole seconds, with a Z."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(value: Any, name: str) -> datetime:
    """The inverse of format_timestamp; only that exact form is accepted."""
    try:
        return datetime.strptime(str(value), TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise RosterFormatError(
            f"{name} is not a UTC timestamp like 2025-01-31T12:00:00Z"
        ) from None


def _salt(value: Any) -> bytes:
    try:
        salt = base64.urlsafe_b64decode(str(value) + "=" * (-len(str(value)) % 4))
    except (binascii.Error, ValueError):
        raise RosterFormatError("salt is not base64url") from None
    if len(salt) != SALT_BYTES:
        raise RosterFormatError(f"salt is not {SALT_BYTES} bytes")
    return salt


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
