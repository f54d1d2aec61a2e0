"""Which URLs we may contact: https on an allowed host, or http on loopback."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from kiro_bootstrap.errors import VerificationError
from kiro_bootstrap.settings.model import OFFICIAL_RELEASE_URL, is_loopback_host


def allowed_release_hosts(base_url: str, extra_hosts: Iterable[str]) -> frozenset[str]:
    """The official host, the configured base URL's host, and `release.allowed_hosts`."""
    hosts = {urlsplit(OFFICIAL_RELEASE_URL).hostname, urlsplit(base_url).hostname}
    hosts.update(host.lower() for host in extra_hosts)
    return frozenset(host.lower() for host in hosts if host)


def check_url_allowed(url: str, allowed_hosts: frozenset[str]) -> None:
    """Raise (exit 5) unless the URL is https on an allowed host or http on loopback."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and is_loopback_host(host):
        return
    if parts.scheme != "https":
        raise VerificationError(
            f"Refusing {url}: only https is allowed (plain http only on loopback)."
        )
    if host not in allowed_hosts:
        raise VerificationError(
            f"Refusing {url}: {host} is not an allowed download host.",
            hint="Add it to release.allowed_hosts if your organisation really mirrors Kiro there.",
        )
