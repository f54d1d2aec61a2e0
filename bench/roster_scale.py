"""Roster scale benchmark: the sharded roster at 100,000 people in 500 groups (issue 19).

Starts the local AWS as its own process (`python -m sandbox.aws`, as real AWS is another
machine: its CPU is not the publisher's) with 100,000 people in 500 groups, runs
`admin roster publish --dest s3://BUCKET/roster/` in this process against it, copies the published
objects to a loopback roster host, and checks one person from a fresh workstation (cold), again
after an unchanged republish the next day, and reports bytes, not timed assertions. Targets:
≤ 64 KiB per cold check, ≤ 8 KiB after an unchanged republish, publish ≤ 30 s.
"""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import boto3  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from kiro_bootstrap.cli import main  # noqa: E402
from kiro_bootstrap.context import Environment  # noqa: E402
from kiro_bootstrap.roster.keys import key_to_pem  # noqa: E402
from kiro_bootstrap.roster.signing import public_key_text  # noqa: E402
from sandbox.aws import Scenario  # noqa: E402
from sandbox.isolation import isolated_environ  # noqa: E402
from sandbox.roster_server import RosterServer  # noqa: E402

PEOPLE = 100_000
GROUPS = 500
PLANS = ("pro", "pro-plus", "power")
BUCKET = "kiro-roster"
PREFIX = "roster/"
START_URL = "https://d-9767a1b2c3.awsapps.com/start"
NOW = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
COLD_TARGET = 64 * 1024
REPUBLISH_TARGET = 8 * 1024
PUBLISH_TARGET_SECONDS = 30.0
PERSON = "user04242"


def organisation_config(scenario: Scenario, folder: Path, key: Ed25519PrivateKey) -> Path:
    """Every group assigned a plan; the workstation half points at the loopback host later."""
    lines = [f'[identity_center]\nstart_url = "{START_URL}"\nregion = "{scenario.idc_region}"\n',
             f'[subscription]\npublic_keys = ["{public_key_text(key.public_key())}"]\n'
             'email_domain = "example.com"\n']  # fmt: skip
    for index, group in enumerate(scenario.group_names()):
        lines.append(f'[[assignments]]\ngroup = "{group}"\nplan = "{PLANS[index % len(PLANS)]}"\n')
    path = folder / "org.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run(
    argv: list[str], environ: dict[str, str], clock: datetime
) -> tuple[int, dict[str, Any], str]:
    """One in-process command with --json; its exit code, JSON and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    environment = Environment(environ=environ, stdout=stdout, stderr=stderr, clock=lambda: clock)
    code = main([*argv, "--json"], environment)
    return code, json.loads(stdout.getvalue() or "{}"), stderr.getvalue()


def start_local_aws(scenario: Scenario) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`python -m sandbox.aws` for the scenario; the process and the environment it printed."""
    command = [sys.executable, "-m", "sandbox.aws",
               "--users", str(scenario.users), "--groups", str(scenario.groups)]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    environ: dict[str, str] = {}
    for line in process.stdout:
        if line.startswith("READY"):
            return process, environ
        key, _, value = line.removeprefix("export ").strip().partition("=")
        environ[key] = shlex.split(value)[0]
    raise SystemExit(f"python -m sandbox.aws exited with {process.wait()} before READY")


def s3_client(environ: dict[str, str]) -> Any:
    """A boto3 S3 client on the local AWS, from the environment it printed."""
    return boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=environ["AWS_ENDPOINT_URL"],
        aws_access_key_id=environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environ["AWS_SECRET_ACCESS_KEY"],
    )


def mirror(s3: Any, server: RosterServer) -> int:
    """Copy the published objects to the loopback host (what a CDN would serve); total bytes."""
    total = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX):
        for item in page.get("Contents", []):
            data = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            server.publish_file("/" + item["Key"], data)
            total += len(data)
    return total


def main_benchmark() -> int:
    """Start the local AWS in its own process, then publish and check against it."""
    scenario = Scenario(users=PEOPLE, groups=GROUPS)
    process, aws_environ = start_local_aws(scenario)
    try:
        return publish_and_check(scenario, aws_environ)
    finally:
        process.terminate()
        process.wait(timeout=30)


