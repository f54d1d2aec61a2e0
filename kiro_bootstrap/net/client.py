"""The HTTP client: configured proxy, corporate trust, timeouts, and no automatic redirects."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiro_bootstrap import NAME
from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.logs import RUN_EVENTS
from kiro_bootstrap.settings.model import Settings

if TYPE_CHECKING:
    import httpx

USER_AGENT = NAME
# Loopback never goes through a proxy: the sandbox and tests live there.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True)
class ProxyChoice:
    """The proxy to use and where that choice came from."""

    url: str | None
    source: str  # "config" | "env" | "macos-system" | "wininet" | "winhttp" | "none"
    no_proxy: tuple[str, ...] = ()
    pac_url: str | None = None


def choose_proxy(settings: Settings, facts: HostFacts) -> ProxyChoice:
    """`network.proxy`, then the environment, then the OS settings."""
    os_proxy = facts.proxy
    no_proxy = tuple(
        host.strip() for host in (os_proxy.no_proxy or "").replace(";", ",").split(",") if host
    )
    if settings.network.proxy:
        return ProxyChoice(settings.network.proxy, "config", no_proxy)
    url = os_proxy.https or os_proxy.http
    return ProxyChoice(url, os_proxy.source if url else "none", no_proxy, os_proxy.pac_url)


def tls_context(settings: Settings) -> ssl.SSLContext:
    """The OS trust store (truststore), or `network.ca_bundle` when set."""
    if settings.network.ca_bundle:
        try:
            return ssl.create_default_context(cafile=settings.network.ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(
                f"network.ca_bundle {settings.network.ca_bundle} cannot be loaded: {error}."
            ) from None
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _stamp_request(request: httpx.Request) -> None:
    request.extensions["kiro_bootstrap_started"] = time.monotonic()


def _log_call(response: httpx.Response) -> None:
    """Every response in the run log: host, status, bytes (Content-Length) and time."""
    request = response.request
    started = request.extensions.get("kiro_bootstrap_started", time.monotonic())
    length = response.headers.get("content-length")
    RUN_EVENTS.call(
        request.method,
        str(request.url.copy_with(query=None)),  # a query may carry a signature or a token
        status=response.status_code,
        size=int(length) if length and length.isdigit() else None,
        seconds=time.monotonic() - started,
    )


def build_http_client(settings: Settings, facts: HostFacts) -> httpx.Client:
    """A client that never follows redirects itself, so every hop is checked by the caller."""
    import httpx

    proxy = choose_proxy(settings, facts)
    timeout = httpx.Timeout(settings.network.read_timeout, connect=settings.network.connect_timeout)
    mounts: dict[str, httpx.BaseTransport | None] = {
        f"all://{host.lstrip('.')}": None
        for host in (*proxy.no_proxy, *LOOPBACK_HOSTS)
        if host != "*"
    }
    return httpx.Client(
        proxy=proxy.url,
        mounts=mounts or None,
        verify=tls_context(settings),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,  # choose_proxy already decided; the environment must not override it
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [_stamp_request], "response": [_log_call]},
    )
