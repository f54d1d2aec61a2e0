"""`uninstall`: remove what we installed, restore what we replaced, give back owned keys.

Only installs we have a record of are removed. Kiro's user data (settings, extensions, the
`~/.kiro` folder) stays unless --purge; the sign-in token cache under ~/.aws is never touched.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.configure.run import remove_owned_configuration
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import InstallError
from kiro_bootstrap.install.deb import (
    PACKAGE_TOOL_TIMEOUT_SECONDS,
    deb_remove_argv,
    package_tool_environment,
)
from kiro_bootstrap.install.integration import remove_integration
from kiro_bootstrap.install.linux_tarball import remove_tarball_install
from kiro_bootstrap.install.lock import install_lock
from kiro_bootstrap.install.macos import remove_app
from kiro_bootstrap.install.person_side import own_install_record
from kiro_bootstrap.install.pipeline import lock_path
from kiro_bootstrap.install.running import ensure_kiro_closed, find_running
from kiro_bootstrap.install.windows import (
    INSTALLER_TIMEOUT_SECONDS,
    UNINSTALL_SWITCHES,
    for_deletion,
    parse_uninstall_string,
)
from kiro_bootstrap.layout.locations import Scope, linux_layout
from kiro_bootstrap.layout.targets import TARGET_SPECS
from kiro_bootstrap.privsep.person import Person, person_for_run
from kiro_bootstrap.privsep.steps import PersonStep, run_person_step
from kiro_bootstrap.privsep.windows_task import require_signed_in_user, run_as_person
from kiro_bootstrap.state.current import find_current_install
from kiro_bootstrap.state.model import InstallRecord
from kiro_bootstrap.state.store import (
    StatusStore,
    new_user_status,
    open_status_store,
)

if TYPE_CHECKING:
    from kiro_bootstrap.configure.report import ConfigureReport

# Kiro's own per-user data, relative to the home (removed only with --purge).
USER_DATA_FOLDERS = {
    "linux": (".config/Kiro", ".kiro"),
    "darwin": ("Library/Application Support/Kiro", ".kiro"),
    "windows": ("AppData/Roaming/Kiro", ".kiro"),
}


@dataclass
class RemovalOutcome:
    """What uninstall removed (or, with --dry-run, would remove)."""

    user: str
    removed_versions: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    configure: ConfigureReport | None = None
    status_files: list[Path] = field(default_factory=list)


def remove_install(ctx: Context, record: InstallRecord, person: Person, dry_run: bool) -> list[str]:
    """Undo one recorded install with the method that made it."""
    user, home = person.name, person.home
    scope: Scope = "system" if record.scope == "system" else "user"
    if record.method == "tarball":
        layout = linux_layout(scope, ctx.facts, ctx.paths, home)
        changes = remove_integration(record.created, record.replaced, layout, dry_run=dry_run)
        return changes + [
            f"remove {path}" for path in remove_tarball_install(layout, dry_run=dry_run)
        ]
    if record.method == "deb":
        argv = deb_remove_argv(ctx.paths, purge=False)
        if not dry_run:
            environment = package_tool_environment(ctx.environ)
            done = ctx.env.runner(argv, env=environment, timeout=PACKAGE_TOOL_TIMEOUT_SECONDS)
            if not done.ok:
                raise InstallError(f"The package tool could not remove Kiro: {done.stderr.strip()}")
        return [f"run: {' '.join(argv)}"]
    if record.method == "dmg":
        return [f"remove {path}" for path in remove_app(Path(record.location), dry_run=dry_run)]
    return _remove_inno(ctx, user, home, dry_run)


def _remove_inno(ctx: Context, user: str, home: Path, dry_run: bool) -> list[str]:
    current = find_current_install(
        ctx, TARGET_SPECS["win32-x64"], "user", user=user, home=home, record=None
    )
    program = parse_uninstall_string(current.uninstall_string or "")
    if program is None:
        return []  # already gone (the person uninstalled it)
    argv = [program, *UNINSTALL_SWITCHES]
    if not dry_run:
        code = run_as_person(ctx, user, argv, timeout=INSTALLER_TIMEOUT_SECONDS)
        if code != 0:
            raise InstallError(f"Kiro's uninstaller exited with code {code}.")
    return [f"run as {user}: {' '.join(argv)}"]


def purge_user_data(home: Path, os_name: str, dry_run: bool) -> list[str]:
    """Remove Kiro's own data in the home (settings, extensions, ~/.kiro)."""
    changes = []
    for relative in USER_DATA_FOLDERS[os_name]:
        folder = home / relative
        if folder.exists():
            changes.append(f"remove {folder}")
            if not dry_run:
                shutil.rmtree(for_deletion(folder))  # Windows: past the 260-character limit
    return changes


