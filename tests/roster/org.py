"""A small organisation on the local AWS, its config file, and the keys that sign its roster."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiro_bootstrap.roster.keys import key_to_pem
from kiro_bootstrap.roster.signing import public_key_text
from sandbox.aws import Person, Scenario
from tests.fixtures.rosters import START_URL

IDC_REGION = "ap-southeast-2"
REQUEST_URL = "https://it.example.com/request-kiro"
EMAIL_DOMAIN = "example.com"
PEOPLE = (
    Person("alice", "Alice Archer", "alice@example.com", ("kiro-pro",)),
    Person("bob", "Bob Baker", "bob@example.com", ("kiro-pro", "kiro-power")),  # two groups
    Person("carol", "Carol Cook", "carol.cook@example.com", ("kiro-pro-plus",)),
    Person("erin", "Erin Evans", "erin@example.com"),  # assigned as a user, not via a group
    Person("dave", "Dave Dunn", "dave@example.com", ("contractors",)),  # in IDC, not subscribed
)
SCENARIO = Scenario(people=PEOPLE)
ASSIGNMENTS = (
    ("group", "kiro-pro", "pro"),
    ("group", "kiro-power", "power"),
    ("group", "kiro-pro-plus", "pro-plus"),
    ("user", "erin", "pro-plus"),
)


def pem(key: Ed25519PrivateKey) -> str:
    """The key as the key file and the keyring hold it."""
    return key_to_pem(key)


def write_config(
    path: Path,
    *,
    public_keys: Iterable[Ed25519PrivateKey | str] = (),
    roster_url: str | None = None,
    start_url: str = START_URL,
    extra: str = "",
) -> Path:
    """The organisation's TOML config: IDC, assignments and the subscription section."""
    keys = [
        key if isinstance(key, str) else public_key_text(key.public_key()) for key in public_keys
    ]
    lines = [
        "[identity_center]",
        f'start_url = "{start_url}"',
        f'region = "{IDC_REGION}"',
        "[subscription]",
        f"public_keys = {keys!r}".replace("'", '"'),
        f'request_url = "{REQUEST_URL}"',
        f'email_domain = "{EMAIL_DOMAIN}"',
    ]
    if roster_url is not None:
        lines.append(f"roster_url = {roster_url!r}".replace("'", '"'))
    lines.append(extra)
    for kind, name, plan in ASSIGNMENTS:
        lines += ["[[assignments]]", f'{kind} = "{name}"', f'plan = "{plan}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
