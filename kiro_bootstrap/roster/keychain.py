"""The OS keyring (via `keyring`), or a clear statement that this host has none."""

from __future__ import annotations

from typing import Any

# A backend below this priority is keyring's "fail" or "null" stand-in: nothing is stored.
MINIMUM_PRIORITY = 0


class KeyringUnavailableError(Exception):
    """No usable OS keyring here (typical on headless hosts and in containers)."""


def open_keyring(injected: Any | None) -> Any:
    """The injected backend (tests), else the OS one; raise when it is a stand-in."""
    backend = injected
    if backend is None:
        import keyring

        backend = keyring.get_keyring()
    if float(getattr(backend, "priority", MINIMUM_PRIORITY)) <= MINIMUM_PRIORITY:
        raise KeyringUnavailableError(f"no OS keyring is available ({type(backend).__name__})")
    return backend


def read_secret(backend: Any, service: str, account: str) -> str | None:
    """The stored secret, or None; a failing backend is reported as unavailable."""
    from keyring.errors import KeyringError

    try:
        value = backend.get_password(service, account)
    except (KeyringError, OSError, RuntimeError) as error:
        raise KeyringUnavailableError(f"the keyring failed: {type(error).__name__}") from None
    return str(value) if value is not None else None


def write_secret(backend: Any, service: str, account: str, secret: str) -> None:
    """Store a secret; a failing backend is reported as unavailable."""
    from keyring.errors import KeyringError

    try:
        backend.set_password(service, account, secret)
    except (KeyringError, OSError, RuntimeError) as error:
        raise KeyringUnavailableError(f"the keyring failed: {type(error).__name__}") from None
