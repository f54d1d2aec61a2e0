"""The Desktop Entry format (freedesktop.org): the `Exec=` grammar and key-by-key edits.

`Exec=` is a string value (so `\\` is escaped once for the key file) holding arguments quoted
per the spec: an argument with a reserved character goes in double quotes, inside which
`"`, `` ` ``, `$` and `\\` take a backslash; a literal `%` is `%%`. GLib's `gio launch`
undoes exactly these two layers, so a HOME with a space launches.
A launch environment is an `env NAME=VALUE …` prefix of `Exec=`: the one way a desktop entry
gives a GUI app variables, and one the spec's grammar keeps intact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

ENTRY_GROUP = "Desktop Entry"
ENV_PROGRAM = "env"
FIELD_CODE = "%F"
# Reserved characters of the spec's "Exec key" section: an argument holding one is quoted.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_QUOTE_ESCAPED = re.compile(r'(["`$\\])')
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_GROUP = re.compile(r"^\[(?P<name>[^\[\]]+)\]\s*$")


def quote_argument(argument: str) -> str:
    """One argument in the spec's Exec quoting (before the string-level escape)."""
    argument = argument.replace("%", "%%")
    if argument and not _RESERVED.intersection(argument):
        return argument
    return '"' + _QUOTE_ESCAPED.sub(r"\\\1", argument) + '"'


def exec_value(arguments: Sequence[str], *, field_code: str | None = FIELD_CODE) -> str:
    """The value of `Exec=` as written in the file (string escape applied)."""
    line = " ".join(quote_argument(argument) for argument in arguments)
    if field_code:
        line += f" {field_code}"
    return line.replace("\\", "\\\\")


def split_exec(value: str) -> list[str]:
    """The arguments of an `Exec=` value as written in the file (field codes kept as text)."""
    text = _unescape_string(value)
    arguments: list[str] = []
    current: list[str] = []
    in_argument = in_quotes = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_quotes:
            if char == "\\" and index + 1 < len(text) and text[index + 1] in '"`$\\':
                current.append(text[index + 1])
                index += 1
            elif char == '"':
                in_quotes = False
            else:
                current.append(char)
        elif char == '"':
            in_quotes = in_argument = True
        elif char in " \t":
            if in_argument:
                arguments.append("".join(current))
                current, in_argument = [], False
        else:
            current.append(char)
            in_argument = True
        index += 1
    if in_quotes:
        raise ValueError("an unclosed quote in Exec")
    if in_argument:
        arguments.append("".join(current))
    return [argument.replace("%%", "%") for argument in arguments]


def _unescape_string(value: str) -> str:
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    return re.sub(r"\\(.)", lambda match: escapes.get(match.group(1), match.group(0)), value)


def split_environment(value: str) -> tuple[dict[str, str], str]:
    """An `Exec=` value without its `env NAME=VALUE …` prefix: (variables, the rest as written)."""
    arguments = split_exec(value)
    if not arguments or arguments[0] != ENV_PROGRAM:
        return {}, value
    variables: dict[str, str] = {}
    rest = arguments[1:]
    while rest and _ASSIGNMENT.match(rest[0]):
        name, _, setting = rest.pop(0).partition("=")
        variables[name] = setting
    field_code = rest.pop() if rest and _is_field_code(rest[-1]) else None
    return variables, exec_value(rest, field_code=field_code)


def _is_field_code(argument: str) -> bool:
    return len(argument) == 2 and argument.startswith("%")


def with_environment(value: str, variables: Mapping[str, str]) -> str:
    """`value` (an `Exec=` value) run with `variables`; an earlier prefix is replaced."""
    _old, command = split_environment(value)
    if not variables:
        return command
    arguments = split_exec(command)
    field_code = None
    if arguments and _is_field_code(arguments[-1]):
        field_code = arguments.pop()
    assignments = [f"{name}={setting}" for name, setting in variables.items()]
    return exec_value([ENV_PROGRAM, *assignments, *arguments], field_code=field_code)


def read_key(text: str, group: str, key: str) -> str | None:
    """The value of `key` in `group` (the unlocalised key), or None."""
    current = None
    for line in text.splitlines():
        header = _GROUP.match(line.strip())
        if header:
            current = header.group("name")
        elif current == group and line.split("=", 1)[0].strip() == key and "=" in line:
            return line.split("=", 1)[1].strip()
    return None


def groups_with_key(text: str, key: str) -> list[str]:
    """The groups that set `key` (the entry and its actions)."""
    found, current = [], None
    for line in text.splitlines():
        header = _GROUP.match(line.strip())
        if header:
            current = header.group("name")
        elif current and "=" in line and line.split("=", 1)[0].strip() == key:
            found.append(current)
    return found


def replace_key(text: str, group: str, key: str, value: str) -> str:
    """`text` with `key` in `group` set to `value` (added at the group's end when absent)."""
    lines = text.splitlines(keepends=True)
    current, last_line_of_group = None, None
    for index, line in enumerate(lines):
        header = _GROUP.match(line.strip())
        if header:
            current = header.group("name")
            continue
        if current != group:
            continue
        last_line_of_group = index
        if "=" in line and line.split("=", 1)[0].strip() == key:
            ending = "\r\n" if line.endswith("\r\n") else "\n"
            lines[index] = f"{key}={value}{ending}"
            return "".join(lines)
    if last_line_of_group is None:
        raise ValueError(f"the desktop entry has no [{group}] group")
    lines.insert(last_line_of_group + 1, f"{key}={value}\n")
    return "".join(lines)


def without_environment(text: str) -> str:
    """A whole entry with the environment prefix taken off every `Exec=`."""
    for group in groups_with_key(text, "Exec"):
        value = read_key(text, group, "Exec") or ""
        text = replace_key(text, group, "Exec", split_environment(value)[1])
    return text
