"""`install`: preflight → lock → decide (what is installed, what is offered; `plan.py`) → fetch
and verify → close Kiro → put in place → configure → record state → tidy up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiro_bootstrap.context import Context
from kiro_bootstrap.crash import reach_phase
from kiro_bootstrap.errors import InstallError, KiroBootstrapError
from kiro_bootstrap.fetch.obtain import obtain_verified_build
from kiro_bootstrap.install.configure_step import configure_after_install
from kiro_bootstrap.install.deb import install_deb
from kiro_bootstrap.install.dry_run import plan_dry_run
from kiro_bootstrap.install.for_person import install_in_their_home
from kiro_bootstrap.install.job import InstallJob, Placed, installers_folder
from kiro_bootstrap.install.linux_tarball import install_tarball
from kiro_bootstrap.install.lock import install_lock
from kiro_bootstrap.install.macos import install_dmg
from kiro_bootstrap.install.plan import (
    Decision,
    InstallChoice,
    InstallOutcome,
    InstallRequest,
    choose_install,
)
from kiro_bootstrap.install.preflight import Preflight, run_preflight
from kiro_bootstrap.install.running import ensure_kiro_closed
from kiro_bootstrap.install.status_update import record_install, record_unchanged
from kiro_bootstrap.install.windows import install_inno
from kiro_bootstrap.layout.locations import install_prefix, linux_layout
from kiro_bootstrap.layout.targets import TARGET_SPECS
from kiro_bootstrap.state.current import CurrentInstall, method_of
from kiro_bootstrap.state.store import LOCK_FILE_NAME, StatusStore, open_status_store


def lock_path(ctx: Context, store: StatusStore, scope: str) -> Path:
    """Root's runs lock in root's state folder; a person's own run in their state folder."""
    root_side = scope == "system" or store.person.for_someone_else
    folder = ctx.paths.system_state_dir if root_side else store.user_file.parent
    return folder / LOCK_FILE_NAME


def run_install(ctx: Context, request: InstallRequest) -> InstallOutcome:
    """Install (or leave alone) Kiro for one person; see the module docstring for the steps."""
    pre = run_preflight(
        ctx,
        target=request.target,
        scope=request.scope,
        for_user=request.for_user,
        allow_unsupported_os=request.allow_unsupported_os,
    )
    store = open_status_store(ctx, pre.person)
    if request.dry_run:
        return plan_dry_run(ctx, pre, store, request)
    with install_lock(lock_path(ctx, store, pre.scope), sleep=ctx.env.sleep):
        reach_phase(ctx.environ, "lock-acquired")
        return _install_locked(ctx, pre, store, request)


def _install_locked(
    ctx: Context, pre: Preflight, store: StatusStore, request: InstallRequest
) -> InstallOutcome:
    choice = choose_install(ctx, pre, store, request)
    reach_phase(ctx.environ, "resolved")
    if choice.in_their_home:
        return install_in_their_home(ctx, pre, store, request, choice)
    if not choice.decision.places_build:
        return _leave_in_place(ctx, pre, store, request, choice)
    return _put_build_in_place(
        ctx, pre, store=store, request=request, current=choice.current, decision=choice.decision
    )


def _leave_in_place(
    ctx: Context, pre: Preflight, store: StatusStore, request: InstallRequest, choice: InstallChoice
) -> InstallOutcome:
    """Nothing to download: configure, and record the run only if something changed."""
    current = choice.current
    outcome = InstallOutcome(pre, choice.decision, current.location)
    outcome.configure = configure_after_install(ctx, pre, request, current.version)
    outcome.status_files = record_unchanged(
        ctx, store, pre=pre, current=current, decision=choice.decision, outcome=outcome
    )
    return outcome


def _put_build_in_place(
    ctx: Context,
    pre: Preflight,
    *,
    store: StatusStore,
    request: InstallRequest,
    current: CurrentInstall,
    decision: Decision,
) -> InstallOutcome:
    # dmg, exe and deb tools want the artifact under its real name; the tarball reads the blob.
    named = method_of(pre.spec) != "tarball"
    build = obtain_verified_build(
        ctx,
        target=pre.spec.name,
        version=decision.offered,
        base_url=request.base_url,
        dest=installers_folder(ctx) if named else None,
    )
    reach_phase(ctx.environ, "downloaded")
    closed = ensure_kiro_closed(ctx, pre.person, close_running=request.close_running)
    reach_phase(ctx.environ, "running-checked")
    record = current.record
    job = InstallJob(
        ctx, build, pre.scope, pre.user, pre.home, request.close_running,
        tuple(record.created) if record else (), dict(record.replaced) if record else {},
    )  # fmt: skip
    try:
        placed = _place(job, current.version)
    finally:
        if build.dest_path is not None:
            build.dest_path.unlink(missing_ok=True)
    outcome = InstallOutcome(pre, decision, placed.location, closed=closed, notes=placed.notes)
    outcome.verification = [check.to_json() for check in build.checks]
    try:
        outcome.configure = configure_after_install(ctx, pre, request, build.version)
    except KiroBootstrapError as error:
        # The build is in place and works; record it before reporting the configure failure.
        record_install(
            ctx, store, pre=pre, build=build, placed=placed, outcome=outcome,
            exit_code=int(error.exit_status),
        )  # fmt: skip
        raise
    _record_or_undo(
        lambda: record_install(ctx, store, pre=pre, build=build, placed=placed, outcome=outcome),
        placed,
    )
    reach_phase(ctx.environ, "state-written")
    placed.finish()
    reach_phase(ctx.environ, "pruned")
    return outcome


def _record_or_undo(write: Callable[[], None], placed: Placed) -> None:
    try:
        write()
    except OSError as error:
        placed.undo()
        raise InstallError(
            f"Recording the install failed ({error}); the previous Kiro is back in place."
        ) from None


def _place(job: InstallJob, previous_version: str | None) -> Placed:
    """Hand the build to the platform's installer."""
    ctx, method = job.ctx, _method_of_build(job)
    if method == "tarball":
        return install_tarball(job, linux_layout(job.scope, ctx.facts, ctx.paths, job.home))
    if method == "deb":
        return install_deb(job, previous_version)
    if method == "dmg":
        return install_dmg(job, install_prefix(job.scope, ctx.facts, ctx.paths, job.home))

    return install_inno(job)


def _method_of_build(job: InstallJob) -> str:
    """The install method of the job's target."""
    return method_of(TARGET_SPECS[job.build.target])
