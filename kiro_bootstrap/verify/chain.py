"""The verification chain, fail closed: org pin, then the target platform's own signature.

Steps that need another OS (codesign on a Linux admin's machine) are *deferred*: the build is
then accepted only when an organisation SHA-256 pin matched.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap.checks import Check
from kiro_bootstrap.errors import VerificationError
from kiro_bootstrap.host.facts import OsName
from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.layout.targets import TargetSpec
from kiro_bootstrap.settings.model import Signing
from kiro_bootstrap.verify import linux, macos, windows
from kiro_bootstrap.verify.trust import LinuxTrust

PIN_CHECK = "org-pin"
_OS_LABELS = {"linux": "Linux", "darwin": "macOS", "windows": "Windows"}


@dataclass(frozen=True)
class Evidence:
    """What the chain looks at: the artifact, its digest, and the Linux signature files."""

    target: TargetSpec
    artifact: Path
    sha256: str
    signature: bytes | None = None
    certificate: bytes | None = None


@dataclass(frozen=True)
class ChainOutcome:
    """Every step's check in order, whether a pin matched, and the steps left to another OS."""

    checks: tuple[Check, ...]
    pinned: bool
    deferred: tuple[str, ...]


class ChainFailedError(VerificationError):
    """A step failed (or deferred steps lack a pin); carries every check for the report."""

    def __init__(self, message: str, checks: tuple[Check, ...], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.checks = checks


@dataclass(frozen=True)
class HostTools:
    """How to run the platform tools (codesign, PowerShell) on this host."""

    os: OsName
    runner: Runner
    environ: Mapping[str, str]


def run_verification_chain(
    evidence: Evidence,
    *,
    expected_sha256: str | None,
    signing: Signing,
    host: HostTools,
    linux_trust: LinuxTrust,
) -> ChainOutcome:
    """Run each step in order; raise ChainFailedError on the first failure, else the outcome."""
    checks: list[Check] = [_pin_check(evidence, expected_sha256)]
    pinned = checks[0].status == "pass"
    stop_on_failure(checks)
    family = evidence.target.family
    deferred: tuple[str, ...] = ()
    if family == "linux":
        checks += _linux_checks(evidence, linux_trust, pinned=pinned)
    elif family != host.os:
        steps = macos.STEPS if family == "darwin" else windows.STEPS
        deferred = steps
        label = _OS_LABELS[family]
        summary = f"needs {label}; not run on this host"
        checks += [Check(step, "deferred", summary) for step in steps]
    elif family == "darwin":
        checks += macos.verify_dmg(evidence.artifact, host.runner, signing.macos_team_id)
    else:
        checks += windows.verify_authenticode(
            evidence.artifact,
            host.runner,
            host.environ,
            signing.windows_publishers,
            signing.windows_thumbprints,
        )
    stop_on_failure(checks)
    if deferred and not pinned:
        raise ChainFailedError(
            f"The {_OS_LABELS[family]} signature checks ({', '.join(deferred)}) cannot run on "
            f"this host, and no organisation SHA-256 pin covers {evidence.target.name}.",
            tuple(checks),
            hint=f"Pin release.version and release.sha256.{evidence.target.name} (digest "
            f"{evidence.sha256}, once checked on a {_OS_LABELS[family]} machine), or run there.",
        )
    return ChainOutcome(tuple(checks), pinned, deferred)


def _pin_check(evidence: Evidence, expected: str | None) -> Check:
    name = evidence.target.name
    if expected is None:
        return Check(PIN_CHECK, "warn", f"no organisation pin for {name} (release.sha256 unset)")
    if hmac.compare_digest(expected.lower(), evidence.sha256):
        return Check(PIN_CHECK, "pass", f"SHA-256 {evidence.sha256} matches the pin")
    return Check(
        PIN_CHECK,
        "fail",
        f"SHA-256 {evidence.sha256} is not the pinned {expected.lower()} for {name}.",
        "The download was altered, or the pin is for another version; do not install it.",
    )


def _linux_checks(evidence: Evidence, trust: LinuxTrust, *, pinned: bool) -> list[Check]:
    if evidence.signature is None or evidence.certificate is None:
        # Only `verify FILE --sha256` gets here: the pin stands in for the signature.
        summary = "not checked: no signature.bin and certificate.pem given"
        return [Check(linux.SIGNATURE_CHECK, "warn" if pinned else "fail", summary)]
    return linux.verify_linux_signature(
        bytes.fromhex(evidence.sha256), evidence.signature, evidence.certificate, trust
    )


def stop_on_failure(checks: list[Check]) -> None:
    """Raise ChainFailedError naming the first failed check, if any."""
    failed = next((check for check in checks if check.status == "fail"), None)
    if failed is not None:
        raise ChainFailedError(
            f"Verification failed ({failed.id}): {failed.summary}",
            tuple(checks),
            hint=failed.remedy or None,
        )
