"""Bounded parsing for every JSON and TOML document the tool reads.

Python's parsers recurse per nesting level, so a few thousand `[` turn into a RecursionError (a
traceback) instead of "this file is not valid". Every document is first checked for size, UTF-8
and nesting depth, then parsed; each failure is a `ParseLimitError`, a ValueError, so the callers
that already turn "not JSON" into exit 2 (or a refused roster) keep doing so.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

# Real settings.json, mcp.json, hooks and policies nest under 10 levels and weigh a few KiB.
MAX_DEPTH = 64
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
_OPENERS = frozenset("[{")
_CLOSERS = frozenset("]}")


class ParseLimitError(ValueError):
    """A document too large, too deep, not UTF-8 or not parseable; the message says which."""


def check_nesting(text: str, *, what: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse JSON (comments allowed) nested deeper than `max_depth`, before any parser recurses.

    Brackets inside strings and `//`, `/* */` comments do not count.
    """
    depth, index, length = 0, 0, len(text)
    while index < length:
        char = text[index]
        if char == '"':
            index = _string_end(text, index)
        elif text.startswith("//", index):
            index = _find_or_end(text, "\n", index)
        elif text.startswith("/*", index):
            index = _find_or_end(text, "*/", index + 2) + 1
        elif char in _OPENERS:
            depth += 1
            if depth > max_depth:
                raise ParseLimitError(
                    f"{what} is nested deeper than {max_depth} levels (at character {index})"
                )
        elif char in _CLOSERS:
            depth = max(depth - 1, 0)
        index += 1


def _string_end(text: str, start: int) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index
        index += 1
    return len(text)


def _find_or_end(text: str, needle: str, start: int) -> int:
    found = text.find(needle, start)
    return len(text) if found < 0 else found


def check_depth(value: Any, *, what: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse an already parsed value nested deeper than `max_depth` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise ParseLimitError(f"{what} is nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def decode_document(data: bytes, *, what: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> str:
    """UTF-8 text of a document no larger than `max_bytes`."""
    if len(data) > max_bytes:
        raise ParseLimitError(f"{what} is larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseLimitError(f"{what} is not UTF-8 text (byte {error.start})") from None


def load_json_text(text: str, *, what: str, max_depth: int = MAX_DEPTH) -> Any:
    """Strict JSON with the nesting and size caps."""
    if len(text) > MAX_DOCUMENT_BYTES:
        raise ParseLimitError(f"{what} is larger than {MAX_DOCUMENT_BYTES:,} characters")
    check_nesting(text, what=what, max_depth=max_depth)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ParseLimitError(f"{what} is not JSON ({_first_line(error)})") from None


def load_json_bytes(data: bytes, *, what: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """`load_json_text` over bytes that must be UTF-8."""
    return load_json_text(decode_document(data, what=what, max_bytes=max_bytes), what=what)


def load_toml_bytes(data: bytes, *, what: str) -> dict[str, Any]:
    """A TOML document with the caps; tomllib's own recursion becomes a clear error."""
    text = decode_document(data, what=what)
    try:
        loaded = tomllib.loads(text)
    except RecursionError:
        raise ParseLimitError(f"{what} is nested deeper than Python can parse") from None
    check_depth(loaded, what=what)
    return loaded


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
