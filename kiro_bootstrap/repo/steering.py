"""Steering front matter as Kiro reads it: `inclusion` and what each mode needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiro_bootstrap.configure.steering import INCLUSION_MODES

FENCE = "---"
FILE_MATCH = "fileMatch"
AUTO = "auto"
# `auto` files are picked by Kiro matching the request against their description [reported].
AUTO_NEEDS = ("name", "description")

Finding = tuple[int, str]  # (1-based line, message)


@dataclass
class FrontMatter:
    """Front matter keys with their values (a list for YAML list items) and lines."""

    values: dict[str, str | list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_front_matter(text: str) -> tuple[FrontMatter | None, list[Finding]]:
    """The front matter (None when the file has none) and what could not be read in it."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        return None, []
    matter, findings = FrontMatter(), list[Finding]()
    last_key: str | None = None
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if stripped == FENCE:
            return matter, findings
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("- ") and last_key is not None:
            current = matter.values.get(last_key)
            items = current if isinstance(current, list) else []
            matter.values[last_key] = [*items, _unquote(stripped[2:])]
        elif ":" in stripped and not line[0].isspace():
            key, value = stripped.split(":", 1)
            last_key = key.strip()
            matter.values[last_key] = _unquote(value)
            matter.lines[last_key] = number
        else:
            findings.append((number, "front matter line is not `key: value`"))
    return matter, [(1, "front matter has no closing '---'")]


def _present(value: str | list[str] | None) -> bool:
    if isinstance(value, list):
        return any(item.strip() for item in value)
    return bool(value and value.strip() not in ("[]", '""', "''"))


def steering_findings(text: str) -> list[Finding]:
    """Problems Kiro would trip over: a bad `inclusion`, or a mode without what it needs."""
    matter, findings = parse_front_matter(text)
    if matter is None or (findings and findings[-1][1].startswith("front matter has no")):
        return findings
    inclusion = matter.values.get("inclusion")
    line = matter.lines.get("inclusion", 1)
    if inclusion is None:
        return findings  # Kiro's default is `always`
    if not isinstance(inclusion, str) or inclusion not in INCLUSION_MODES:
        findings.append(
            (line, f"inclusion {inclusion!r} is not one of {', '.join(INCLUSION_MODES)}")
        )
        return findings
    if inclusion == FILE_MATCH and not _present(matter.values.get("fileMatchPattern")):
        findings.append((line, "inclusion fileMatch needs a fileMatchPattern"))
    if inclusion == AUTO:
        for key in AUTO_NEEDS:
            if not _present(matter.values.get(key)):
                findings.append((line, f"inclusion auto needs a {key}"))
    return findings
