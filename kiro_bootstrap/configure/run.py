"""Configure a workstation: plan every writer, then apply, record ownership, report.

Root's side plans and writes the system files (managed settings, update policy) and keeps the
machine's record; everything in the person's home (settings.json, ~/.aws/config, mcp.json,
steering, the person's record and backups) is planned and written by the person-side step,
running as that person. Every writer plans first (reading, parsing, never writing): the system
plans exist before the person's step starts, and they are applied only when it succeeded, so
an unparseable file stops the run before root writes anything.

Ownership is recorded before a file changes and settled after (`_execute`): a kill at any
point leaves a record that still knows which value is the organisation's.
"""

from __future__ import annotations

import contextlib
import shlex
import stat
import subprocess
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.configure import (
    aws_config,
    kiro_environment,
    managed_settings,
    mcp,
    steering,
    update_policy,
    user_settings,
)
from kiro_bootstrap.configure.documents import display_key
from kiro_bootstrap.configure.files import FOLDER_MODE, PRIVATE_MODE, keep_backup
from kiro_bootstrap.configure.ownership import (
    RECORD_NAME,
    Record,
    load_record,
    save_record,
    system_record_path,
)
from kiro_bootstrap.configure.reconcile import Drift, FilePlan, Scope, find_drift, plan_removal
from kiro_bootstrap.configure.report import ConfigureReport, change_of, describe, settings_secrets
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.configure.writer import Writer
from kiro_bootstrap.crash import reach_phase
from kiro_bootstrap.errors import ConfigError, DeploymentError
from kiro_bootstrap.files import make_folders, write_atomic
from kiro_bootstrap.host.agent import agent_command
from kiro_bootstrap.host.system_acl import prepare_system_folder
from kiro_bootstrap.host.users import same_user
from kiro_bootstrap.layout.detect import find_installed_kiro
from kiro_bootstrap.net.remote_config import display_url
from kiro_bootstrap.privsep.steps import PersonStep, inside, run_person_step
from kiro_bootstrap.settings.managed import read_windows_registry

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.privsep.person import Person

__all__ = [
    "ConfigureReport",
    "Drift",
    "configure_user_and_system",
    "detect_drift",
    "remove_owned_configuration",
]

# The writer modules whose `plan(ws)` each side runs, in the order its files are reported.
PLANNED_BY: dict[Scope, tuple[ModuleType, ...]] = {
    "system": (managed_settings, update_policy),
    "user": (user_settings, aws_config, mcp, steering, kiro_environment),
}
# Every kind of file a record may name, by the format its entry carries: how to read, parse
# and label it when it is given back or checked for drift. (The macOS LaunchAgent is recorded
# as "plist", like the policy plist, and is read through the policy's row.)
WRITERS: dict[str, Writer] = {
    writer.file_format: writer
    for writer in (
        managed_settings.WRITER,
        *update_policy.WRITERS.values(),
        user_settings.WRITER,
        mcp.WRITER,
        aws_config.WRITER,
        steering.WRITER,
        kiro_environment.DESKTOP_ENTRY,
        kiro_environment.USER_REGISTRY,
    )
}


SECRET_FILE_MODE = PRIVATE_MODE  # a person's file that holds a proxy password or a token


def person_record_path(ctx: Context) -> Path:
    """The person's own record; `ctx` is the person's (in their step)."""
    return ctx.paths.user_state_dir / RECORD_NAME


def _system_record(ctx: Context) -> Record:
    record = Record(system_record_path(ctx.paths))
    # Not an administrator: system files are only reported, never written.
    with contextlib.suppress(PermissionError):
        record = load_record(record.location)
    return record


def validate_identity_center(ctx: Context) -> None:
    """The start URL and the IDC region go together (exit 2 before anything is touched)."""
    identity_center = ctx.settings.identity_center
    if bool(identity_center.start_url) != bool(identity_center.region):
        raise ConfigError(
            "identity_center.start_url and identity_center.region must be set together.",
            hint="The region is the IAM Identity Center's region, not the Kiro profile's.",
        )


