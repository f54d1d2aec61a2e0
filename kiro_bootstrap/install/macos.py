"""macOS: attach the DMG read-only, verify, ditto Kiro.app to a staging name beside the
target, verify the copy again, swap it in, and always detach."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from kiro_bootstrap.checks import Check, any_failed
from kiro_bootstrap.errors import InstallError, VerificationError
from kiro_bootstrap.files import make_folders
from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.install.crash import reach_phase
from kiro_bootstrap.install.detect import APP_BUNDLE
from kiro_bootstrap.install.job import InstallJob, Placed
from kiro_bootstrap.verify import macos as verify_macos
from kiro_bootstrap.verify.macos import verify_app

STAGING_NAME = ".Kiro.app.kiro-bootstrap-staging"
PREVIOUS_NAME = ".Kiro.app.kiro-bootstrap-previous"
TOOL_TIMEOUT_SECONDS = 900.0  # ditto and codesign --deep over a ~1 GB app


@contextlib.contextmanager
def attached_dmg(dmg: Path, runner: Runner) -> Iterator[Path]:
    """The DMG attached read-only for the install; one that will not attach changes nothing."""
    try:
        with verify_macos.attached_dmg(dmg, runner, timeout=TOOL_TIMEOUT_SECONDS) as mount:
            yield mount
    except verify_macos.AttachError as error:
        raise InstallError(f"Cannot attach {dmg.name}: {error}; nothing was changed.") from None


def _require(checks: list[Check], what: str) -> None:
    if any_failed(checks):
        failed = next(check for check in checks if check.status == "fail")
        raise VerificationError(f"{what}: {failed.summary}", hint=failed.remedy or None)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def install_dmg(job: InstallJob, applications: Path) -> Placed:
    """Copy Kiro.app from the verified DMG into `applications`; the old app stays until done."""
    ctx, runner = job.ctx, job.ctx.env.runner
    team_id = ctx.settings.release.signing.macos_team_id
    target, staged = applications / APP_BUNDLE, applications / STAGING_NAME
    previous = applications / PREVIOUS_NAME
    make_folders(applications, mode=0o755)
    with attached_dmg(job.build.dest_path or job.build.path, runner) as mount:
        _require(verify_app(mount / APP_BUNDLE, runner, team_id), "Kiro.app in the DMG")
        _remove(staged)
        ditto = ["ditto", str(mount / APP_BUNDLE), str(staged)]
        copied = runner(ditto, timeout=TOOL_TIMEOUT_SECONDS)
        if not copied.ok:
            _remove(staged)
            raise InstallError(
                f"Copying Kiro.app failed: {copied.stderr.strip() or copied.returncode}; "
                "the installed Kiro was not touched."
            )
        reach_phase(ctx.environ, "unpacked-to-staging")
        try:
            _require(verify_app(staged, runner, team_id), "the copied Kiro.app")
        except VerificationError:
            _remove(staged)
            raise
    reach_phase(ctx.environ, "before-swap")
    _remove(previous)
    had_previous = target.exists()
    if had_previous:
        target.replace(previous)
    try:
        staged.replace(target)
    except OSError as error:
        if had_previous:
            previous.replace(target)
        raise InstallError(
            f"Moving the new Kiro.app into place failed ({error}); the previous one is back."
        ) from None
    reach_phase(ctx.environ, "after-swap")

    def undo() -> None:
        if had_previous:
            _remove(target)
            previous.replace(target)

    return Placed("dmg", target, undo=undo, finish=lambda: _remove(previous))


def remove_app(app: Path, *, dry_run: bool) -> list[str]:
    """Remove Kiro.app; returns what was (or would be) removed."""
    if not app.exists():
        return []
    if not dry_run:
        _remove(app)
    return [str(app)]
