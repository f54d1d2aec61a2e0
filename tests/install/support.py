"""Shared pieces for the install tests: the host, the release server settings, snapshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kiro_bootstrap.host.facts import HostFacts
from sandbox.release_server import ReleaseServer
from tests.host import fixtures
from tests.release.support import Sleeps, origin_env

EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "example.toml"


def admin_host(isolated: dict[str, str], **overrides: Any) -> HostFacts:
    """Ubuntu 24.04 run with sudo by alice: system scope, alice's home is the isolated HOME."""
    return fixtures.ubuntu2404(Path(isolated["HOME"]), is_admin=True, **overrides)


def user_host(isolated: dict[str, str], **overrides: Any) -> HostFacts:
    """Ubuntu 24.04, alice running it herself: user scope."""
    return fixtures.ubuntu2404(Path(isolated["HOME"]), **overrides)


def run_install(
    cli: Any,
    server: ReleaseServer,
    isolated: dict[str, str],
    *argv: str,
    facts: HostFacts | None = None,
    env: dict[str, str] | None = None,
    **overrides: Any,
) -> Any:
    """`install --json` against `server` (the test signing key pinned)."""
    return cli(
        "install",
        "--json",
        *argv,
        facts=facts or admin_host(isolated),
        env={**origin_env(server), **(env or {})},
        sleep=overrides.pop("sleep", Sleeps()),
        **overrides,
    )


def root_of(isolated: dict[str, str]) -> Path:
    """The filesystem root override of the test."""
    return Path(isolated["KIRO_BOOTSTRAP_ROOT"])


def snapshot(*folders: Path, skip: tuple[Path, ...] = ()) -> dict[str, tuple[Any, ...]]:
    """Every entry under `folders`: kind, bytes or link target, mode and mtime (ns)."""
    found: dict[str, tuple[Any, ...]] = {}
    for folder in folders:
        for current, names, files in os.walk(folder):
            here = Path(current)
            if any(here == s or s in here.parents for s in skip):
                continue
            for name in [*names, *files]:
                path = here / name
                stat = path.lstat()
                if path.is_symlink():
                    content: Any = ("link", str(path.readlink()))
                elif path.is_file():
                    content = ("file", path.read_bytes())
                else:
                    content = ("folder",)
                found[str(path)] = (*content, stat.st_mode, stat.st_mtime_ns)
    return found


def launch(shim: Path) -> str:
    """Start the installed Kiro through the `kiro` shim on PATH; what it prints."""
    import subprocess

    done = subprocess.run([str(shim)], capture_output=True, text=True, check=True)
    return done.stdout.strip()
