"""Windows: Authenticode through `Get-AuthenticodeSignature -LiteralPath … | ConvertTo-Json`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kiro_bootstrap.checks import Check
from kiro_bootstrap.host.runner import Runner

SIGNATURE_CHECK = "win-authenticode"
PUBLISHER_CHECK = "win-publisher"
STEPS = (SIGNATURE_CHECK, PUBLISHER_CHECK)
# The path travels in the environment, so no quoting of a file name can change the command.
PATH_VARIABLE = "KIRO_BOOTSTRAP_VERIFY_FILE"
SCRIPT = f"Get-AuthenticodeSignature -LiteralPath $env:{PATH_VARIABLE} | ConvertTo-Json -Depth 2"
# System.Management.Automation.SignatureStatus: ConvertTo-Json writes the number.
STATUS_NAMES = {
    0: "Valid",
    1: "UnknownError",
    2: "NotSigned",
    3: "HashMismatch",
    4: "NotTrusted",
    5: "NotSupportedFileFormat",
    6: "Incompatible",
}
TOOL_TIMEOUT_SECONDS = 120.0


def powershell_path(environ: Mapping[str, str]) -> str:
    """Windows PowerShell by full path, so a writable folder on PATH cannot stand in for it."""
    system_root = environ.get("SystemRoot") or environ.get("SYSTEMROOT") or "C:\\Windows"
    return f"{system_root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"


def verify_authenticode(
    installer: Path,
    runner: Runner,
    environ: Mapping[str, str],
    publishers: Sequence[str],
    thumbprints: Sequence[str],
) -> list[Check]:
    """Status Valid, signer O= or CN= one of `publishers`, thumbprint pinned when set."""
    argv = [powershell_path(environ), "-NoProfile", "-NonInteractive", "-Command", SCRIPT]
    done = runner(
        argv, env={**environ, PATH_VARIABLE: str(installer)}, timeout=TOOL_TIMEOUT_SECONDS
    )
    try:
        report = json.loads(done.stdout) if done.ok else None
    except ValueError:
        report = None
    if not isinstance(report, dict):
        reason = done.stderr.strip() or "no JSON from Get-AuthenticodeSignature"
        return [Check(SIGNATURE_CHECK, "fail", f"cannot read the signature: {reason}")]
    status = report.get("Status")
    status_name = STATUS_NAMES.get(status, str(status)) if isinstance(status, int) else str(status)
    if status_name != "Valid":
        message = str(report.get("StatusMessage") or "").strip()
        return [
            Check(
                SIGNATURE_CHECK,
                "fail",
                f"Authenticode status {status_name}: {message}".rstrip(": "),
                "Do not install it; download it again or ask your Kiro contact.",
            )
        ]
    signer = report.get("SignerCertificate")
    signer = signer if isinstance(signer, dict) else {}
    subject = str(signer.get("Subject") or "")
    checks = [Check(SIGNATURE_CHECK, "pass", f"Authenticode signature valid ({subject})")]
    checks.append(_publisher(subject, str(signer.get("Thumbprint") or ""), publishers, thumbprints))
    return checks


def _publisher(
    subject: str, thumbprint: str, publishers: Sequence[str], thumbprints: Sequence[str]
) -> Check:
    names = parse_distinguished_name(subject)
    signer_names = {names.get("O"), names.get("CN")} - {None}
    matched = [name for name in publishers if name in signer_names]
    if not matched:
        return Check(
            PUBLISHER_CHECK,
            "fail",
            f"signer {subject or 'unknown'} is not one of release.signing.windows_publishers "
            f"({', '.join(publishers) or 'none set'}).",
            "Somebody else signed this installer; do not install it.",
        )
    wanted = {_normalise_thumbprint(item) for item in thumbprints}
    if wanted and _normalise_thumbprint(thumbprint) not in wanted:
        return Check(
            PUBLISHER_CHECK,
            "fail",
            f"signer certificate thumbprint {thumbprint or 'unknown'} is not one of "
            "release.signing.windows_thumbprints.",
            "The signing certificate changed or is not the pinned one; do not install it.",
        )
    pinned = " (thumbprint pinned)" if wanted else ""
    return Check(PUBLISHER_CHECK, "pass", f"signed by {matched[0]}{pinned}")


def parse_distinguished_name(subject: str) -> dict[str, str]:
    """`CN="Amazon.com, Inc.", O=…` -> {"CN": "Amazon.com, Inc.", …} (.NET quotes commas)."""
    parts: dict[str, str] = {}
    key, value, quoted, in_value = "", "", False, False
    for character in subject + ",":
        if in_value:
            if character == '"':
                quoted = not quoted
            elif character == "," and not quoted:
                parts.setdefault(key.strip().upper(), value.strip())
                key, value, in_value = "", "", False
            else:
                value += character
        elif character == "=":
            in_value = True
        else:
            key += character
    return parts


def _normalise_thumbprint(value: Any) -> str:
    return str(value).replace(" ", "").replace(":", "").upper()
