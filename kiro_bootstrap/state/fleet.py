"""One fleet state per person, computed by the agent from what it observed (DECISIONS §4).

Every reader (`status`, the Jamf extension attribute, Intune's detection, the Linux wrapper, the
Ansible role) compares the `state` string written here and computes nothing of its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap import NAME
from kiro_bootstrap.configure.ownership import RECORD_NAME, system_record_path
from kiro_bootstrap.doctor.host_checks import host_verdict
from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.redact import redact
from kiro_bootstrap.state.files import read_json_document
from kiro_bootstrap.state.model import UserStatus
from kiro_bootstrap.subscription.onboarding import last_subscription_summary

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context

# In precedence order: the first that applies is the state.
STATES = (
    "unsupported",
    "failed",
    "not-installed",
    "unconfigured",
    "pending-admin",
    "not-subscribed",
    "behind",
    "drifted",
    "compliant",
)
STATUS_EXIT = {
    "compliant": ExitStatus.OK,
    "not-installed": ExitStatus.NOT_INSTALLED,
    "unsupported": ExitStatus.HOST_UNSUPPORTED,
    "not-subscribed": ExitStatus.NOT_SUBSCRIBED,
    "unconfigured": ExitStatus.DRIFTED,
    "drifted": ExitStatus.DRIFTED,
    "behind": ExitStatus.DRIFTED,
    "pending-admin": ExitStatus.DRIFTED,
    "failed": ExitStatus.DRIFTED,
}
# Intune: Kiro is there and reinstalling would not help (DECISIONS §4).
INTUNE_DETECTED = ("compliant", "drifted", "pending-admin", "not-subscribed", "unconfigured")
WRAPPER_FILE_NAME = "wrapper.json"
# The last run's exit codes that are a state of their own rather than "failed".
_NOT_A_FAILURE = (ExitStatus.OK, ExitStatus.HOST_UNSUPPORTED, ExitStatus.NOT_SUBSCRIBED)


def compute_state(
    record: UserStatus, *, host_supported: bool, wrapper: dict[str, Any] | None = None
) -> str:
    """The first state of `STATES` that applies to `record` on a host with this verdict."""
    refused = wrapper is not None and wrapper.get("state") == "unsupported"
    installed = record.kiro_version is not None
    allowed = record.unsupported_os_allowed and installed
    if (not host_supported or refused or record.last_exit_code == ExitStatus.HOST_UNSUPPORTED) and (
        not allowed
    ):
        return "unsupported"
    if record.last_exit_code not in (None, *_NOT_A_FAILURE):
        return "failed"
    subscription = record.subscription or {}
    checks = [
        ("not-installed", not installed),
        ("unconfigured", record.extra.get("organisation") is None),
        ("pending-admin", bool(record.extra.get("pending_admin"))),
        (
            "not-subscribed",
            subscription.get("subscribed") is False
            or record.last_exit_code == ExitStatus.NOT_SUBSCRIBED,
        ),
        ("behind", record.behind),
        ("drifted", bool(record.drift)),
    ]
    return next((state for state, applies in checks if applies), "compliant")


def organisation_summary(ctx: Context) -> dict[str, Any]:
    """The organisation config applied: start URL, IDC region, a digest without secret values."""
    settings = ctx.settings
    # The redactor masks every secret value, so the digest changes with the settings but can
    # never be used to confirm a guessed password or token.
    text = redact(json.dumps(settings.model_dump(mode="json"), sort_keys=True, default=str))
    return {
        "start_url": settings.identity_center.start_url,
        "idc_region": settings.identity_center.region,
        "digest": "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


def read_wrapper_report(ctx: Context) -> dict[str, Any] | None:
    """What the Linux fleet wrapper recorded beside the machine status file, if anything."""
    return read_json_document(ctx.paths.system_state_dir / WRAPPER_FILE_NAME)


def organisation_applied(ctx: Context, user_folder: Path | None) -> dict[str, Any] | None:
    """The organisation config on this machine, or None when some of it was never applied.

    Observed from the configuration records: the machine's, and the person's own when this
    run is theirs (`user_folder`; None when acting for someone else, whose files root never
    reads). No organisation settings at all (no start URL) is never "applied": that machine is
    `unconfigured` (DECISIONS §4), as `status` says.
    """
    if ctx.settings.identity_center.start_url is None:
        return None
    records = [system_record_path(ctx.paths)]
    if user_folder is not None:
        records.append(user_folder / RECORD_NAME)
    for record in records:
        document = read_json_document(record)
        if document is not None and document.get("files"):
            return organisation_summary(ctx)
    return None


def complete_record(ctx: Context, record: UserStatus, user_folder: Path | None) -> UserStatus:
    """`record` with the host verdict, hostname, subscription, organisation and `state`."""
    verdict = host_verdict(ctx.facts)
    extra = {
        **record.extra,
        "hostname": socket.gethostname(),
        "host": verdict,
        "organisation": organisation_applied(ctx, user_folder),
    }
    last = last_subscription_summary(ctx)
    subscription = last if last is not None else record.subscription
    completed = dataclasses.replace(record, subscription=subscription, extra=extra)
    wrapper = read_wrapper_report(ctx) if ctx.facts.os == "linux" else None
    state = compute_state(completed, host_supported=verdict["supported"], wrapper=wrapper)
    return dataclasses.replace(completed, extra={**extra, "state": state})


def state_of(record: UserStatus | None) -> str:
    """The state stored in a record; "not-installed" when there is no record."""
    if record is None:
        return "not-installed"
    state = record.extra.get("state")
    return state if isinstance(state, str) and state in STATES else "not-installed"


# Per problem, who fixes it and the command that does (rendered as next steps, DECISIONS §5).
_FIXES: dict[str, tuple[str, str, str]] = {
    "unsupported": ("admin", "move Kiro to a supported host (see the host verdict)", "doctor"),
    "failed": ("admin", "rerun the install; the last error says why it failed", "install"),
    "not-installed": ("admin", "install Kiro", "install"),
    "unconfigured": ("admin", "apply the organisation's settings", "configure"),
    "pending-admin": ("admin", "finish the administrator's part as root", "configure"),
    "not-subscribed": ("person", "ask for a Kiro subscription, then confirm it", "subscription"),
    "behind": ("admin", "update Kiro to the wanted version", "install"),
    "drifted": ("admin", "restore the organisation's settings", "configure"),
}


def fix_for(state: str, *, user: str, agent: str = NAME) -> dict[str, str] | None:
    """Who fixes `state` and the command that does: {who, what, command}; None when compliant."""
    if state not in _FIXES:
        return None
    who, what, command = _FIXES[state]
    line = f"{agent} {command}"
    if command in ("install", "configure"):
        line = f"{line} --for-user {user}"
    return {"who": who, "what": what, "command": line}
