"""Can Kiro reach what it needs? DNS, TCP and TLS to each documented host, through the proxy.

The hosts come from one table (below, with its sources); `network.service_hosts` overrides
an entry (`"host"` or `"host:port"`, `{profile_region}` and `{idc_region}` filled in; `""`
skips it). A TLS certificate that public CAs do not vouch for is a TLS-inspecting proxy (or
worse): the check names its issuer and whether the organisation's CA makes it trusted.
"""

from __future__ import annotations

import base64
import socket
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from kiro_bootstrap.checks import Check
from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.net.client import ProxyChoice, tls_context

if TYPE_CHECKING:
    from kiro_bootstrap.settings.model import Settings

PROBE_TIMEOUT_SECONDS = 3.0
HTTPS_PORT = 443
MAX_PROXY_REPLY_BYTES = 8192
_SOURCE_KIRO = "kiro.dev firewall page (3P report, Kiro issue 7662)"
_SOURCE_IDC = "the AWS CLI's `sso login`, observed through a logging proxy"


@dataclass(frozen=True)
class ServiceHost:
    """One host Kiro needs, where its name comes from, and which region fills it in."""

    name: str
    template: str
    source: str


SERVICE_HOSTS = (
    ServiceHost("runtime", "runtime.{profile_region}.kiro.dev", _SOURCE_KIRO),
    ServiceHost("management", "management.{profile_region}.kiro.dev", _SOURCE_KIRO),
    ServiceHost("telemetry", "telemetry.{profile_region}.kiro.dev", _SOURCE_KIRO),
    ServiceHost("oidc", "oidc.{idc_region}.amazonaws.com", _SOURCE_IDC),
    ServiceHost("portal", "portal.sso.{idc_region}.amazonaws.com", _SOURCE_IDC),
    ServiceHost("start-url", "{start_url_host}", "identity_center.start_url"),
)


class ProbeError(Exception):
    """One step of a probe failed; the message says which and why."""


def planned_hosts(settings: Settings) -> list[tuple[str, str | None]]:
    """(name, "host:port") per table entry; None when a region or URL it needs is unset."""
    identity_center = settings.identity_center
    start_host = urlsplit(identity_center.start_url).hostname if identity_center.start_url else None
    values = {
        "profile_region": settings.kiro.profile_region,
        "idc_region": identity_center.region,
        "start_url_host": start_host,
    }
    planned: list[tuple[str, str | None]] = []
    for host in SERVICE_HOSTS:
        template = settings.network.service_hosts.get(host.name, host.template)
        if template == "":
            continue
        needed = [key for key in values if "{" + key + "}" in template]
        if any(values[key] is None for key in needed):
            planned.append((host.name, None))
            continue
        address = template.format(**{key: values[key] for key in needed})
        planned.append((host.name, address if ":" in address else f"{address}:{HTTPS_PORT}"))
    return planned


def _open_direct(host: str, port: int) -> socket.socket:
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise ProbeError(f"DNS cannot resolve {host} ({_reason(error)})") from None
    family, kind, protocol, _name, address = addresses[0]
    connection = socket.socket(family, kind, protocol)
    connection.settimeout(PROBE_TIMEOUT_SECONDS)
    try:
        connection.connect(address)
    except OSError as error:
        connection.close()
        raise ProbeError(f"TCP to {address[0]}:{port} failed ({_reason(error)})") from None
    return connection


def _open_through_proxy(host: str, port: int, proxy: str) -> socket.socket:
    """A CONNECT tunnel through an http proxy (credentials sent, never shown)."""
    parts = urlsplit(proxy)
    if parts.scheme != "http" or not parts.hostname:
        raise ProbeError(f"doctor tunnels only through http:// proxies, not {parts.scheme}://")
    try:
        connection = socket.create_connection(
            (parts.hostname, parts.port or 80), timeout=PROBE_TIMEOUT_SECONDS
        )
    except OSError as error:
        raise ProbeError(
            f"the proxy {parts.hostname} cannot be reached ({_reason(error)})"
        ) from None
    request = f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n"
    if parts.username:
        token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        request += f"Proxy-Authorization: Basic {base64.b64encode(token).decode()}\r\n"
    try:
        connection.sendall((request + "\r\n").encode())
        reply = b""
        while b"\r\n\r\n" not in reply and len(reply) < MAX_PROXY_REPLY_BYTES:
            chunk = connection.recv(1024)
            if not chunk:
                break
            reply += chunk
    except OSError as error:
        connection.close()
        raise ProbeError(f"the proxy did not answer ({_reason(error)})") from None
    status = reply.split(b"\r\n", 1)[0].decode("latin-1")
    if " 200" not in status:
        connection.close()
        raise ProbeError(f"the proxy refused the tunnel to {host}:{port} ({status or 'no reply'})")
    return connection


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _issuer(der: bytes) -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    names = x509.load_der_x509_certificate(der).issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else "an unnamed issuer"


