"""A TLS server on loopback with its own test CA: what a corporate TLS-inspecting proxy shows.

The CA plays the organisation's inspection root (not a public CA); the server certificate it
issues names `localhost` and 127.0.0.1, so doctor's TLS probe can be pointed at it. The server
completes the handshake and closes; that is all a reachability probe needs.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sandbox.loopback_listener import LoopbackListener

CA_NAME = "Example Corp TLS Inspection CA"
VALIDITY = datetime.timedelta(days=30)
BACKDATE = datetime.timedelta(days=1)


@dataclass(frozen=True)
class SandboxAuthority:
    """A CA certificate (PEM) and the server certificate and key it issued (PEM)."""

    ca_pem: bytes
    server_pem: bytes
    server_key_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Corp"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, key_cert_sign=True, crl_sign=True,
    content_commitment=False, key_encipherment=False, data_encipherment=False,
    key_agreement=False, encipher_only=False, decipher_only=False,
)  # fmt: skip


def create_authority() -> SandboxAuthority:
    """A fresh CA and a `localhost` server certificate issued by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(CA_NAME))
        .issuer_name(_name(CA_NAME))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return SandboxAuthority(
        ca_pem=ca.public_bytes(serialization.Encoding.PEM),
        server_pem=server.public_bytes(serialization.Encoding.PEM),
        server_key_pem=server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


class TlsServer(LoopbackListener):
    """Accepts TLS connections on 127.0.0.1 in a thread until closed (a context manager)."""

    def __init__(self, authority: SandboxAuthority, folder: Path) -> None:
        chain, key = folder / "server.pem", folder / "server-key.pem"
        chain.write_bytes(authority.server_pem)
        key.write_bytes(authority.server_key_pem)
        key.chmod(0o600)
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(chain, key)
        self._listen()

    def _handle(self, connection: socket.socket) -> None:
        try:
            with self._context.wrap_socket(connection, server_side=True):
                pass
        except (OSError, ssl.SSLError):
            connection.close()  # the client refused our certificate: that is its answer
