"""`install --dry-run`: every action and file change the run would make; nothing is touched."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from kiro_bootstrap.context import Context
from kiro_bootstrap.fetch.obtain import locate_release
from kiro_bootstrap.install.configure_step import apply_configuration
from kiro_bootstrap.install.deb import deb_install_argv
from kiro_bootstrap.install.job import installers_folder
from kiro_bootstrap.install.macos import STAGING_NAME
from kiro_bootstrap.install.plan import InstallOutcome, InstallRequest, choose_install
from kiro_bootstrap.install.preflight import Preflight
from kiro_bootstrap.install.running import find_running
from kiro_bootstrap.install.windows import inno_argv
from kiro_bootstrap.layout.locations import install_prefix, linux_layout
from kiro_bootstrap.state.current import method_of
from kiro_bootstrap.state.store import StatusStore

if TYPE_CHECKING:
    from kiro_bootstrap.fetch.obtain import ResolvedRelease


def _build_actions(
    ctx: Context, pre: Preflight, resolved: ResolvedRelease, *, close_running: bool
) -> list[str]:
    """What putting the build in place would do, step by step."""
    method = method_of(pre.spec)
    facts, paths, home, version = ctx.facts, ctx.paths, pre.home, resolved.version
    actions = [f"download {resolved.artifact_url}"]
    if resolved.signature_url:
        actions.append(f"download {resolved.signature_url} and {resolved.certificate_url}")
    pin = "the organisation's SHA-256 pin, then " if resolved.pinned_sha256 else ""
    actions.append(f"verify it: {pin}the platform signature (stop on any doubt)")
    if method == "tarball":
        layout = linux_layout(pre.scope, facts, paths, home)
        actions += [
            f"unpack it into a staging folder in {layout.prefix}, then rename it to "
            f"{layout.version_folder(version)}",
            f"switch {layout.current} -> {version} (one rename)",
            f"link {layout.shim} -> {layout.current / 'bin' / 'kiro'}",
            f"write {layout.icon}",
            f"write {layout.desktop_entry}",
            f"remove version folders in {layout.prefix} other than {version} and the previous one",
        ]
    elif method == "deb":
        argv = deb_install_argv(paths, installers_folder(ctx) / resolved.file_name)
        actions.append(f"run: {subprocess.list2cmdline(argv)}")
    elif method == "dmg":
        folder = install_prefix(pre.scope, facts, paths, home)
        actions += [
            "attach the DMG read-only (hdiutil attach -readonly -nobrowse)",
            "verify Kiro.app (codesign, TeamIdentifier, spctl)",
            f"ditto Kiro.app to {folder / STAGING_NAME} and verify the copy",
            f"replace {folder / 'Kiro.app'} with it; detach the DMG",
        ]
    else:
        installer = str(installers_folder(ctx) / resolved.file_name)
        argv = inno_argv(installer, close_running=close_running)
        actions.append(f"run as {pre.user}: {subprocess.list2cmdline(argv)}")
    return actions


def plan_dry_run(
    ctx: Context, pre: Preflight, store: StatusStore, request: InstallRequest
) -> InstallOutcome:
    """The real run's decision, and what it would do; no lock, no writes, no extra request."""
    choice = choose_install(ctx, pre, store, request)
    decision = choice.decision
    outcome = InstallOutcome(pre, decision, choice.current.location)
    if decision.places_build:
        # What the real run would fetch: for a chosen version, no request is needed.
        resolved = locate_release(
            ctx, target=pre.spec.name, version=decision.offered, base_url=request.base_url
        )
        running = find_running(ctx, pre.person)
        if running:
            verb = "close" if request.close_running else "stop with exit 7: running"
            outcome.actions.append(f"{verb} Kiro ({', '.join(running)})")
        outcome.actions += _build_actions(ctx, pre, resolved, close_running=request.close_running)
        outcome.actions.append(f"write {store.user_file}")
        if store.can_write_machine:
            outcome.actions.append(f"write {store.machine_file}")
    if request.configure:
        outcome.configure = apply_configuration(
            ctx, person=pre.person, kiro_version=decision.offered, dry_run=True
        )
    return outcome
