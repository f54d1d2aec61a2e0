"""The configure stage as the install pipeline uses it (the writers live in `configure/`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiro_bootstrap.configure.report import ConfigureReport
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.host.person import Person


def apply_configuration(
    ctx: Context, *, person: Person, kiro_version: str | None, dry_run: bool = False
) -> ConfigureReport:
    """Write (or, with dry_run, plan) the organisation's configuration for `person`."""
    from kiro_bootstrap.configure.run import configure_user_and_system

    return configure_user_and_system(ctx, person=person, kiro_version=kiro_version, dry_run=dry_run)
