"""Kiro's Linux signature: `signature.bin` over the artifact by the key in `certificate.pem`.

Checked as `openssl dgst -sha256 -verify` does: the signature against the certificate's public
key, with no chain or expiry check (Kiro's certificate is self-contained). Because the
certificate comes from the same host as the artifact, only a pinned fingerprint makes the check
prove who signed it; without one it proves integrity only.
"""

from __future__ import annotations

import hashlib

from kiro_bootstrap.checks import Check
from kiro_bootstrap.settings.model import Signing

SIGNATURE_CHECK = "linux-signature"
CERTIFICATE_CHECK = "linux-cert-pin"
NO_CHAIN_NOTE = "no chain or expiry check, as openssl dgst -verify"


def verify_linux_signature(
    sha256_digest: bytes, signature: bytes, certificate_pem: bytes, signing: Signing
) -> list[Check]:
    """The signature check (over the already computed digest) and the certificate pin check."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
    except ValueError:
        return [Check(SIGNATURE_CHECK, "fail", "certificate.pem is not a PEM X.509 certificate.")]
    fingerprint = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
    subject = certificate.subject.rfc4514_string()
    key = certificate.public_key()
    # Prehashed: the digest computed while downloading is signed over; the file is not re-read.
    prehashed = utils.Prehashed(hashes.SHA256())
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, sha256_digest, padding.PKCS1v15(), prehashed)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, sha256_digest, ec.ECDSA(prehashed))
        else:
            return [
                Check(
                    SIGNATURE_CHECK,
                    "fail",
                    f"certificate.pem holds a {type(key).__name__}, not an RSA or ECDSA key.",
                )
            ]
    except InvalidSignature:
        return [
            Check(
                SIGNATURE_CHECK,
                "fail",
                f"signature.bin does not match the artifact under the key of {subject}.",
                "The download was altered or signed by another key; do not install it.",
            )
        ]
    checks = [
        Check(SIGNATURE_CHECK, "pass", f"signed by the key in certificate.pem ({NO_CHAIN_NOTE})")
    ]
    checks.append(_certificate_pin(fingerprint, subject, signing))
    return checks


def _certificate_pin(fingerprint: str, subject: str, signing: Signing) -> Check:
    pins = signing.linux_cert_sha256
    if pins and fingerprint in pins:
        return Check(CERTIFICATE_CHECK, "pass", f"certificate {subject} matches a pinned SHA-256")
    if pins:
        return Check(
            CERTIFICATE_CHECK,
            "fail",
            f"certificate {subject} (SHA-256 {fingerprint}) is not one of "
            "release.signing.linux_cert_sha256.",
            "The build was signed by a key your organisation did not pin; do not install it.",
        )
    unpinned = f"certificate not pinned (integrity only): {subject}, SHA-256 {fingerprint}"
    remedy = f'Pin it: release.signing.linux_cert_sha256 = ["{fingerprint}"].'
    if signing.require_pins:
        return Check(
            CERTIFICATE_CHECK, "fail", f"{unpinned}; release.signing.require_pins is set", remedy
        )
    return Check(CERTIFICATE_CHECK, "warn", unpinned, remedy)
