"""Where the subscription stage keeps things: system folders when privileged, else the user's."""

from __future__ import annotations

from pathlib import Path

from kiro_bootstrap.fetch.cache import SYSTEM_CACHE
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.paths import Paths

FOLDER = "subscription"
PUBLIC_MODE = 0o644
PRIVATE_MODE = 0o600
FOLDER_MODE = 0o755


def is_system_run(facts: HostFacts) -> bool:
    """Running as root, an elevated administrator or SYSTEM (an MDM run)."""
    return facts.is_admin or facts.is_system


def cache_dir(facts: HostFacts, paths: Paths) -> Path:
    """The roster cache: a system run's cannot be planted by a plain user."""
    if is_system_run(facts):
        return paths.system(SYSTEM_CACHE[facts.os]) / FOLDER
    return paths.user_cache_dir / FOLDER


def state_dirs(facts: HostFacts, paths: Paths) -> list[Path]:
    """Where results are written (first) and read from (all): this run's, then the system's."""
    if is_system_run(facts):
        return [paths.system_state_dir / FOLDER]
    return [paths.user_state_dir / FOLDER, paths.system_state_dir / FOLDER]
