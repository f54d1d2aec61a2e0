"""Decide what an install run does, from the installed and the offered versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiro_bootstrap.errors import VerificationError
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
        return Decision("install", None, offered)
    if version_key(installed) == version_key(offered):
        return Decision("up-to-date", installed, offered)
    if version_key(offered) > version_key(installed):
        return Decision("upgrade", installed, offered)
    if pinned and allow_downgrade:
        return Decision("downgrade", installed, offered)
    if pinned_by_configuration:
        return Decision("ahead-of-pin", installed, offered)
    raise VerificationError(
        f"Kiro {installed} is installed; the offered version {offered} is older. "
        "Refusing to downgrade.",
        hint=f"To downgrade on purpose, pin it (release.version or --version {offered}) "
        "and pass --allow-downgrade.",
        code="downgrade-refused",
    )
