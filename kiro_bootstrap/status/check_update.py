"""Write what `status` found into the status files, so MDM inventory can report drift.

A check is not a run: it leaves `last_command`, `last_exit_code`, `last_run_at` and `last_error`
(the last install or uninstall) alone and keeps its own result in `last_check`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap import __version__
from kiro_bootstrap.errors import KiroBootstrapError
from kiro_bootstrap.state.fleet import STATUS_EXIT, complete_record, state_of
from kiro_bootstrap.state.model import UserStatus
from kiro_bootstrap.state.store import open_status_store

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.status.installation import InstallationStatus


def drift_fields(status: InstallationStatus) -> list[dict[str, Any]]:
    """Which owned keys drifted; never their values (a proxy URL may hold a password)."""
    return [{"file": str(item.file), "key": item.key} for item in status.drift]


def record_check(ctx: Context, status: InstallationStatus) -> tuple[UserStatus, list[Path]]:
    """This check as the person's record, with its fleet `state`, saved where we may write it.

    Saved in the person's status file (and, as root/admin, the machine-wide one); the files
    written are [] (with a warning, never a failure of `status`) when they cannot be written.
    """
    store = open_status_store(ctx, status.person)
    now = ctx.env.clock().isoformat(timespec="seconds")
    previous = store.load().user
    base = previous or UserStatus(status.user, __version__, now, None, None)
    current = status.current if status.installed else None
    # Offline or unreachable: whether Kiro is behind is unknown, so the last answer stands.
    behind_known = status.wanted is not None or current is None
    record = dataclasses.replace(
        base,
        agent_version=__version__,
        updated_at=now,
        kiro_version=current.version if current else None,
        location=str(current.location) if current and current.location else None,
        target=status.spec.name if status.spec else base.target,
        scope=status.scope or base.scope,
        ahead_of_pin=status.ahead_of_pin,
        behind=status.behind if behind_known else base.behind,
        drift=drift_fields(status),
    )
    folder = None if store.through_person_step else store.user_file.parent
    record = complete_record(ctx, record, folder)
    exit_code = int(STATUS_EXIT[state_of(record)])
    record = dataclasses.replace(
        record,
        last_check={"at": now, "exit_code": exit_code, "wanted_version": status.wanted},
    )
    try:
        written = store.save(record, system_install=None, keep_system_install=True, check_only=True)
    except (OSError, KiroBootstrapError) as error:
        ctx.output.warn(f"could not record this check in the status file: {error}")
        return record, []
    return record, written
