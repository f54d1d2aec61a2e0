"""Read the roster from `roster_url`: https (or loopback http) with an ETag, or a local path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kiro_bootstrap.errors import UnavailableError, VerificationError
from kiro_bootstrap.roster.signing import MAX_ROSTER_BYTES

if TYPE_CHECKING:
    import httpx

HTTP_OK = 200
NOT_MODIFIED = 304


@dataclass(frozen=True)
class Fetched:
    """What the source gave: new bytes, or None when the cached ETag still matches."""

    data: bytes | None
    etag: str | None


def is_url(location: str) -> bool:
    """roster_url is a URL (else a local path, e.g. on a file share)."""
    return "://" in location


def read_local(location: str) -> Fetched:
    """The roster from a path; an unreachable share is 'unavailable', not 'bad'."""
    path = Path(location).expanduser()
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_ROSTER_BYTES + 1)
    except OSError as error:
        raise UnavailableError(
            f"Cannot read the subscription roster at {path}: {error.strerror}."
        ) from None
    return Fetched(data, None)


def fetch_roster(client: httpx.Client, url: str, *, etag: str | None, token: str | None) -> Fetched:
    """GET the roster; redirects stay on its host so a bearer token never leaves it."""
    import httpx

    from kiro_bootstrap.net.redirects import open_checked

    host = (urlsplit(url).hostname or "").lower()
    headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with open_checked(
            client, "GET", url, allowed_hosts=frozenset({host}), headers=headers
        ) as response:
            if response.status_code == NOT_MODIFIED:
                return Fetched(None, etag)
            if response.status_code != HTTP_OK:
                raise UnavailableError(
                    f"The subscription roster at {url} answered HTTP {response.status_code}.",
                    hint=_status_hint(response.status_code),
                )
            data = bytearray()
            for chunk in response.iter_raw():
                data += chunk
                if len(data) > MAX_ROSTER_BYTES:
                    break  # open_roster refuses it with the size in the message
            new_etag = response.headers.get("etag")
    except VerificationError as error:
        raise VerificationError(
            f"The subscription roster at {url} redirects off its host: {error.message}",
            hint="Point subscription.roster_url at the final location.",
            code="roster-redirect",
        ) from None
    except httpx.HTTPError as error:
        raise UnavailableError(
            f"Cannot fetch the subscription roster from {url}: {type(error).__name__}.",
            hint="Check the network and proxy (network.proxy); retry later.",
        ) from None
    return Fetched(bytes(data), new_etag)


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "Set the roster's access token with `subscription token set` (reads stdin)."
    return "Check subscription.roster_url; retry later."
