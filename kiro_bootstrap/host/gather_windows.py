"""Windows host facts through the runner: reg, whoami, query user / CIM, netsh winhttp."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kiro_bootstrap.host.facts import HostFacts, ProxySettings, WindowsSession, normalize_arch
from kiro_bootstrap.host.process import ProcessView
from kiro_bootstrap.host.proxy import proxy_from_environ
from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.host.windows import (
    CURRENT_VERSION_KEY,
    INTERNET_SETTINGS_KEY,
    PROFILE_LIST_KEY,
    USER_INTERNET_SETTINGS_KEY,
    WindowsVersion,
    is_system_account_name,
    parse_cim_computer_system_json,
    parse_netsh_winhttp,
    parse_profile_image_path,
    parse_query_user,
    parse_reg_query,
    parse_reg_query_internet_settings,
    parse_whoami,
    parse_windows_version,
    resolve_windows_arch,
)
from kiro_bootstrap.host.windows_sessions import (
    SignedIn,
    choose_person,
    people_signed_in,
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


def read_system_proxy(
    runner: Runner, *, is_system: bool, person: WindowsSession | None = None
) -> ProxySettings:
    """A person gets their WinINet settings. SYSTEM has none of its own: the machine's WinHTTP
    proxy, else the settings of the person we act for, read from their hive."""
    if is_system:
        done = runner(NETSH_WINHTTP, timeout=PROBE_TIMEOUT_SECONDS)
        machine = parse_netsh_winhttp(done.stdout) if done.ok else ProxySettings()
        if machine.configured or person is None or person.proxy is None:
            return machine
        return person.proxy
    done = runner(["reg", "query", INTERNET_SETTINGS_KEY], timeout=PROBE_TIMEOUT_SECONDS)
    return parse_reg_query_internet_settings(done.stdout) if done.ok else ProxySettings()


def read_sessions(
    signed_in: tuple[SignedIn, ...], runner: Runner, environ: Mapping[str, str]
) -> tuple[WindowsSession, ...]:
    """Each person signed in, with their registry profile folder, hive and WinINet proxy."""
    sessions = []
    for person in people_signed_in(signed_in):
        profile, hive_loaded, proxy = None, False, None
        if person.sid:
            key = f"{PROFILE_LIST_KEY}\\{person.sid}"
            done = runner(
                ["reg", "query", key, "/v", "ProfileImagePath"], timeout=PROBE_TIMEOUT_SECONDS
            )
            profile = parse_profile_image_path(done.stdout, environ) if done.ok else None
            # HKU\<SID> exists only while the person's hive is loaded (signed in, or a
            # service holding it); reg exits 1 when it is not.
            key = USER_INTERNET_SETTINGS_KEY.format(sid=person.sid)
            done = runner(["reg", "query", key], timeout=PROBE_TIMEOUT_SECONDS)
            hive_loaded = done.ok
            proxy = parse_reg_query_internet_settings(done.stdout) if done.ok else None
        sessions.append(
            WindowsSession(person.account, person.sid, person.active, profile, hive_loaded, proxy)
        )
    return tuple(sessions)


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
    sessions: tuple[WindowsSession, ...] = ()
    if process.signed_in is not None:
        sessions = read_sessions(process.signed_in, runner, environ)
        chosen = choose_person(sessions)
        console_user = chosen.account if chosen else None
    else:  # the session API was not available: the console session, as tools report it
        chosen, console_user = None, find_console_user(runner, is_system=is_system)
    proxy = proxy_from_environ(environ) or read_system_proxy(
        runner, is_system=is_system, person=chosen
    )
    home_parts = (environ.get("HOMEDRIVE", ""), environ.get("HOMEPATH", ""))
    home = environ.get("USERPROFILE") or "".join(home_parts)
    return HostFacts(
        os="windows",
        os_name=version.name,
        os_version=version.version,
        os_build=version.build or None,
        arch=arch,
        native_arch=native_arch,
        translated=translated,
        is_admin=is_admin,
        is_system=is_system,
        current_user=current_user,
        console_user=console_user,
        home=Path(home or process.user_home or "."),
        memory_bytes=process.memory_bytes,
        proxy=proxy,
        sessions=sessions,
    )