def _verifies(connection: socket.socket, host: str, context: ssl.SSLContext) -> bool:
    try:
        with context.wrap_socket(connection, server_hostname=host):
            return True
    except ssl.SSLCertVerificationError:
        return False
    except (OSError, ssl.SSLError) as error:
        raise ProbeError(f"TLS with {host} failed ({_reason(error)})") from None


def _public_context() -> ssl.SSLContext:
    """Only the public CAs (Mozilla's list, as bundled for Node and Python)."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _peer_certificate(connection: socket.socket, host: str) -> bytes:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with context.wrap_socket(connection, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as error:
        raise ProbeError(f"TLS with {host} failed ({_reason(error)})") from None
    if der is None:
        raise ProbeError(f"{host} sent no certificate")
    return der


def probe_host(check_id: str, address: str, proxy: ProxyChoice, settings: Settings) -> Check:
    """DNS, TCP (or the proxy's tunnel) and TLS to one host; names a TLS interception."""
    host, _, port_text = address.rpartition(":")
    port = int(port_text)
    via_proxy = proxy.url is not None and not _bypassed(host, proxy.no_proxy)

    def connect() -> socket.socket:
        if via_proxy and proxy.url:
            return _open_through_proxy(host, port, proxy.url)
        return _open_direct(host, port)

    route = "through the proxy" if via_proxy else "direct"
    try:
        issuer = _issuer(_peer_certificate(connect(), host))
        public = _verifies(connect(), host, _public_context())
        organisation = public or _verifies(connect(), host, tls_context(settings))
    except ProbeError as error:
        return Check(check_id, "warn", f"{address} ({route}): {error}.", _HINT)
    except ConfigError as error:
        return Check(check_id, "warn", f"{address}: {error.message}", _HINT)
    if public:
        return Check(check_id, "pass", f"{address} ({route}): DNS, TCP and TLS ok")
    trust_source = settings.network.ca_bundle or "the OS trust store"
    if organisation:
        return Check(
            check_id,
            "warn",
            f"{address} ({route}): TLS is intercepted (issuer {issuer!r} is not a public CA); "
            f"{trust_source} trusts it.",
            "Kiro needs that CA too: `configure` gives it through NODE_EXTRA_CA_CERTS "
            "(network.ca_bundle) or NODE_USE_SYSTEM_CA (network.kiro_system_ca).",
        )
    return Check(
        check_id,
        "warn",
        f"{address} ({route}): TLS is intercepted (issuer {issuer!r} is not a public CA) and "
        f"{trust_source} does not trust it: Kiro will fail with 'unable to get local issuer "
        "certificate'.",
        "Set network.ca_bundle to the organisation's root CA (PEM), then run configure.",
    )


_HINT = "Allow the host in the firewall and proxy (see README: Behind TLS inspection and proxies)."


def _bypassed(host: str, no_proxy: tuple[str, ...]) -> bool:
    """True when NO_PROXY names the host or a domain it is in."""
    for entry in no_proxy:
        suffix = entry.strip().lstrip("*").lstrip(".").lower()
        if entry.strip() == "*" or (suffix and (host == suffix or host.endswith("." + suffix))):
            return True
    return False


def check_service_hosts(settings: Settings, proxy: ProxyChoice, *, offline: bool) -> list[Check]:
    """One check per host Kiro needs; skipped with --offline or when a region is unset."""
    proxy = ProxyChoice(
        proxy.url, proxy.source, (*proxy.no_proxy, *settings.network.no_proxy), proxy.pac_url
    )
    checks = []
    for name, address in planned_hosts(settings):
        check_id = f"net-{name}"
        if address is None:
            needs = "identity_center.start_url" if name == "start-url" else "the IDC region"
            checks.append(Check(check_id, "pass", f"skipped: {needs} is not configured"))
        elif offline:
            checks.append(Check(check_id, "pass", f"skipped (--offline): {address}"))
        else:
            checks.append(probe_host(check_id, address, proxy, settings))
    return checks
