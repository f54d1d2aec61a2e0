"""Proxy settings from the environment, and the conversions the OS-specific parsers share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kiro_bootstrap.host.facts import ProxySettings

# Lower case first: curl reads only http_proxy in lower case, and Python's urllib prefers it.
_HTTP_VARIABLES = ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")
_HTTPS_VARIABLES = ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
_NO_PROXY_VARIABLES = ("no_proxy", "NO_PROXY")
# WinINet's "bypass names without a dot": no environment-variable form exists for it.
_WINDOWS_LOCAL_ENTRY = "<local>"


def _first_set(environ: Mapping[str, str], names: Iterable[str]) -> str | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def proxy_from_environ(environ: Mapping[str, str]) -> ProxySettings | None:
    """The proxy the environment asks for, or None when it names no proxy."""
    http = _first_set(environ, _HTTP_VARIABLES)
    https = _first_set(environ, _HTTPS_VARIABLES)
    if http is None and https is None:
        return None
    return ProxySettings(
        http=http,
        https=https,
        no_proxy=_first_set(environ, _NO_PROXY_VARIABLES),
        source="env",
    )


def choose_proxy(environ: Mapping[str, str], system: ProxySettings) -> ProxySettings:
    """Environment variables win over the OS settings, as every command-line tool expects."""
    return proxy_from_environ(environ) or system


def as_proxy_url(host_port: str) -> str:
    """Turn "proxy:8080" into "http://proxy:8080"; a value with a scheme is kept."""
    value = host_port.strip()
    return value if "://" in value else f"http://{value}"


def parse_windows_proxy_server(server: str) -> tuple[str | None, str | None]:
    """WinINet/WinHTTP "ProxyServer" -> (http, https) URLs.

    "host:port" serves every protocol; "http=h:p;https=h:p" names each one, and a protocol
    left out goes direct (so no https entry means no https proxy).
    """
    server = server.strip()
    if not server:
        return None, None
    if "=" not in server:
        url = as_proxy_url(server)
        return url, url
    per_protocol: dict[str, str] = {}
    for entry in server.replace(" ", ";").split(";"):
        protocol, _, address = entry.partition("=")
        if address.strip():
            per_protocol.setdefault(protocol.strip().lower(), as_proxy_url(address))
    return per_protocol.get("http"), per_protocol.get("https")


def convert_bypass_list(entries: Iterable[str]) -> str | None:
    """OS bypass entries -> a NO_PROXY string: "*.corp.example" becomes ".corp.example"."""
    converted: list[str] = []
    for raw in entries:
        entry = raw.strip()
        if not entry or entry.lower() == _WINDOWS_LOCAL_ENTRY:
            continue
        # curl and httpx read a leading dot as "this domain and below"; neither reads "*.".
        if entry.startswith("*."):
            entry = entry[1:]
        if entry not in converted:
            converted.append(entry)
    return ",".join(converted) or None


def split_windows_bypass(bypass: str) -> list[str]:
    """WinINet separates bypass entries with semicolons (some tools also write spaces)."""
    return [entry for entry in bypass.replace(" ", ";").split(";") if entry]
