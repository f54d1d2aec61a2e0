"""Checks decided by host facts alone: OS, architecture, C library, memory, context, proxy."""

from __future__ import annotations

from typing import Any

from kiro_bootstrap.checks import Check
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.layout.targets import host_target
from kiro_bootstrap.net.client import ProxyChoice

MIN_GLIBC = (2, 39)
REQUIRED_GLIBCXX = "GLIBCXX_3.4.31"
MIN_MACOS = (12,)
MIN_WINDOWS_BUILD = 10240  # Windows 10 RTM; 22000 and up is Windows 11
WINDOWS_11_BUILD = 22000
MIN_MEMORY_BYTES = 4 * 1024**3
GLIBC_REMEDY = "Use Ubuntu 24.04+, Debian 13+, Fedora 40+ or another distribution with glibc 2.39+."


def _numbers(text: str | None) -> tuple[int, ...]:
    parts = []
    for part in (text or "").split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def check_os(facts: HostFacts) -> Check:
    """Windows 10/11, macOS 12+, or a Linux distribution (glibc decides there)."""
    if facts.os == "linux":
        return Check("os", "pass", f"{facts.os_name} (Linux)")
    if facts.os == "darwin":
        if _numbers(facts.os_version) >= MIN_MACOS:
            return Check("os", "pass", facts.os_name)
        return Check(
            "os",
            "fail",
            f"{facts.os_name} is older than macOS 12, which Kiro needs.",
            "Upgrade to macOS 12 Monterey or newer.",
        )
    build_text = facts.os_build or ""
    build = int(build_text) if build_text.isdigit() else 0
    if build >= MIN_WINDOWS_BUILD:
        name = "Windows 11" if build >= WINDOWS_11_BUILD else "Windows 10"
        return Check("os", "pass", f"{facts.os_name} ({name}, build {build})")
    return Check(
        "os",
        "fail",
        f"{facts.os_name} is older than Windows 10, which Kiro needs.",
        "Upgrade to Windows 10 or 11, 64-bit.",
    )


def check_arch(facts: HostFacts, target: str | None) -> Check:
    """x86_64 everywhere Kiro ships, arm64 on macOS; Rosetta 2 means the arm64 build."""
    if target is None:
        where = {"linux": "Linux x64", "windows": "Windows x64"}.get(facts.os, "this OS")
        return Check(
            "arch",
            "fail",
            f"{facts.native_arch} is not supported: Kiro publishes builds only for {where} here.",
            "Use an x86_64 machine (Kiro has no Linux or Windows ARM build).",
        )
    if facts.translated and facts.os == "darwin":
        return Check(
            "arch",
            "pass",
            "Apple silicon under Rosetta 2: the right build is "
            "darwin-arm64 (native), not the x64 one this process runs as.",
        )
    return Check("arch", "pass", f"{facts.native_arch}: build {target}")


def check_glibc(facts: HostFacts) -> Check:
    """glibc 2.39+ and GLIBCXX_3.4.31 on Linux; not applicable elsewhere."""
    if facts.os != "linux":
        return Check("glibc", "pass", "not applicable (no glibc on this OS)")
    if facts.libc != "glibc" or not facts.libc_version:
        libc = facts.libc or "an unknown C library"
        return Check(
            "glibc", "fail", f"Kiro needs glibc 2.39 or newer; this host has {libc}.", GLIBC_REMEDY
        )
    if _numbers(facts.libc_version) < MIN_GLIBC:
        return Check(
            "glibc",
            "fail",
            f"glibc {facts.libc_version} is older than the 2.39 Kiro needs "
            "(it fails with 'GLIBC_2.38 not found', breaks sign-in and does not save settings).",
            GLIBC_REMEDY,
        )
    if facts.glibcxx_versions is not None and REQUIRED_GLIBCXX not in facts.glibcxx_versions:
        return Check(
            "glibc",
            "fail",
            f"glibc {facts.libc_version} is new enough, but libstdc++ lacks "
            f"{REQUIRED_GLIBCXX}, which Kiro needs.",
            "Install a libstdc++ from GCC 13 or newer (e.g. libstdc++6 >= 13).",
        )
    return Check("glibc", "pass", f"glibc {facts.libc_version}")


def check_memory(facts: HostFacts) -> Check:
    """Warn under 4 GiB of memory."""
    gib = facts.memory_bytes / 1024**3
    if facts.memory_bytes < MIN_MEMORY_BYTES:
        return Check(
            "memory",
            "warn",
            f"{gib:.1f} GiB of memory; Kiro is slow under 4 GiB.",
            "Use a machine with at least 4 GiB of memory.",
        )
    return Check("memory", "pass", f"{gib:.1f} GiB of memory")


def check_context(facts: HostFacts, target_user: str) -> Check:
    """Who runs us and who Kiro would be installed for."""
    if facts.is_system:
        if facts.console_user is None:
            return Check(
                "context",
                "warn",
                "Running as SYSTEM and nobody is signed in: a per-user "
                "install has nobody to install for.",
                "Run again when a user is signed in (exit 7 means retry later).",
            )
        return Check(
            "context", "pass", f"Running as SYSTEM; Kiro would be installed for {target_user}."
        )
    role = "root/administrator" if facts.is_admin else "a regular user"
    return Check(
        "context", "pass", f"Running as {facts.current_user} ({role}); Kiro is for {target_user}."
    )


def check_proxy(proxy: ProxyChoice) -> Check:
    """Which proxy downloads use, and from where; PAC files are not supported."""
    if proxy.pac_url and proxy.source in ("none",):
        return Check(
            "proxy",
            "warn",
            f"The OS uses a PAC file ({proxy.pac_url}), which kiro-bootstrap does not evaluate.",
            "Set network.proxy (or HTTPS_PROXY) to the proxy the PAC file picks.",
        )
    if proxy.url is None:
        return Check("proxy", "pass", "direct connection (no proxy configured)")
    shown = _mask_credentials(proxy.url)
    return Check("proxy", "pass", f"{shown} (from {proxy.source})")


def _mask_credentials(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        return f"{scheme}://****@{rest.rsplit('@', 1)[1]}"
    return url


BLOCKING_CHECKS = frozenset({"os", "arch", "glibc"})


def is_supported(checks: list[Check]) -> bool:
    """Kiro can run here unless a blocking check failed."""
    return not any(c.status == "fail" and c.id in BLOCKING_CHECKS for c in checks)


def host_verdict(facts: HostFacts) -> dict[str, Any]:
    """The blocking checks as a verdict: supported or not, and why."""
    checks = [check_os(facts), check_arch(facts, host_target(facts)), check_glibc(facts)]
    reasons = [check.summary for check in checks if check.status == "fail"]
    return {"supported": is_supported(checks), "reasons": reasons}
