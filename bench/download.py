"""Download benchmark: our `download` (verification included) vs `curl -s -o f URL && sha256sum f`.

The release server runs in its own process; both clients run as subprocesses, alternating in the
same run, each with a cold cache (a fresh HOME and root per run). Reports median wall time, the
ratio to curl + sha256sum, and each child's peak RSS (from wait4, so per run, not cumulative).
Targets (issue 3): wall <= 1.0x curl + sha256sum; peak RSS <= 80 MiB and flat across sizes.

    .venv/bin/python bench/download.py [--sizes 64M,512M,1G] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sandbox.isolation import isolated_environ  # noqa: E402
from sandbox.release_process import ReleaseServerProcess  # noqa: E402
from sandbox.release_server import parse_size  # noqa: E402

DEFAULT_SIZES = "64M,512M,1G"
DEFAULT_ROUNDS = 3
TARGET = "linux-x64"
VERSION = "1.0.310"
# Release trees are kept between runs: building 1.6 GiB of artifacts is the slow part.
TREES = REPO / ".sandbox" / "bench"
PYTHON = REPO / ".venv" / "bin" / "python"
KIB = 1024


@dataclass(frozen=True)
class Sample:
    """One measured run."""

    seconds: float
    peak_rss_bytes: int


def run_measured(argv: list[str], environ: dict[str, str], cwd: Path) -> Sample:
    """Run argv, returning wall time and the child's own peak RSS (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, env=environ, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout = process.stdout.read() if process.stdout else b""
    stderr = process.stderr.read() if process.stderr else b""
    if process.returncode != 0:
        raise RuntimeError(f"{argv[:4]} exited {process.returncode}: {stderr.decode()[-500:]}")
    if argv[0] == str(PYTHON):
        json.loads(stdout)  # ours printed one JSON object
    return Sample(seconds, usage.ru_maxrss * KIB)  # Linux reports KiB


def measure_ours(server: ReleaseServerProcess, fingerprint: str, sha256: str) -> Sample:
    """One cold-cache `download` in a fresh isolated HOME and root."""
    with tempfile.TemporaryDirectory(prefix="bench-ours-") as folder:
        environ = isolated_environ(Path(folder))
        environ |= {
            "PYTHONPATH": str(REPO),
            "KIRO_BOOTSTRAP_RELEASE__BASE_URL": server.base_url,
            "KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_CERT_SHA256": json.dumps([fingerprint]),
        }
        argv = [str(PYTHON), "-m", "kiro_bootstrap", "download", "--json", "--target", TARGET]
        sample = run_measured(argv, environ, Path(folder))
        cached = list(Path(folder).rglob(sha256))
        if len(cached) != 1:
            raise RuntimeError("our download did not leave exactly one verified artifact")
        return sample


def measure_curl(url: str, sha256: str) -> Sample:
    """`curl -s -o f URL && sha256sum f` in a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="bench-curl-") as folder:
        argv = ["sh", "-c", 'curl -s -o f "$1" && sha256sum f', "sh", url]
        sample = run_measured(argv, dict(os.environ), Path(folder))
        if not (Path(folder) / "f").stat().st_size:
            raise RuntimeError("curl downloaded nothing")
        return sample


def bench_size(size: int, rounds: int) -> dict[str, object]:
    """Serve one padded tree and alternate the two clients `rounds` times."""
    folder = TREES / f"release-{size}"
    extra = ["--padded-targets", TARGET]
    with ReleaseServerProcess(
        folder, versions=[VERSION], artifact_size=size, extra_arguments=extra
    ) as server:
        tree = server.tree()
        artifact = next(a for a in tree["artifacts"] if a["target"] == TARGET)
        fingerprint = tree["signing_fingerprint_sha256"]
        ours: list[Sample] = []
        curl: list[Sample] = []
        for _ in range(rounds):
            ours.append(measure_ours(server, fingerprint, artifact["sha256"]))
            curl.append(measure_curl(artifact["url"], artifact["sha256"]))
    ours_s = statistics.median(sample.seconds for sample in ours)
    curl_s = statistics.median(sample.seconds for sample in curl)
    return {
        "size": artifact["size"],
        "ours_s": ours_s,
        "curl_s": curl_s,
        "ratio": ours_s / curl_s,
        "ours_rss": max(sample.peak_rss_bytes for sample in ours),
        "curl_rss": max(sample.peak_rss_bytes for sample in curl),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure every size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated (64M,512M,1G)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="runs per client")
    arguments = parser.parse_args(argv)
    if shutil.which("curl") is None or shutil.which("sha256sum") is None:
        print("bench/download.py needs curl and sha256sum on PATH", file=sys.stderr)
        return 2
    rows = [bench_size(parse_size(text), arguments.rounds) for text in arguments.sizes.split(",")]
    mib = 1024 * 1024
    print(f"{'size':>9} {'ours s':>8} {'curl+sha s':>11} {'ratio':>6} "
          f"{'ours RSS MiB':>13} {'curl RSS MiB':>13}")  # fmt: skip
    for row in rows:
        print(
            f"{row['size'] / mib:>7.0f}Mi {row['ours_s']:>8.2f} {row['curl_s']:>11.2f} "
            f"{row['ratio']:>6.2f} {row['ours_rss'] / mib:>13.1f} {row['curl_rss'] / mib:>13.1f}"
        )
    print(f"(median of {arguments.rounds} alternating runs per client; cold cache for ours)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
