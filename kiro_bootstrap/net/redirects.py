"""Send a request and follow redirects ourselves, checking every hop before contacting it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from kiro_bootstrap.errors import UnavailableError
from kiro_bootstrap.net.policy import check_url_allowed

if TYPE_CHECKING:
    import httpx

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@contextlib.contextmanager
def open_checked(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    allowed_hosts: frozenset[str],
    headers: Mapping[str, str] | None = None,
) -> Iterator[httpx.Response]:
    """Open a streaming response; a hop off the allowed hosts is exit 5 before it is contacted."""
    for _hop in range(MAX_REDIRECTS + 1):
        check_url_allowed(url, allowed_hosts)
        request = client.build_request(method, url, headers=dict(headers or {}))
        response = client.send(request, stream=True)
        location = response.headers.get("location")
        if response.status_code in REDIRECT_STATUSES and location:
            response.close()
            url = urljoin(url, location)
            continue
        try:
            yield response
        finally:
            response.close()
        return
    raise UnavailableError(
        f"Too many redirects (more than {MAX_REDIRECTS}) fetching {url}.",
        hint="The release host or a proxy is misconfigured; retry later.",
    )
