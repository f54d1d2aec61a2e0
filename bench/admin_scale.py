"""Admin scale benchmark: `admin preflight` (with assignment resolution) at 10,000 users.

Seeds the local AWS (sandbox/aws, in this process) with 10,000 users in 50 groups, assigns every
group a plan, runs `kiro-bootstrap admin preflight --json` in-process against it, and reports the
AWS calls the front counted and the wall time. Target (issue 5): calls ≤ users/100 + groups*3 + 20.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kiro_bootstrap.cli import main  # noqa: E402
from kiro_bootstrap.context import Environment  # noqa: E402
from sandbox.aws import LocalAws, Scenario  # noqa: E402
from sandbox.isolation import isolated_environ  # noqa: E402

USERS = 10_000
GROUPS = 50
PLANS = ("pro", "pro-plus", "power")
ROUNDS = 3


def organisation_config(scenario: Scenario, folder: Path) -> Path:
    """A config assigning every group a plan (so every group is resolved and expanded)."""
    lines = [f'[identity_center]\nregion = "{scenario.idc_region}"\n']
    for index, group in enumerate(scenario.group_names()):
        lines.append(f'[[assignments]]\ngroup = "{group}"\nplan = "{PLANS[index % len(PLANS)]}"\n')
    path = folder / "org.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_preflight(aws: LocalAws, config: Path, environ: dict[str, str]) -> tuple[int, dict]:
    """One in-process `admin preflight --json`; its exit code and JSON."""
    stdout, stderr = io.StringIO(), io.StringIO()
    environment = Environment(environ={**environ, **aws.env()}, stdout=stdout, stderr=stderr)
    code = main(["admin", "preflight", "--json", "--config", str(config)], environment)
    return code, json.loads(stdout.getvalue())


def main_benchmark() -> int:
    """Seed, run ROUNDS times, print calls and wall time against the target."""
    scenario = Scenario(users=USERS, groups=GROUPS)
    target = USERS // 100 + GROUPS * 3 + 20
    with tempfile.TemporaryDirectory() as folder, LocalAws(scenario) as aws:
        environ = isolated_environ(Path(folder))
        config = organisation_config(scenario, Path(folder))
        timings, calls = [], 0
        for _ in range(ROUNDS):
            aws.reset_calls()
            started = time.perf_counter()
            code, report = run_preflight(aws, config, environ)
            timings.append(time.perf_counter() - started)
            calls = sum(aws.calls.values())
            if code != 0:
                print(json.dumps(report, indent=2))
                return 1
        by_operation = sorted(aws.calls.items(), key=lambda item: -item[1])
    summary = next(c["summary"] for c in report["checks"] if c["id"] == "assignments")
    print(f"admin preflight at {USERS:,} users in {GROUPS} groups ({summary})")
    print(f"AWS calls (counted by the front): {calls}   target ≤ {target}   "
          f"{'OK' if calls <= target else 'OVER TARGET'}")  # fmt: skip
    print(f"AWS calls (counted by the tool):  {report['aws_calls']}")
    print(
        "  "
        + ", ".join(
            f"{service}:{operation} {count}" for (service, operation), count in by_operation
        )
    )
    print(f"wall time: best {min(timings):.2f} s, all {', '.join(f'{t:.2f}' for t in timings)} s "
          "(client and local AWS share this process)")  # fmt: skip
    return 0 if calls <= target else 1


if __name__ == "__main__":
    sys.exit(main_benchmark())
