"""A small JSON-with-comments editor: change one member's value in place, keep everything else.

VS Code style settings files carry comments, trailing commas and a person's own layout. The
editor parses the text into spans (where each member's key and value start and end), and edits
splice new text into those spans, so every byte it was not asked to change stays as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kiro_bootstrap.parsing import ParseLimitError, check_nesting

DEFAULT_INDENT = "    "
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_WHITESPACE = " \t\r\n\ufeff"


class JsoncError(ValueError):
    """The text is not JSON with comments; `position` is the character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at character {position}")
        self.position = position


@dataclass
class Member:
    """One `"key": value` of an object, with the spans the editor splices into."""

    key: str
    key_start: int
    value: Node
    comma_end: int | None  # just after the comma that follows the value, if any


@dataclass
class Node:
    """A parsed value: its Python form, its span, and for objects its members in order."""

    value: Any
    start: int
    end: int
    open_end: int = 0  # objects: just after "{"
    close_start: int = 0  # objects: the "}"
    members: list[Member] = field(default_factory=list)

    def member(self, key: str) -> Member | None:
        """The last member named `key` (the one a JSON reader keeps), or None."""
        found = [member for member in self.members if member.key == key]
        return found[-1] if found else None


class _Parser:
    """Recursive descent over JSON plus // and /* */ comments and trailing commas."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def fail(self, message: str) -> JsoncError:
        return JsoncError(message, self.position)

    def skip_blank(self) -> None:
        """Move past whitespace and comments."""
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            if char in _WHITESPACE:
                self.position += 1
            elif text.startswith("//", self.position):
                newline = text.find("\n", self.position)
                self.position = len(text) if newline < 0 else newline
            elif text.startswith("/*", self.position):
                close = text.find("*/", self.position + 2)
                if close < 0:
                    raise self.fail("unterminated /* comment")
                self.position = close + 2
            else:
                return

    def parse_document(self) -> Node:
        self.skip_blank()
        node = self.parse_value()
        self.skip_blank()
        if self.position != len(self.text):
            raise self.fail("unexpected text after the value")
        return node

    def parse_value(self) -> Node:
        if self.position >= len(self.text):
            raise self.fail("unexpected end of text")
        char = self.text[self.position]
        if char == "{":
            return self.parse_object()
        if char == "[":
            return self.parse_array()
        if char == '"':
            start = self.position
            return Node(self.parse_string(), start, self.position)
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.position):
                start = self.position
                self.position += len(word)
                return Node(literal, start, self.position)
        match = _NUMBER.match(self.text, self.position)
        if match is None:
            raise self.fail(f"unexpected {char!r}")
        self.position = match.end()
        return Node(json.loads(match.group()), match.start(), match.end())

    def parse_string(self) -> str:
        start = self.position
        self.position += 1
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            if char == "\\":
                self.position += 2
            elif char == '"':
                self.position += 1
                try:
                    value: str = json.loads(text[start : self.position])
                except json.JSONDecodeError as error:
                    raise JsoncError(f"bad string ({error.msg})", start) from None
                return value
            elif char == "\n":
                raise self.fail("line break inside a string")
            else:
                self.position += 1
        raise JsoncError("unterminated string", start)

    def expect(self, char: str) -> None:
        if not self.text.startswith(char, self.position):
            raise self.fail(f"expected {char!r}")
        self.position += 1

    def parse_object(self) -> Node:
        node = Node({}, self.position, 0)
        self.expect("{")
        node.open_end = self.position
        while True:
            self.skip_blank()
            if self.text.startswith("}", self.position):
                break
            if not self.text.startswith('"', self.position):
                raise self.fail("expected a quoted key or '}'")
            key_start = self.position
            key = self.parse_string()
            self.skip_blank()
            self.expect(":")
            self.skip_blank()
            value = self.parse_value()
            member = Member(key, key_start, value, None)
            node.members.append(member)
            node.value[key] = value.value
            self.skip_blank()
            if self.text.startswith(",", self.position):
                self.position += 1
                member.comma_end = self.position
            elif not self.text.startswith("}", self.position):
                raise self.fail("expected ',' or '}'")
        node.close_start = self.position
        self.position += 1
        node.end = self.position
        return node

    def parse_array(self) -> Node:
        node = Node([], self.position, 0)
        self.expect("[")
        while True:
            self.skip_blank()
            if self.text.startswith("]", self.position):
                break
            node.value.append(self.parse_value().value)
            self.skip_blank()
            if self.text.startswith(",", self.position):
                self.position += 1
            elif not self.text.startswith("]", self.position):
                raise self.fail("expected ',' or ']'")
        self.position += 1
        node.end = self.position
        return node


def parse(text: str) -> Node:
    """Parse JSON with comments and trailing commas; raise JsoncError when it is not."""
    try:
        check_nesting(text, what="the document")
    except ParseLimitError as error:
        raise JsoncError(str(error), 0) from None
    return _Parser(text).parse_document()


def holds_value(text: str) -> bool:
    """False for a text of only whitespace and comments, which VS Code reads as no settings."""
    parser = _Parser(text)
    parser.skip_blank()
    return parser.position < len(text)


def load(text: str) -> Any:
    """The Python value of a JSONC text (one with only comments, or nothing, is an empty object)."""
    if not holds_value(text):
        return {}
    return parse(text).value


def _line_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def _indent_before(text: str, position: int) -> str | None:
    """The whitespace before `position` on its line, or None when other text precedes it."""
    prefix = text[_line_start(text, position) : position]
    return prefix if prefix.strip(" \t") == "" else None


def _leading_blank(text: str, position: int) -> int:
    """How many spaces and tabs start at `position`."""
    end = position
    while end < len(text) and text[end] in " \t":
        end += 1
    return end - position


def _indent_unit(text: str) -> str:
    """The file's indentation step, guessed from its top-level members."""
    try:
        root = parse(text)
    except JsoncError:
        return DEFAULT_INDENT
    for member in root.members:
        indent = _indent_before(text, member.key_start)
        if indent:
            return indent
    return DEFAULT_INDENT


