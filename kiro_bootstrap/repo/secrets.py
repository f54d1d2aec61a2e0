"""Literal credentials in files meant for Git: the patterns, and where they are.

`logs.redact` and `commands.config.mask` hide secrets in output by key name; this module finds
credentials by their own shape (a GitHub token looks like one under any key), so a committed
file can be refused. A `${VAR}` reference is never a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiro_bootstrap.credentials import TOKEN_SHAPES

REFERENCE_MARK = "${"
# AWS's documentation uses these example keys; flagging them would only teach people to ignore us.
_DOCUMENTED_EXAMPLES = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    *TOKEN_SHAPES,
    (
        "an AWS secret access key",
        re.compile(r"(?i)secret_?(?:access_?)?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
    ),
    ("a bearer token", re.compile(r"(?i)\bbearer\s+(?!\$\{)[A-Za-z0-9._~+/=-]{8,}")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
)  # fmt: skip
# Names whose values are credentials wherever they appear (MCP env and headers).
SECRET_NAME = re.compile(r"(?i)(token|secret|password|passwd|authorization|api[_-]?key|credential)")


@dataclass(frozen=True)
class SecretHit:
    """A credential's line (1-based) and kind; never the value itself."""

    line: int
    kind: str


def find_secrets(text: str) -> list[SecretHit]:
    """Every line holding something shaped like a credential, first kind found per line."""
    hits = []
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, pattern in SECRET_PATTERNS:
            match = pattern.search(line)
            if match and not any(example in match.group(0) for example in _DOCUMENTED_EXAMPLES):
                hits.append(SecretHit(number, kind))
                break
    return hits


def is_literal_secret(name: str, value: object) -> bool:
    """True when a secret-named member holds a value instead of a `${VAR}` reference."""
    return (
        bool(SECRET_NAME.search(name))
        and isinstance(value, str)
        and bool(value.strip())
        and REFERENCE_MARK not in value
    )
