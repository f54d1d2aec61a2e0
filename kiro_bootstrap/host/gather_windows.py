"""Windows host facts through the runner: reg, whoami, query user / CIM, netsh winhttp."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kiro_bootstrap.host.facts import HostFacts, ProxySettings, normalize_arch
from kiro_bootstrap.host.process import ProcessView
from kiro_bootstrap.host.proxy import proxy_from_environ
from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.host.windows import (
    CURRENT_VERSION_KEY,
    INTERNET_SETTINGS_KEY,
    WindowsVersion,
    is_system_account_name,
    parse_cim_computer_system_json,
    parse_netsh_winhttp,
    parse_query_user,
    parse_reg_query,
    parse_reg_query_internet_settings,
    parse_whoami,
    parse_windows_version,
    resolve_windows_arch,
)

PROBE_TIMEOUT_SECONDS = 15.0  # PowerShell's first start on a busy machine can take seconds
WHOAMI = ("whoami", "/user", "/groups", "/fo", "csv", "/nh")
QUERY_USER = ("query", "user")
CIM_CONSOLE_USER = (
    "powershell.exe",
    "-NoProfile",
    "-NonInteractive",
    "-Command",
    "Get-CimInstance -ClassName Win32_ComputerSystem | Select-Object UserName"
    " | ConvertTo-Json -Compress",
)
NETSH_WINHTTP = ("netsh", "winhttp", "show", "proxy")


def read_windows_version(runner: Runner, fallback_version: str | None) -> WindowsVersion:
    """Name, version and build from the registry; platform.version() if reg fails."""
    done = runner(["reg", "query", CURRENT_VERSION_KEY], timeout=PROBE_TIMEOUT_SECONDS)
    values = parse_reg_query(done.stdout) if done.ok else {}
    if values:
        return parse_windows_version(values)
    version = fallback_version or ""
    return WindowsVersion("Windows", version, version.rpartition(".")[2], None)


def find_console_user(runner: Runner, *, is_system: bool) -> str | None:
    """Who is signed in at the console.

    As SYSTEM we act for that person, so we first ask CIM, which names the account the way
    schtasks /RU needs it ("AzureAD\\alice"). `query user` is faster but missing on Home.
    """
    if is_system:
        done = runner(CIM_CONSOLE_USER, timeout=PROBE_TIMEOUT_SECONDS)
        if done.ok:
            return parse_cim_computer_system_json(done.stdout)
    done = runner(QUERY_USER, timeout=PROBE_TIMEOUT_SECONDS)
    # query user exits 1 with "No User exists for *" when nobody is signed in.
    user = parse_query_user(done.stdout)
    if user is not None or is_system or done.returncode in (0, 1):
        return user
    done = runner(CIM_CONSOLE_USER, timeout=PROBE_TIMEOUT_SECONDS)
    return parse_cim_computer_system_json(done.stdout) if done.ok else None


def read_system_proxy(runner: Runner, *, is_system: bool) -> ProxySettings:
    """SYSTEM has no meaningful per-user settings, so it gets WinHTTP's; a person gets WinINet's."""
    if is_system:
        done = runner(NETSH_WINHTTP, timeout=PROBE_TIMEOUT_SECONDS)
        return parse_netsh_winhttp(done.stdout) if done.ok else ProxySettings()
    done = runner(["reg", "query", INTERNET_SETTINGS_KEY], timeout=PROBE_TIMEOUT_SECONDS)
    return parse_reg_query_internet_settings(done.stdout) if done.ok else ProxySettings()


def collect_windows_facts(
    process: ProcessView, *, runner: Runner, environ: Mapping[str, str], fs_root: Path
) -> HostFacts:
    """Windows facts; every probe goes through the runner, so tests replay recorded output."""
    del fs_root  # paths on Windows come from the environment and the registry
    version = read_windows_version(runner, process.platform_version)
    done = runner(WHOAMI, timeout=PROBE_TIMEOUT_SECONDS)
    who = parse_whoami(done.stdout) if done.ok else None
    if who is not None:
        current_user, is_system, is_admin = who.user_name, who.is_system, who.is_elevated
    else:  # whoami missing or broken: fall back to names, which are translated, and the API
        current_user = process.user_name
        is_system = is_system_account_name(current_user, environ.get("COMPUTERNAME"))
        is_admin = is_system or bool(process.is_elevated)
    arch = normalize_arch(process.machine)
    native_arch, translated = resolve_windows_arch(arch, process.native_machine, environ)
    proxy = proxy_from_environ(environ) or read_system_proxy(runner, is_system=is_system)
    home_parts = (environ.get("HOMEDRIVE", ""), environ.get("HOMEPATH", ""))
    home = environ.get("USERPROFILE") or "".join(home_parts)
    return HostFacts(
        os="windows",
        os_name=version.name,
        os_version=version.version,
        os_build=version.build or None,
        distro_id=None,
        arch=arch,
        native_arch=native_arch,
        translated=translated,
        libc=None,
        libc_version=None,
        glibcxx_versions=None,
        is_admin=is_admin,
        is_system=is_system,
        current_user=current_user,
        console_user=find_console_user(runner, is_system=is_system),
        home=Path(home or process.user_home or "."),
        memory_bytes=process.memory_bytes,
        proxy=proxy,
    )
