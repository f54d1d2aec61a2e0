"""Named phases of an install, and the test-only hook that kills the process at one of them.

The crash-safety tests run the real CLI and SIGKILL it at each phase, then run it again and
expect a working install. The hook is inert unless the variable below names a phase; it is not
a setting and is not documented for users.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Mapping

CRASH_VARIABLE = "_KIRO_BOOTSTRAP_CRASH_AT"  # outside the KIRO_BOOTSTRAP_ settings namespace
PHASE_MARK = "reached install phase "

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
    "configure-owned",
    "configure-written",
    "configured",
    "state-written",
    "pruned",
)


def reach_phase(environ: Mapping[str, str], phase: str) -> None:
    """Mark `phase` reached; the crash tests' hook kills the process here when asked.

    `parent@<phase>` kills the parent instead: a person-side step reaching the phase kills
    root's process (and then dies with it).
    """
    if phase not in PHASES:
        raise ValueError(f"unknown install phase {phase!r}")
    wanted = environ.get(CRASH_VARIABLE)
    if wanted == phase:
        os.kill(os.getpid(), signal.SIGKILL)
    elif wanted == f"parent@{phase}":
        # The person's step may not signal root: it says where it is, and root kills itself
        # on reading that (`kill_parent_at`); the kernel then ends this step with it.
        logging.getLogger(__name__).warning("%s%s", PHASE_MARK, phase)
        signal.pause()


def kill_parent_at(environ: Mapping[str, str], message: str) -> None:
    """Root's side of `parent@<phase>`: die when the step reports reaching that phase."""
    wanted = environ.get(CRASH_VARIABLE, "")
    if wanted.startswith("parent@") and message == f"{PHASE_MARK}{wanted[len('parent@') :]}":
        os.kill(os.getpid(), signal.SIGKILL)
