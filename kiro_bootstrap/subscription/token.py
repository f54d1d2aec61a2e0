"""The optional bearer token for roster_url: the user's keyring, or a root-only file (MDM runs)."""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kiro_bootstrap import NAME
from kiro_bootstrap.errors import DeploymentError, UsageError
from kiro_bootstrap.files import write_atomic
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.paths import Paths
from kiro_bootstrap.roster.keychain import (
    KeyringUnavailableError,
    open_keyring,
    read_secret,
    write_secret,
)
from kiro_bootstrap.subscription.storage import FOLDER_MODE, PRIVATE_MODE, is_system_run

KEYRING_SERVICE = f"{NAME} roster token"
KEYRING_ACCOUNT = "bearer"
TOKEN_FILE = "subscription-token"  # noqa: S105 - a file name, not a secret
MAX_TOKEN_LENGTH = 4096
# RFC 6750 token68 characters: anything else would break (or smuggle into) the header.
_TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")


@dataclass(frozen=True)
class StoredToken:
    """Where a token was put."""

    where: str  # "keyring" | "file"
    path: Path | None = None


def token_file(paths: Paths) -> Path:
    """The system run's token file, readable by root/SYSTEM only."""
    return paths.system_state_dir / TOKEN_FILE


def read_token_input(stdin: TextIO) -> str:
    """The token from stdin (a prompt without echo on a terminal); never from argv."""
    text = getpass.getpass("Roster token: ") if stdin.isatty() else stdin.read(MAX_TOKEN_LENGTH + 2)
    token = text.strip()
    if not token:
        raise UsageError("No token on stdin.", hint="Pipe it in: `… | kiro-bootstrap "
                         "subscription token set`.")  # fmt: skip
    if len(token) > MAX_TOKEN_LENGTH or not _TOKEN.match(token):
        raise UsageError(
            "The token is not a bearer token (letters, digits and -._~+/ only, at most "
            f"{MAX_TOKEN_LENGTH} characters)."
        )
    return token


def store_token(
    token: str, facts: HostFacts, paths: Paths, injected_keyring: Any | None
) -> StoredToken:
    """Keep the token: a 0600 file in a system run, else the user's keyring."""
    if is_system_run(facts):
        path = token_file(paths)
        write_atomic(path, token.encode("ascii"), mode=PRIVATE_MODE, folder_mode=FOLDER_MODE)
        return StoredToken("file", path)
    try:
        write_secret(open_keyring(injected_keyring), KEYRING_SERVICE, KEYRING_ACCOUNT, token)
    except KeyringUnavailableError as error:
        raise DeploymentError(
            f"Cannot store the roster token: {error}.",
            hint="Run `subscription token set` in a desktop session, or as root/Administrator "
            "to keep it in a root-only file for MDM runs.",
        ) from None
    return StoredToken("keyring")


def load_token(facts: HostFacts, paths: Paths, injected_keyring: Any | None) -> str | None:
    """The stored token, or None (no token, or no keyring: the roster may be public)."""
    if is_system_run(facts):
        try:
            return token_file(paths).read_text(encoding="ascii").strip() or None
        except OSError:
            return None
    try:
        return read_secret(open_keyring(injected_keyring), KEYRING_SERVICE, KEYRING_ACCOUNT)
    except KeyringUnavailableError:
        return None
