"""Checks that look at the disk, the processes and the network."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from kiro_bootstrap.checks import Check
from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.layout.detect import (
    DEFAULT_PROCESS_NAMES,
    InstalledKiro,
    running_kiro,
)
from kiro_bootstrap.net.client import tls_context

if TYPE_CHECKING:
    import httpx

    from kiro_bootstrap.settings.model import Settings

MIN_FREE_BYTES = 2 * 1024**3
REACHABILITY_TIMEOUT = 5.0


def check_disk(target_folder: Path) -> Check:
    """Warn below 2 GiB free where Kiro goes."""
    probe = target_folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError as error:
        return Check("disk", "warn", f"Cannot read free space at {probe}: {error.strerror}.")
    gib = free / 1024**3
    if free < MIN_FREE_BYTES:
        return Check(
            "disk",
            "warn",
            f"{gib:.1f} GiB free at {probe}; Kiro needs about 2 GiB.",
            "Free some space before installing.",
        )
    return Check("disk", "pass", f"{gib:.1f} GiB free at {probe}")


def check_installed(found: InstalledKiro | None) -> Check:
    """Report an installed Kiro (never a failure: installing is what we are for)."""
    if found is None:
        return Check("kiro-installed", "pass", "Kiro is not installed yet")
    version = found.version or "unknown version"
    return Check("kiro-installed", "pass", f"Kiro {version} at {found.location}")


def check_running(running_names: list[str], os_name: str, configured: list[str] | None) -> Check:
    """Warn when Kiro IDE runs: an install or upgrade would have to wait or close it."""
    running = running_kiro(running_names, configured or DEFAULT_PROCESS_NAMES[os_name])
    if running:
        return Check(
            "kiro-running",
            "warn",
            f"Kiro is running ({', '.join(running)}).",
            "Close Kiro before upgrading, or pass --close-running to install.",
        )
    return Check("kiro-running", "pass", "Kiro is not running")


def check_ca(settings: Settings) -> Check:
    """Which certificates TLS trusts; building the context proves the trust store loads."""
    try:
        tls_context(settings)
    except ConfigError as error:
        return Check(
            "ca",
            "warn",
            error.message,
            "Fix network.ca_bundle or remove it to use the OS trust store.",
        )
    if not settings.network.ca_bundle:
        return Check("ca", "pass", "the OS trust store (corporate CAs installed there are trusted)")
    return Check("ca", "pass", f"CA bundle {settings.network.ca_bundle}")


def check_reachable(
    check_id: str, what: str, url: str | None, client: httpx.Client | None
) -> Check:
    """Can we reach a URL? Skipped offline or when unset."""
    if url is None:
        return Check(check_id, "pass", f"skipped: no {what} configured")
    if client is None:
        return Check(check_id, "pass", f"skipped (--offline): {url}")
    import httpx

    try:
        response = client.head(url, timeout=REACHABILITY_TIMEOUT)
    except httpx.HTTPError as error:
        return Check(
            check_id,
            "warn",
            f"Cannot reach the {what} {url}: {type(error).__name__}.",
            "Check the network, proxy (network.proxy) and CA (network.ca_bundle).",
        )
    if response.status_code >= 500:
        return Check(
            check_id, "warn", f"The {what} {url} answered {response.status_code}.", "Retry later."
        )
    return Check(check_id, "pass", f"{url} reachable ({response.status_code})")
