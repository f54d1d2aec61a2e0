"""One normalisation for both halves: the vectors a publisher and a workstation must agree on."""

from __future__ import annotations

import pytest

from kiro_bootstrap.roster.model import principal_of
from kiro_bootstrap.roster.normalise import normalise, workstation_identifiers

VECTORS = [
    ("alice", "alice"),
    ("Alice", "alice"),
    ("  alice\t", "alice"),
    ("CORP\\Alice", "alice"),
    ("AzureAD\\AliceSmith", "alicesmith"),
    ("corp.example\\ bob ", "bob"),
    ("Alice@Example.COM", "alice@example.com"),  # e-mail / UPN: case-folded whole
    ("\u00a0alice@corp.local\u2003", "alice@corp.local"),  # Unicode whitespace
    ("Jose\u0301", "jos\u00e9"),  # decomposed é → NFC
    ("JOS\u00c9", "jos\u00e9"),
    ("Stra\u00dfe", "strasse"),  # case folding, not lower()
    ("\u212bngstr\u00f6m", "\u00e5ngstr\u00f6m"),  # the Ångström sign composes to Å
    ("", ""),
    ("DOMAIN\\", ""),
]


@pytest.mark.parametrize(("raw", "expected"), VECTORS)
def test_normalise_vectors(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_the_same_person_written_differently_has_one_principal() -> None:
    salt = bytes(32)
    spellings = ["CORP\\Alice", "alice", " ALICE ", "corp\\alice"]
    assert len({principal_of(salt, spelling) for spelling in spellings}) == 1


def test_a_login_name_is_tried_with_the_email_domain() -> None:
    assert workstation_identifiers("CORP\\Alice", "Example.com") == [
        "alice",
        "alice@example.com",
    ]


def test_a_upn_login_is_tried_whole_as_its_local_part_and_in_the_email_domain() -> None:
    assert workstation_identifiers("Alice@corp.local", "example.com") == [
        "alice@corp.local",
        "alice",
        "alice@example.com",
    ]
    assert workstation_identifiers("alice@example.com", "example.com") == [
        "alice@example.com",
        "alice",
    ]


def test_without_an_email_domain_only_the_login_name_is_tried() -> None:
    assert workstation_identifiers("bob", None) == ["bob"]
    assert workstation_identifiers("   ", "example.com") == []
