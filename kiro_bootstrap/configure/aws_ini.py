"""`~/.aws/config` read by botocore's rules, so a line editor can change it in place.

botocore reads the file with `configparser.RawConfigParser()` (strict: a repeated section or
option is an error), then names sections with `shlex.split`: `[sso-session kiro]` and
`[sso-session "kiro"]` are the same session, the last one in the file wins. Option names are
case-insensitive, `=` and `:` both separate, and a line indented deeper than its option (comment
and blank lines in between) continues that option's value. `scan` follows exactly those rules,
with configparser's own regular expressions; `verify` loads a text with configparser (strict)
and botocore's loader before anything is written.
"""

from __future__ import annotations

import configparser
import os
import shlex
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiro_bootstrap import NAME
from kiro_bootstrap.errors import ConfigError

COMMENT_PREFIXES = ("#", ";")
_SECTION = configparser.RawConfigParser.SECTCRE
_OPTION = configparser.RawConfigParser.OPTCRE


@dataclass
class Option:
    """One option: its name as configparser keys it, its line and its last continuation line."""

    name: str
    line: int
    last: int
    continuations: list[int] = field(default_factory=list)


@dataclass
class Section:
    """One section: configparser's name for it, its header line and its options."""

    header: str
    line: int
    options: list[Option] = field(default_factory=list)

    def option(self, name: str) -> Option | None:
        """The option called `name` (any letter case), or None."""
        wanted = name.lower()
        return next((option for option in self.options if option.name == wanted), None)


def botocore_name(header: str) -> tuple[str, ...]:
    """A section name the way botocore splits it (`sso-session "kiro"` → sso-session, kiro)."""
    try:
        return tuple(shlex.split(header))
    except ValueError:  # an unbalanced quote: botocore ignores the section
        return (header,)


def scan(lines: list[str]) -> list[Section]:
    """Sections and options with their line numbers (0-based), by configparser's rules."""
    sections: list[Section] = []
    option: Option | None = None
    indent_level = 0
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        value = line.strip()
        if not value or value.startswith(COMMENT_PREFIXES):
            continue  # blank and comment lines never end a value
        indent = len(line) - len(line.lstrip())
        if sections and option is not None and indent > indent_level:
            option.last = index
            option.continuations.append(index)
            continue
        indent_level = indent
        header = _SECTION.match(value)
        if header:
            sections.append(Section(header.group("header"), index))
            option = None
        elif sections and (match := _OPTION.match(value)):
            option = Option(match.group("option").rstrip().lower(), index, index)
            sections[-1].options.append(option)
    return sections


def find_section(sections: list[Section], name: str) -> Section | None:
    """The section botocore uses for `name` ("sso-session kiro"): the last that matches."""
    wanted = botocore_name(name)
    found = [section for section in sections if botocore_name(section.header) == wanted]
    return found[-1] if found else None


def _line_at_fault(error: configparser.Error) -> str:
    lineno = getattr(error, "lineno", None)
    if isinstance(error, configparser.MissingSectionHeaderError):  # a ParsingError subclass
        return f"line {lineno} comes before any [section]"
    if isinstance(error, configparser.ParsingError) and getattr(error, "errors", None):
        lineno = error.errors[0][0]
        return f"line {lineno} is neither a [section], a `name = value` setting nor a comment"
    if isinstance(error, configparser.DuplicateOptionError):
        return f"line {lineno} repeats {error.option!r} in [{error.section}]"
    if isinstance(error, configparser.DuplicateSectionError):
        return f"line {lineno} repeats the section [{error.section}]"
    return str(error).splitlines()[0]


def load_with_botocore(text: str) -> dict[str, Any]:
    """What botocore's own loader makes of `text` (a private temporary copy is read)."""
    from botocore.configloader import load_config
    from botocore.exceptions import ConfigParseError

    with tempfile.TemporaryDirectory(prefix=f"{NAME}-aws-") as folder:
        copy = Path(folder) / "config"
        descriptor = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            return dict(load_config(str(copy)))
        except ConfigParseError as error:
            raise ValueError(str(error.kwargs.get("error", error))) from None


def verify(text: str, path: Path, *, ours: bool) -> dict[str, Any]:
    """botocore's view of `text`; exit 2 naming the line at fault when botocore cannot load it.

    `ours` says whether the text is our edit (a bug of ours) or the person's file as found.
    """
    try:
        configparser.RawConfigParser(strict=True).read_string(text)
        return load_with_botocore(text)
    except (configparser.Error, ValueError) as error:
        reason = _line_at_fault(error) if isinstance(error, configparser.Error) else str(error)
        if ours:
            raise ConfigError(
                f"Editing the AWS config file {path} would leave it unreadable to the AWS CLI "
                f"({reason}); nothing was written.",
                hint="Add the [sso-session] section by hand (README shows it) and report this.",
            ) from None
        raise ConfigError(
            f"The AWS CLI cannot read the AWS config file {path}: {reason}; nothing was written.",
            hint="Fix that line (`aws configure list-profiles` shows the same error), "
            "then run again.",
        ) from None
