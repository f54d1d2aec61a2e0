"""Configure a workstation: plan every writer, then apply, record ownership, report.

Every writer plans first (reading, parsing, validating, never writing); only when all plans
exist is anything applied, so one unparseable file means nothing at all is written.
"""

from __future__ import annotations

import contextlib
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from kiro_bootstrap.configure import (
    aws_config,
    managed_settings,
    mcp,
    steering,
    update_policy,
    user_settings,
)
from kiro_bootstrap.configure.documents import Document, display_key
from kiro_bootstrap.configure.files import create_folders, keep_backup, write_atomic
from kiro_bootstrap.configure.reconcile import Drift, FilePlan, Scope, find_drift, plan_removal
from kiro_bootstrap.configure.record import Record, load_record, save_record, system_record_path
from kiro_bootstrap.configure.report import ConfigureReport, change_of, describe, settings_secrets
from kiro_bootstrap.configure.system_acl import prepare_system_folder
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.errors import ConfigError, DeploymentError
from kiro_bootstrap.host.users import same_user
from kiro_bootstrap.state.store import user_state_folder

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context

__all__ = [
    "ConfigureReport",
    "Drift",
    "check_may_configure",
    "configure_user_and_system",
    "detect_drift",
    "remove_owned_configuration",
]

PROGRAM = "kiro-bootstrap"
SYSTEM_WRITERS: tuple[ModuleType, ...] = (managed_settings, update_policy)
USER_WRITERS: tuple[ModuleType, ...] = (user_settings, aws_config, mcp, steering)
Opener = Callable[[Workstation, Path, "bytes | None"], Document]
_OPENERS: dict[str, Opener] = {
    managed_settings.FORMAT: managed_settings.open_document,
    user_settings.FORMAT: user_settings.open_document,
    mcp.FORMAT: mcp.open_document,
    aws_config.FORMAT: aws_config.open_document,
    steering.FORMAT: steering.open_document,
}
_POLICY_FORMATS = (
    update_policy.FORMAT_JSON,
    update_policy.FORMAT_PLIST,
    update_policy.FORMAT_REGISTRY,
)
_LABELS = {
    managed_settings.FORMAT: managed_settings.LABEL,
    user_settings.FORMAT: user_settings.LABEL,
    mcp.FORMAT: mcp.LABEL,
    aws_config.FORMAT: aws_config.LABEL,
    steering.FORMAT: steering.LABEL,
    **dict.fromkeys(_POLICY_FORMATS, update_policy.LABEL),
}


class _Records:
    """The machine's record and the person's record, loaded once per run."""

    def __init__(self, ctx: Context, user: str, home: Path) -> None:
        self.system = Record(system_record_path(ctx.paths))
        # Not an administrator: system files are only reported, never written.
        with contextlib.suppress(PermissionError):
            self.system = load_record(self.system.location)
        self.user = load_record(user_state_folder(ctx, user, home) / "configured.json")

    def for_scope(self, scope: str) -> Record:
        return self.system if scope == "system" else self.user


def check_may_configure(ctx: Context, user: str) -> None:
    """Only root or an elevated administrator may write another person's files (exit 9)."""
    if not same_user(user, ctx.facts.current_user, ctx.facts) and not ctx.facts.is_admin:
        raise DeploymentError(
            f"Configuring {user}'s files needs root or an elevated administrator.",
            hint=f"Run it as {user}, or as an administrator with --for-user {user}.",
        )


def _workstation(ctx: Context, user: str, home: Path, records: _Records) -> Workstation:
    from kiro_bootstrap.settings.managed import read_windows_registry

    check_may_configure(ctx, user)
    identity_center = ctx.settings.identity_center
    if bool(identity_center.start_url) != bool(identity_center.region):
        raise ConfigError(
            "identity_center.start_url and identity_center.region must be set together.",
            hint="The region is the IAM Identity Center's region, not the Kiro profile's.",
        )
    return Workstation(
        loaded=ctx.loaded,
        facts=ctx.facts,
        paths=ctx.paths,
        user=user,
        home=home,
        acting_for_self=same_user(user, ctx.facts.current_user, ctx.facts),
        environ=ctx.environ,
        runner=ctx.env.runner,
        registry_reader=ctx.env.registry_reader or read_windows_registry,
        owned={**records.system.files, **records.user.files},
    )


def _open(ws: Workstation, path: Path, file_format: str) -> tuple[bytes | None, Document]:
    """Read a recorded file (or registry key) and parse it with its writer's rules."""
    if file_format in _POLICY_FORMATS:
        before = update_policy.read_current(ws, path, file_format)
        return before, update_policy.open_document(ws, path, before, file_format)
    before = ws.read(path)
    return before, _OPENERS[file_format](ws, path, before)


def _removal_plans(ws: Workstation, records: _Records, keep: set[str]) -> list[FilePlan]:
    """Plans that give back every recorded file not in `keep`."""
    plans = []
    scopes: tuple[tuple[Record, Scope], ...] = ((records.system, "system"), (records.user, "user"))
    for record, scope in scopes:
        for path_text, entry in record.files.items():
            if path_text in keep:
                continue
            path = Path(path_text)
            before, doc = _open(ws, path, entry.format)
            label = _LABELS.get(entry.format, entry.format)
            plans.append(
                plan_removal(
                    path=path, scope=scope, label=label, doc=doc, before=before, entry=entry
                )
            )
    return plans