def _workstation(ctx: Context, person: Person, record: Record) -> Workstation:
    validate_identity_center(ctx)
    return Workstation(
        loaded=ctx.loaded,
        facts=ctx.facts,
        paths=ctx.paths,
        user=person.name,
        home=person.home,
        acting_for_self=same_user(person.name, ctx.facts.current_user, ctx.facts),
        environ=ctx.environ,
        runner=ctx.env.runner,
        registry_reader=ctx.env.registry_reader or read_windows_registry,
        owned=dict(record.files),
    )


def _removal_plans(
    ws: Workstation, record: Record, scope: Scope, keep: set[str], *, confine: bool = False
) -> list[FilePlan]:
    """Plans that give back every recorded file not in `keep` (`confine`: inside the home)."""
    plans = []
    for path_text, entry in record.files.items():
        if path_text in keep:
            continue
        path = Path(path_text)
        if confine and not inside(ws.home, path):
            ws_warning = f"{path}: a record in the home names a file outside it; refused."
            plans.append(FilePlan(path, scope, "refused", None, None, None, warnings=[ws_warning]))
            continue
        writer = WRITERS[entry.format]
        before, doc = writer.open(ws, path)
        label = writer.label
        plans.append(
            plan_removal(path=path, scope=scope, label=label, doc=doc, before=before, entry=entry)
        )
    return plans


def admin_command(ctx: Context, user: str) -> str:
    """The exact command an administrator runs to write the machine-wide files."""
    argv = [agent_command(ctx.env.program, ctx.environ, os_name=ctx.facts.os), "configure"]
    config = ctx.options.config
    if config is not None:
        # A URL's userinfo (a token) never goes into a printed command.
        shown = display_url(config) if isinstance(config, str) else str(config.resolve())
        argv += ["--config", shown]
    if not ctx.paths.is_live_root:
        argv += ["--root", str(ctx.paths.root)]
    argv += ["--for-user", user]
    if ctx.facts.os == "windows":
        return subprocess.list2cmdline(argv)
    return "sudo " + shlex.join(argv)


def _run_commands(ws: Workstation, plan: FilePlan) -> None:
    for argv in plan.commands:
        completed = ws.runner(argv)
        if not completed.ok:
            raise DeploymentError(
                f"Could not write {plan.label} ({argv[0]} {argv[1]} exit {completed.returncode}).",
                hint="Run from an elevated prompt.",
            )


def _mode_for(plan: FilePlan, secrets: list[str], warnings: list[str]) -> int:
    """A person's file keeps its mode, tightened to 0600 when a credential goes in."""
    holds_secret = plan.after is not None and any(
        secret.encode("utf-8") in plan.after for secret in secrets
    )
    if plan.scope == "system" or plan.before is None or plan.commands:  # commands: no file
        return SECRET_FILE_MODE if holds_secret else plan.mode
    mode = stat.S_IMODE(plan.path.stat().st_mode)
    if holds_secret and mode & 0o077:
        warnings.append(
            f"{plan.label}: {plan.path} was readable by others ({mode:04o}); tightened to "
            f"{SECRET_FILE_MODE:04o} before a credential went in."
        )
        return SECRET_FILE_MODE
    return mode


def _apply(ctx: Context, ws: Workstation, plan: FilePlan, record: Record, mode: int) -> None:
    """Write (or remove) one planned file, keeping a backup of what it replaces."""
    if plan.commands:
        _run_commands(ws, plan)
        return
    follow = plan.scope == "user" and ws.acting_for_self
    if plan.scope == "system":
        prepare_system_folder(
            plan.path.parent, facts=ctx.facts, runner=ws.runner, chown=ctx.env.chown
        )
    else:
        make_folders(plan.path.parent, mode=FOLDER_MODE)
    if plan.before is not None:
        backup = keep_backup(
            plan.path, plan.before, record.location.parent, ctx.env.clock(), follow_links=follow
        )
        if plan.entry is not None:
            plan.entry.backup = str(backup)
    if plan.after is None:
        plan.path.unlink(missing_ok=True)
        return
    write_atomic(plan.path, plan.after, mode=mode, follow_links=follow)