def _newline(text: str) -> str:
    """The file's line ending: CRLF when it uses CRLF, else LF."""
    return "\r\n" if "\r\n" in text else "\n"


def _render(value: Any, unit: str, base: str, newline: str = "\n") -> str:
    """`value` as JSON laid out with the file's indentation, continuing at depth `base`."""
    rendered = json.dumps(value, indent=unit, ensure_ascii=False)
    return rendered.replace("\n", newline + base)


def _end_of_line(text: str, position: int, limit: int) -> int:
    """Where the line holding `position` ends, stepping over comments (even multi-line ones)."""
    while position < limit:
        if text[position] in " \t\r":
            position += 1
        elif text.startswith("//", position):
            newline = text.find("\n", position)
            return limit if newline < 0 or newline > limit else newline
        elif text.startswith("/*", position):
            position = text.index("*/", position) + 2
        else:
            break
    if text[position - 1 : position] == "\r":
        position -= 1
    return position


def _find(root: Node, path: Sequence[str]) -> tuple[Node, int]:
    """The deepest existing object along `path` and how many keys of the path it consumed."""
    node, depth = root, 0
    for key in path[:-1]:
        member = node.member(key)
        if member is None or not isinstance(member.value.value, dict):
            break
        node, depth = member.value, depth + 1
    return node, depth


def _nest(path: Sequence[str], value: Any) -> Any:
    for key in reversed(path):
        value = {key: value}
    return value


def get(text: str, path: Sequence[str]) -> tuple[bool, Any]:
    """(True, value) for the member at `path`, or (False, None) when it is absent."""
    current: Any = load(text)
    for key in path:
        if not isinstance(current, dict) or key not in current:
            return False, None
        current = current[key]
    return True, current


def set_value(text: str, path: Sequence[str], value: Any) -> str:
    """Set the member at `path` (creating objects on the way), leaving all other bytes alone."""
    if not holds_value(text):
        # Only comments (or nothing): they stay, the new object follows them.
        newline = _newline(text)
        blank = not text.strip(_WHITESPACE)
        head = "" if blank else text if text.endswith("\n") else text + newline
        return head + _render(_nest(path, value), DEFAULT_INDENT, "", newline) + newline
    root = parse(text)
    if not isinstance(root.value, dict):
        raise JsoncError("the top level is not an object", root.start)
    unit = _indent_unit(text)
    parent, depth = _find(root, path)
    member = parent.member(path[depth])
    if member is None:
        return _insert_member(text, parent, path[depth], _nest(path[depth + 1 :], value), unit)
    # The member exists: either the one we want, or an intermediate key holding a non-object,
    # which becomes the object we need.
    base = _indent_before(text, member.key_start) or ""
    replacement = _render(_nest(path[depth + 1 :], value), unit, base, _newline(text))
    return text[: member.value.start] + replacement + text[member.value.end :]


