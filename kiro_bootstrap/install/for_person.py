"""Root installing Kiro into someone else's home: root decides and fetches, they place it.

Root resolves the release, downloads and verifies the build into its own cache (root-owned,
world-readable), and asks the person-side step, running as the person, to unpack and link it
in their home. Root records what it asked for and what the step said; it never follows a path
in the home, nor takes one the step returned as something to act on.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.crash import reach_phase
from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.install.integration import edited_entry_note
from kiro_bootstrap.install.job import Placed
from kiro_bootstrap.install.person_side import INSPECT_INSTALL_STEP, PLACE_INSTALL_STEP
from kiro_bootstrap.install.plan import Decision
from kiro_bootstrap.layout.locations import linux_layout
from kiro_bootstrap.privsep.steps import inside, run_person_step
from kiro_bootstrap.state.current import CurrentInstall

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.install.pipeline import InstallOutcome, InstallRequest
    from kiro_bootstrap.install.preflight import Preflight
    from kiro_bootstrap.state.store import StatusStore


def current_in_their_home(ctx: Context, pre: Preflight) -> CurrentInstall:
    """The version the person's step finds in their home (untrusted: it only steers a choice)."""
    answer = run_person_step(ctx, pre.person, INSPECT_INSTALL_STEP, {"target": pre.spec.name})
    return current_in_their_home_from(ctx, pre, answer)


def _paths_inside(home: Path, values: Any) -> list[str]:
    """The step's list of paths, keeping only those inside the home (the rest is dropped)."""
    if not isinstance(values, list):
        return []
    return [str(value) for value in values if isinstance(value, str) and inside(home, Path(value))]


def install_in_their_home(
    ctx: Context, pre: Preflight, store: StatusStore, request: InstallRequest
) -> InstallOutcome:
    """Install (or leave alone) Kiro in another person's home, through their step."""
    from kiro_bootstrap.install.pipeline import (
        InstallOutcome,
        configure_after_install,
        install_decision,
        offered_version,
    )
    from kiro_bootstrap.install.status_update import record_install, record_unchanged

    if pre.spec.extension != "tar.gz":
        raise DeploymentError(
            f"A per-user install of {pre.spec.name} for someone else is not supported.",
            hint="Install it system-wide (--scope system), or let the person run it themselves.",
        )
    answer = run_person_step(ctx, pre.person, INSPECT_INSTALL_STEP, {"target": pre.spec.name})
    current = current_in_their_home_from(ctx, pre, answer)
    offered = offered_version(ctx, pre, request)
    reach_phase(ctx.environ, "resolved")
    decision = install_decision(ctx, current, offered, request.allow_downgrade)
    if not decision.changes_build and answer.get("complete") is True:
        outcome = InstallOutcome(pre, decision, current.location)
        outcome.configure = configure_after_install(ctx, pre, request, current.version)
        outcome.status_files = record_unchanged(
            ctx, store, pre=pre, current=current, decision=decision, outcome=outcome
        )
        return outcome
    if not decision.changes_build:
        decision = Decision("repair", current.version, offered)
    placed, build = _place_through_step(ctx, pre, request, decision)
    outcome = InstallOutcome(pre, decision, placed.location, notes=placed.notes)
    outcome.verification = [check.to_json() for check in build.checks]
    outcome.configure = configure_after_install(ctx, pre, request, build.version)
    record_install(ctx, store, pre=pre, build=build, placed=placed, outcome=outcome)
    reach_phase(ctx.environ, "state-written")
    return outcome


def current_in_their_home_from(
    ctx: Context, pre: Preflight, answer: dict[str, Any]
) -> CurrentInstall:
    """The CurrentInstall an inspect answer describes (the location is root's own derivation)."""
    version = answer.get("version")
    version = version if isinstance(version, str) and version else None
    location = None
    if version is not None:
        location = linux_layout("user", ctx.facts, ctx.paths, pre.home).version_folder(version)
    return CurrentInstall(version, location, None)


def _place_through_step(
    ctx: Context, pre: Preflight, request: InstallRequest, decision: Decision
) -> tuple[Placed, Any]:
    from kiro_bootstrap.fetch.obtain import obtain_verified_build
    from kiro_bootstrap.install.running import ensure_kiro_closed

    build = obtain_verified_build(
        ctx, target=pre.spec.name, version=decision.offered, base_url=request.base_url, dest=None
    )
    reach_phase(ctx.environ, "downloaded")
    ensure_kiro_closed(ctx, pre.person, close_running=request.close_running)
    reach_phase(ctx.environ, "running-checked")
    # The build object crosses the fork in memory; the step reads the root-owned blob.
    answer = run_person_step(
        ctx,
        pre.person,
        PLACE_INSTALL_STEP,
        {"build": build, "close_running": request.close_running},
    )
    layout = linux_layout("user", ctx.facts, ctx.paths, pre.home)
    created = _paths_inside(pre.home, answer.get("created"))
    replaced_raw = answer.get("replaced")
    replaced = {
        key: value
        for key, value in (replaced_raw.items() if isinstance(replaced_raw, dict) else [])
        if isinstance(key, str) and isinstance(value, str)
        and inside(pre.home, Path(key)) and inside(pre.home, Path(value))
    }  # fmt: skip
    # The child says only whether the entry was edited; the words are root's (DECISIONS §1).
    notes = [edited_entry_note(layout.desktop_entry)] if answer.get("edited_entry") is True else []
    placed = Placed("tarball", layout.version_folder(build.version), created, replaced, notes=notes)
    return placed, build
