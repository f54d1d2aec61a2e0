"""Write what an install run found or did into the status files: a change, or a failure."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.errors import KiroBootstrapError
from kiro_bootstrap.install.job import Placed
from kiro_bootstrap.install.lock import LOCKED_CODE
from kiro_bootstrap.install.plan import Decision, InstallOutcome
from kiro_bootstrap.install.preflight import Preflight
from kiro_bootstrap.privsep.person import person_for_run
from kiro_bootstrap.state.current import CurrentInstall
from kiro_bootstrap.state.model import InstallRecord, UserStatus
from kiro_bootstrap.state.store import StatusStore, new_user_status, open_status_store

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.fetch.obtain import VerifiedBuild

COMMAND = "install"
MAX_REASON_LENGTH = 300  # one line in an inventory column, not a log
# Fields that change on every run; a record differing only in these is not worth a write.
_VOLATILE = ("updated_at", "last_command", "last_exit_code", "last_run_at", "agent_version")


def _comparable(record: UserStatus | None) -> dict[str, Any] | None:
    if record is None:
        return None
    data = record.to_json()
    for name in _VOLATILE:
        data.pop(name, None)
    return data


def record_install(
    ctx: Context,
    store: StatusStore,
    *,
    pre: Preflight,
    build: VerifiedBuild,
    placed: Placed,
    outcome: InstallOutcome,
    exit_code: int = 0,
) -> None:
    """Record a build we just put in place, in the machine-wide and per-user files."""
    now = ctx.env.clock()
    verification = [check.to_json() for check in build.checks]
    record = InstallRecord(
        version=build.version,
        target=build.target,
        scope=pre.scope,
        method=placed.method,
        location=str(placed.location),
        installed_at=now.isoformat(timespec="seconds"),
        sha256=build.sha256,
        url=build.url,
        pinned=build.pinned,
        verification=verification,
        unsupported_os_allowed=pre.unsupported_os_allowed,
        created=list(placed.created),
        replaced=dict(placed.replaced),
    )
    previous = store.load().user
    status = dataclasses.replace(
        new_user_status(pre.user, command=COMMAND, exit_code=exit_code, now=now, previous=previous),
        kiro_version=build.version,
        target=build.target,
        scope=pre.scope,
        location=str(placed.location),
        ahead_of_pin=False,
        behind=False,
        drift=_drift_after(outcome, previous),
        extra=_with_pending_admin(outcome, previous),
        unsupported_os_allowed=pre.unsupported_os_allowed,
        verification=verification,
        install=record if pre.scope == "user" else (previous.install if previous else None),
    )
    system = pre.scope == "system"
    outcome.status_files = store.save(
        status, system_install=record if system else None, keep_system_install=not system
    )


def record_unchanged(
    ctx: Context,
    store: StatusStore,
    *,
    pre: Preflight,
    current: CurrentInstall,
    decision: Decision,
    outcome: InstallOutcome,
) -> list[Path]:
    """Update the person's record after a run that installed nothing; [] when nothing changed."""
    previous = store.load().user
    record = current.record
    fresh = new_user_status(
        pre.user, command=COMMAND, exit_code=0, now=ctx.env.clock(), previous=previous
    )
    status = dataclasses.replace(
        fresh,
        kiro_version=current.version,
        target=pre.spec.name,
        scope=pre.scope,
        location=str(current.location) if current.location else None,
        ahead_of_pin=decision.action == "ahead-of-pin",
        behind=False,
        drift=_drift_after(outcome, previous),
        extra=_with_pending_admin(outcome, previous),
        unsupported_os_allowed=pre.unsupported_os_allowed,
        verification=record.verification if record else (previous.verification if previous else []),
    )
    configured = outcome.configure is not None and outcome.configure.changed
    # A rerun that changes nothing writes nothing, unless it clears a failure on record.
    succeeded_before = previous is not None and previous.last_exit_code == 0
    if not configured and succeeded_before and _comparable(status) == _comparable(previous):
        return []
    return store.save(status, system_install=None, keep_system_install=True)


def _with_pending_admin(outcome: InstallOutcome, previous: UserStatus | None) -> dict[str, Any]:
    """The record's extra fields with what an administrator still has to run (fleet state)."""
    extra = dict(previous.extra) if previous else {}
    if outcome.configure is not None:
        extra["pending_admin"] = list(outcome.configure.admin_commands)
    return extra


def _drift_after(outcome: InstallOutcome, previous: UserStatus | None) -> list[dict[str, Any]]:
    """Configuring rewrote every owned key (no drift left); --no-configure repaired nothing."""
    if outcome.configure is not None:
        return []
    return previous.drift if previous else []


def record_install_error(ctx: Context, for_user: str | None, error: KiroBootstrapError) -> None:
    """Record the error that ended an `install` run, unless it was another run's lock.

    A run that found another install holding the lock records nothing: that run is writing
    these files and records its own result.
    """
    if error.code != LOCKED_CODE:
        record_failed_install(ctx, for_user, exit_code=int(error.exit_status), reason=error.message)


def record_failed_install(
    ctx: Context, for_user: str | None, *, exit_code: int, reason: str
) -> None:
    """Record a failed `install` (exit code, one-line reason) for inventory; best effort.

    Never raises: the run's own error and exit code are what the caller reports.
    """
    try:
        person = person_for_run(ctx, for_user)
    except KiroBootstrapError:
        return  # an unknown person: there is nobody to record the failure for
    store = open_status_store(ctx, person)
    user = person.name
    one_line = " ".join(reason.split())[:MAX_REASON_LENGTH]
    try:
        previous = store.load().user
        status = new_user_status(
            user,
            command=COMMAND,
            exit_code=exit_code,
            now=ctx.env.clock(),
            previous=previous,
            error=one_line,
        )
        store.save(status, system_install=None, keep_system_install=True)
    except (OSError, KiroBootstrapError) as write_error:
        ctx.output.warn(f"could not record this run's failure in the status file: {write_error}")
