"""Shared pieces for the download tests: a real release tree and server, and how to inspect them.

Import the fixtures into a test module (`from tests.release.support import origin, ...`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sandbox.release_server import ReleaseServer
from sandbox.release_tree import ReleaseTree, build_release_tree
from sandbox.test_keys import generate_keys
from tests.host import fixtures

VERSIONS = ["1.0.309", "1.0.310"]
LATEST = "1.0.310"
# Big enough for many 256 KiB server chunks and 1 MiB client chunks, small enough to be quick.
PADDED_BYTES = 3 * 1024 * 1024
TAR = "linux-x64"
TAR_SUFFIX = ".tar.gz"


@pytest.fixture(scope="session")
def release_tree(tmp_path_factory: pytest.TempPathFactory) -> ReleaseTree:
    """Two versions of every target; the Linux tarball padded to a few MiB."""
    return build_release_tree(
        tmp_path_factory.mktemp("release-host"),
        VERSIONS,
        keys=generate_keys(),
        artifact_size=PADDED_BYTES,
        padded_targets=[TAR],
    )


@pytest.fixture
def origin(release_tree: ReleaseTree) -> Iterator[ReleaseServer]:
    """The release host on 127.0.0.1, fresh counters and no faults."""
    with ReleaseServer(release_tree) as server:
        yield server


@dataclass
class Sleeps:
    """A sleep that only records: retries run instantly, tests still see every delay."""

    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def origin_env(
    server: ReleaseServer, *, pin_certificate: bool = True, **extra: str
) -> dict[str, str]:
    """Settings (as KIRO_BOOTSTRAP_* variables) pointing at `server`, the test key pinned."""
    env = {"KIRO_BOOTSTRAP_RELEASE__BASE_URL": server.base_url}
    if pin_certificate:
        fingerprint = server.tree.signing_key.fingerprint_sha256
        env["KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_CERT_SHA256"] = json.dumps([fingerprint])
    return {**env, **extra}


def download(
    cli: Any,
    server: ReleaseServer,
    *argv: str,
    env: dict[str, str] | None = None,
    sleeps: Sleeps | None = None,
    facts: Any = None,
    **overrides: Any,
) -> Any:
    """Run `download --json` against `server` on an Ubuntu 24.04 host."""  # fmt: skip
    return cli(
        "download",
        "--json",
        *argv,
        facts=facts or fixtures.ubuntu2404(),
        env={**origin_env(server), **(env or {})},
        sleep=sleeps if sleeps is not None else Sleeps(),
        **overrides,
    )


def cache_root(isolated: dict[str, str]) -> Path:
    """The build cache of a non-admin user in the isolated HOME."""
    return Path(isolated["XDG_CACHE_HOME"]) / "kiro-bootstrap" / "builds"


def leftovers(root: Path) -> list[Path]:
    """Every file in the cache's blob store and partial downloads (nothing else)."""
    found: list[Path] = []
    for folder in ("blobs", "partial"):
        if (root / folder).exists():
            found += [path for path in (root / folder).rglob("*") if path.is_file()]
    return found


def artifact_bytes(server: ReleaseServer, suffix: str = TAR_SUFFIX) -> int:
    """Body bytes the server sent for artifacts ending with `suffix`."""
    return server.bytes_served(suffix)


def make_context(
    env: dict[str, str] | None = None,
    *,
    offline: bool = False,
    facts: Any = None,
    **overrides: Any,
) -> Any:
    """A real Context, as `main()` builds it, for calling stage functions directly."""
    import io
    import os

    from kiro_bootstrap.context import Environment, GlobalOptions, build_context
    from kiro_bootstrap.output import Output

    environment = Environment(
        environ={**os.environ, **(env or {})},
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        facts=facts or fixtures.ubuntu2404(),
        sleep=overrides.pop("sleep", Sleeps()),
        **overrides,
    )
    output = Output(stdout=environment.stdout, stderr=environment.stderr)
    return build_context(GlobalOptions(offline=offline), environment, output, {})
