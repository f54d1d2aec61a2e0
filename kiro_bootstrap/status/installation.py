"""`status`: what is installed where, how it was verified, whether it is behind or drifted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiro_bootstrap.configure.run import detect_drift
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import KiroBootstrapError
from kiro_bootstrap.fetch.obtain import resolve_release
from kiro_bootstrap.install.person_side import INSPECT_INSTALL_STEP
from kiro_bootstrap.layout.locations import Scope, linux_layout, resolve_scope
from kiro_bootstrap.layout.targets import TARGET_SPECS, TargetSpec, host_target
from kiro_bootstrap.privsep.person import ForPerson, Person, person_for_run
from kiro_bootstrap.privsep.steps import run_person_step
from kiro_bootstrap.release.metadata import version_key
from kiro_bootstrap.state.current import CurrentInstall, find_current_install
from kiro_bootstrap.state.store import StatusSnapshot, open_status_store

if TYPE_CHECKING:
    from kiro_bootstrap.configure.reconcile import Drift


@dataclass
class InstallationStatus(ForPerson):
    """Everything `status` reports for one person."""

    person: Person
    snapshot: StatusSnapshot
    spec: TargetSpec | None = None
    scope: Scope | None = None
    current: CurrentInstall | None = None
    wanted: str | None = None  # the pinned version, or the feed's latest
    wanted_note: str | None = None  # why `wanted` is unknown (offline, unreachable)
    drift: list[Drift] = field(default_factory=list)

    @property
    def installed(self) -> bool:
        """True when some Kiro was found."""
        return self.current is not None and self.current.version is not None

    @property
    def behind(self) -> bool:
        """True when the installed version is older than the one wanted."""
        version = self.current.version if self.current else None
        if version is None or self.wanted is None:
            return False
        return version_key(version) < version_key(self.wanted)

    @property
    def ahead_of_pin(self) -> bool:
        """True when Kiro updated itself past the organisation's pin."""
        version = self.current.version if self.current else None
        if version is None or self.wanted is None or self.wanted_note != "pinned":
            return False
        return version_key(version) > version_key(self.wanted)


def _candidates(ctx: Context, snapshot: StatusSnapshot) -> list[tuple[TargetSpec, Scope]]:
    """Where Kiro may be: our records first, then this host's usual places."""
    found: list[tuple[TargetSpec, Scope]] = []
    scopes: tuple[Scope, ...] = ("system", "user")
    for scope in scopes:
        record = snapshot.install_record(scope)
        if record and record.target in TARGET_SPECS:
            found.append((TARGET_SPECS[record.target], scope))
    host = host_target(ctx.facts)
    if host is not None:
        if ctx.facts.os == "windows":
            ordered: tuple[Scope, ...] = ("user",)
        else:
            first = resolve_scope(ctx.settings.install.scope, ctx.facts)
            ordered = (first, "user" if first == "system" else "system")
        found += [(TARGET_SPECS[host], scope) for scope in ordered]
        if ctx.facts.os == "linux":
            found.append((TARGET_SPECS["linux-x64-deb"], "system"))
    return list(dict.fromkeys(found))


def _wanted_version(ctx: Context, spec: TargetSpec) -> tuple[str | None, str | None]:
    release = ctx.settings.release
    if release.pinned:
        return release.version, "pinned"
    if ctx.options.offline:
        return None, "offline: the latest version was not checked"

    try:
        return resolve_release(ctx, target=spec.name).version, "latest"
    except KiroBootstrapError as error:
        return None, f"the latest version could not be checked: {error.message}"


def inspect_installation(ctx: Context, for_user: str | None) -> InstallationStatus:
    """Find the install, compare it with the wanted version, and list configuration drift."""
    person = person_for_run(ctx, for_user)
    store = open_status_store(ctx, person)
    snapshot = store.load()
    status = InstallationStatus(person, snapshot)
    for spec, scope in _candidates(ctx, snapshot):
        if scope == "user" and store.through_person_step and ctx.facts.os != "windows":
            current = _in_their_home(ctx, person, spec)
        else:
            record = snapshot.install_record(scope)
            current = find_current_install(
                ctx, spec, scope, user=person.name, home=person.home, record=record
            )
        if current.version is not None:
            status.spec, status.scope, status.current = spec, scope, current
            break
    if status.spec is not None:
        status.wanted, status.wanted_note = _wanted_version(ctx, status.spec)
    status.drift = detect_drift(ctx, person=person)
    return status


def _in_their_home(ctx: Context, person: Person, spec: TargetSpec) -> CurrentInstall:
    """Someone else's per-user Kiro, as their step sees it (Linux tar.gz only)."""
    if spec.extension != "tar.gz":
        return CurrentInstall(None, None, None)
    answer = run_person_step(ctx, person, INSPECT_INSTALL_STEP, {"target": spec.name})
    version = answer.get("version")
    if not isinstance(version, str) or not version:
        return CurrentInstall(None, None, None)

    layout = linux_layout("user", ctx.facts, ctx.paths, person.home)
    return CurrentInstall(version, layout.version_folder(version), None)
