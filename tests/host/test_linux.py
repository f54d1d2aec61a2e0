"""Linux: parsers against recorded output; gathering from this machine and from test trees."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kiro_bootstrap.host import elf
from kiro_bootstrap.host.gather import gather_host_facts
from kiro_bootstrap.host.gather_linux import (
    SHOW_SESSION_PROPERTIES,
    collect_linux_facts,
    find_console_user,
)
from kiro_bootstrap.host.linux import (
    console_user_from_logind_files,
    find_glibc_release,
    find_glibcxx_versions,
    parse_glibc_version,
    parse_loginctl_sessions,
    parse_loginctl_show_session,
    parse_musl_loader_output,
    parse_os_release,
)
from kiro_bootstrap.host.process import ProcessView
from kiro_bootstrap.host.runner import Completed, RecordedRunner
from tests.host.fixtures import (
    EM_AARCH64,
    build_elf_library,
    build_ld_so_cache,
    glibcxx_up_to,
    read_sample,
)

on_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads this Linux host")


@pytest.mark.parametrize(
    ("sample", "name", "version", "distro"),
    [
        ("os-release-ubuntu-24.04", "Ubuntu 24.04.1 LTS", "24.04", "ubuntu"),
        ("os-release-ubuntu-22.04", "Ubuntu 22.04.4 LTS", "22.04", "ubuntu"),
        ("os-release-debian-12", "Debian GNU/Linux 12 (bookworm)", "12", "debian"),
        ("os-release-fedora-40", "Fedora Linux 40 (Workstation Edition)", "40", "fedora"),
        ("os-release-alpine-3.20", "Alpine Linux v3.20", "3.20.3", "alpine"),
        ("os-release-arch", "Arch Linux", "rolling", "arch"),
    ],
)
def test_os_release_names_the_distribution(sample, name, version, distro):
    release = parse_os_release(read_sample(sample))
    assert (release.name, release.version, release.distro_id) == (name, version, distro)


def test_os_release_without_pretty_name_falls_back_to_name_and_version():
    release = parse_os_release('NAME="Foo OS"\nVERSION="7 (Bar)"\nID=foo\n')
    assert release.name == "Foo OS 7 (Bar)"
    assert parse_os_release("ID_LIKE='rhel centos fedora'\n").id_like == (
        "rhel",
        "centos",
        "fedora",
    )


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("glibc 2.36", "2.36"),
        (read_sample("ldd-version-ubuntu-22.04.txt"), "2.35"),
        (read_sample("ldd-version-fedora-40.txt"), "2.39"),
        ("musl libc (x86_64)\nVersion 1.2.5\n", None),
        ("", None),
    ],
)
def test_glibc_version_from_confstr_or_ldd(text, version):
    assert parse_glibc_version(text) == version


def test_glibc_release_banner_in_libc_bytes():
    banner = b"\0GNU C Library (Ubuntu GLIBC 2.39-0ubuntu8.3) stable release version 2.39.\n"
    assert find_glibc_release(b"\x7fELF junk" + banner) == "2.39"
    assert find_glibc_release(b"no banner here") is None


def test_musl_version_from_its_loader():
    assert parse_musl_loader_output(read_sample("musl-loader-alpine-3.20.txt")) == "1.2.5"


def test_glibcxx_versions_are_sorted_numerically_and_only_whole_names_count():
    data = b"\0GLIBCXX_3.4.9\0GLIBCXX_3.4.30\0GLIBCXX_3.4\0xGLIBCXX_3.4.77\0GLIBCXX_DEBUG\0"
    data += b"GLIBCXX_3.4.30\0CXXABI_1.3.13\0GLIBCXX_3.4.31.x\0"
    assert find_glibcxx_versions(data) == ("GLIBCXX_3.4", "GLIBCXX_3.4.9", "GLIBCXX_3.4.30")


def test_reads_only_the_dynamic_string_table_of_an_elf_library(tmp_path):
    library = tmp_path / "libstdc++.so.6"
    # A version-looking string elsewhere in the file is not a version the library defines.
    library.write_bytes(build_elf_library(glibcxx_up_to(31), rodata=b"\0GLIBCXX_3.4.99\0"))
    strings = elf.read_dynamic_strings(library)
    assert strings is not None
    assert strings.machine == 62
    assert find_glibcxx_versions(strings.strings)[-1] == "GLIBCXX_3.4.31"


def test_reads_32_bit_elf_and_refuses_non_elf(tmp_path):
    library = tmp_path / "lib32.so"
    library.write_bytes(build_elf_library(["GLIBCXX_3.4"], bits=32, machine=3))
    strings = elf.read_dynamic_strings(library)
    assert strings is not None
    assert (strings.machine, find_glibcxx_versions(strings.strings)) == (3, ("GLIBCXX_3.4",))
    (tmp_path / "text.so").write_text("INPUT(-lstdc++)")
    assert elf.read_dynamic_strings(tmp_path / "text.so") is None
    assert elf.read_dynamic_strings(tmp_path / "missing.so") is None


def test_ld_so_cache_lists_libstdcxx_paths():
    cache = build_ld_so_cache(
        [
            "/usr/lib/i386-linux-gnu/libstdc++.so.6",
            "/opt/gcc14/lib64/libstdc++.so.6",
            "/usr/lib/x86_64-linux-gnu/libc.so.6",
        ]
    )
    assert elf.find_libstdcxx_in_ld_cache(cache) == [
        "/usr/lib/i386-linux-gnu/libstdc++.so.6",
        "/opt/gcc14/lib64/libstdc++.so.6",
    ]


# --- who sits at the screen -------------------------------------------------------------------


def _session_reader(*names):
    files = {name.rsplit("-", 1)[-1]: read_sample(name) for name in names}
    return files.get


def test_console_user_is_the_active_user_session_on_seat0():
    reader = _session_reader("logind-session-2", "logind-session-c1")
    assert console_user_from_logind_files(read_sample("logind-seat0"), reader) == "alice"


def test_login_screen_is_nobody():
    reader = _session_reader("logind-session-c1")
    assert console_user_from_logind_files(read_sample("logind-seat0-greeter"), reader) is None
    assert console_user_from_logind_files(None, reader) is None


@pytest.mark.parametrize(
    "sample", ["loginctl-list-sessions-252.txt", "loginctl-list-sessions-255.txt"]
)
def test_loginctl_sessions_across_systemd_versions(sample):
    sessions = sorted(parse_loginctl_sessions(read_sample(sample)))
    assert sessions == [("2", "alice", "seat0"), ("5", "bob", None), ("c1", "gdm", "seat0")]


def test_loginctl_show_session_says_who_is_active():
    assert parse_loginctl_show_session(read_sample("loginctl-show-session-2.txt")) == "alice"
    assert parse_loginctl_show_session(read_sample("loginctl-show-session-c1.txt")) is None


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


def test_console_user_read_from_logind_files_without_a_subprocess(tmp_path):
    _write(tmp_path / "run/systemd/seats/seat0", read_sample("logind-seat0"))
    _write(tmp_path / "run/systemd/sessions/2", read_sample("logind-session-2"))
    runner = RecordedRunner()
    assert find_console_user(tmp_path, runner) == "alice"
    assert runner.calls == []


def test_console_user_falls_back_to_loginctl_when_the_session_file_is_unreadable(tmp_path):
    _write(tmp_path / "run/systemd/seats/seat0", read_sample("logind-seat0"))
    (tmp_path / "run/systemd/sessions").mkdir(parents=True)
    runner = (
        RecordedRunner()
        .add(["loginctl", "list-sessions"], read_sample("loginctl-list-sessions-255.txt"))
        .add(["loginctl", "show-session", "c1"], read_sample("loginctl-show-session-c1.txt"))
        .add(["loginctl", "show-session", "2"], read_sample("loginctl-show-session-2.txt"))
    )
    assert find_console_user(tmp_path, runner) == "alice"
    assert runner.calls[0] == ("loginctl", "list-sessions", "--no-legend")
    assert ("loginctl", "show-session", "2", *SHOW_SESSION_PROPERTIES) in runner.calls


def test_no_logind_or_no_seat_means_nobody_at_the_screen(tmp_path):
    runner = RecordedRunner()
    assert find_console_user(tmp_path, runner) is None  # no /run/systemd/seats at all
    (tmp_path / "run/systemd/seats").mkdir(parents=True)
    assert find_console_user(tmp_path, runner) is None  # logind, but no local seat
    assert runner.calls == []


# --- gathering ----------------------------------------------------------------------------------


def _view(**changes) -> ProcessView:
    values = {
        "machine": "x86_64",
        "user_name": "alice",
        "memory_bytes": 8 << 30,
        "euid": 1000,
        "user_home": "/home/alice",
    }
    return ProcessView(**{**values, **changes})


def _ubuntu_tree(root: Path, *, release: str, glibc: str, glibcxx_last: int) -> Path:
    _write(root / "etc/os-release", read_sample(release))
    lib = root / "usr/lib/x86_64-linux-gnu"
    _write(lib / "libc.so.6", f"\x7fELF... stable release version {glibc}.\n".encode())
    _write(lib / "libstdc++.so.6", build_elf_library(glibcxx_up_to(glibcxx_last)))
    return root


def test_ubuntu_2204_tree_lacks_glibcxx_3_4_31(tmp_path):
    root = _ubuntu_tree(tmp_path, release="os-release-ubuntu-22.04", glibc="2.35", glibcxx_last=30)
    runner = RecordedRunner()
    facts = collect_linux_facts(_view(), runner=runner, environ={}, fs_root=root)
    assert facts.os_name == "Ubuntu 22.04.4 LTS"
    assert (facts.os_version, facts.distro_id) == ("22.04", "ubuntu")
    assert (facts.libc, facts.libc_version) == ("glibc", "2.35")
    assert facts.has_glibcxx("GLIBCXX_3.4.30") is True
    assert facts.has_glibcxx("3.4.31") is False
    assert facts.home == Path("/home/alice")
    assert not facts.is_admin
    assert runner.calls == []


def test_ubuntu_2404_tree_has_glibcxx_3_4_31(tmp_path):
    root = _ubuntu_tree(tmp_path, release="os-release-ubuntu-24.04", glibc="2.39", glibcxx_last=33)
    facts = collect_linux_facts(_view(euid=0), runner=RecordedRunner(), environ={}, fs_root=root)
    assert facts.libc_version_tuple() == (2, 39)
    assert "GLIBCXX_3.4.31" in (facts.glibcxx_versions or ())
    assert facts.is_admin


def test_libstdcxx_of_another_architecture_is_skipped_for_the_ld_cache_one(tmp_path):
    _write(tmp_path / "etc/os-release", read_sample("os-release-fedora-40"))
    # /usr/lib64 holds an aarch64 build (wrong machine); the cache points at the real one.
    arm_build = build_elf_library(glibcxx_up_to(33), machine=EM_AARCH64)
    _write(tmp_path / "usr/lib64/libstdc++.so.6", arm_build)
    _write(tmp_path / "opt/gcc/lib64/libstdc++.so.6", build_elf_library(glibcxx_up_to(32)))
    _write(tmp_path / "etc/ld.so.cache", build_ld_so_cache(["/opt/gcc/lib64/libstdc++.so.6"]))
    facts = collect_linux_facts(_view(), runner=RecordedRunner(), environ={}, fs_root=tmp_path)
    assert facts.glibcxx_versions == glibcxx_up_to(32)
    assert facts.libc is None  # no libc.so.6 in this tree


def test_alpine_tree_is_musl_without_libstdcxx(tmp_path):
    _write(tmp_path / "etc/os-release", read_sample("os-release-alpine-3.20"))
    _write(tmp_path / "lib/ld-musl-x86_64.so.1", b"\x7fELF")
    facts = collect_linux_facts(_view(), runner=RecordedRunner(), environ={}, fs_root=tmp_path)
    assert (facts.libc, facts.glibcxx_versions, facts.distro_id) == ("musl", None, "alpine")


def test_home_follows_home_variable_and_proxy_comes_from_the_environment(tmp_path):
    environ = {"HOME": "/srv/alice", "https_proxy": "http://proxy:3128", "NO_PROXY": ".corp"}
    facts = collect_linux_facts(_view(), runner=RecordedRunner(), environ=environ, fs_root=tmp_path)
    assert facts.home == Path("/srv/alice")
    assert facts.proxy.https == "http://proxy:3128"
    assert (facts.proxy.no_proxy, facts.proxy.source) == (".corp", "env")


@on_linux
def test_gathers_this_debian_12_machine_without_any_subprocess():
    runner = RecordedRunner()  # strict: any call raises
    facts = gather_host_facts(runner=runner, environ={"HOME": "/root"})
    assert runner.calls == []
    assert facts.os == "linux"
    assert facts.distro_id == "debian"
    assert facts.os_version == "12"
    assert (facts.libc, facts.libc_version) == ("glibc", "2.36")
    assert facts.has_glibcxx("GLIBCXX_3.4.30") is True
    assert facts.has_glibcxx("GLIBCXX_3.4.31") is False  # GCC 12's libstdc++
    assert facts.arch == facts.native_arch == "x86_64"
    assert not facts.translated
    assert facts.memory_bytes > 0
    assert facts.proxy.source == "none"


def test_recorded_runner_refuses_unexpected_commands():
    runner = RecordedRunner().add(["loginctl"], Completed(1, "", "Failed to connect to bus"))
    assert runner(["loginctl", "list-sessions"]).returncode == 1
    with pytest.raises(AssertionError, match="no recording"):
        runner(["ldd", "--version"])
