"""The one redactor: every text that can reach a terminal, JSON, a log, a status or record file,
a backup name or an error message passes through `redact` (or a `Redactor` that also knows the
values of settings marked secret: settings.secret_values).

Patterns err on the side of masking: a path holding `@` after `://` loses its "user" part,
which costs a little readability and never a password.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.credentials import TOKEN_SHAPES

MASK = "****"
# Shorter values are too likely to match ordinary words ("on", "1") to be masked verbatim.
MIN_SECRET_LENGTH = 4
# Names of keys that hold secrets (not a secret itself).
_SECRET_KEY = (
    r"(?:secret|token|password|passwd|pwd|api[_-]?key|apikey|access[_-]?key"  # noqa: S105
    r"|private[_-]?key|credential|session[_-]?key|client[_-]?secret)"
)
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
     "[private key]"),
    # Userinfo in a URL, up to the last "@" before the host: token-only (https://TOKEN@host)
    # and passwords holding "@" or "/" included.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s\"'<>]*@(?=[a-z0-9\[][a-z0-9.\-\[\]:]*"
                r"(?:[/?#\s\"'<>,;)]|$))"), rf"\1{MASK}@"),
    # Authorization headers (any scheme), then bare Basic/Bearer credentials.
    (re.compile(r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)((?:basic|bearer|token|digest)\s+)?"
                r"[^\s\"',}]+"), rf"\1\2{MASK}"),
    # Bare credentials must look like one (8+ characters, a digit or symbol among them), so
    # prose such as "a bearer token" or "basic authentication" stays readable.
    (re.compile(r"(?i)\b((?:bearer|basic)\s+)(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])"
                r"[A-Za-z0-9._~+/=-]{8,}"), rf"\1{MASK}"),
    *((pattern, MASK) for _, pattern in TOKEN_SHAPES),
    # KEY = "quoted value" (JSON, TOML), then KEY=value for secret-looking keys.
    (re.compile(rf"(?i)({_SECRET_KEY}[\w-]*[\"']?\s*[:=]\s*)\"(?:[^\"\\]|\\.)*\""),
     rf'\1"{MASK}"'),
    (re.compile(rf"(?i)({_SECRET_KEY}[\w-]*[\"']?\s*[:=]\s*[\"']?)[^\s\"',}}]+"), rf"\1{MASK}"),
)  # fmt: skip


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask anything that looks like a credential, and every known secret value."""
    for value in sorted(set(secrets), key=len, reverse=True):
        if len(value) >= MIN_SECRET_LENGTH:
            text = text.replace(value, MASK)
            escaped = json.dumps(value)[1:-1]  # as it appears inside a JSON document
            text = text.replace(escaped, MASK)
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


_SECRET_KEY_NAME = re.compile(rf"(?i){_SECRET_KEY}|authorization|cookie")
# Tables whose every value is a secret: MCP servers' environment and HTTP headers.
_SECRET_TABLES = frozenset({"env", "headers"})


def is_secret_key(dotted_key: str) -> bool:
    """True for a key whose value must never be shown (`mcpServers.x.env.TOKEN`, `password`)."""
    parts = [part for part in re.split(r"[.\[\]/]", dotted_key) if part]
    if any(part.lower() in _SECRET_TABLES for part in parts[:-1]):
        return True
    return bool(parts) and bool(_SECRET_KEY_NAME.search(parts[-1]))


def redact_value(dotted_key: str, value: Any) -> Any:
    """A settings or document value fit to show: secret keys masked, nested ones too."""
    if value is None:
        return None
    if is_secret_key(dotted_key):
        return MASK
    if isinstance(value, dict):
        return {key: redact_value(f"{dotted_key}.{key}", item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(dotted_key, item) for item in value]
    return redact(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Redactor:
    """`redact` with this run's secret values (from the settings) built in."""

    secrets: tuple[str, ...] = ()

    def __call__(self, text: str) -> str:
        """Mask credentials and this run's secret values in `text`."""
        return redact(text, self.secrets)