def _report_plans(
    ctx: Context,
    ws: Workstation,
    plans: list[FilePlan],
    report: ConfigureReport,
    secrets: list[str],
) -> list[FilePlan]:
    """Describe every plan in the report; return those this run may apply."""
    needs_admin = False
    todo: list[FilePlan] = []
    for plan in plans:
        report.warnings += plan.warnings
        if plan.label == "refused":
            continue
        if plan.entry is None and not plan.changed and str(plan.path) not in ws.owned:
            continue  # nothing wanted there and nothing of ours: not worth a line
        if plan.changed and plan.scope == "system" and not ctx.facts.is_admin:
            needs_admin = True
            report.files.append(describe(plan, "skipped-needs-admin", secrets))
            continue
        report.files.append(describe(plan, change_of(plan), secrets))
        todo.append(plan)
    if needs_admin:
        report.admin_commands.append(admin_command(ctx, ws.user))
    return todo


def _execute(
    ctx: Context, ws: Workstation, record: Record, plans: list[FilePlan], dry_run: bool
) -> ConfigureReport:
    """Apply one scope's plans (unless a dry run), keep its record crash-safe, and report.

    The record learns every new owned key before any file changes (a kill then leaves a key we
    own but have not written yet: the rerun writes it and keeps the person's previous value),
    and forgets a given-back key only after its file was restored.
    """
    report = ConfigureReport(dry_run=dry_run)
    secrets = settings_secrets(ctx.settings)
    todo = _report_plans(ctx, ws, plans, report, secrets)
    writable = ctx.facts.is_admin or bool(todo and todo[0].scope == "user")
    if dry_run or not writable:
        return report
    follow = ws.acting_for_self and bool(todo) and todo[0].scope == "user"
    for plan in todo:  # 1: own before writing
        if plan.entry is not None:
            record.files[str(plan.path)] = plan.entry
    save_record(record, follow_links=follow)
    reach_phase(ctx.environ, "configure-owned")
    for plan in todo:  # 2: write
        if plan.changed:
            _apply(ctx, ws, plan, record, _mode_for(plan, secrets, report.warnings))
            if plan.entry is not None:
                record.files[str(plan.path)] = plan.entry  # the backup's name
            reach_phase(ctx.environ, "configure-written")
    for plan in todo:  # 3: forget what was given back
        if plan.entry is None:
            record.files.pop(str(plan.path), None)
    save_record(record, follow_links=follow)
    return report


def _system_plans(
    ctx: Context, person: Person, *, remove: bool
) -> tuple[Workstation, Record, list[FilePlan]]:
    record = _system_record(ctx)
    ws = _workstation(ctx, person, record)
    plans: list[FilePlan] = []
    if not remove:
        for writer in PLANNED_BY["system"]:
            plans += writer.plan(ws)
    plans += _removal_plans(ws, record, "system", {str(plan.path) for plan in plans})
    return ws, record, plans


def configure_person_side(
    ctx: Context, person: Person, *, dry_run: bool, remove: bool
) -> ConfigureReport:
    """The person's files: runs as the person (their step), never as root for someone else."""
    record = load_record(person_record_path(ctx))
    ws = _workstation(ctx, person, record)
    plans: list[FilePlan] = []
    if not remove:
        for writer in PLANNED_BY["user"]:
            plans += writer.plan(ws)
    keep = {str(plan.path) for plan in plans}
    plans += _removal_plans(ws, record, "user", keep, confine=person.stepped)
    return _execute(ctx, ws, record, plans, dry_run)