def remove_kiro(
    ctx: Context, *, for_user: str | None, purge: bool, dry_run: bool, close_running: bool
) -> RemovalOutcome:
    """Remove our installs and configuration for one person (and, with purge, Kiro's data)."""
    person = person_for_run(ctx, for_user)
    if ctx.facts.os == "windows":  # SYSTEM with nobody (or their hive) there: exit 7, untouched
        require_signed_in_user(ctx, person.name)
    store = open_status_store(ctx, person)
    outcome = RemovalOutcome(person.name)
    if dry_run:
        if find_running(ctx, person):
            outcome.changes.append("stop with exit 7 unless --close-running: Kiro is running")
        _remove_all(ctx, store, outcome, dry_run=True, purge=purge)
        outcome.configure = remove_owned_configuration(ctx, person=person, dry_run=True)
        return outcome
    scope = "system" if ctx.facts.is_admin else "user"
    with install_lock(lock_path(ctx, store, scope), sleep=ctx.env.sleep):
        ensure_kiro_closed(ctx, person, close_running=close_running)
        _remove_all(ctx, store, outcome, dry_run=False, purge=purge)
        outcome.configure = remove_owned_configuration(ctx, person=person, dry_run=False)
        outcome.status_files = _record_removal(ctx, store, outcome)
    return outcome


def _remove_all(
    ctx: Context, store: StatusStore, outcome: RemovalOutcome, *, dry_run: bool, purge: bool
) -> None:
    """Root removes the system install it recorded; the person's step removes theirs."""
    snapshot = store.load()
    system = snapshot.machine.install if snapshot.machine else None
    if system is not None and system.scope == "system" and ctx.facts.is_admin:
        outcome.changes += remove_install(ctx, system, store.person, dry_run)
        outcome.removed_versions.append(f"{system.version} ({system.scope}, {system.method})")
    install_through_step = True
    if ctx.facts.os == "windows" and store.through_person_step:
        # Kiro's own uninstaller, found in the person's registry hive, runs as them (a task).
        install_through_step = False
        record = snapshot.user.install if snapshot.user else None
        if record is not None and record.method == "inno":
            outcome.changes += remove_install(ctx, record, store.person, dry_run)
            outcome.removed_versions.append(f"{record.version} (user, inno)")
    if not install_through_step and not purge:
        return
    request = {"dry_run": dry_run, "purge": purge, "install": install_through_step}
    answer = run_person_step(ctx, store.person, REMOVE_INSTALL_STEP, request)
    outcome.changes += [str(item) for item in answer.get("changes", []) if isinstance(item, str)]
    outcome.removed_versions += [
        str(item) for item in answer.get("removed", []) if isinstance(item, str)
    ]


def _record_removal(ctx: Context, store: StatusStore, outcome: RemovalOutcome) -> list[Path]:
    previous = store.load().user
    fresh = new_user_status(
        outcome.user, command="uninstall", exit_code=0, now=ctx.env.clock(), previous=previous
    )
    cleared = dataclasses.replace(
        fresh, kiro_version=None, location=None, verification=[], drift=[], install=None,
        ahead_of_pin=False,
    )  # fmt: skip
    return store.save(cleared, system_install=None, keep_system_install=not ctx.facts.is_admin)


def _remove_person_install(ctx: Context, person: Person, request: dict[str, Any]) -> dict[str, Any]:
    """As the person: remove their own user-scope install (with purge, Kiro's data too)."""
    dry_run = bool(request.get("dry_run"))
    record = own_install_record(ctx, person) if request.get("install", True) else None
    changes: list[str] = []
    removed: list[str] = []
    if record is not None:
        changes += remove_install(ctx, record, person, dry_run)
        removed.append(f"{record.version} ({record.scope}, {record.method})")
    if request.get("purge"):
        changes += purge_user_data(person.home, ctx.facts.os, dry_run)
    return {"changes": changes, "removed": removed}


REMOVE_INSTALL_STEP = PersonStep("remove-install", _remove_person_install)
