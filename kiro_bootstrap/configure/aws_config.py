"""`~/.aws/config`: an `[sso-session NAME]` for `aws sso login` and `kiro-cli login`.

A line editor, not configparser: configparser drops comments and re-spaces every section on
write, and this file belongs to the person. Only the lines of our keys change; everything
else keeps its bytes.

`AWS_CONFIG_FILE` is honoured only when we run as the person (it is their environment); as
root acting for someone else, the variable describes root's setup, so their default file
(`~/.aws/config`) is used.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kiro_bootstrap.configure.documents import Document, pointer, split_pointer
from kiro_bootstrap.configure.reconcile import FilePlan, plan_keys
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.errors import ConfigError

FORMAT = "aws-ini"
LABEL = "AWS config (sso-session)"
MODE = 0o600
SECTION_KIND = "sso-session"
_HEADER = re.compile(r"^\s*\[([^\]]+)\]\s*(?:[#;].*)?$")
_OPTION = re.compile(r"^([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$")


def _section_name(raw: str) -> str:
    return " ".join(raw.split())


class AwsConfigDocument(Document):
    """The file as lines; keys are "/<section>/<option>" pointers."""

    def __init__(self, data: bytes | None) -> None:
        text = (data or b"").decode("utf-8")
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def _section(self, name: str) -> tuple[int, int] | None:
        """(header line, end line exclusive) of the first section called `name`."""
        start = None
        for index, line in enumerate(self.lines):
            match = _HEADER.match(line.rstrip("\r\n"))
            if match is None:
                continue
            if start is not None:
                return start, index
            if _section_name(match.group(1)) == name:
                start = index
        return None if start is None else (start, len(self.lines))

    def _option(self, section: str, option: str) -> int | None:
        span = self._section(section)
        if span is None:
            return None
        for index in range(span[0] + 1, span[1]):
            match = _OPTION.match(self.lines[index].rstrip("\r\n"))
            if match and match.group(1) == option:
                return index
        return None

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, value) or (False, None)."""
        section, option = split_pointer(key)
        index = self._option(section, option)
        if index is None:
            return False, None
        match = _OPTION.match(self.lines[index].rstrip("\r\n"))
        return True, match.group(2) if match else None

    def set(self, key: str, value: Any) -> None:
        """Replace our option's line, or add it at the end of the section (or a new section)."""
        section, option = split_pointer(key)
        line = f"{option} = {value}{self.newline}"
        self.changed = True
        index = self._option(section, option)
        if index is not None:
            self.lines[index] = line
            return
        span = self._section(section)
        if span is None:
            if self.lines and not self.lines[-1].endswith("\n"):
                self.lines[-1] += self.newline
            if self.lines and self.lines[-1].strip():
                self.lines.append(self.newline)
            self.lines += [f"[{section}]{self.newline}", line]
            return
        # After the section's last setting: trailing comments and blank lines usually
        # introduce the next section, so they stay with it.
        last = span[0]
        for index in range(span[0] + 1, span[1]):
            stripped = self.lines[index].strip()
            if stripped and not stripped.startswith(("#", ";")):
                last = index
        if not self.lines[last].endswith("\n"):
            self.lines[last] += self.newline
        self.lines.insert(last + 1, line)

    def delete(self, key: str) -> None:
        """Remove our option's line; a section left with no settings goes too."""
        section, option = split_pointer(key)
        index = self._option(section, option)
        if index is None:
            return
        del self.lines[index]
        self.changed = True
        span = self._section(section)
        if span is None:
            return
        body = self.lines[span[0] + 1 : span[1]]
        if any(line.strip() for line in body):
            return
        # Remove the empty section and the blank line we put before it.
        start = span[0]
        if start > 0 and not self.lines[start - 1].strip():
            start -= 1
        del self.lines[start : span[1]]

    def is_empty(self) -> bool:
        """True when the file has nothing but blank lines."""
        return not any(line.strip() for line in self.lines)

    def render(self) -> bytes | None:
        """The lines as UTF-8."""
        return "".join(self.lines).encode("utf-8")


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
    """Read the file as lines; one that is not UTF-8 stops the run (exit 2)."""
    try:
        return AwsConfigDocument(before)
    except UnicodeDecodeError:
        raise ConfigError(
            f"The AWS config file {path} is not UTF-8 text; nothing was written."
        ) from None


def plan(ws: Workstation) -> list[FilePlan]:
    """Plan the sso-session section."""
    path = ws.user_file(config_path(ws))
    before = ws.read(path)
    return [
        plan_keys(
            path=path,
            scope="user",
            label=LABEL,
            doc=open_document(ws, path, before),
            before=before,
            file_format=FORMAT,
            desired=desired_sso_session(ws),
            previous=ws.previous(path),
            mode=MODE,
        )
    ]
