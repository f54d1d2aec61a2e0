"""`verify FILE`: the same chain as a download, over a file someone already has."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.files import hash_file
from kiro_bootstrap.layout.targets import TARGET_SPECS
from kiro_bootstrap.net.limits import MAX_SIGNATURE_FILE_BYTES
from kiro_bootstrap.verify.chain import ChainOutcome, Evidence, HostTools, run_verification_chain
from kiro_bootstrap.verify.trust import linux_trust_for

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class FileVerdict:
    """A file that passed the chain."""

    sha256: str
    size: int
    outcome: ChainOutcome


def verify_local_file(
    ctx: Context,
    artifact: Path,
    *,
    target: str,
    signature: Path | None,
    certificate: Path | None,
    sha256: str | None,
) -> FileVerdict:
    """Hash the file once, then run the chain; the expected digest is --sha256 or the org pin."""
    spec = TARGET_SPECS[target]
    expected = _expected_digest(ctx, target, sha256)
    if (signature is None) != (certificate is None):
        raise UsageError("Give both --signature and --certificate, or neither.")
    if spec.signed_by_certificate and signature is None and expected is None:
        raise UsageError(
            f"A {target} artifact needs --signature and --certificate, or --sha256.",
            hint="Both files sit beside the artifact on Kiro's host: signature.bin and "
            "certificate.pem.",
        )
    digest, size = _hash(artifact)
    evidence = Evidence(spec, artifact, digest, _read_small(signature), _read_small(certificate))
    outcome = run_verification_chain(
        evidence,
        expected_sha256=expected,
        signing=ctx.settings.release.signing,
        host=HostTools(ctx.facts.os, ctx.env.runner, ctx.environ),
        linux_trust=linux_trust_for(ctx),
    )
    return FileVerdict(digest, size, outcome)


def _expected_digest(ctx: Context, target: str, given: str | None) -> str | None:
    if given is None:
        pins = {str(name): pin for name, pin in ctx.settings.release.sha256.items()}
        return pins.get(target)
    normalised = given.replace(":", "").strip().lower()
    if not _SHA256.match(normalised):
        raise UsageError(f"--sha256 {given!r} is not a SHA-256 digest (64 hex digits).")
    return normalised


def _hash(path: Path) -> tuple[str, int]:
    try:
        return hash_file(path)
    except OSError as error:
        raise UsageError(f"Cannot read {path}: {error.strerror}.") from None


def _read_small(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        if path.stat().st_size > MAX_SIGNATURE_FILE_BYTES:
            raise UsageError(f"{path} is too large to be a signature or certificate file.")
        return path.read_bytes()
    except OSError as error:
        raise UsageError(f"Cannot read {path}: {error.strerror}.") from None