def merge_value(text: str, path: Sequence[str], value: Any) -> str:
    """Like `set_value`, but an object already there is changed member by member.

    Comments inside the object (a person's note in an organisation's MCP entry) then survive
    when its members are put back; only members whose values differ are rewritten.
    """
    present, current = get(text, path)
    if not (present and isinstance(current, dict) and isinstance(value, dict)) or not value:
        return text if present and _same(current, value) else set_value(text, path, value)
    for key in [key for key in current if key not in value]:
        text = delete_value(text, [*path, key])
    for key, member in value.items():
        if key not in current or not _same(current[key], member):
            text = merge_value(text, [*path, key], member)
    return text


def _same(first: Any, second: Any) -> bool:
    """Equal as JSON (so `1` and `true`, or `1` and `1.0`, differ as they do in the file)."""
    return json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def _insert_member(text: str, parent: Node, key: str, value: Any, unit: str) -> str:
    """Add `"key": value` as the object's last member, in the object's own layout."""
    newline = _newline(text)
    entry_key = json.dumps(key, ensure_ascii=False)
    start_of_line = _line_start(text, parent.start)
    outer = text[start_of_line : start_of_line + _leading_blank(text, start_of_line)]
    if not parent.members:
        indent = outer + unit
        entry = f"{indent}{entry_key}: {_render(value, unit, indent, newline)}{newline}{outer}"
        head = text[: parent.close_start].rstrip(" \t")
        if not text[parent.open_end : parent.close_start].strip(_WHITESPACE):
            head = text[: parent.open_end]  # an empty {}: nothing inside worth keeping
        separator = "" if head.endswith("\n") else newline
        return head + separator + entry + text[parent.close_start :]
    last = parent.members[-1]
    after_last = last.comma_end if last.comma_end is not None else last.value.end
    if "\n" not in text[after_last : parent.close_start]:
        # A one-line object such as {"a": 1}: continue on the same line.
        comma = "" if last.comma_end is not None else ","
        entry = f" {entry_key}: {json.dumps(value, ensure_ascii=False)}"
        return text[:after_last] + comma + entry + text[after_last:]
    found_indent = _indent_before(text, last.key_start)
    indent = outer + unit if found_indent is None else found_indent
    # Insert after the rest of the last member's line, so a comment there stays with it.
    insert_at = _end_of_line(text, after_last, parent.close_start)
    trailing = "," if last.comma_end is not None else ""
    entry = f"{newline}{indent}{entry_key}: {_render(value, unit, indent, newline)}{trailing}"
    head = text[:insert_at]
    if last.comma_end is None:
        head = text[: last.value.end] + "," + text[last.value.end : insert_at]
    return head + entry + text[insert_at:]


def delete_value(text: str, path: Sequence[str]) -> str:
    """Remove the member at `path` (and its line, when it had one to itself)."""
    if not holds_value(text):
        return text
    root = parse(text)
    parent, depth = _find(root, path)
    member = parent.member(path[-1]) if depth == len(path) - 1 else None
    if member is None:
        return text
    start = member.key_start
    end = member.comma_end if member.comma_end is not None else member.value.end
    line_end = text.find("\n", end)
    rest_of_line = text[end : len(text) if line_end < 0 else line_end + 1]
    at_line_start = _indent_before(text, start) is not None
    if at_line_start and rest_of_line.strip(" \t\r\n") == "":
        start, end = _line_start(text, start), end + len(rest_of_line)
    elif not at_line_start:  # inside a line ({"a": 1, "b": 2}): its separating space goes too
        while start > 0 and text[start - 1] in " \t":
            start -= 1
    edited = text[:start] + text[end:]
    members = parent.members
    if member is members[-1] and member.comma_end is None and len(members) > 1:
        # The member before now ends the object: drop its comma so no trailing comma appears.
        previous_comma = members[-2].comma_end
        if previous_comma is not None:
            edited = edited[: previous_comma - 1] + edited[previous_comma:]
    return edited
