"""The configure stage's person-side steps: they run as the person (see `privsep`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiro_bootstrap.configure.run import configure_person_side, person_drift

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.host.person import Person


def configure_person_files(ctx: Context, person: Person, request: dict[str, Any]) -> dict[str, Any]:
    """Plan and write the person's files and record; report what changed."""
    from kiro_bootstrap.install.detect import find_installed_kiro

    report = configure_person_side(
        ctx, person, dry_run=bool(request.get("dry_run")), remove=bool(request.get("remove"))
    )
    installed = find_installed_kiro(
        ctx.facts, ctx.paths, person.home, ctx.settings.kiro.version_field
    )
    return {"report": report.to_json(), "kiro_version": installed.version if installed else None}


def drift_of_person_files(ctx: Context, person: Person, request: dict[str, Any]) -> dict[str, Any]:
    """The drift of the person's own files (values are masked by the caller)."""
    del request
    return {
        "drift": [
            {"file": str(item.file), "key": item.key, "expected": item.expected,
             "actual": item.actual}
            for item in person_drift(ctx, person)
        ]
    }  # fmt: skip
