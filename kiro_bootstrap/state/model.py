"""The records kept in the status files; every field is plain JSON so MDM can read it.

Two files: the machine-wide one (system scope install, plus one record per user the tool ran
for — shared Macs, Windows multi-session) and a per-user one in each person's state folder.
Fields this version does not know (written by a newer one) are kept on rewrite.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

STATUS_SCHEMA = "kiro-bootstrap-status/1"


def _known(kind: type[Any], data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split `data` into the dataclass's fields and everything else."""
    names = {item.name for item in dataclasses.fields(kind)} - {"extra"}
    known = {key: value for key, value in data.items() if key in names}
    return known, {key: value for key, value in data.items() if key not in names}


@dataclass(frozen=True)
class InstallRecord:
    """One Kiro this tool installed: what, where, how, and how it was verified."""

    version: str
    target: str
    scope: str  # "user" | "system"
    method: str  # "tarball" | "deb" | "dmg" | "inno"
    location: str  # the install folder (Linux: the versioned folder `current` points at)
    installed_at: str
    sha256: str | None = None
    url: str | None = None
    pinned: bool = False  # an organisation SHA-256 pin matched
    verification: list[dict[str, Any]] = field(default_factory=list)
    unsupported_os_allowed: bool = False
    # Files outside `location` the install created ("created") or replaced (path → backup).
    created: list[str] = field(default_factory=list)
    replaced: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON object stored in the status files."""
        data = {k: v for k, v in dataclasses.asdict(self).items() if k != "extra"}
        return {**self.extra, **data}

    @classmethod
    def from_json(cls, data: Any) -> InstallRecord | None:
        """Read a stored record; None when it is missing or not one."""
        if not isinstance(data, dict):
            return None
        known, extra = _known(cls, data)
        try:
            return cls(**known, extra=extra)
        except TypeError:
            return None


@dataclass(frozen=True)
class UserStatus:
    """The inventory record of one person on this machine (MDM reads these fields)."""

    user: str
    agent_version: str
    updated_at: str  # when this record was last written (by any command, `status` included)
    # The last run that acts (install, uninstall); `status` never changes these four, so
    # "the last install failed" stays apart from "the last check found drift" (`last_check`).
    last_command: str | None  # None: only `status` has written this record so far
    last_exit_code: int | None
    last_run_at: str | None = None
    last_error: str | None = None  # one line: why the last run failed; None when it succeeded
    kiro_version: str | None = None
    target: str | None = None
    scope: str | None = None
    location: str | None = None
    ahead_of_pin: bool = False
    behind: bool = False  # older than the wanted version (the pin, or the feed's latest)
    unsupported_os_allowed: bool = False
    verification: list[dict[str, Any]] = field(default_factory=list)
    drift: list[dict[str, Any]] = field(default_factory=list)  # {"file", "key"}: never values
    last_check: dict[str, Any] | None = None  # the last `status`: at, exit_code, wanted_version
    subscription: dict[str, Any] | None = None
    install: InstallRecord | None = None  # user-scope installs live here
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON object stored in the status files."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data.pop("extra")
        data["install"] = self.install.to_json() if self.install else None
        return {**self.extra, **data}

    @classmethod
    def from_json(cls, data: Any) -> UserStatus | None:
        """Read a stored record; None when it is missing or not one."""
        if not isinstance(data, dict):
            return None
        known, extra = _known(cls, data)
        known["install"] = InstallRecord.from_json(known.get("install"))
        try:
            return cls(**known, extra=extra)
        except TypeError:
            return None


@dataclass(frozen=True)
class MachineStatus:
    """The machine-wide status file: the system install and every user's record."""

    agent_version: str
    updated_at: str
    last_command: str | None  # the last run that acts, on any user's behalf (never `status`)
    last_exit_code: int | None
    install: InstallRecord | None = None  # system-scope installs live here
    users: dict[str, UserStatus] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON document of the machine-wide status file."""
        return {
            **self.extra,
            "schema": STATUS_SCHEMA,
            "agent_version": self.agent_version,
            "updated_at": self.updated_at,
            "last_command": self.last_command,
            "last_exit_code": self.last_exit_code,
            "install": self.install.to_json() if self.install else None,
            "users": {name: record.to_json() for name, record in sorted(self.users.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> MachineStatus | None:
        """Read the machine-wide document; None when there is none."""
        if data is None:
            return None
        known, extra = _known(cls, data)
        extra.pop("schema", None)
        users_data = known.get("users")
        users = {
            str(name): record
            for name, item in (users_data.items() if isinstance(users_data, dict) else [])
            if (record := UserStatus.from_json(item)) is not None
        }
        command, code = known.get("last_command"), known.get("last_exit_code")
        try:
            return cls(
                agent_version=str(known.get("agent_version", "")),
                updated_at=str(known.get("updated_at", "")),
                last_command=None if command is None else str(command),
                last_exit_code=None if code is None else int(code),
                install=InstallRecord.from_json(known.get("install")),
                users=users,
                extra=extra,
            )
        except (TypeError, ValueError):
            return None
