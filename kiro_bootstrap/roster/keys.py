"""The roster signing key: generated here, kept in the OS keyring or a 0600 key file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kiro_bootstrap import NAME
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.roster.keychain import (
    KeyringUnavailableError,
    open_keyring,
    read_secret,
    write_secret,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEYRING_SERVICE = f"{NAME} roster signing key"
KEYRING_ACCOUNT = "ed25519"
KEY_FILE_MODE = 0o600
STDIN = "-"
MAX_KEY_FILE_BYTES = 16 * 1024
NO_KEYRING_HINT = (
    "Use --key-file PATH (created 0600; keep it somewhere only the publisher can read)."
)


def generate_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def key_to_pem(key: Ed25519PrivateKey) -> str:
    """PKCS#8 PEM, unencrypted (the keyring or the file mode protects it)."""
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode("ascii")


def key_from_pem(text: str, source: str) -> Ed25519PrivateKey:
    """Read a PKCS#8 PEM Ed25519 private key; UsageError naming the source otherwise."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(text.encode("ascii", errors="replace"), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(
            f"{source} does not hold an unencrypted Ed25519 private key (PKCS#8 PEM).",
            hint="Create one with `kiro-bootstrap admin roster keygen --key-file PATH`.",
        )
    return key


def create_key_file(path: Path, key: Ed25519PrivateKey) -> None:
    """Write the key to a new file that only its owner can read; never replace an existing one."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists; refusing to overwrite a signing key.",
            hint="Choose a new path (rotation keeps the old key until every workstation "
            "trusts the new one).",
        ) from None
    except OSError as error:
        raise UsageError(f"Cannot create {path}: {error.strerror}.") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        stream.write(key_to_pem(key))
        stream.flush()
        os.fsync(stream.fileno())


def read_key_file(path: str, stdin: TextIO, *, check_mode: bool) -> Ed25519PrivateKey:
    """The key from a file (refused when others may read it) or from stdin with "-"."""
    if path == STDIN:
        return key_from_pem(stdin.read(MAX_KEY_FILE_BYTES), "stdin")
    file = Path(path)
    try:
        mode = file.stat().st_mode
        text = file.read_text(encoding="ascii", errors="replace")[:MAX_KEY_FILE_BYTES]
    except OSError as error:
        raise UsageError(f"Cannot read the key file {file}: {error.strerror}.") from None
    if check_mode and stat.S_IMODE(mode) & 0o077:
        raise UsageError(
            f"The key file {file} can be read by other users (mode {stat.S_IMODE(mode):o}).",
            hint=f"Run `chmod 600 {file}`.",
        )
    return key_from_pem(text, str(file))


def store_in_keyring(injected: Any | None, key: Ed25519PrivateKey, *, replace: bool) -> None:
    """Put the key into the OS keyring; refuse to replace one unless asked to (rotation)."""
    try:
        backend = open_keyring(injected)
        if not replace and read_secret(backend, KEYRING_SERVICE, KEYRING_ACCOUNT) is not None:
            raise UsageError(
                "The keyring already holds a roster signing key.",
                hint="Pass --rotate to replace it (keep its public key in "
                "subscription.public_keys until workstations trust the new one).",
            )
        write_secret(backend, KEYRING_SERVICE, KEYRING_ACCOUNT, key_to_pem(key))
    except KeyringUnavailableError as error:
        raise UsageError(f"Cannot store the signing key: {error}.", hint=NO_KEYRING_HINT) from None


def load_from_keyring(injected: Any | None) -> Ed25519PrivateKey:
    """The signing key kept in the OS keyring."""
    try:
        pem = read_secret(open_keyring(injected), KEYRING_SERVICE, KEYRING_ACCOUNT)
    except KeyringUnavailableError as error:
        raise UsageError(f"Cannot read the signing key: {error}.", hint=NO_KEYRING_HINT) from None
    if pem is None:
        raise UsageError(
            "The keyring holds no roster signing key.",
            hint="Run `kiro-bootstrap admin roster keygen`, or pass --key-file PATH (or - for "
            "stdin).",
        )
    return key_from_pem(pem, "the keyring")
