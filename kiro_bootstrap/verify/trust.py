"""Which Linux signing certificate to trust: an organisation's pin, the first one seen, or any.

`certificate.pem` comes from the same host as the artifact, so a signature by it proves who
signed only when the organisation decided which certificate that must be
(`release.signing.linux_trust`, see README "Trust and secrets"). `auto` pins whenever the run
acts with administrator rights (root installs code that every person then runs), and accepts
any certificate with a warning for a person's own user-scope install.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kiro_bootstrap.checks import Check
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.files import write_atomic
from kiro_bootstrap.settings.model import Signing

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context

TrustMode = Literal["pinned", "first-use", "any"]
CERTIFICATE_CHECK = "linux-cert-pin"
# The first-use record (DECISIONS §2: 0600, in the machine state folder when run as admin).
FIRST_USE_FILE = "linux-certificate.json"
FIRST_USE_MODE = 0o600
STATE_FOLDER_MODE = 0o755
OPENSSL_CHECK = "openssl x509 -in certificate.pem -noout -fingerprint -sha256 -subject"


@dataclass(frozen=True)
class CertificateFacts:
    """What identifies a signing certificate: the DER SHA-256 and the subject."""

    sha256: str
    subject: str

    @property
    def pin_line(self) -> str:
        """The exact line that pins it, under `[release.signing]`."""
        return f'linux_cert_sha256 = ["{self.sha256}"]'


@dataclass(frozen=True)
class LinuxTrust:
    """The effective trust rule of this run, and where a first-use record lives."""

    mode: TrustMode
    reason: str  # why this mode: "release.signing.linux_trust = ..." or the auto rule
    pins: tuple[str, ...]
    first_use_file: Path


def resolve_linux_trust(signing: Signing, *, is_admin: bool, state_folder: Path) -> LinuxTrust:
    """The effective mode: the setting, `require_pins` as `pinned`, or the `auto` rule."""
    pins = tuple(signing.linux_cert_sha256)
    record = state_folder / FIRST_USE_FILE
    setting = signing.linux_trust
    if setting != "auto":
        return LinuxTrust(setting, f"release.signing.linux_trust = {setting!r}", pins, record)
    if signing.require_pins:
        return LinuxTrust("pinned", "release.signing.require_pins = true", pins, record)
    if is_admin:
        reason = "release.signing.linux_trust = 'auto', running as root/Administrator"
        return LinuxTrust("pinned", reason, pins, record)
    reason = "release.signing.linux_trust = 'auto', a person's own install"
    return LinuxTrust("any", reason, pins, record)


def read_certificate(certificate_pem: bytes) -> CertificateFacts | None:
    """The certificate's fingerprint and subject; None when it is not a PEM X.509 certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
    except ValueError:
        return None
    der = certificate.public_bytes(serialization.Encoding.DER)
    return CertificateFacts(hashlib.sha256(der).hexdigest(), certificate.subject.rfc4514_string())


def check_certificate(facts: CertificateFacts, trust: LinuxTrust) -> Check:
    """Pass, warn or fail the certificate under the trust rule; records nothing."""
    named = f"certificate {facts.subject} (SHA-256 {facts.sha256})"
    if facts.sha256 in trust.pins:
        return Check(CERTIFICATE_CHECK, "pass", f"certificate {facts.subject} matches a pin")
    if trust.pins:
        return _refusal(facts, f"{named} is not one of release.signing.linux_cert_sha256")
    if trust.mode == "pinned":
        return _refusal(facts, f"{named} is not pinned; {trust.reason} needs a pin")
    if trust.mode == "first-use":
        return _first_use_check(facts, trust, named)
    return Check(
        CERTIFICATE_CHECK,
        "warn",
        f"certificate not pinned (integrity only): {facts.subject}, SHA-256 {facts.sha256}",
        f"Check it ({OPENSSL_CHECK}) and pin it under [release.signing]: {facts.pin_line}",
    )


def _first_use_check(facts: CertificateFacts, trust: LinuxTrust, named: str) -> Check:
    recorded = read_first_use(trust.first_use_file)
    if recorded is None:
        summary = f"{named} trusted on first use; recorded in {trust.first_use_file}"
        return Check(CERTIFICATE_CHECK, "pass", summary)
    if recorded.sha256 == facts.sha256:
        return Check(CERTIFICATE_CHECK, "pass", f"{named} is the one first seen")
    return _refusal(
        facts,
        f"{named} differs from the certificate first seen ({recorded.subject}, SHA-256 "
        f"{recorded.sha256}, recorded in {trust.first_use_file})",
        also="If Kiro really changed its key, an administrator runs 'kiro-bootstrap trust "
        "forget' after checking the new one.",
    )


def _refusal(facts: CertificateFacts, why: str, *, also: str = "") -> Check:
    remedy = (
        f"Check the certificate ({OPENSSL_CHECK}; the SHA-256 must be {facts.sha256} and the "
        f"subject {facts.subject}), then pin it under [release.signing]: {facts.pin_line}"
    )
    return Check(CERTIFICATE_CHECK, "fail", f"{why}.", f"{remedy}. {also}".strip())


def read_first_use(record: Path) -> CertificateFacts | None:
    """The certificate recorded on first use; None when nothing was recorded."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return CertificateFacts(str(data["sha256"]), str(data["subject"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(
            f"The first-use certificate record {record} cannot be read ({error}).",
            hint="An administrator runs 'kiro-bootstrap trust forget' to clear it.",
        ) from None


def remember_first_use(facts: CertificateFacts, trust: LinuxTrust, now: datetime) -> bool:
    """Record the certificate when first-use applies and nothing is recorded; True if written."""
    if trust.mode != "first-use" or trust.pins or read_first_use(trust.first_use_file):
        return False
    record = trust.first_use_file
    record.parent.mkdir(parents=True, exist_ok=True, mode=STATE_FOLDER_MODE)
    body = {"sha256": facts.sha256, "subject": facts.subject, "first_seen": now.isoformat()}
    write_atomic(record, json.dumps(body, indent=2).encode(), mode=FIRST_USE_MODE)
    return True


def linux_trust_for(ctx: Context) -> LinuxTrust:
    """This run's rule; the first-use record is root's when run as admin, else the person's."""
    admin = ctx.facts.is_admin
    folder = ctx.paths.system_state_dir if admin else ctx.paths.user_state_dir
    return resolve_linux_trust(ctx.settings.release.signing, is_admin=admin, state_folder=folder)
