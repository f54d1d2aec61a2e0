"""The state stage's person-side step: the person writes their own status file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiro_bootstrap.state.store import write_own_status

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.host.person import Person


def write_person_status(ctx: Context, person: Person, request: dict[str, Any]) -> dict[str, Any]:
    """Write the status document root built for this person into their own state folder."""
    del person
    document = request.get("document")
    if not isinstance(document, dict):
        return {"written": False}
    write_own_status(ctx, document)
    return {"written": True}
