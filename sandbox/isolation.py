"""A throwaway HOME and root, so tests, the demo and benchmarks never touch the real machine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DUMMY_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key: never valid
DUMMY_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
# Anything that could point a run at real services or another configuration.
_DROPPED_PREFIXES = ("KIRO_BOOTSTRAP_", "AWS_", "XDG_")
_DROPPED = frozenset(
    {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SUDO_USER", "APPDATA", "LOCALAPPDATA",
     "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"}
)  # fmt: skip


def isolated_environ(base: Path, inherited: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment whose HOME, config, cache, root and AWS files all live under `base`."""
    inherited = os.environ if inherited is None else inherited
    environ = {
        name: value
        for name, value in inherited.items()
        if not name.upper().startswith(_DROPPED_PREFIXES) and name.upper() not in _DROPPED
    }
    home, root = base / "home", base / "root"
    aws = home / ".aws"
    for folder in (home, root, aws):
        folder.mkdir(parents=True, exist_ok=True)
    credentials = aws / "credentials"
    credentials.write_text(
        f"[default]\naws_access_key_id = {DUMMY_ACCESS_KEY}\n"
        f"aws_secret_access_key = {DUMMY_SECRET_KEY}\n",
        encoding="utf-8",
    )
    (aws / "config").touch()
    environ.update(
        {
            "HOME": str(home),
            "USERPROFILE": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "APPDATA": str(home / "AppData" / "Roaming"),
            "LOCALAPPDATA": str(home / "AppData" / "Local"),
            "KIRO_BOOTSTRAP_ROOT": str(root),
            "AWS_CONFIG_FILE": str(aws / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_COLOR": "1",
        }
    )
    return environ
