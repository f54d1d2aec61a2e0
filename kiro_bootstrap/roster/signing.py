"""Ed25519 signatures over the roster's canonical bytes, and the envelope that carries them.

Canonical encoding: the payload as JSON with sorted keys, no whitespace (separators "," and ":"),
UTF-8 without escaping non-ASCII, no NaN. The signature covers SIGNATURE_CONTEXT followed by
exactly those bytes, so a key that signs rosters can never be tricked into vouching for anything
else. The envelope carries the payload bytes themselves (base64), so a verifier checks the bytes
it received and never re-encodes anything:

    {"format": "kiro-bootstrap-roster", "key_id": "<16 hex>",
     "payload": "<base64 of the canonical payload>", "signature": "<base64 of 64 bytes>"}

A key id is the first 16 hex digits of SHA-256 over the raw 32-byte public key; a public key is
written "ed25519:<base64 of the raw 32 bytes>" (what `[subscription] public_keys` holds).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.errors import VerificationError
from kiro_bootstrap.parsing import load_json_bytes
from kiro_bootstrap.roster.model import (
    SCHEMA_VERSION,
    Roster,
    RosterFormatError,
    roster_from_payload,
)
from kiro_bootstrap.roster.sharded import INDEX_SCHEMA, RosterIndex, index_from_payload

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

ENVELOPE_FORMAT = "kiro-bootstrap-roster"
SIGNATURE_CONTEXT = b"kiro-bootstrap roster signature v1\x00"
PUBLIC_KEY_PREFIX = "ed25519:"
PUBLIC_KEY_BYTES = 32
KEY_ID_HEX_DIGITS = 16
# Far above any real organisation (10,000 users is about 1 MB); stops a hostile server early.
MAX_ROSTER_BYTES = 32 * 1024 * 1024


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: one byte string per value."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """ "ed25519:<base64>", the form `[subscription] public_keys` takes."""
    return PUBLIC_KEY_PREFIX + base64.b64encode(_raw(public_key)).decode("ascii")


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """The key's short id: 16 hex digits of SHA-256 over the raw public key."""
    return hashlib.sha256(_raw(public_key)).hexdigest()[:KEY_ID_HEX_DIGITS]


def parse_public_key(text: str) -> Ed25519PublicKey:
    """Read "ed25519:<base64>"; ValueError naming what is wrong."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not text.startswith(PUBLIC_KEY_PREFIX):
        raise ValueError(f"must start with {PUBLIC_KEY_PREFIX!r}")
    try:
        raw = base64.b64decode(text.removeprefix(PUBLIC_KEY_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not base64") from None
    if len(raw) != PUBLIC_KEY_BYTES:
        raise ValueError(f"is not a {PUBLIC_KEY_BYTES}-byte Ed25519 key")
    return Ed25519PublicKey.from_public_bytes(raw)


def trusted_keys(texts: Iterable[str]) -> dict[str, Ed25519PublicKey]:
    """key id → public key for every configured key (ValueError on a malformed one)."""
    keys = {}
    for text in texts:
        try:
            key = parse_public_key(text.strip())
        except ValueError as error:
            raise ValueError(f"{text[:20]!r}… {error}") from None
        keys[key_id_of(key)] = key
    return keys


def seal_roster(roster: Roster | RosterIndex, private_key: Ed25519PrivateKey) -> bytes:
    """The signed envelope's bytes; the roster's key id must be this key's."""
    if roster.key_id != key_id_of(private_key.public_key()):
        raise ValueError("the roster names another key id than the signing key's")
    payload = canonical_json(roster.to_payload())
    envelope = {
        "format": ENVELOPE_FORMAT,
        "key_id": roster.key_id,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signature": base64.b64encode(private_key.sign(SIGNATURE_CONTEXT + payload)).decode(),
    }
    return canonical_json(envelope) + b"\n"


def open_roster(
    data: bytes, trusted: dict[str, Ed25519PublicKey], *, source: str
) -> Roster | RosterIndex:
    """Verify the envelope against the trusted keys and decode the roster (a single document or
    a sharded roster's index); exit 5 on any doubt."""
    from cryptography.exceptions import InvalidSignature

    envelope = read_envelope(data, source=source)
    key_id = envelope["key_id"]
    public_key = trusted.get(key_id)
    if public_key is None:
        raise VerificationError(
            f"The subscription roster from {source} is signed by key {key_id}, which is not in "
            "subscription.public_keys.",
            hint="Add the publisher's public key (from `admin roster keygen`) to "
            "[subscription] public_keys, or check roster_url points at your organisation.",
            code="roster-unknown-key",
        )
    payload, signature = _decode(envelope["payload"]), _decode(envelope["signature"])
    try:
        public_key.verify(signature, SIGNATURE_CONTEXT + payload)
    except InvalidSignature:
        raise VerificationError(
            f"The subscription roster from {source} has a bad signature: it was altered or "
            "damaged after it was signed.",
            hint="Ask the roster's publisher to publish it again; never edit a roster by hand.",
            code="roster-bad-signature",
        ) from None
    roster = _decode_payload(payload, source)
    if roster.key_id != key_id:
        raise _malformed(source, "the signed key id differs from the envelope's")
    return roster


def read_envelope(data: bytes, *, source: str) -> dict[str, str]:
    """The envelope's fields, unverified (for display and for the publisher's expiry warning)."""
    if len(data) > MAX_ROSTER_BYTES:
        raise _malformed(source, f"it is larger than {MAX_ROSTER_BYTES:,} bytes")
    try:
        envelope = load_json_bytes(data, what="the roster", max_bytes=MAX_ROSTER_BYTES)
    except ValueError:
        raise _malformed(source, "it is not JSON") from None
    fields = ("format", "key_id", "payload", "signature")
    if (
        not isinstance(envelope, dict)
        or envelope.get("format") != ENVELOPE_FORMAT
        or not all(isinstance(envelope.get(name), str) for name in fields)
    ):
        raise _malformed(source, f"it is not a {ENVELOPE_FORMAT} envelope")
    return {name: envelope[name] for name in fields}


def peek_roster(data: bytes, *, source: str) -> Roster | RosterIndex:
    """Decode without checking the signature: only for reporting on a roster we published."""
    envelope = read_envelope(data, source=source)
    return _decode_payload(_decode(envelope["payload"]), source)


def _decode_payload(payload: bytes, source: str) -> Roster | RosterIndex:
    """Schema 1 (one document with every entry) or 2 (a sharded roster's index)."""
    try:
        document = load_json_bytes(payload, what="the roster")
        schema = document.get("schema") if isinstance(document, dict) else None
        if schema == INDEX_SCHEMA:
            return index_from_payload(document)
        if schema == SCHEMA_VERSION:
            return roster_from_payload(document)
    except (ValueError, RecursionError, RosterFormatError) as error:
        raise _malformed(source, str(error)) from None
    reason = (
        f"schema {schema!r} is not {SCHEMA_VERSION} or {INDEX_SCHEMA}, the ones this version reads"
    )
    raise _malformed(source, reason)


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""  # an empty signature or payload then fails verification


def _raw(public_key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _malformed(source: str, reason: str) -> VerificationError:
    return VerificationError(
        f"The subscription roster from {source} is not usable: {reason}.",
        hint="Check subscription.roster_url; the publisher may need a newer kiro-bootstrap.",
        code="roster-malformed",
    )
