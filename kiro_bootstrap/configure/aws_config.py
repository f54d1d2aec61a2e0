"""`~/.aws/config`: an `[sso-session NAME]` for `aws sso login` and `kiro-cli login`.

A line editor with botocore's grammar (configure/aws_ini.py), not configparser's writer:
configparser drops comments and re-spaces every section on write, and this file belongs to the
person. An option is changed where it is, whatever its letter case, separator or indentation;
the section is the one botocore reads (quoted names included). Everything else keeps its bytes,
and the result is loaded with configparser (strict) and botocore's loader before it is written.

`AWS_CONFIG_FILE` is honoured only when we run as the person (it is their environment); as
root acting for someone else, the variable describes root's setup, so their default file
(`~/.aws/config`) is used.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kiro_bootstrap.configure import aws_ini
from kiro_bootstrap.configure.documents import Document, pointer, split_pointer
from kiro_bootstrap.configure.reconcile import FilePlan
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.configure.writer import Writer
from kiro_bootstrap.errors import ConfigError

SECTION_KIND = "sso-session"
# An option line split into what stays (indent, name, separator) and the value we replace.
_OPTION_LINE = re.compile(r"^(?P<head>\s*[^=:]*?\s*[=:]\s*)(?P<value>.*?)(?P<end>\r?\n?)$")


class AwsConfigDocument(Document):
    """The file as lines; keys are "/<section>/<option>" pointers."""

    def __init__(self, data: bytes | None, path: Path = Path("~/.aws/config")) -> None:
        text = (data or b"").decode("utf-8")
        self.path = path
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.wanted: dict[tuple[str, str], str | None] = {}
        aws_ini.verify(text, path, ours=False)

    def _find(self, key: str) -> tuple[aws_ini.Section | None, aws_ini.Option | None]:
        section_name, option_name = split_pointer(key)
        section = aws_ini.find_section(aws_ini.scan(self.lines), section_name)
        return section, None if section is None else section.option(option_name)

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, value) or (False, None), the value as configparser joins it."""
        _section, option = self._find(key)
        if option is None:
            return False, None
        match = _OPTION_LINE.match(self.lines[option.line])
        parts = [match.group("value").strip() if match else ""]
        # configparser keeps a blank line inside a value and skips a comment line.
        for line in self.lines[option.line + 1 : option.last + 1]:
            if not line.strip().startswith(aws_ini.COMMENT_PREFIXES):
                parts.append(line.strip())
        return True, "\n".join(parts)

    def set(self, key: str, value: Any) -> None:
        """Change the option where it is, or add it to the section (or a new section)."""
        section_name, option_name = split_pointer(key)
        self.wanted[(section_name, option_name)] = str(value)
        self.changed = True
        section, option = self._find(key)
        if option is not None:
            match = _OPTION_LINE.match(self.lines[option.line])
            assert match is not None  # scan() found an option on this line
            head = match.group("head")
            head += "" if head[-1:].isspace() else " "
            end = match.group("end") or self.newline
            for index in reversed(option.continuations):  # the old value's other lines
                del self.lines[index]
            self.lines[option.line] = f"{head}{value}{end}"
            return
        if section is None:
            if self.lines and not self.lines[-1].endswith("\n"):
                self.lines[-1] += self.newline
            if self.lines and self.lines[-1].strip():
                self.lines.append(self.newline)
            self.lines += [
                f"[{section_name}]{self.newline}",
                f"{option_name} = {value}{self.newline}",
            ]
            return
        # After the section's last setting, at its indentation (deeper would continue it);
        # trailing comments and blank lines usually introduce the next section.
        last = section.options[-1].last if section.options else section.line
        indent = ""
        if section.options:
            option_line = self.lines[section.options[-1].line]
            indent = option_line[: len(option_line) - len(option_line.lstrip())]
        if not self.lines[last].endswith("\n"):
            self.lines[last] += self.newline
        self.lines.insert(last + 1, f"{indent}{option_name} = {value}{self.newline}")

    def delete(self, key: str) -> None:
        """Remove our option's lines; a section left with nothing in it goes too."""
        section_name, option_name = split_pointer(key)
        section, option = self._find(key)
        if section is None or option is None:
            return
        self.wanted[(section_name, option_name)] = None
        self.changed = True
        for index in reversed([option.line, *option.continuations]):
            del self.lines[index]
        section = aws_ini.find_section(aws_ini.scan(self.lines), section_name)
        if section is None or section.options:
            return
        following = [s.line for s in aws_ini.scan(self.lines) if s.line > section.line]
        end = following[0] if following else len(self.lines)
        if any(line.strip() for line in self.lines[section.line + 1 : end]):
            return  # the person's comments stay, with the header that explains them
        # Remove the empty section and the blank line we put before it.
        start = section.line
        if start > 0 and not self.lines[start - 1].strip():
            start -= 1
        del self.lines[start:end]

    def is_empty(self) -> bool:
        """True when the file has nothing but blank lines."""
        return not any(line.strip() for line in self.lines)

    def render(self) -> bytes | None:
        """The lines as UTF-8, once botocore reads back exactly what we set."""
        text = "".join(self.lines)
        loaded = aws_ini.verify(text, self.path, ours=True)
        sessions = loaded.get("sso_sessions", {})
        for (section_name, option_name), value in self.wanted.items():
            kind_and_name = aws_ini.botocore_name(section_name)
            read = sessions.get(kind_and_name[-1], {}).get(option_name)
            if kind_and_name[0] == SECTION_KIND and read != value:
                raise ConfigError(
                    f"Editing the AWS config file {self.path} would not give botocore "
                    f"{option_name} = {value} (it would read {read!r}); nothing was written.",
                    hint="Add the [sso-session] section by hand (README shows it).",
                )
        return text.encode("utf-8")


def config_path(ws: Workstation) -> Path:
    """The person's AWS config file."""
    configured = ws.own_variable("AWS_CONFIG_FILE")
    if configured:
        if configured.startswith("~"):
            return ws.home / configured[1:].lstrip("/\\")
        return Path(configured)
    return ws.home / ".aws" / "config"


def desired_sso_session(ws: Workstation) -> dict[str, str]:
    """The sso-session keys, when the organisation names its Identity Center."""
    identity_center = ws.settings.identity_center
    if not (identity_center.start_url and identity_center.region):
        return {}
    section = f"{SECTION_KIND} {identity_center.sso_session_name}"
    return {
        pointer(section, "sso_start_url"): identity_center.start_url,
        pointer(section, "sso_region"): identity_center.region,
        pointer(section, "sso_registration_scopes"): ",".join(identity_center.registration_scopes),
    }


def open_document(_ws: Workstation, path: Path, before: bytes | None) -> Document:
    """Read the file as lines; one botocore cannot load, or not UTF-8, stops the run (exit 2)."""
    try:
        return AwsConfigDocument(before, path)
    except UnicodeDecodeError:
        raise ConfigError(
            f"The AWS config file {path} is not UTF-8 text; nothing was written."
        ) from None


WRITER = Writer(
    file_format="aws-ini",
    label="AWS config (sso-session)",
    scope="user",
    mode=0o600,
    open_document=open_document,
)


def plan(ws: Workstation) -> list[FilePlan]:
    """Plan the sso-session section."""
    return [WRITER.plan(ws, ws.user_file(config_path(ws)), desired_sso_session(ws))]