def publish_and_check(scenario: Scenario, aws_environ: dict[str, str]) -> int:
    """Publish, check cold, republish, check again; print bytes and times vs targets."""
    key = Ed25519PrivateKey.generate()
    s3 = s3_client(aws_environ)
    with tempfile.TemporaryDirectory() as name, RosterServer() as host:
        folder = Path(name)
        key_file = folder / "signing.pem"
        key_file.write_text(key_to_pem(key), encoding="ascii")
        key_file.chmod(0o600)
        config = organisation_config(scenario, folder, key)
        s3.create_bucket(Bucket=BUCKET)
        admin = {**isolated_environ(folder / "admin"), **aws_environ}
        publish = ["admin", "roster", "publish", "--config", str(config),
                   "--dest", f"s3://{BUCKET}/{PREFIX}", "--key-file", str(key_file)]  # fmt: skip
        started = time.perf_counter()
        code, report, err = run(publish, admin, NOW)
        publish_seconds = time.perf_counter() - started
        if code != 0:
            print(err)
            return 1
        published_bytes = mirror(s3, host)
        workstation = isolated_environ(folder / "workstation")
        workstation["KIRO_BOOTSTRAP_SUBSCRIPTION__ROSTER_URL"] = host.url_for(
            f"/{PREFIX}index.json"
        )
        check = ["subscription", "--config", str(config), "--user", PERSON]
        host.reset_counters()
        started = time.perf_counter()
        code, answer, err = run(check, workstation, NOW + timedelta(hours=1))
        check_seconds = time.perf_counter() - started
        cold_bytes, cold_requests = host.bytes_served, len(host.requests)
        if code != 0:
            print(err)
            return 1
        started = time.perf_counter()
        code, again, err = run(publish, admin, NOW + timedelta(days=1))
        republish_seconds = time.perf_counter() - started
        mirror(s3, host)
        host.reset_counters()
        run(check, workstation, NOW + timedelta(days=1, hours=1))
        warm_bytes, warm_requests = host.bytes_served, len(host.requests)
    index_bytes = len(host.files[f"/{PREFIX}index.json"])
    print(
        f"sharded roster at {PEOPLE:,} people in {GROUPS} groups: {report['shards']} shards, "
        f"{report['principals']:,} principals; {PERSON}: plan {answer['subscription']['plan']}"
    )
    print(f"publish: {publish_seconds:.1f} s (target ≤ {PUBLISH_TARGET_SECONDS:.0f} s) "
          f"{'OK' if publish_seconds <= PUBLISH_TARGET_SECONDS else 'OVER TARGET'}; "
          f"republish next day {republish_seconds:.1f} s, {again['shards_written']} shard(s) "
          f"rewritten, {again['shards_kept']} kept")  # fmt: skip
    for label, run_report in (("first", report), ("next day", again)):
        spent = run_report["seconds"]
        print(f"  {label}: resolving through the local AWS {spent['resolve']:.1f} s, "
              f"building and signing {spent['build_and_sign']:.1f} s, writing to S3 "
              f"{spent['write']:.1f} s ({run_report['aws_calls']} AWS calls in all)")  # fmt: skip
    print(f"published: {published_bytes:,} bytes in all; index {index_bytes:,} bytes; "
          f"ratio to the old single document (~145 B/person): "
          f"{published_bytes / (PEOPLE * 145):.2f}")  # fmt: skip
    print(f"workstation cold check: {cold_bytes:,} bytes in {cold_requests} requests (target ≤ "
          f"{COLD_TARGET:,}) {'OK' if cold_bytes <= COLD_TARGET else 'OVER TARGET'}; "
          f"{check_seconds * 1000:.0f} ms fetch+verify+lookup in-process")  # fmt: skip
    print(f"after an unchanged republish: {warm_bytes:,} bytes in {warm_requests} requests "
          f"(target ≤ {REPUBLISH_TARGET:,}) "
          f"{'OK' if warm_bytes <= REPUBLISH_TARGET else 'OVER TARGET'}")  # fmt: skip
    print(f"per check vs the single document ({PEOPLE * 145:,} bytes): cold "
          f"1/{PEOPLE * 145 // max(cold_bytes, 1):,}, after republish "
          f"1/{PEOPLE * 145 // max(warm_bytes, 1):,}")  # fmt: skip
    ok = (publish_seconds <= PUBLISH_TARGET_SECONDS and cold_bytes <= COLD_TARGET
          and warm_bytes <= REPUBLISH_TARGET)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main_benchmark())
