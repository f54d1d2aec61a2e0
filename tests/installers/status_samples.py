"""Status files as the agent writes them (built with its own records), for the MDM readers."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from kiro_bootstrap.files import write_json
from kiro_bootstrap.state.files import STATE_FILE_MODE, STATE_FOLDER_MODE
from kiro_bootstrap.state.fleet import compute_state
from kiro_bootstrap.state.model import STATUS_SCHEMA, InstallRecord, MachineStatus, UserStatus

KIRO_VERSION = "1.0.309"
AGENT_VERSION = "0.1.0"
SHA256 = "ab" * 32
ORGANISATION = {
    "start_url": "https://d-1234567890.awsapps.com/start",
    "idc_region": "us-east-1",
    "digest": "sha256:" + "cd" * 32,
}


def install_record(version: str = KIRO_VERSION, *, target: str = "darwin-arm64") -> InstallRecord:
    """A verified system-scope install, as `install` records it."""
    return InstallRecord(
        version=version,
        target=target,
        scope="system",
        method="dmg",
        location="/Applications/Kiro.app",
        installed_at="2026-08-14T09:00:00+00:00",
        sha256=SHA256,
        pinned=True,
        verification=[
            {"id": "org-pin", "status": "pass", "summary": "SHA-256 matches the pin"},
            {"id": "macos-team-id", "status": "pass", "summary": "TeamIdentifier 94KV3E626L"},
        ],
    )


def user_status(
    user: str,
    *,
    version: str | None = KIRO_VERSION,
    exit_code: int = 0,
    drift: list[dict[str, Any]] | None = None,
    behind: bool = False,
    updated_at: str = "2026-08-14T09:00:00+00:00",
    subscribed: bool = True,
) -> UserStatus:
    """One person's inventory record, its `state` computed by the agent's own code."""
    record = UserStatus(
        user=user,
        agent_version=AGENT_VERSION,
        updated_at=updated_at,
        last_command="install",
        last_exit_code=exit_code,
        last_run_at=updated_at,
        last_error="Kiro is running." if exit_code else None,
        kiro_version=version,
        behind=behind,
        target="darwin-arm64",
        scope="system",
        location="/Applications/Kiro.app",
        drift=drift or [],
        subscription={"subscribed": subscribed, "plan": "pro" if subscribed else None},
        extra={"organisation": ORGANISATION},
    )
    state = compute_state(record, host_supported=True)
    return dataclasses.replace(record, extra={**record.extra, "state": state})


def write_machine_status(path: Path, *users: UserStatus) -> Path:
    """The machine-wide status file holding `users`."""
    latest = max(users, key=lambda record: record.updated_at) if users else None
    machine = MachineStatus(
        agent_version=AGENT_VERSION,
        updated_at=latest.updated_at if latest else "",
        last_command=latest.last_command if latest else "",
        last_exit_code=latest.last_exit_code if latest else 0,
        install=install_record(),
        users={record.user: record for record in users},
        extra={"state": latest.extra["state"]} if latest else {},
    )
    write_json(
        path, machine.to_json(), mode=STATE_FILE_MODE, folder_mode=STATE_FOLDER_MODE
    )  # as the agent writes it
    return path


def write_user_status(path: Path, record: UserStatus) -> Path:
    """A person's own status file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"schema": STATUS_SCHEMA, **record.to_json()}, indent=2), encoding="utf-8"
    )
    return path


DRIFT = [{"file": "managed-settings.json", "key": "settings.idc_start_url"}]
