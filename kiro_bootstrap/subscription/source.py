"""Read roster files: over https (or loopback http) with an ETag, or from a local path.

A roster location is `roster_url`; the shards of a sharded roster are read relative to it, so they
come from the same origin and the same token applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from kiro_bootstrap.errors import UnavailableError, VerificationError
from kiro_bootstrap.net.policy import check_url_allowed

if TYPE_CHECKING:
    import httpx

HTTP_OK = 200
NOT_MODIFIED = 304
NOT_FOUND = 404
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Fetched:
    """What the source gave: new bytes, or None when the cached ETag still matches."""

    data: bytes | None
    etag: str | None
    location: str  # where the bytes came from after redirects (relative files resolve here)


def is_url(location: str) -> bool:
    """roster_url is a URL (else a local path, e.g. on a file share)."""
    return "://" in location


def beside(location: str, relative: str) -> str:
    """A file of the roster set, named relative to the index's location."""
    if is_url(location):
        return urljoin(location, relative)
    return str(Path(location).expanduser().parent / relative)


def origin_of(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


class RosterFiles:
    """Reads every file of one check: local paths directly, URLs through one HTTP client."""

    def __init__(self, open_client: Callable[[], httpx.Client], token: str | None) -> None:
        """The client is built on first use (a local roster never needs one)."""
        self._open_client = open_client
        self._client: httpx.Client | None = None
        self._token = token

    def __enter__(self) -> RosterFiles:
        """Use as a context manager: the client is closed on leaving."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the client, if one was built."""
        if self._client is not None:
            self._client.close()

    def read(self, location: str, *, etag: str | None, limit: int) -> Fetched:
        """One file: bytes, or None data when the ETag still matches."""
        if not is_url(location):
            return read_local(location, limit)
        if self._client is None:
            self._client = self._open_client()
        return fetch_document(self._client, location, etag=etag, token=self._token, limit=limit)


def read_local(location: str, limit: int) -> Fetched:
    """A roster file from a path; an unreachable share or a missing file is 'unavailable'."""
    path = Path(location).expanduser()
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise UnavailableError(
            f"Cannot read the subscription roster at {path}: {error.strerror}."
        ) from None
    return Fetched(data, None, location)


def fetch_document(
    client: httpx.Client, url: str, *, etag: str | None, token: str | None, limit: int
) -> Fetched:
    """GET one roster file; every redirect must stay on roster_url's exact origin.

    The token is a bearer credential for one origin (scheme, host, port): a redirect anywhere
    else, even 127.0.0.1 → localhost or another port, is refused (exit 5) before it is contacted.
    """
    import httpx

    origin = origin_of(url)
    headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            check_url_allowed(url, frozenset({origin[1]}))
            response = client.send(client.build_request("GET", url, headers=headers), stream=True)
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    target = urljoin(url, location)
                    if origin_of(target) != origin:
                        raise _redirect_refused(url, target)
                    url = target
                    continue
                return _read_response(response, url, etag, limit)
            finally:
                response.close()
    except httpx.HTTPError as error:
        raise UnavailableError(
            f"Cannot fetch the subscription roster from {url}: {type(error).__name__}.",
            hint="Check the network and proxy (network.proxy); retry later.",
        ) from None
    raise UnavailableError(f"Too many redirects (more than {MAX_REDIRECTS}) fetching {url}.")


def _read_response(response: httpx.Response, url: str, etag: str | None, limit: int) -> Fetched:
    if response.status_code == NOT_MODIFIED:
        return Fetched(None, etag, url)
    if response.status_code != HTTP_OK:
        raise UnavailableError(
            f"The subscription roster at {url} answered HTTP {response.status_code}.",
            hint=_status_hint(response.status_code),
            code="roster-missing" if response.status_code == NOT_FOUND else None,
        )
    data = bytearray()
    for chunk in response.iter_raw():
        data += chunk
        if len(data) > limit:
            break  # the reader refuses it with the size in the message
    return Fetched(bytes(data), response.headers.get("etag"), url)


def _redirect_refused(url: str, target: str) -> VerificationError:
    scheme, host, port = origin_of(url)
    return VerificationError(
        f"The subscription roster at {url} redirects off its origin ({scheme}://{host}:{port}) "
        f"to {target}: refused before contacting it, so the roster token never leaves.",
        hint="Point subscription.roster_url at the final location.",
        code="roster-redirect",
    )


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "Set the roster's access token with `subscription token set` (reads stdin)."
    return "Check subscription.roster_url; retry later."
