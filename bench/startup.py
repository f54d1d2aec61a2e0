"""Start-up benchmark: `--version` and `doctor --offline --json` against a bare interpreter.

Runs every command alternately in the same shell session, reports medians and ratios.
Targets (issue 2): --version ≤ 3x, doctor --offline --json ≤ 6x `python -c pass`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sandbox.isolation import isolated_environ  # noqa: E402

ROUNDS = 15
BINARY = REPO / "dist" / "kiro-bootstrap"


def median_seconds(argv: list[str], environ: dict[str, str]) -> float:
    """Median wall time of one command over ROUNDS runs (one warm-up first)."""
    subprocess.run(argv, env=environ, capture_output=True, check=False)
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        subprocess.run(argv, env=environ, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    """Measure and print a small table."""
    python = str(REPO / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory() as folder:
        environ = isolated_environ(Path(folder))
        environ["PYTHONPATH"] = str(REPO)
        # Measure start-up as installed code runs it: with bytecode caches (the warm-up writes
        # them), not recompiling every module because the calling shell disabled .pyc files.
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        environ["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        cases = {
            "python -c pass": [python, "-c", "pass"],
            "--version": [python, "-m", "kiro_bootstrap", "--version"],
            "doctor --offline --json": [
                python, "-m", "kiro_bootstrap", "doctor", "--offline", "--json",
            ],
        }  # fmt: skip
        if BINARY.exists():
            cases["binary --version"] = [str(BINARY), "--version"]
            cases["binary doctor --offline --json"] = [str(BINARY), "doctor", "--offline", "--json"]
        results = {name: median_seconds(argv, environ) for name, argv in cases.items()}
    reference = results["python -c pass"]
    print(f"{'command':<34} {'median ms':>10} {'x bare python':>14}")
    for name, seconds in results.items():
        print(f"{name:<34} {seconds * 1000:>10.1f} {seconds / reference:>14.1f}")
    print(f"(median of {ROUNDS} runs each, pid {os.getpid()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
