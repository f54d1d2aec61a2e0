"""Process entry point (console script, `python -m`, the binary)."""

from __future__ import annotations

import sys
from typing import NoReturn

from kiro_bootstrap import NAME, __version__


def run() -> NoReturn:
    """Run the CLI with the process's arguments and exit with its code."""
    if sys.argv[1:] == ["--version"]:
        # The most frequent probe (MDM detection rules, smoke tests): answer before loading the CLI.
        print(f"{NAME} {__version__}")
        sys.exit(0)
    from kiro_bootstrap.cli import main

    sys.exit(main())
