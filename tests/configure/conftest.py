"""Shared pieces for the configure tests: an organisation config, file snapshots, a context."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiro_bootstrap.context import Context, Environment, GlobalOptions, build_context
from kiro_bootstrap.output import Output

ORG_CONFIG = """
[identity_center]
start_url = "https://d-1234567890.awsapps.com/start"
region = "eu-west-1"
restrict_signin = true
signin_help_url = "https://help.example.com/kiro"

[network]
proxy = "http://proxy.example.com:8080"

[kiro]
update_url = "https://mirror.example.com/kiro"

[kiro.telemetry]
content_collection = false

[mcp.servers.docs]
command = "uvx"
args = ["docs-server@1.0"]
env = { API_TOKEN = "s3cr3t-token-value" }

[steering]
files = { standards = "Write tests for every change." }
"""


@pytest.fixture
def org_config(tmp_path: Path) -> Path:
    """The organisation's config file."""
    path = tmp_path / "org.toml"
    path.write_text(ORG_CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def home(isolated: dict[str, str]) -> Path:
    """The isolated HOME (the person we configure)."""
    return Path(isolated["HOME"])


@pytest.fixture
def root(isolated: dict[str, str]) -> Path:
    """The isolated filesystem root."""
    return Path(isolated["KIRO_BOOTSTRAP_ROOT"])


def snapshot(*folders: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the folders with its bytes and mtime (run logs excluded)."""
    files = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "/log/" not in str(path):
                files[str(path)] = (path.read_bytes(), path.stat().st_mtime_ns)
    return files


@pytest.fixture
def make_context(isolated: dict[str, str]) -> Callable[..., Context]:
    """Build a Context the way main() does, for calling the configure API directly."""

    def build(config: Path, **environment: Any) -> Context:
        env = Environment(
            environ=dict(isolated),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            registry_reader=environment.pop("registry_reader", lambda _key: None),
            processes=list,
            **environment,
        )
        output = Output(stdout=env.stdout, stderr=env.stderr)
        return build_context(GlobalOptions(config=config), env, output, {})

    return build
