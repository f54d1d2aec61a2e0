"""macOS: sw_vers, sysctl, scutil --proxy and the console owner, replayed on any OS."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiro_bootstrap.host.gather_macos import SYSCTL_NAMES, collect_macos_facts
from kiro_bootstrap.host.macos import (
    arch_from_sysctl,
    console_user_from_owner,
    parse_scutil_proxy,
    parse_sw_vers,
    parse_sysctl,
)
from kiro_bootstrap.host.process import ProcessView
from kiro_bootstrap.host.runner import Completed, RecordedRunner
from tests.host.fixtures import read_sample


@pytest.mark.parametrize(
    ("sample", "display", "version", "build"),
    [
        ("sw_vers-14.5.txt", "macOS 14.5", "14.5", "23F79"),
        ("sw_vers-11.7.txt", "macOS 11.7.10", "11.7.10", "20G1427"),
        ("sw_vers-10.15.txt", "Mac OS X 10.15.7", "10.15.7", "19H2026"),
        ("sw_vers-13.4.1-rsr.txt", "macOS 13.4.1", "13.4.1", "22F770820d"),
    ],
)
def test_sw_vers(sample, display, version, build):
    parsed = parse_sw_vers(read_sample(sample))
    assert (parsed.display_name, parsed.version, parsed.build) == (display, version, build)


@pytest.mark.parametrize(
    ("process_arch", "stdout", "native", "translated"),
    [
        ("arm64", read_sample("sysctl-apple-silicon.txt"), "arm64", False),
        ("x86_64", read_sample("sysctl-rosetta.txt"), "arm64", True),
        ("x86_64", "", "x86_64", False),  # Intel: both names unknown, nothing on stdout
    ],
)
def test_rosetta_and_apple_silicon_from_sysctl(process_arch, stdout, native, translated):
    assert arch_from_sysctl(process_arch, parse_sysctl(stdout)) == (native, translated)


@pytest.mark.parametrize(
    ("owner", "user"),
    [("alice", "alice"), ("root", None), ("_mbsetupuser", None), ("", None), (None, None)],
)
def test_console_owner_root_means_login_window(owner, user):
    assert console_user_from_owner(owner) == user


def test_scutil_without_proxies():
    proxy = parse_scutil_proxy(read_sample("scutil-proxy-none.txt"))
    assert proxy.source == "none"
    assert not proxy.configured


def test_scutil_manual_proxy_ignores_the_per_interface_copies():
    proxy = parse_scutil_proxy(read_sample("scutil-proxy-manual.txt"))
    assert proxy.http == proxy.https == "http://proxy.corp.example:3128"
    assert proxy.no_proxy == ".local,169.254/16,.corp.example"
    assert (proxy.source, proxy.pac_url, proxy.auto_detect) == ("macos-system", None, False)


def test_scutil_pac_and_auto_discovery_are_reported_for_a_warning():
    proxy = parse_scutil_proxy(read_sample("scutil-proxy-pac.txt"))
    assert proxy.pac_url == "http://wpad.corp.example/proxy.pac"
    assert proxy.auto_detect
    assert proxy.http is None


def _view(machine: str, **changes) -> ProcessView:
    values = {
        "machine": machine,
        "user_name": "alice",
        "memory_bytes": 16 << 30,
        "euid": 501,
        "user_home": "/Users/alice",
        "console_owner": "alice",
        **changes,
    }
    return ProcessView(**values)


def _recorded(sample: str | Completed) -> str | Completed:
    return sample if isinstance(sample, Completed) else read_sample(sample)


def _mac(
    sw_vers: str | Completed, sysctl: str | Completed, scutil: str = "scutil-proxy-none.txt"
) -> RecordedRunner:
    return (
        RecordedRunner()
        .add(["sw_vers"], _recorded(sw_vers))
        .add(["sysctl", *SYSCTL_NAMES], _recorded(sysctl))
        .add(["scutil", "--proxy"], read_sample(scutil))
    )


def test_collects_macos14_apple_silicon():
    runner = _mac("sw_vers-14.5.txt", "sysctl-apple-silicon.txt", "scutil-proxy-manual.txt")
    facts = collect_macos_facts(_view("arm64"), runner=runner, environ={}, fs_root=Path("/"))
    assert (facts.os, facts.os_name, facts.os_build) == ("darwin", "macOS 14.5", "23F79")
    assert facts.version_tuple() == (14, 5)
    assert (facts.arch, facts.native_arch, facts.translated) == ("arm64", "arm64", False)
    assert (facts.console_user, facts.is_admin, facts.libc) == ("alice", False, None)
    assert facts.proxy.source == "macos-system"
    assert facts.home == Path("/Users/alice")


def test_collects_rosetta_under_root_at_the_login_window():
    runner = _mac("sw_vers-14.5.txt", "sysctl-rosetta.txt")
    view = _view("x86_64", euid=0, user_name="root", user_home="/var/root", console_owner="root")
    facts = collect_macos_facts(view, runner=runner, environ={}, fs_root=Path("/"))
    assert (facts.arch, facts.native_arch, facts.translated) == ("x86_64", "arm64", True)
    assert facts.is_admin
    assert facts.console_user is None
    assert facts.home == Path("/var/root")


def test_collects_intel_big_sur_and_env_proxy_skips_scutil():
    unknown = Completed(1, "", read_sample("sysctl-intel.stderr.txt"))
    runner = _mac("sw_vers-11.7.txt", unknown)
    environ = {"HTTPS_PROXY": "http://proxy:8080", "HOME": "/Users/alice"}
    facts = collect_macos_facts(_view("x86_64"), runner=runner, environ=environ, fs_root=Path("/"))
    assert (facts.os_version, facts.native_arch, facts.translated) == ("11.7.10", "x86_64", False)
    assert facts.proxy.source == "env"
    assert ("scutil", "--proxy") not in runner.calls


def test_sw_vers_failure_falls_back_to_the_interpreter_version():
    missing = Completed(127, "", "sw_vers: not found")
    runner = _mac(missing, "sysctl-apple-silicon.txt")
    view = _view("arm64", platform_version="14.5")
    facts = collect_macos_facts(view, runner=runner, environ={}, fs_root=Path("/"))
    assert (facts.os_name, facts.os_build) == ("macOS 14.5", None)
