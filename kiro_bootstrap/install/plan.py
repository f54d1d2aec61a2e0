"""Decide what an install run does, from the installed and the offered versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiro_bootstrap.errors import VerificationError
from kiro_bootstrap.logs import RUN_EVENTS
from kiro_bootstrap.release.metadata import version_key

# "repair": the version in place is the one wanted, but an interrupted run left it unfinished.
Action = Literal["install", "upgrade", "downgrade", "repair", "up-to-date", "ahead-of-pin"]
# Actions that put a new build on disk.
CHANGING_ACTIONS = frozenset({"install", "upgrade", "downgrade"})


@dataclass(frozen=True)
class Decision:
    """What to do, and the two versions it was decided from."""

    action: Action
    installed: str | None
    offered: str

    @property
    def changes_build(self) -> bool:
        """True when the run downloads and installs a build."""
        return self.action in CHANGING_ACTIONS


def _told(decision: Decision, why: str) -> Decision:
    """Log the decision and its reason in the run log; return it."""
    RUN_EVENTS.decision(
        decision.action, why, installed=decision.installed, offered=decision.offered
    )
    return decision


def decide(
    installed: str | None,
    offered: str,
    *,
    pinned: bool,
    pinned_by_configuration: bool,
    allow_downgrade: bool,
) -> Decision:
    """Install, upgrade, leave alone, or refuse a downgrade (exit 5).

    An installed Kiro newer than the organisation's configured pin updated itself: it is left
    alone ("ahead of pin"). An older offer from a flag or an unpinned feed is a downgrade,
    done only when the version is pinned and --allow-downgrade is given.
    """
    if installed is None:
        return _told(Decision("install", None, offered), f"no Kiro is installed; {offered} is")
    if version_key(installed) == version_key(offered):
        why = f"{installed} is installed and is the version wanted: nothing to download"
        return _told(Decision("up-to-date", installed, offered), why)
    if version_key(offered) > version_key(installed):
        return _told(Decision("upgrade", installed, offered), f"{offered} is newer")
    if pinned and allow_downgrade:
        why = f"{offered} is pinned and --allow-downgrade was given"
        return _told(Decision("downgrade", installed, offered), why)
    if pinned_by_configuration:
        why = f"{installed} is newer than the pinned {offered}: Kiro updated itself, left alone"
        return _told(Decision("ahead-of-pin", installed, offered), why)
    RUN_EVENTS.decision(
        "refuse", f"{offered} is older than the installed {installed} and not pinned with "
        "--allow-downgrade", installed=installed, offered=offered,
    )  # fmt: skip
    raise VerificationError(
        f"Kiro {installed} is installed; the offered version {offered} is older. "
        "Refusing to downgrade.",
        hint=f"To downgrade on purpose, pin it (release.version or --version {offered}) "
        "and pass --allow-downgrade.",
        code="downgrade-refused",
    )
