"""The configure stage as the install pipeline uses it (the writers live in `configure/`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiro_bootstrap.configure.run import configure_user_and_system
from kiro_bootstrap.crash import reach_phase

if TYPE_CHECKING:
    from kiro_bootstrap.configure.report import ConfigureReport
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.install.plan import InstallRequest
    from kiro_bootstrap.install.preflight import Preflight
    from kiro_bootstrap.privsep.person import Person


def apply_configuration(
    ctx: Context, *, person: Person, kiro_version: str | None, dry_run: bool = False
) -> ConfigureReport:
    """Write (or, with dry_run, plan) the organisation's configuration for `person`."""
    return configure_user_and_system(ctx, person=person, kiro_version=kiro_version, dry_run=dry_run)


def configure_after_install(
    ctx: Context, pre: Preflight, request: InstallRequest, version: str | None
) -> ConfigureReport | None:
    """The configure stage, unless --no-configure."""
    if not request.configure:
        return None
    if pre.person.at_login_window:
        ctx.output.warn(
            "Nobody is signed in at the console: Kiro is installed, and each person's "
            "configuration is written by the next run while they are signed in."
        )
        return None
    reach_phase(ctx.environ, "before-configure")
    outcome = apply_configuration(ctx, person=pre.person, kiro_version=version)
    reach_phase(ctx.environ, "configured")
    return outcome
