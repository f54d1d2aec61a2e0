"""macOS host facts: sw_vers, sysctl (Rosetta 2), the console owner and scutil's proxies."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kiro_bootstrap.host.facts import HostFacts, normalize_arch
from kiro_bootstrap.host.macos import (
    SwVers,
    arch_from_sysctl,
    console_user_from_owner,
    parse_scutil_proxy,
    parse_sw_vers,
    parse_sysctl,
)
from kiro_bootstrap.host.process import ProcessView
from kiro_bootstrap.host.proxy import proxy_from_environ
from kiro_bootstrap.host.runner import Runner

PROBE_TIMEOUT_SECONDS = 10.0
SYSCTL_NAMES = ("sysctl.proc_translated", "hw.optional.arm64")


def read_sw_vers(runner: Runner, fallback_version: str | None) -> SwVers:
    """sw_vers tells the real version even to processes built against an old SDK.

    (SystemVersion.plist, which platform.mac_ver() reads, shows such processes "10.16".)
    """
    done = runner(["sw_vers"], timeout=PROBE_TIMEOUT_SECONDS)
    version = parse_sw_vers(done.stdout) if done.ok else None
    if version is None or not version.version:
        return SwVers("macOS", fallback_version or "", None)
    return version


def collect_macos_facts(
    process: ProcessView, *, runner: Runner, environ: Mapping[str, str], fs_root: Path
) -> HostFacts:
    """macOS facts; three short subprocesses (sw_vers, sysctl, scutil unless env sets a proxy)."""
    del fs_root  # every macOS fact comes from a tool or the process; kept for one signature
    version = read_sw_vers(runner, process.platform_version)
    arch = normalize_arch(process.machine)
    # sysctl exits non-zero when a name is unknown (Intel Macs) but still prints the others.
    sysctl = parse_sysctl(runner(["sysctl", *SYSCTL_NAMES], timeout=PROBE_TIMEOUT_SECONDS).stdout)
    native_arch, translated = arch_from_sysctl(arch, sysctl)
    proxy = proxy_from_environ(environ)
    if proxy is None:
        done = runner(["scutil", "--proxy"], timeout=PROBE_TIMEOUT_SECONDS)
        proxy = parse_scutil_proxy(done.stdout if done.ok else "")
    home = environ.get("HOME") or process.user_home or f"/Users/{process.user_name}"
    return HostFacts(
        os="darwin",
        os_name=version.display_name,
        os_version=version.version,
        os_build=version.build,
        arch=arch,
        native_arch=native_arch,
        translated=translated,
        is_admin=process.euid == 0,
        current_user=process.user_name,
        console_user=console_user_from_owner(process.console_owner),
        home=Path(home),
        memory_bytes=process.memory_bytes,
        proxy=proxy,
    )
