"""Steering front matter as Kiro reads it: YAML, `inclusion`, and what each mode needs."""

from __future__ import annotations

from typing import NamedTuple

from kiro_bootstrap.configure import front_matter
from kiro_bootstrap.configure.steering import FILE_MATCH, INCLUSION_MODES

AUTO = "auto"
# `auto` files are picked by Kiro matching the request against their description [reported];
# public repositories hold `auto` files without them, so their absence is only a warning.
AUTO_WANTS = ("name", "description")
KNOWN_KEYS = frozenset({"inclusion", "fileMatchPattern", "name", "description"})


class Finding(NamedTuple):
    """One thing to report about a file: its 1-based line, a sentence, and whether it only warns."""

    line: int
    message: str
    warning: bool = False


def _present(value: object) -> bool:
    if isinstance(value, list):
        return any(isinstance(item, str) and item.strip() for item in value)
    return isinstance(value, str) and bool(value.strip())


def steering_findings(text: str) -> list[Finding]:
    """Problems Kiro would trip over (errors) and what it may not do as meant (warnings)."""
    try:
        matter = front_matter.load(text)
    except front_matter.FrontMatterError as error:
        return [Finding(error.line, str(error))]
    if matter is None:
        return []  # Kiro's default is `always`
    findings = [
        Finding(line, f"unknown front matter key {key!r} (Kiro may ignore it)", warning=True)
        for key, line in matter.lines.items()
        if key not in KNOWN_KEYS
    ]
    inclusion = matter.values.get("inclusion")
    line = matter.lines.get("inclusion", 1)
    if inclusion is None:
        return findings
    if not isinstance(inclusion, str) or inclusion not in INCLUSION_MODES:
        message = f"inclusion {inclusion!r} is not one of {', '.join(INCLUSION_MODES)}"
        return [*findings, Finding(line, message)]
    if inclusion == FILE_MATCH and not _present(matter.values.get("fileMatchPattern")):
        findings.append(Finding(line, "inclusion fileMatch needs a fileMatchPattern"))
    if inclusion == AUTO:
        for key in AUTO_WANTS:
            if not _present(matter.values.get(key)):
                message = f"inclusion auto without a {key}: Kiro matches requests against it"
                findings.append(Finding(line, message, warning=True))
    return findings
