"""Test signing keys that stand in for Kiro's release signing key (never used for anything real)."""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import NameOID

RSA_KEY_BITS = 2048
RSA_PUBLIC_EXPONENT = 65537
CERTIFICATE_VALIDITY = datetime.timedelta(days=3650)
# Backdated so a clock a little behind ours on another machine still accepts the certificate.
CERTIFICATE_BACKDATE = datetime.timedelta(days=1)
ORGANISATION_NAME = "kiro-bootstrap sandbox"
RELEASE_COMMON_NAME = "Kiro Test Release Signing"
ECDSA_COMMON_NAME = "Kiro Test Release Signing (ECDSA)"
OTHER_COMMON_NAME = "Somebody Else's Signing Key"
# One PEM file per key (private key, then certificate): written atomically in one rename, so a
# reader in another process never sees a key paired with somebody else's certificate.
KEY_FILE_NAMES = {
    "release": "release-rsa.pem",
    "ecdsa": "release-ecdsa.pem",
    "other": "other-rsa.pem",
}
_CERTIFICATE_MARKER = b"-----BEGIN CERTIFICATE-----"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class SigningKey:
    """A private key with its self-signed certificate, signing like `openssl dgst -sha256 -sign`."""

    private_key: PrivateKey
    certificate_pem: bytes
    fingerprint_sha256: str

    def sign(self, data: bytes) -> bytes:
        """Return a detached SHA-256 signature of `data` (RSA PKCS#1 v1.5 or ECDSA DER)."""
        return self.sign_digest(hashlib.sha256(data).digest())

    def sign_digest(self, sha256_digest: bytes) -> bytes:
        """Sign an already computed SHA-256 digest, so a 1 GiB artifact is never read twice."""
        prehashed = utils.Prehashed(hashes.SHA256())
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(sha256_digest, padding.PKCS1v15(), prehashed)
        return self.private_key.sign(sha256_digest, ec.ECDSA(prehashed))

    def private_key_pem(self) -> bytes:
        """Return the private key as unencrypted PKCS#8 PEM (what `openssl dgst -sign` reads)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_key_pem(self) -> bytes:
        """Return the public key as SubjectPublicKeyInfo PEM (what `openssl dgst -verify` reads)."""
        certificate = x509.load_pem_x509_certificate(self.certificate_pem)
        return certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass(frozen=True)
class SandboxKeys:
    """The sandbox's keys: the release key the org pins, an ECDSA variant, and a stranger's key."""

    release: SigningKey
    ecdsa: SigningKey
    other: SigningKey


def create_signing_key(private_key: PrivateKey, common_name: str) -> SigningKey:
    """Wrap `private_key` with a fresh self-signed certificate for `common_name`."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION_NAME),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CERTIFICATE_BACKDATE)
        .not_valid_after(now + CERTIFICATE_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(private_key, hashes.SHA256())
    )
    return _signing_key_from(private_key, certificate)


@functools.cache
def generate_keys() -> SandboxKeys:
    """Generate the sandbox keys once per process (RSA generation is the slow part)."""
    return SandboxKeys(
        release=create_signing_key(_new_rsa_key(), RELEASE_COMMON_NAME),
        ecdsa=create_signing_key(ec.generate_private_key(ec.SECP256R1()), ECDSA_COMMON_NAME),
        other=create_signing_key(_new_rsa_key(), OTHER_COMMON_NAME),
    )


def load_or_create_keys(folder: Path) -> SandboxKeys:
    """Load the keys from PEM files in `folder`, creating any that are missing."""
    folder.mkdir(parents=True, exist_ok=True)
    loaded: dict[str, SigningKey] = {}
    for role, file_name in KEY_FILE_NAMES.items():
        path = folder / file_name
        if not path.exists():
            key: SigningKey = getattr(generate_keys(), role)
            _write_atomically(path, key.private_key_pem() + key.certificate_pem)
        loaded[role] = load_signing_key(path)
    return SandboxKeys(**loaded)


def load_signing_key(path: Path) -> SigningKey:
    """Read a PEM file holding a private key followed by its certificate."""
    data = path.read_bytes()
    split_at = data.index(_CERTIFICATE_MARKER)
    private_key = serialization.load_pem_private_key(data[:split_at], password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise TypeError(f"{path} holds a {type(private_key).__name__}, not an RSA or ECDSA key")
    return _signing_key_from(private_key, x509.load_pem_x509_certificate(data[split_at:]))


def verify_signature(certificate_pem: bytes, signature: bytes, data: bytes) -> None:
    """Verify like `openssl dgst -sha256 -verify`; raises InvalidSignature when it does not hold."""
    public_key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    else:
        raise TypeError(f"cannot verify with a {type(public_key).__name__}")


def _signing_key_from(private_key: PrivateKey, certificate: x509.Certificate) -> SigningKey:
    """Build a SigningKey, fingerprinting the certificate's DER as the organisation pins it."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return SigningKey(
        private_key=private_key,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
    )


def _new_rsa_key() -> rsa.RSAPrivateKey:
    """Generate an RSA key of the size Kiro-like release keys use."""
    return rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_KEY_BITS)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename, private to this user."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
