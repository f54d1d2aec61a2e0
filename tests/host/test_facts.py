"""HostFacts helpers, proxy precedence, and the platform fixtures everybody reuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiro_bootstrap.host.facts import ProxySettings, normalize_arch, version_numbers
from kiro_bootstrap.host.proxy import (
    choose_proxy,
    convert_bypass_list,
    parse_windows_proxy_server,
    proxy_from_environ,
)
from tests.host.fixtures import (
    ALL_PLATFORMS,
    debian12,
    macos14_rosetta,
    ubuntu2204,
    ubuntu2404,
    windows11_system,
    windows_on_arm,
)


@pytest.mark.parametrize(
    ("raw", "arch"),
    [
        ("AMD64", "x86_64"),
        ("x86_64", "x86_64"),
        ("aarch64", "arm64"),
        ("ARM64", "arm64"),
        ("win-arm64", "arm64"),
        ("riscv64", "riscv64"),
    ],
)
def test_arch_names_are_normalised(raw, arch):
    assert normalize_arch(raw) == arch


def test_version_numbers():
    assert version_numbers("2.39-0ubuntu8") == (2, 39)
    assert version_numbers("10.0.22631") == (10, 0, 22631)
    assert version_numbers("rolling") == ()
    assert version_numbers(None) == ()


def test_fixture_helpers_answer_what_doctor_asks():
    assert ubuntu2204().libc_version_tuple() == (2, 35)
    assert ubuntu2204().has_glibcxx("GLIBCXX_3.4.31") is False
    assert ubuntu2404().has_glibcxx("GLIBCXX_3.4.31") is True
    assert debian12().libc_version == "2.36"
    assert windows11_system().build_number() == 22631
    assert windows11_system().console_user == "alice"
    assert macos14_rosetta().has_glibcxx("3.4.31") is None
    assert windows_on_arm().version_tuple() == (10, 0, 26100)


@pytest.mark.parametrize("name", sorted(ALL_PLATFORMS))
def test_every_platform_fixture_is_coherent(name, tmp_path):
    facts = ALL_PLATFORMS[name](tmp_path)
    assert facts.home == tmp_path
    assert facts.translated == (facts.arch != facts.native_arch)
    assert (facts.libc is not None) == (facts.os == "linux")
    assert not facts.is_system or (facts.os == "windows" and facts.is_admin)
    assert ALL_PLATFORMS[name](memory_bytes=1).memory_bytes == 1


def test_environment_proxy_wins_over_the_os():
    system = ProxySettings(http="http://os:1", https="http://os:1", source="wininet")
    chosen = choose_proxy({"HTTPS_PROXY": "http://env:2", "no_proxy": "a,b"}, system)
    assert (chosen.http, chosen.https, chosen.no_proxy, chosen.source) == (
        None,
        "http://env:2",
        "a,b",
        "env",
    )
    assert choose_proxy({"NO_PROXY": "x"}, system) is system  # no proxy named: the OS decides
    assert choose_proxy({}, ProxySettings()).source == "none"


def test_lower_case_variables_win_and_all_proxy_is_a_fallback():
    env = {
        "http_proxy": "http://lower:1",
        "HTTP_PROXY": "http://upper:1",
        "ALL_PROXY": "http://all:9",
    }
    proxy = proxy_from_environ(env)
    assert proxy is not None
    assert (proxy.http, proxy.https) == ("http://lower:1", "http://all:9")
    assert proxy_from_environ({"HTTPS_PROXY": "  "}) is None


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ("proxy:8080", ("http://proxy:8080", "http://proxy:8080")),
        ("http=a:1;https=b:2", ("http://a:1", "http://b:2")),
        ("http=a:1", ("http://a:1", None)),
        ("socks=s:1080", (None, None)),
        ("https=http://b:2", (None, "http://b:2")),
        ("", (None, None)),
    ],
)
def test_windows_proxy_server_strings(server, expected):
    assert parse_windows_proxy_server(server) == expected


def test_bypass_lists_become_no_proxy():
    assert convert_bypass_list(["*.corp.example", "<local>", "10.*", "*.corp.example"]) == (
        ".corp.example,10.*"
    )
    assert convert_bypass_list(["<local>"]) is None


def test_fixture_home_defaults_are_conventional():
    assert debian12().home == Path("/home/alice")
    assert str(windows11_system().home).endswith("systemprofile")
