"""macOS: attach the DMG read-only, verify, ditto Kiro.app to a staging name beside the
target, verify the copy again, swap it in, and always detach."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from kiro_bootstrap import NAME
from kiro_bootstrap.checks import Check, any_failed
from kiro_bootstrap.crash import reach_phase
from kiro_bootstrap.errors import InstallError, VerificationError
from kiro_bootstrap.files import make_folders
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.install.job import InstallJob, Placed
from kiro_bootstrap.layout.detect import APP_BUNDLE
from kiro_bootstrap.verify import macos as verify_macos
from kiro_bootstrap.verify.macos import verify_app

STAGING_NAME = f".Kiro.app.{NAME}-staging"
PREVIOUS_NAME = f".Kiro.app.{NAME}-previous"
TOOL_TIMEOUT_SECONDS = 900.0  # ditto and codesign --deep over a ~1 GB app
# Every account's primary group on macOS; Installomator hands apps to <user>:staff too.
PERSON_GROUP = "staff"
UPDATES_OFF = "none"  # kiro.update_mode that turns Kiro's own updater off
# macOS 13+ "App Management" (TCC service kTCCServiceSystemPolicyAppBundles) refuses to let a
# process without it change an app that has been launched: rename and unlink fail with EPERM.
APP_MANAGEMENT_ERRNOS = frozenset({errno.EPERM, errno.EACCES})
APP_MANAGEMENT_HINT = (
    "Have your MDM grant kiro-bootstrap the App Management permission: a PPPC (Privacy "
    "Preferences Policy Control) payload with SystemPolicyAppBundles allowed for its code "
    "requirement. Then run again."
)


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
    _hand_over(job, staged)
    reach_phase(ctx.environ, "before-swap")
    swap_app(staged, target, previous)
    reach_phase(ctx.environ, "after-swap")
    had_previous = previous.exists()

    def undo() -> None:
        if had_previous:
            _remove(target)
            previous.replace(target)

    def finish() -> None:
        # The old app may be protected like the new one; the next run's swap retries this.
        with contextlib.suppress(OSError):
            _remove(previous)

    return Placed("dmg", target, undo=undo, finish=finish)


def app_owner(facts: HostFacts, user: str, update_mode: str | None) -> str | None:
    """Whom Kiro.app should belong to: the person, so Kiro's own updater can replace it.

    None (stays root's) when we install for ourselves, for nobody, or when updates are off
    (kiro.update_mode = "none"): then an app the person cannot change is what is wanted.
    """
    if not facts.is_admin or user in (facts.current_user, "root") or update_mode == UPDATES_OFF:
        return None
    return user


def effective_update_mode(job: InstallJob) -> str | None:
    """Kiro's UpdateMode as `configure` writes it: a pinned version turns updates off."""
    settings = job.ctx.settings
    if settings.kiro.update_mode is not None:
        return settings.kiro.update_mode
    return UPDATES_OFF if settings.release.pinned else None


def _hand_over(job: InstallJob, staged: Path) -> None:
    """chown -R the staged app to the person (before the swap, so it is never half theirs)."""
    ctx = job.ctx
    mode = effective_update_mode(job)
    owner = app_owner(ctx.facts, job.user, mode)
    if owner is None:
        if mode == UPDATES_OFF and ctx.facts.is_admin:
            ctx.output.note(
                "Kiro.app stays owned by root: Kiro's updates are off (kiro.update_mode = none, "
                "or a pinned release.version).",
                "plain",
            )
        return
    argv = ["chown", "-R", f"{owner}:{PERSON_GROUP}", str(staged)]
    done = ctx.env.runner(argv, timeout=TOOL_TIMEOUT_SECONDS)
    if not done.ok:
        _remove(staged)
        raise InstallError(
            f"Could not give Kiro.app to {owner}: {done.stderr.strip() or done.returncode}; "
            "the installed Kiro was not touched."
        )
    ctx.output.note(f"Kiro.app belongs to {owner}, so Kiro can update itself.", "plain")


def swap_app(
    staged: Path,
    target: Path,
    previous: Path,
    *,
    rename: Callable[[Path, Path], None] = os.replace,
) -> None:
    """Move the old app aside and the staged one in; a refusal leaves the old app and no copy.

    App Management's refusal is exit 6 naming the permission; the staged ~1 GB copy is removed.
    """
    had_previous = target.exists()
    try:
        _remove(previous)  # a leftover of an earlier run; App Management may guard it too
        if had_previous:
            rename(target, previous)
        try:
            rename(staged, target)
        except OSError:
            if had_previous:
                rename(previous, target)
            raise
    except OSError as error:
        with contextlib.suppress(OSError):
            _remove(staged)
        if error.errno in APP_MANAGEMENT_ERRNOS:
            raise InstallError(
                f"macOS did not let kiro-bootstrap replace {target} ({error.strerror}): the "
                "App Management permission (SystemPolicyAppBundles) is missing. The installed "
                "Kiro was not changed and the staged copy was removed.",
                hint=APP_MANAGEMENT_HINT,
                code="app-management-denied",
            ) from None
        raise InstallError(
            f"Moving the new Kiro.app into place failed ({error}); the previous one is back."
        ) from None


def remove_app(app: Path, *, dry_run: bool) -> list[str]:
    """Remove Kiro.app; returns what was (or would be) removed."""
    if not app.exists():
        return []
    if not dry_run:
        _remove(app)
    return [str(app)]
