"""Kiro's Linux signature: `signature.bin` over the artifact by the key in `certificate.pem`.

Checked as `openssl dgst -sha256 -verify` does: the signature against the certificate's public
key, with no chain or expiry check (Kiro's certificate is self-contained). Because the
certificate comes from the same host as the artifact, only the trust rule (verify/trust.py)
makes the check prove who signed it; `any` proves integrity only.
"""

from __future__ import annotations

from kiro_bootstrap.checks import Check
from kiro_bootstrap.verify.trust import LinuxTrust, check_certificate, read_certificate

SIGNATURE_CHECK = "linux-signature"
NO_CHAIN_NOTE = "no chain or expiry check, as openssl dgst -verify"
NOT_A_CERTIFICATE = "certificate.pem is not a PEM X.509 certificate."


def verify_linux_signature(
    sha256_digest: bytes, signature: bytes, certificate_pem: bytes, trust: LinuxTrust
) -> list[Check]:
    """The signature check (over the already computed digest) and the certificate trust check."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

    facts = read_certificate(certificate_pem)
    if facts is None:
        return [Check(SIGNATURE_CHECK, "fail", NOT_A_CERTIFICATE)]
    key = x509.load_pem_x509_certificate(certificate_pem).public_key()
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
                f"signature.bin does not match the artifact under the key of {facts.subject}.",
                "The download was altered or signed by another key; do not install it.",
            )
        ]
    checks = [
        Check(SIGNATURE_CHECK, "pass", f"signed by the key in certificate.pem ({NO_CHAIN_NOTE})")
    ]
    checks.append(check_certificate(facts, trust))
    return checks


def check_certificate_first(certificate_pem: bytes, trust: LinuxTrust) -> list[Check]:
    """Before the artifact is fetched: the certificate parses and the trust rule accepts it."""
    facts = read_certificate(certificate_pem)
    if facts is None:
        return [Check(SIGNATURE_CHECK, "fail", NOT_A_CERTIFICATE)]
    return [check_certificate(facts, trust)]
