"""Decide what an install run does: the one decision the real run and the dry run share.

What is installed (read from disk, or by the person's own step in their home), what is offered
(the pin, with no request; else the feed's latest) and, from the two, install, upgrade, repair,
leave alone or refuse a downgrade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import DeploymentError, VerificationError
from kiro_bootstrap.fetch.obtain import resolve_release
from kiro_bootstrap.install.integration import integration_complete
from kiro_bootstrap.install.person_side import INSPECT_INSTALL_STEP
from kiro_bootstrap.install.preflight import Preflight
from kiro_bootstrap.layout.locations import linux_layout
from kiro_bootstrap.logs import RUN_EVENTS
from kiro_bootstrap.privsep.steps import run_person_step
from kiro_bootstrap.release.metadata import version_key
from kiro_bootstrap.state.current import (
    CurrentInstall,
    current_from_inspection,
    find_current_install,
    method_of,
)
from kiro_bootstrap.state.store import StatusStore

if TYPE_CHECKING:
    from kiro_bootstrap.configure.report import ConfigureReport

# "repair": the version in place is the one wanted, but an interrupted run left it unfinished.
Action = Literal["install", "upgrade", "downgrade", "repair", "up-to-date", "ahead-of-pin"]
# Actions that put a new build on disk.
CHANGING_ACTIONS = frozenset({"install", "upgrade", "downgrade"})


@dataclass(frozen=True)
class Decision:
    """What to do, and the two versions it was decided from."""

    action: Action
    installed: str | None
    offered: str

    @property
    def changes_build(self) -> bool:
        """True when the run downloads and installs a build."""
        return self.action in CHANGING_ACTIONS

    @property
    def places_build(self) -> bool:
        """True when the run puts a build in place: a change, or a repair of the same version."""
        return self.changes_build or self.action == "repair"


@dataclass(frozen=True)
class InstallRequest:
    """The options of one `install` run."""

    target: str | None = None
    base_url: str | None = None
    scope: str | None = None
    for_user: str | None = None
    dry_run: bool = False
    close_running: bool = False
    allow_unsupported_os: bool = False
    allow_downgrade: bool = False
    configure: bool = True


@dataclass
class InstallOutcome:
    """What the run did (or, with --dry-run, would do)."""

    preflight: Preflight
    decision: Decision
    location: Path | None
    actions: list[str] = field(default_factory=list)
    verification: list[dict[str, Any]] = field(default_factory=list)
    configure: ConfigureReport | None = None
    status_files: list[Path] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InstallChoice:
    """What is installed and what the run does about it."""

    current: CurrentInstall
    decision: Decision
    in_their_home: bool  # another person's home: their own step looked, and places the build


def choose_install(
    ctx: Context, pre: Preflight, store: StatusStore, request: InstallRequest
) -> InstallChoice:
    """The one install decision, for the real run and the dry run alike.

    A pinned version is offered without a request; only an unpinned run asks the feed.
    """
    in_their_home = pre.scope == "user" and store.through_person_step and ctx.facts.os != "windows"
    current, complete = _find_current(ctx, pre, store, in_their_home=in_their_home)
    offered = _offered_version(ctx, pre, request)
    pinned = ctx.settings.release.pinned
    from_flag = ctx.loaded.origin_of("release.version").kind == "flag"
    decision = decide(
        current.version,
        offered,
        pinned=pinned,
        pinned_by_configuration=pinned and not from_flag,
        allow_downgrade=request.allow_downgrade,
    )
    if not decision.changes_build and not complete:
        why = f"{current.version} is in place but unfinished (an interrupted run): put it back"
        decision = _told(Decision("repair", current.version, offered), why)
    return InstallChoice(current, decision, in_their_home)


def _find_current(
    ctx: Context, pre: Preflight, store: StatusStore, *, in_their_home: bool
) -> tuple[CurrentInstall, bool]:
    """What is installed, and whether it is whole (an interrupted run leaves it unfinished)."""
    if in_their_home:
        # Their own step looks (its answer only steers this choice).
        if pre.spec.extension != "tar.gz":
            raise DeploymentError(
                f"A per-user install of {pre.spec.name} for someone else is not supported.",
                hint="Install it system-wide (--scope system), or let the person run it "
                "themselves.",
            )
        answer = run_person_step(ctx, pre.person, INSPECT_INSTALL_STEP, {"target": pre.spec.name})
        current = current_from_inspection(ctx, pre.home, answer)
        return current, answer.get("complete") is True
    record = store.load().install_record(pre.scope)
    current = find_current_install(
        ctx, pre.spec, pre.scope, user=pre.user, home=pre.home, record=record
    )
    return current, _complete(ctx, pre, current)


def _complete(ctx: Context, pre: Preflight, current: CurrentInstall) -> bool:
    """Ours and whole; a tar.gz also needs its shim and menu entry (an interrupted run)."""
    if method_of(pre.spec) != "tarball":
        return True
    layout = linux_layout(pre.scope, ctx.facts, ctx.paths, pre.home)
    return current.record is not None and integration_complete(layout)


def _offered_version(ctx: Context, pre: Preflight, request: InstallRequest) -> str:
    """The pinned version (no network), else the feed's latest."""
    release = ctx.settings.release
    if release.pinned:
        return release.version
    return resolve_release(ctx, target=pre.spec.name, base_url=request.base_url).version


def _told(decision: Decision, why: str) -> Decision:
    """Log the decision and its reason in the run log; return it."""
    RUN_EVENTS.decision(
        decision.action, why, installed=decision.installed, offered=decision.offered
    )
    return decision


def decide(
    installed: str | None,
    offered: str,
    *,
    pinned: bool,
    pinned_by_configuration: bool,
    allow_downgrade: bool,
) -> Decision:
    """Install, upgrade, leave alone, or refuse a downgrade (exit 5).

    An installed Kiro newer than the organisation's configured pin updated itself: it is left
    alone ("ahead of pin"). An older offer from a flag or an unpinned feed is a downgrade,
    done only when the version is pinned and --allow-downgrade is given.
    """
    if installed is None:
        return _told(Decision("install", None, offered), f"no Kiro is installed; {offered} is")
    if version_key(installed) == version_key(offered):
        why = f"{installed} is installed and is the version wanted: nothing to download"
        return _told(Decision("up-to-date", installed, offered), why)
    if version_key(offered) > version_key(installed):
        return _told(Decision("upgrade", installed, offered), f"{offered} is newer")
    if pinned and allow_downgrade:
        why = f"{offered} is pinned and --allow-downgrade was given"
        return _told(Decision("downgrade", installed, offered), why)
    if pinned_by_configuration:
        why = f"{installed} is newer than the pinned {offered}: Kiro updated itself, left alone"
        return _told(Decision("ahead-of-pin", installed, offered), why)
    RUN_EVENTS.decision(
        "refuse", f"{offered} is older than the installed {installed} and not pinned with "
        "--allow-downgrade", installed=installed, offered=offered,
    )  # fmt: skip
    raise VerificationError(
        f"Kiro {installed} is installed; the offered version {offered} is older. "
        "Refusing to downgrade.",
        hint=f"To downgrade on purpose, pin it (release.version or --version {offered}) "
        "and pass --allow-downgrade.",
        code="downgrade-refused",
    )
