"""The install stage's person-side steps: they run as the person (see `privsep`).

A person's own record steers only what happens inside their home: an install record that names
another method, another scope or a place outside the home is refused (exit 9), never acted on.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.install.integration import integration_complete
from kiro_bootstrap.install.job import InstallJob
from kiro_bootstrap.install.linux_tarball import install_tarball
from kiro_bootstrap.layout.detect import read_current_link
from kiro_bootstrap.layout.locations import linux_layout
from kiro_bootstrap.privsep.steps import PersonStep, inside
from kiro_bootstrap.state.model import InstallRecord
from kiro_bootstrap.state.store import open_status_store

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.privsep.person import Person

USER_SCOPE_METHODS = frozenset({"tarball", "dmg", "inno"})


def own_install_record(ctx: Context, person: Person) -> InstallRecord | None:
    """The person's record of a user-scope install, refused when it points outside the home."""
    record = open_status_store(ctx, person).load().install_record("user")
    if record is None:
        return None
    problems = []
    if record.method not in USER_SCOPE_METHODS or record.scope != "user":
        problems.append(f"method {record.method!r} in scope {record.scope!r}")
    if not inside(person.home, Path(record.location)):
        problems.append(f"location {record.location}")
    if problems:
        raise DeploymentError(
            f"{person.name}'s install record names {' and '.join(problems)}, outside what a "
            "per-user install can be; it was not acted on.",
            hint="Remove the record (~/.local/state/kiro-bootstrap/status.json) and run again.",
            code="forged-record",
        )
    return record


def inspect_person_install(ctx: Context, person: Person, request: dict[str, Any]) -> dict[str, Any]:
    """The tar.gz version in the person's home and whether our install there is whole."""
    del request
    layout = linux_layout("user", ctx.facts, ctx.paths, person.home)
    version = read_current_link(layout.current)
    record = own_install_record(ctx, person)
    ours = record is not None and record.method == "tarball" and record.version == version
    return {"version": version, "complete": bool(ours and integration_complete(layout))}


def place_person_install(ctx: Context, person: Person, request: dict[str, Any]) -> dict[str, Any]:
    """Unpack the build root verified (read from root's cache) into the person's home."""
    record = own_install_record(ctx, person)
    job = InstallJob(
        ctx, request["build"], "user", person.name, person.home,
        bool(request.get("close_running")),
        tuple(record.created) if record else (), dict(record.replaced) if record else {},
    )  # fmt: skip
    placed = install_tarball(job, linux_layout("user", ctx.facts, ctx.paths, person.home))
    placed.finish()
    return {"location": str(placed.location), "created": placed.created,
            "replaced": placed.replaced, "edited_entry": bool(placed.notes)}  # fmt: skip


INSPECT_INSTALL_STEP = PersonStep("inspect-install", inspect_person_install)
PLACE_INSTALL_STEP = PersonStep("place-install", place_person_install)
