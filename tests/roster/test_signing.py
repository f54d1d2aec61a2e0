"""The signed envelope: what verifies, what does not, and what a big organisation costs."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiro_bootstrap.errors import ExitStatus, VerificationError
from kiro_bootstrap.roster.model import Roster, Subscriber
from kiro_bootstrap.roster.signing import (
    canonical_json,
    key_id_of,
    open_roster,
    parse_public_key,
    public_key_text,
    seal_roster,
    trusted_keys,
)
from tests.fixtures import rosters

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
PEOPLE = [
    Subscriber("alice", ("alice@example.com",), "pro"),
    Subscriber("bob", ("bob@example.com", "robert@example.com"), "power"),
]


def make_roster(key: Ed25519PrivateKey, people: list[Subscriber] = PEOPLE) -> Roster:
    return rosters.make_roster(key, people, issued_at=NOW)


def trust(*keys: Ed25519PrivateKey) -> dict[str, Ed25519PublicKey]:
    return trusted_keys(public_key_text(key.public_key()) for key in keys)


def test_a_sealed_roster_opens_and_finds_each_person_by_name_or_email() -> None:
    key = Ed25519PrivateKey.generate()
    data = seal_roster(make_roster(key), key)
    roster = open_roster(data, trust(key), source="test")
    assert roster.plan_for(["CORP\\Alice"]) == "pro"
    assert roster.plan_for(["ROBERT@example.com"]) == "power"
    assert roster.plan_for(["mallory", "mallory@example.com"]) is None
    assert roster.expires_at == NOW.replace(second=0) + timedelta(days=7)


def test_the_envelope_is_canonical_json_over_the_exact_payload_bytes() -> None:
    key = Ed25519PrivateKey.generate()
    data = seal_roster(make_roster(key), key)
    envelope = json.loads(data)
    payload = base64.b64decode(envelope["payload"])
    assert data == canonical_json(envelope) + b"\n"
    assert payload == canonical_json(json.loads(payload))
    assert set(envelope) == {"format", "key_id", "payload", "signature"}


@pytest.mark.parametrize("field", ["payload", "signature"])
def test_a_tampered_roster_fails_verification(field: str) -> None:
    key = Ed25519PrivateKey.generate()
    envelope = json.loads(seal_roster(make_roster(key), key))
    raw = bytearray(base64.b64decode(envelope[field]))
    raw[len(raw) // 2] ^= 0x01
    envelope[field] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(VerificationError) as raised:
        open_roster(json.dumps(envelope).encode(), trust(key), source="test")
    assert raised.value.exit_status == ExitStatus.VERIFICATION_FAILED
    assert raised.value.code == "roster-bad-signature"


def test_a_plan_upgrade_edited_into_the_payload_is_caught() -> None:
    key = Ed25519PrivateKey.generate()
    envelope = json.loads(seal_roster(make_roster(key), key))
    payload = json.loads(base64.b64decode(envelope["payload"]))
    payload["entries"] = dict.fromkeys(payload["entries"], "power")
    envelope["payload"] = base64.b64encode(canonical_json(payload)).decode()
    with pytest.raises(VerificationError, match="bad signature"):
        open_roster(json.dumps(envelope).encode(), trust(key), source="test")


def test_a_roster_signed_by_an_unknown_key_is_refused() -> None:
    ours, theirs = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    with pytest.raises(VerificationError) as raised:
        open_roster(seal_roster(make_roster(theirs), theirs), trust(ours), source="test")
    assert raised.value.code == "roster-unknown-key"
    assert key_id_of(theirs.public_key()) in raised.value.message


def test_rotation_old_and_new_keys_both_verify_while_both_are_trusted() -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    trusted = trust(old, new)
    for key in (old, new):
        roster = open_roster(seal_roster(make_roster(key), key), trusted, source="t")
        assert roster.key_id == key_id_of(key.public_key())
    with pytest.raises(VerificationError):
        open_roster(seal_roster(make_roster(old), old), trust(new), source="t")


def test_two_rosters_use_different_salts_so_principals_differ() -> None:
    key = Ed25519PrivateKey.generate()
    first, second = make_roster(key), make_roster(key)
    assert first.salt != second.salt
    assert not set(first.entries) & set(second.entries)


def test_a_person_listed_twice_keeps_the_higher_plan() -> None:
    key = Ed25519PrivateKey.generate()
    people = [Subscriber("carol", ("carol@example.com",), "pro-plus"),
              Subscriber("CAROL", (), "pro")]  # fmt: skip
    assert make_roster(key, people).plan_for(["carol"]) == "pro-plus"


def test_public_keys_are_checked_when_read() -> None:
    with pytest.raises(ValueError, match="ed25519:"):
        parse_public_key("ssh-ed25519 AAAA")
    with pytest.raises(ValueError, match="32-byte"):
        parse_public_key("ed25519:" + base64.b64encode(b"short").decode())


def test_ten_thousand_users_size_and_verification_time(capsys: pytest.CaptureFixture[str]) -> None:
    """Measured, not asserted: bytes per user and the time a workstation spends verifying."""
    users = 10_000
    key = Ed25519PrivateKey.generate()
    people = [
        Subscriber(
            f"user{n:05d}", (f"user{n:05d}@example.com",), ("pro", "pro-plus", "power")[n % 3]
        )
        for n in range(users)
    ]
    started = time.perf_counter()
    data = seal_roster(make_roster(key, people), key)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    roster = open_roster(data, trust(key), source="bench")
    found = roster.plan_for(["user04244", "user04244@example.com"])
    verify_seconds = time.perf_counter() - started
    assert found == "power"
    with capsys.disabled():
        print(
            f"\n10,000-user roster: {len(data):,} bytes, {len(data) / users:.1f} bytes per user "
            f"(user name + 1 e-mail); build+sign {build_seconds * 1000:.0f} ms; "
            f"verify+decode+lookup {verify_seconds * 1000:.0f} ms"
        )
