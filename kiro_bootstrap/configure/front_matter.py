"""Steering front matter as YAML, the way Kiro reads it (PyYAML's `safe_load` here).

Front matter is the block between a first line `---` and the next `---`. An unquoted value
starting with `*` is a YAML alias, so `fileMatchPattern: *.ts` does not load; `quote_lines`
rewrites such `key: value` lines with double quotes, the form that round-trips.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

FENCE = "---"
# A top-level `key: value` line or a list item, the only shapes `quote_lines` rewrites.
_SIMPLE_LINE = re.compile(r"^(?P<head>(?:[A-Za-z_][\w.-]*:|\s+-)\s+)(?P<value>\S.*?)\s*$")


class FrontMatterError(ValueError):
    """Front matter that is not YAML (or has no closing fence), with its 1-based line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class FrontMatter:
    """The loaded mapping, the 1-based line of each top-level key, and the body's first line."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


def split(text: str) -> tuple[str, str] | None:
    """(front matter, rest) or None when the text has none; FrontMatterError when unclosed."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == FENCE:
            return "".join(lines[1:index]), "".join(lines[index:])
    raise FrontMatterError("front matter has no closing '---'", 1)


def _hint(block: str, line: int) -> str:
    lines = block.splitlines()
    source = lines[line - 2] if 0 <= line - 2 < len(lines) else ""
    match = _SIMPLE_LINE.match(source)
    if match and match.group("value")[:1] in "*&!%@`|>":
        quoted = match.group("head") + json.dumps(match.group("value"))
        return f" (quote the value: {quoted.strip()})"
    return ""


def load(text: str) -> FrontMatter | None:
    """The front matter of a steering file, or None when it has none."""
    import yaml

    parts = split(text)
    if parts is None:
        return None
    block = parts[0]
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
        values = yaml.safe_load(block)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = 2 + (mark.line if mark else 0)  # the opening fence is line 1
        problem = error.problem or error.context or "not YAML"
        message = f"front matter is not YAML: {problem}{_hint(block, line)}"
        raise FrontMatterError(message, line) from None
    except yaml.YAMLError as error:
        raise FrontMatterError(f"front matter is not YAML: {error}", 1) from None
    if values is None:
        return FrontMatter()
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise FrontMatterError("front matter must be `key: value` lines", 2)
    lines = {str(key.value): 2 + key.start_mark.line for key, _value in node.value}
    return FrontMatter({str(key): value for key, value in values.items()}, lines)


def quote_lines(text: str) -> str:
    """The text with each front-matter line that is not YAML on its own double-quoted."""
    import yaml

    parts = split(text)
    if parts is None:
        return text
    block, rest = parts
    fixed = []
    for line in block.splitlines(keepends=True):
        match = _SIMPLE_LINE.match(line.rstrip("\r\n"))
        try:
            yaml.safe_load(line)
            fixed.append(line)
        except yaml.YAMLError:
            if match is None:
                fixed.append(line)  # load() names it
                continue
            ending = line[len(line.rstrip("\r\n")) :]
            fixed.append(match.group("head") + json.dumps(match.group("value")) + ending)
    first = text.splitlines(keepends=True)[0]
    return first + "".join(fixed) + rest