def _configure(
    ctx: Context, person: Person, *, kiro_version: str | None, dry_run: bool, remove: bool
) -> ConfigureReport:
    ws, record, system_plans = _system_plans(ctx, person, remove=remove)
    request = {"dry_run": dry_run, "remove": remove}
    answer = run_person_step(ctx, person, CONFIGURE_STEP, request)
    person_report = ConfigureReport.from_json(answer.get("report", {}))
    report = _execute(ctx, ws, record, system_plans, dry_run)
    report.files += person_report.files
    report.warnings += person_report.warnings
    if not remove and managed_settings.desired_managed_settings(ws):
        seen = answer.get("kiro_version")
        pinned = ctx.settings.release.version if ctx.settings.release.pinned else None
        versions = [kiro_version, seen if isinstance(seen, str) else None, pinned]
        warning = managed_settings.older_kiro_warning(versions)
        if warning:
            report.warnings.insert(0, warning)
    return report


def configure_user_and_system(
    ctx: Context, *, person: Person, kiro_version: str | None, dry_run: bool
) -> ConfigureReport:
    """Write the organisation's settings into every place Kiro and its tools read them."""
    return _configure(ctx, person, kiro_version=kiro_version, dry_run=dry_run, remove=False)


def remove_owned_configuration(ctx: Context, *, person: Person, dry_run: bool) -> ConfigureReport:
    """Give back every key we own (restoring what we replaced) and forget them."""
    return _configure(ctx, person, kiro_version=None, dry_run=dry_run, remove=True)


def drift_of(ws: Workstation, record: Record, *, confine: bool = False) -> list[Drift]:
    """Owned keys of one record whose current value differs from what we wrote."""
    drifts: list[Drift] = []
    for path_text, entry in record.files.items():
        path = Path(path_text)
        if confine and not inside(ws.home, path):
            continue
        try:
            _before, doc = WRITERS[entry.format].open(ws, path)
        except ConfigError:
            drifts += [
                Drift(path, display_key(key), owned.written, None)
                for key, owned in entry.keys.items()
            ]
            continue
        drifts += find_drift(path, doc, entry)
    return drifts


def person_drift(ctx: Context, person: Person) -> list[Drift]:
    """The drift of the person's own files (their step)."""
    record = load_record(person_record_path(ctx))
    return drift_of(_workstation(ctx, person, record), record, confine=person.stepped)


def detect_drift(ctx: Context, *, person: Person) -> list[Drift]:
    """Owned keys whose current value differs from what we wrote (system, then the person's)."""
    record = _system_record(ctx)
    drifts = drift_of(_workstation(ctx, person, record), record)
    answer = run_person_step(ctx, person, DRIFT_STEP, {})
    for item in answer.get("drift", []):
        if isinstance(item, dict):
            drifts.append(
                Drift(Path(str(item.get("file"))), str(item.get("key")), item.get("expected"),
                      item.get("actual"))
            )  # fmt: skip
    return drifts


def _configure_person_files(
    ctx: Context, person: Person, request: dict[str, Any]
) -> dict[str, Any]:
    """As the person: plan and write their files and record; report what changed."""
    report = configure_person_side(
        ctx, person, dry_run=bool(request.get("dry_run")), remove=bool(request.get("remove"))
    )
    installed = find_installed_kiro(
        ctx.facts, ctx.paths, person.home, ctx.settings.kiro.version_field
    )
    return {"report": report.to_json(), "kiro_version": installed.version if installed else None}


def _drift_of_person_files(ctx: Context, person: Person, request: dict[str, Any]) -> dict[str, Any]:
    """As the person: the drift of their own files (values are masked by the caller)."""
    del request
    return {
        "drift": [
            {"file": str(item.file), "key": item.key, "expected": item.expected,
             "actual": item.actual}
            for item in person_drift(ctx, person)
        ]
    }  # fmt: skip


CONFIGURE_STEP = PersonStep("configure", _configure_person_files)
DRIFT_STEP = PersonStep("drift", _drift_of_person_files)
