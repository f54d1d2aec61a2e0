"""Who is signed in to Windows (every session, not only the console), their registry profile,
hive and proxy, judged from WTS rows and recorded `reg query` / `netsh` output."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

from kiro_bootstrap.host.gather_windows import NETSH_WINHTTP, collect_windows_facts
from kiro_bootstrap.host.runner import Completed, RecordedRunner
from kiro_bootstrap.host.users import home_of
from kiro_bootstrap.host.windows import (
    CURRENT_VERSION_KEY,
    PROFILE_LIST_KEY,
    USER_INTERNET_SETTINGS_KEY,
    extended_length_path,
    parse_netsh_winhttp,
    parse_profile_image_path,
)
from kiro_bootstrap.host.windows_sessions import (
    SignedIn,
    WindowsSession,
    choose_person,
    describe_choice,
    is_setup_account,
    people_signed_in,
)
from tests.host.fixtures import ENTRA_SID, read_sample, windows11_system_entra
from tests.host.test_windows import SYSTEM_ENVIRON, WHOAMI, _view

ENTRA = "AzureAD\\AliceSmith"
BOB_SID = "S-1-5-21-1-2-3-1104"


def test_autopilot_and_service_accounts_are_nobody():
    for account in ("defaultuser0", "DESKTOP-1\\defaultUser100000", "NT AUTHORITY\\SYSTEM", ""):
        assert is_setup_account(account), account
    assert not is_setup_account("AzureAD\\defaultuserfan")
    rows = [
        SignedIn("WORKGROUP\\defaultuser0", None, True),
        SignedIn(ENTRA, ENTRA_SID, False),
        SignedIn(ENTRA, ENTRA_SID, True),  # the same person in a second (RDP) session
    ]
    assert people_signed_in(rows) == [SignedIn(ENTRA, ENTRA_SID, True)]


def test_the_active_session_wins_else_the_only_person_else_nobody():
    alice = WindowsSession(ENTRA, ENTRA_SID, active=False)
    bob = WindowsSession("CONTOSO\\bob", BOB_SID, active=True)
    assert choose_person([alice, bob]) == bob
    assert choose_person([alice]) == alice  # a disconnected Cloud PC session is still her
    assert choose_person([alice, WindowsSession("CONTOSO\\bob", BOB_SID, False)]) is None
    assert choose_person([]) is None
    assert describe_choice([alice, bob], "CONTOSO\\bob") == (
        "2 people are signed in (AzureAD\\AliceSmith, CONTOSO\\bob); acting for CONTOSO\\bob. "
        "Name another with --for-user."
    )
    assert describe_choice([alice], ENTRA) is None


def test_profile_image_path_is_read_and_expanded():
    assert parse_profile_image_path(read_sample("reg-query-profilelist-entra.txt"), {}) == (
        "C:\\Users\\AliceSmith.CONTOSO"
    )
    expanded = parse_profile_image_path(
        read_sample("reg-query-profilelist-expand.txt"), {"SYSTEMDRIVE": "D:"}
    )
    assert expanded == "D:\\Users\\Administrator.DESKTOP-7K2F9QA"
    assert parse_profile_image_path("", {}) is None


def test_netsh_none_bypass_list_is_no_bypass_list():
    proxy = parse_netsh_winhttp(read_sample("netsh-winhttp-bypass-none.txt"))
    assert proxy.https == "http://proxy.corp.example:8080"
    assert proxy.no_proxy is None


def _system_runner(*, netsh: str, hku: str | Completed) -> RecordedRunner:
    hku_key = USER_INTERNET_SETTINGS_KEY.format(sid=ENTRA_SID)
    return (
        RecordedRunner()
        .add(["reg", "query", CURRENT_VERSION_KEY],
             read_sample("reg-query-currentversion-win11-23h2.txt"))
        .add(WHOAMI, read_sample("whoami-system.txt"))
        .add(["reg", "query", f"{PROFILE_LIST_KEY}\\{ENTRA_SID}"],
             read_sample("reg-query-profilelist-entra.txt"))
        .add(["reg", "query", hku_key], hku if isinstance(hku, Completed) else read_sample(hku))
        .add(NETSH_WINHTTP, read_sample(netsh))
    )  # fmt: skip


def _collect(runner: RecordedRunner, *rows: SignedIn):
    view = _view(user_name="DESKTOP-7K2F9QA$", signed_in=rows)
    return collect_windows_facts(view, runner=runner, environ=SYSTEM_ENVIRON, fs_root=Path("/"))


def test_system_finds_a_cloud_pc_user_with_no_console_session_and_their_profile():
    runner = _system_runner(
        netsh="netsh-winhttp-direct.txt", hku="reg-query-hku-internet-settings-manual.txt"
    )
    facts = _collect(runner, SignedIn("WORKGROUP\\defaultuser0", None, False),
                     SignedIn(ENTRA, ENTRA_SID, True))  # fmt: skip
    assert facts.console_user == ENTRA
    (session,) = facts.sessions
    assert (session.profile, session.hive_loaded) == ("C:\\Users\\AliceSmith.CONTOSO", True)
    # No machine (WinHTTP) proxy: the person's manual WinINet proxy, read from their hive.
    assert facts.proxy.source == "wininet"
    assert facts.proxy.https == "http://proxy.corp.example:8443"
    assert facts.proxy.no_proxy == ".corp.example,10.*"
    # No PowerShell, no console-only tools.
    assert not any(call[0] in ("powershell.exe", "query") for call in runner.calls)


def test_system_takes_the_machine_proxy_first_and_a_persons_pac_is_reported():
    person = SignedIn(ENTRA, ENTRA_SID, True)
    pac_sample = "reg-query-hku-internet-settings-pac.txt"
    machine = _collect(_system_runner(netsh="netsh-winhttp-proxy.txt", hku=pac_sample), person)
    assert machine.proxy.source == "winhttp"
    pac = _collect(_system_runner(netsh="netsh-winhttp-direct.txt", hku=pac_sample), person)
    assert pac.proxy.pac_url == "http://wpad.corp.example/proxy.pac"  # doctor warns about PAC


def test_a_hive_that_is_not_loaded_is_recorded_as_such():
    not_loaded = Completed(1, "", read_sample("reg-query-not-found.stderr.txt"))
    facts = _collect(
        _system_runner(netsh="netsh-winhttp-direct.txt", hku=not_loaded),
        SignedIn(ENTRA, ENTRA_SID, False),
    )
    (session,) = facts.sessions
    assert not session.hive_loaded
    assert facts.proxy.source == "none"


def test_home_of_a_signed_in_person_is_the_registry_profile(tmp_path: Path):
    facts = windows11_system_entra()
    home = home_of("AliceSmith", facts, fs_root=tmp_path)
    assert home == tmp_path / "C/Users/AliceSmith.CONTOSO"
    # Someone not signed in, under a test root: the conventional folder.
    assert home_of("bob", facts, fs_root=tmp_path) == tmp_path / "C/Users/bob"
    assert PureWindowsPath("C:\\Users\\AliceSmith.CONTOSO").name != "AliceSmith"


def test_deep_paths_get_the_extended_length_prefix():
    deep = "C:\\Users\\alice\\AppData\\Roaming\\Kiro\\" + "x\\" * 200
    assert extended_length_path(deep) == "\\\\?\\" + deep
    assert extended_length_path("\\\\fs1\\home\\alice") == "\\\\?\\UNC\\fs1\\home\\alice"
    assert extended_length_path("\\\\?\\C:\\x") == "\\\\?\\C:\\x"
    assert extended_length_path("relative\\x") == "relative\\x"
