"""Windows: reg, whoami, query user, CIM and netsh output, and whole-host collection, on any OS."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiro_bootstrap.host.gather_windows import (
    CIM_CONSOLE_USER,
    NETSH_WINHTTP,
    QUERY_USER,
    WHOAMI,
    collect_windows_facts,
)
from kiro_bootstrap.host.process import ProcessView
from kiro_bootstrap.host.runner import Completed, RecordedRunner
from kiro_bootstrap.host.windows import (
    CURRENT_VERSION_KEY,
    INTERNET_SETTINGS_KEY,
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
from tests.host.fixtures import read_sample


@pytest.mark.parametrize(
    ("sample", "name", "version", "build", "display"),
    [
        (
            "reg-query-currentversion-win11-23h2.txt",
            "Windows 11 Pro",
            "10.0.22631",
            "22631",
            "23H2",
        ),
        (
            "reg-query-currentversion-win10-22h2.txt",
            "Windows 10 Enterprise",
            "10.0.19045",
            "19045",
            "22H2",
        ),
        (
            "reg-query-currentversion-win11-arm64-24h2.txt",
            "Windows 11 Pro",
            "10.0.26100",
            "26100",
            "24H2",
        ),
    ],
)
def test_windows_11_is_told_by_its_build_not_its_product_name(
    sample, name, version, build, display
):
    parsed = parse_windows_version(parse_reg_query(read_sample(sample)))
    assert (parsed.name, parsed.version, parsed.build, parsed.display_version) == (
        name,
        version,
        build,
        display,
    )


def test_reg_query_reads_only_the_queried_key_and_survives_crlf_and_empty_values():
    text = read_sample("reg-query-currentversion-win11-23h2.txt").replace("\n", "\r\n")
    values = parse_reg_query(text)
    assert values["ProductName"].data == "Windows 10 Pro"
    assert values["UBR"] == ("REG_DWORD", "0xe99")
    assert values["EditionSubstring"].data == ""
    assert "Winlogon" not in values
    assert parse_reg_query(read_sample("reg-query-internet-settings-direct.txt"))[
        "User Agent"
    ].data.startswith("Mozilla/4.0")


def test_wininet_direct_connection_is_no_proxy():
    proxy = parse_reg_query_internet_settings(read_sample("reg-query-internet-settings-direct.txt"))
    assert proxy.source == "none"


def test_wininet_per_protocol_proxy_and_bypass_list():
    proxy = parse_reg_query_internet_settings(read_sample("reg-query-internet-settings-manual.txt"))
    assert proxy.http == "http://proxy.corp.example:8080"
    assert proxy.https == "http://proxy.corp.example:8443"
    assert proxy.no_proxy == ".corp.example,10.*"
    assert proxy.source == "wininet"


def test_wininet_pac_url_is_reported_even_with_the_proxy_off():
    proxy = parse_reg_query_internet_settings(read_sample("reg-query-internet-settings-pac.txt"))
    assert (proxy.pac_url, proxy.http, proxy.source) == (
        "http://wpad.corp.example/proxy.pac",
        None,
        "wininet",
    )


@pytest.mark.parametrize(
    ("sample", "http", "https", "no_proxy"),
    [
        ("netsh-winhttp-direct.txt", None, None, None),
        (
            "netsh-winhttp-proxy.txt",
            "http://proxy.corp.example:8080",
            "http://proxy.corp.example:8080",
            ".corp.example",
        ),
        (
            "netsh-winhttp-proxy-de.txt",
            "http://proxy.corp.example:8080",
            "http://proxy.corp.example:8443",
            None,
        ),
    ],
)
def test_winhttp_proxy_in_any_display_language(sample, http, https, no_proxy):
    proxy = parse_netsh_winhttp(read_sample(sample))
    assert (proxy.http, proxy.https, proxy.no_proxy) == (http, https, no_proxy)
    assert proxy.source == ("winhttp" if http else "none")


@pytest.mark.parametrize(
    ("sample", "user"),
    [
        ("query-user-console.txt", "alice"),
        ("query-user-from-system.txt", "alice"),
        ("query-user-rdp-only.txt", None),
        ("query-user-de.txt", "jürgen müller"),
        ("query-user-nobody.stderr.txt", None),
    ],
)
def test_query_user_finds_the_console_session(sample, user):
    assert parse_query_user(read_sample(sample)) == user


def test_cim_console_user_keeps_the_domain_schtasks_needs():
    assert parse_cim_computer_system_json(read_sample("cim-computersystem-signed-in.json")) == (
        "AzureAD\\AliceSmith"
    )
    assert parse_cim_computer_system_json(read_sample("cim-computersystem-nobody.json")) is None
    assert parse_cim_computer_system_json("") is None
    assert parse_cim_computer_system_json("not json") is None


@pytest.mark.parametrize(
    ("sample", "user", "system", "elevated"),
    [
        ("whoami-elevated-admin.txt", "alice", False, True),
        ("whoami-standard-user.txt", "alice", False, False),
        ("whoami-system.txt", "system", True, True),
        ("whoami-system-fr.txt", "système", True, True),
    ],
)
def test_whoami_tells_system_and_elevation_by_sid(sample, user, system, elevated):
    who = parse_whoami(read_sample(sample))
    assert who is not None
    assert (who.user_name, who.is_system, who.is_elevated) == (user, system, elevated)


def test_whoami_single_section_and_garbage():
    who = parse_whoami('"contoso\\bob","S-1-5-21-1-2-3-1105"\r\n')
    assert who is not None
    assert who.user_name == "bob"
    assert parse_whoami("ERROR: Access is denied.") is None


def test_system_account_names_without_a_sid():
    assert is_system_account_name("SYSTEM", "DESKTOP-1")
    assert is_system_account_name("DESKTOP-1$", "desktop-1")
    assert not is_system_account_name("alice", "DESKTOP-1")


@pytest.mark.parametrize(
    ("process", "native_machine", "environ", "expected"),
    [
        ("x86_64", 0x8664, {}, ("x86_64", False)),
        ("x86_64", 0xAA64, {"PROCESSOR_ARCHITECTURE": "AMD64"}, ("arm64", True)),  # emulated x64
        ("arm64", 0xAA64, {}, ("arm64", False)),
        (
            "x86",
            None,
            {"PROCESSOR_ARCHITEW6432": "AMD64"},
            ("x86_64", False),
        ),  # WOW64, not emulated
        ("x86", None, {"PROCESSOR_ARCHITEW6432": "ARM64"}, ("arm64", True)),
        ("x86_64", None, {"PROCESSOR_ARCHITECTURE": "AMD64"}, ("x86_64", False)),
    ],
)
def test_windows_on_arm_is_told_by_the_native_machine(process, native_machine, environ, expected):
    assert resolve_windows_arch(process, native_machine, environ) == expected


# --- whole-host collection ------------------------------------------------------------------------


def _view(**changes) -> ProcessView:
    values = {
        "machine": "win-amd64",
        "user_name": "alice",
        "memory_bytes": 32 << 30,
        "native_machine": 0x8664,
        **changes,
    }
    return ProcessView(**values)


def _windows(version: str, whoami: str, **more: str | Completed) -> RecordedRunner:
    runner = (
        RecordedRunner()
        .add(["reg", "query", CURRENT_VERSION_KEY], read_sample(version))
        .add(WHOAMI, read_sample(whoami))
    )
    for key, result in more.items():
        prefix = {
            "query": QUERY_USER,
            "cim": CIM_CONSOLE_USER,
            "netsh": NETSH_WINHTTP,
            "wininet": ("reg", "query", INTERNET_SETTINGS_KEY),
        }[key]
        runner.add(prefix, result if isinstance(result, Completed) else read_sample(result))
    return runner


USER_ENVIRON = {"USERPROFILE": "C:\\Users\\alice", "COMPUTERNAME": "DESKTOP-7K2F9QA"}
SYSTEM_ENVIRON = {
    "USERPROFILE": "C:\\WINDOWS\\system32\\config\\systemprofile",
    "USERNAME": "DESKTOP-7K2F9QA$",
    "COMPUTERNAME": "DESKTOP-7K2F9QA",
}


def test_collects_windows_11_user_with_its_wininet_proxy():
    runner = _windows(
        "reg-query-currentversion-win11-23h2.txt",
        "whoami-standard-user.txt",
        query="query-user-console.txt",
        wininet="reg-query-internet-settings-manual.txt",
    )
    facts = collect_windows_facts(_view(), runner=runner, environ=USER_ENVIRON, fs_root=Path("/"))
    assert (facts.os, facts.os_name, facts.os_version, facts.build_number()) == (
        "windows",
        "Windows 11 Pro",
        "10.0.22631",
        22631,
    )
    assert (facts.is_admin, facts.is_system, facts.current_user) == (False, False, "alice")
    assert facts.console_user == "alice"
    assert (facts.arch, facts.native_arch, facts.translated) == ("x86_64", "x86_64", False)
    assert facts.proxy.source == "wininet"
    assert str(facts.home) == "C:\\Users\\alice"
    assert CIM_CONSOLE_USER not in runner.calls


def test_collects_windows_11_under_system_with_winhttp_and_cim():
    runner = _windows(
        "reg-query-currentversion-win11-23h2.txt",
        "whoami-system.txt",
        cim="cim-computersystem-signed-in.json",
        netsh="netsh-winhttp-proxy.txt",
    )
    facts = collect_windows_facts(
        _view(user_name="DESKTOP-7K2F9QA$"),
        runner=runner,
        environ=SYSTEM_ENVIRON,
        fs_root=Path("/"),
    )
    assert (facts.is_admin, facts.is_system, facts.current_user) == (True, True, "system")
    assert facts.console_user == "AzureAD\\AliceSmith"
    assert facts.proxy.source == "winhttp"
    assert ("reg", "query", INTERNET_SETTINGS_KEY) not in runner.calls


def test_system_with_nobody_signed_in_and_no_powershell_uses_query_user():
    runner = _windows(
        "reg-query-currentversion-win10-22h2.txt",
        "whoami-system.txt",
        cim=Completed(127, "", "powershell.exe: not found"),
        query=Completed(1, "", read_sample("query-user-nobody.stderr.txt")),
        netsh="netsh-winhttp-direct.txt",
    )
    facts = collect_windows_facts(_view(), runner=runner, environ=SYSTEM_ENVIRON, fs_root=Path("/"))
    assert facts.console_user is None
    assert facts.os_name == "Windows 10 Enterprise"
    assert facts.proxy.source == "none"


def test_collects_x64_python_on_windows_on_arm():
    runner = _windows(
        "reg-query-currentversion-win11-arm64-24h2.txt",
        "whoami-elevated-admin.txt",
        query="query-user-console.txt",
        wininet="reg-query-internet-settings-direct.txt",
    )
    view = _view(native_machine=0xAA64)
    facts = collect_windows_facts(view, runner=runner, environ=USER_ENVIRON, fs_root=Path("/"))
    assert (facts.arch, facts.native_arch, facts.translated) == ("x86_64", "arm64", True)
    assert facts.is_admin
    assert facts.os_build == "26100"


def test_broken_whoami_and_reg_fall_back_to_the_process_view():
    runner = RecordedRunner(strict=False)  # every tool "not found"
    view = _view(user_name="SYSTEM", platform_version="10.0.22631", is_elevated=False)
    facts = collect_windows_facts(view, runner=runner, environ={}, fs_root=Path("/"))
    assert (facts.os_version, facts.os_build) == ("10.0.22631", "22631")
    assert facts.is_system
    assert facts.is_admin  # SYSTEM is always an administrator
    assert facts.console_user is None
    assert WHOAMI in runner.calls
