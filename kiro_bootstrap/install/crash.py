"""Named phases of an install, and the test-only hook that kills the process at one of them.

The crash-safety tests run the real CLI and SIGKILL it at each phase, then run it again and
expect a working install. The hook is inert unless the variable below names a phase; it is not
a setting and is not documented for users.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping

CRASH_VARIABLE = "_KIRO_BOOTSTRAP_CRASH_AT"  # outside the KIRO_BOOTSTRAP_ settings namespace

# In the order an install passes them (Linux tar.gz passes all; other methods a subset).
PHASES = (
    "lock-acquired",
    "resolved",
    "downloaded",
    "running-checked",
    "unpacking",
    "unpacked-to-staging",
    "version-placed",
    "before-swap",
    "after-swap",
    "shim-written",
    "desktop-entry-written",
    "before-configure",
    "configured",
    "state-written",
    "pruned",
)


def reach_phase(environ: Mapping[str, str], phase: str) -> None:
    """Mark `phase` reached; the crash tests' hook kills the process here when asked."""
    if phase not in PHASES:
        raise ValueError(f"unknown install phase {phase!r}")
    if environ.get(CRASH_VARIABLE) == phase:
        os.kill(os.getpid(), signal.SIGKILL)
