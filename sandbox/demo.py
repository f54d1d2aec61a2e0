"""`make demo`: the main job on the embedded sandbox — no AWS account, no internet."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from sandbox.isolation import isolated_environ

REPO = Path(__file__).resolve().parent.parent
SANDBOX = REPO / ".sandbox" / "demo"
EXAMPLE_CONFIG = REPO / "config" / "example.toml"


def run_cli(*argv: str, environ: dict[str, str], expect: tuple[int, ...] = (0,)) -> int:
    """Run one kiro-bootstrap command the way a person would, and show it."""
    print(f"\n$ kiro-bootstrap {' '.join(argv)}", flush=True)
    completed = subprocess.run(
        [sys.executable, "-m", "kiro_bootstrap", *argv], env=environ, check=False
    )
    print(f"(exit {completed.returncode})", flush=True)
    if completed.returncode not in expect:
        raise SystemExit(f"demo: unexpected exit {completed.returncode} from {argv[0]}")
    return completed.returncode


def main() -> int:
    """Set up a throwaway HOME and root, then walk through what the tool does."""
    shutil.rmtree(SANDBOX, ignore_errors=True)
    environ = isolated_environ(SANDBOX)
    environ["PYTHONPATH"] = str(REPO)
    config = ("--config", str(EXAMPLE_CONFIG))
    print(f"Sandbox: HOME and root under {SANDBOX} (nothing outside it is touched).")
    # doctor gives this machine's honest verdict: exit 3 on glibc older than 2.39.
    run_cli("doctor", "--offline", *config, environ=environ, expect=(0, 3))
    run_cli("config", "show", *config, environ=environ)
    print("\nDemo finished.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