def admin_command(ctx: Context, user: str) -> str:
    """The exact command an administrator runs to write the machine-wide files."""
    argv = [PROGRAM, "configure"]
    if ctx.options.config is not None:
        argv += ["--config", str(ctx.options.config.resolve())]
    if ctx.paths.root != Path(ctx.paths.root.anchor):
        argv += ["--root", str(ctx.paths.root)]
    argv += ["--for-user", user]
    if ctx.facts.os == "windows":
        return subprocess.list2cmdline(argv)
    return "sudo " + shlex.join(argv)


def _apply(ctx: Context, ws: Workstation, plan: FilePlan, records: _Records) -> None:
    """Write (or remove) one planned file, keeping a backup of what it replaces."""
    if plan.commands:
        for argv in plan.commands:
            completed = ws.runner(argv)
            if not completed.ok:
                raise DeploymentError(
                    f"Could not write {plan.label} ({argv[0]} {argv[1]} exit "
                    f"{completed.returncode}).",
                    hint="Run from an elevated prompt.",
                )
        return
    chown = ctx.env.chown
    owner = None
    if plan.scope == "user" and ctx.facts.is_admin and not ws.acting_for_self:
        owner = None if ctx.facts.os == "windows" else ws.user
    if plan.scope == "system":
        prepare_system_folder(plan.path.parent, facts=ctx.facts, runner=ws.runner, chown=chown)
        backup_root = ctx.paths.system_state_dir
    else:
        for folder in create_folders(plan.path.parent):
            if owner is not None:
                chown(folder, owner)
        backup_root = records.user.location.parent
    if plan.before is not None:
        backup = keep_backup(plan.path, plan.before, backup_root, ctx.env.clock(), owner=owner,
                             chown=chown)  # fmt: skip
        if plan.entry is not None:
            plan.entry.backup = str(backup)
    if plan.after is None:
        plan.path.unlink(missing_ok=True)
        return
    mode = plan.mode
    if plan.scope == "user" and plan.before is not None:
        mode = plan.path.stat().st_mode & 0o7777  # a person's file keeps its permissions
    write_atomic(plan.path, plan.after, mode=mode, owner=owner, chown=chown)


def _execute(
    ctx: Context, ws: Workstation, records: _Records, plans: list[FilePlan], dry_run: bool
) -> ConfigureReport:
    """Apply the plans (unless a dry run), update both records, and report."""
    report = ConfigureReport(dry_run=dry_run)
    secrets = settings_secrets(ctx.settings)
    needs_admin = False
    for plan in plans:
        report.warnings += plan.warnings
        if plan.entry is None and not plan.changed and str(plan.path) not in ws.owned:
            continue  # nothing wanted there and nothing of ours: not worth a line
        change = change_of(plan)
        if plan.changed and plan.scope == "system" and not ctx.facts.is_admin:
            needs_admin = True
            report.files.append(describe(plan, "skipped-needs-admin", secrets))
            continue
        report.files.append(describe(plan, change, secrets))
        if dry_run:
            continue
        if plan.changed:
            _apply(ctx, ws, plan, records)
        record = records.for_scope(plan.scope)
        if plan.entry is None:
            record.files.pop(str(plan.path), None)
        else:
            record.files[str(plan.path)] = plan.entry
    if needs_admin:
        report.admin_commands.append(admin_command(ctx, ws.user))
    if not dry_run:
        owner = ws.user if ctx.facts.is_admin and not ws.acting_for_self else None
        if ctx.facts.os == "windows":
            owner = None
        if ctx.facts.is_admin:
            save_record(records.system, owner=None, chown=ctx.env.chown)
        save_record(records.user, owner=owner, chown=ctx.env.chown)
    return report


def configure_user_and_system(
    ctx: Context, *, user: str, home: Path, kiro_version: str | None, dry_run: bool
) -> ConfigureReport:
    """Write the organisation's settings into every place Kiro and its tools read them."""
    records = _Records(ctx, user, home)
    ws = _workstation(ctx, user, home, records)
    plans: list[FilePlan] = []
    for writer in (*SYSTEM_WRITERS, *USER_WRITERS):
        plans += writer.plan(ws)
    plans += _removal_plans(ws, records, {str(plan.path) for plan in plans})
    report = _execute(ctx, ws, records, plans, dry_run)
    if managed_settings.desired_managed_settings(ws):
        pinned = ctx.settings.release.version if ctx.settings.release.pinned else None
        warning = managed_settings.older_kiro_warning([kiro_version, pinned])
        if warning:
            report.warnings.insert(0, warning)
    return report


def remove_owned_configuration(
    ctx: Context, *, user: str, home: Path, dry_run: bool
) -> ConfigureReport:
    """Give back every key we own (restoring what we replaced) and forget them."""
    records = _Records(ctx, user, home)
    ws = _workstation(ctx, user, home, records)
    return _execute(ctx, ws, records, _removal_plans(ws, records, set()), dry_run)


def detect_drift(ctx: Context, *, user: str, home: Path) -> list[Drift]:
    """Owned keys whose current value differs from what we wrote."""
    records = _Records(ctx, user, home)
    ws = _workstation(ctx, user, home, records)
    drifts: list[Drift] = []
    for record in (records.system, records.user):
        for path_text, entry in record.files.items():
            path = Path(path_text)
            try:
                _before, doc = _open(ws, path, entry.format)
            except ConfigError:
                drifts += [
                    Drift(path, display_key(key), owned.written, None)
                    for key, owned in entry.keys.items()
                ]
                continue
            drifts += find_drift(path, doc, entry)
    return drifts
