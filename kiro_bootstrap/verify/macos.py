"""macOS: attach the DMG read-only, check Kiro.app with codesign and spctl, always detach."""

from __future__ import annotations

import contextlib
import plistlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kiro_bootstrap.checks import Check
from kiro_bootstrap.host.runner import Runner

APP_NAME = "Kiro.app"
BUNDLE_IDENTIFIER = "dev.kiro.desktop"  # Team ID 94KV3E626L signs every Amazon app, not only Kiro
# A DMG with a licence agreement prints it and asks "Agree Y/N?" before attaching; hdiutil
# reads the answer from stdin (Munki and Installomator answer it the same way).
LICENCE_ANSWER = "Y\n"
CODESIGN_CHECK = "macos-codesign"
TEAM_CHECK = "macos-team-id"
GATEKEEPER_CHECK = "macos-gatekeeper"
STEPS = (CODESIGN_CHECK, TEAM_CHECK, GATEKEEPER_CHECK)
TOOL_TIMEOUT_SECONDS = 300.0  # --deep walks every nested binary of a ~1 GB app


class AttachError(Exception):
    """`hdiutil attach` did not give a mounted volume."""


@contextlib.contextmanager
def attached_dmg(dmg: Path, runner: Runner, *, timeout: float) -> Iterator[Path]:
    """Attach read-only without browsing or auto-opening; always detach (forcing if needed).

    A licence agreement is accepted: the organisation chose to deploy Kiro.
    """
    with tempfile.TemporaryDirectory(prefix="kiro-dmg-") as mount_parent:
        attached = runner(
            ["hdiutil", "attach", "-readonly", "-nobrowse", "-noautoopen",
             "-mountrandom", mount_parent, "-plist", str(dmg)],
            timeout=timeout,
            input=LICENCE_ANSWER,
        )  # fmt: skip
        mount_point = parse_attach_plist(attached.stdout) if attached.ok else None
        if mount_point is None:
            raise AttachError(attached.stderr.strip() or "no mounted volume in hdiutil's answer")
        try:
            yield Path(mount_point)
        finally:
            detached = runner(["hdiutil", "detach", mount_point], timeout=timeout)
            if not detached.ok:
                runner(["hdiutil", "detach", "-force", mount_point], timeout=timeout)


def verify_dmg(dmg: Path, runner: Runner, team_id: str) -> list[Check]:
    """Attach, verify Kiro.app, detach; a DMG that will not attach fails the codesign step."""
    try:
        with attached_dmg(dmg, runner, timeout=TOOL_TIMEOUT_SECONDS) as mount:
            return verify_app(mount / APP_NAME, runner, team_id)
    except AttachError as error:
        return [Check(CODESIGN_CHECK, "fail", f"cannot attach the DMG: {error}")]


def first_plist_document(text: str) -> str:
    """The first XML plist in `text`: a licence agreement's text may come before it."""
    start = text.find("<?xml")
    end = text.find("</plist>", max(start, 0))
    if start < 0 or end < 0:
        return text
    return text[start : end + len("</plist>")]


def parse_attach_plist(text: str) -> str | None:
    """The mount point in `hdiutil attach -plist` output (the entity that has one)."""
    try:
        document = plistlib.loads(first_plist_document(text).encode("utf-8"))
    except (plistlib.InvalidFileException, ValueError):
        return None
    entities = document.get("system-entities") if isinstance(document, dict) else None
    for entity in entities or []:
        if isinstance(entity, dict) and isinstance(entity.get("mount-point"), str):
            return str(entity["mount-point"])
    return None


def verify_app(app: Path, runner: Runner, team_id: str) -> list[Check]:
    """codesign --verify --deep --strict, TeamIdentifier and bundle identifier, spctl."""
    verified = runner(
        ["codesign", "--verify", "--deep", "--strict", "--verbose=2", str(app)],
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    if not verified.ok:
        reason = _first_line(verified.stderr) or f"exit {verified.returncode}"
        return [Check(CODESIGN_CHECK, "fail", f"codesign rejects {APP_NAME}: {reason}")]
    checks = [Check(CODESIGN_CHECK, "pass", f"{APP_NAME}: valid on disk (--deep --strict)")]
    shown = runner(["codesign", "--display", "--verbose=2", str(app)])
    # codesign --display writes its report on stderr.
    fields = parse_codesign_display(shown.stderr + shown.stdout)
    found = fields.get("TeamIdentifier", "none")
    identifier = fields.get("Identifier", "none")
    if found != team_id:
        return [
            *checks,
            Check(
                TEAM_CHECK,
                "fail",
                f"TeamIdentifier {found} is not {team_id} (release.signing.macos_team_id).",
                "Somebody else signed this app; do not install it.",
            ),
        ]
    if identifier != BUNDLE_IDENTIFIER:
        return [
            *checks,
            Check(
                TEAM_CHECK,
                "fail",
                f"{APP_NAME} is signed by {team_id} but is {identifier}, not {BUNDLE_IDENTIFIER}.",
                "This is another app of the same publisher; do not install it as Kiro.",
            ),
        ]
    checks.append(Check(TEAM_CHECK, "pass", f"TeamIdentifier {found}, identifier {identifier}"))
    return [*checks, _assess(app, runner, team_id)]


def _assess(app: Path, runner: Runner, team_id: str) -> Check:
    """Gatekeeper's verdict; -vv (not --verbose=2) is what makes spctl print `origin=`."""
    assessed = runner(
        ["spctl", "--assess", "--type", "execute", "-vv", str(app)],
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    report = parse_codesign_display(assessed.stderr)
    if not assessed.ok:
        reason = _first_line(assessed.stderr) or f"exit {assessed.returncode}"
        return Check(GATEKEEPER_CHECK, "fail", f"Gatekeeper rejects {APP_NAME}: {reason}")
    source = report.get("source", "accepted")
    origin = report.get("origin")
    if origin is not None and not origin.endswith(f"({team_id})"):
        return Check(
            GATEKEEPER_CHECK,
            "fail",
            f"Gatekeeper accepts {APP_NAME} as {origin}, not as team {team_id}.",
            "Somebody else signed this app; do not install it.",
        )
    return Check(
        GATEKEEPER_CHECK, "pass", f"Gatekeeper accepts it ({source}; {origin or 'no origin'})"
    )


def parse_codesign_display(text: str) -> dict[str, str]:
    """`Key=value` lines of `codesign --display --verbose=2` (and spctl's `source=`)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key and " " not in key:
            fields.setdefault(key.strip(), value.strip())
    return fields


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""
