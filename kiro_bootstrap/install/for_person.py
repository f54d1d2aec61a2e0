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
from kiro_bootstrap.fetch.obtain import obtain_verified_build
from kiro_bootstrap.install.configure_step import configure_after_install
from kiro_bootstrap.install.integration import edited_entry_note
from kiro_bootstrap.install.job import Placed
from kiro_bootstrap.install.person_side import PLACE_INSTALL_STEP
from kiro_bootstrap.install.plan import InstallChoice, InstallOutcome, InstallRequest
from kiro_bootstrap.install.running import ensure_kiro_closed
from kiro_bootstrap.install.status_update import record_install, record_unchanged
from kiro_bootstrap.layout.locations import linux_layout
from kiro_bootstrap.privsep.steps import inside, run_person_step

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.install.preflight import Preflight
    from kiro_bootstrap.state.store import StatusStore


def _paths_inside(home: Path, values: Any) -> list[str]:
    """The step's list of paths, keeping only those inside the home (the rest is dropped)."""
    if not isinstance(values, list):
        return []
    return [str(value) for value in values if isinstance(value, str) and inside(home, Path(value))]


def install_in_their_home(
    ctx: Context, pre: Preflight, store: StatusStore, request: InstallRequest, choice: InstallChoice
) -> InstallOutcome:
    """Carry out the install decision in another person's home, through their step."""
    current, decision = choice.current, choice.decision
    if not decision.places_build:
        outcome = InstallOutcome(pre, decision, current.location)
        outcome.configure = configure_after_install(ctx, pre, request, current.version)
        outcome.status_files = record_unchanged(
            ctx, store, pre=pre, current=current, decision=decision, outcome=outcome
        )
        return outcome
    placed, build = _place_through_step(ctx, pre, request, decision.offered)
    outcome = InstallOutcome(pre, decision, placed.location, notes=placed.notes)
    outcome.verification = [check.to_json() for check in build.checks]
    outcome.configure = configure_after_install(ctx, pre, request, build.version)
    record_install(ctx, store, pre=pre, build=build, placed=placed, outcome=outcome)
    reach_phase(ctx.environ, "state-written")
    return outcome


def _place_through_step(
    ctx: Context, pre: Preflight, request: InstallRequest, version: str
) -> tuple[Placed, Any]:
    build = obtain_verified_build(
        ctx, target=pre.spec.name, version=version, base_url=request.base_url, dest=None
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
