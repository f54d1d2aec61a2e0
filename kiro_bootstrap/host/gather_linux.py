"""Linux host facts from files under fs_root: no subprocess on the common path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from kiro_bootstrap.host import elf
from kiro_bootstrap.host.facts import HostFacts, ProxySettings, normalize_arch
from kiro_bootstrap.host.linux import (
    OsRelease,
    console_user_from_logind_files,
    find_glibc_release,
    find_glibcxx_versions,
    linux_multiarch_triplet,
    parse_glibc_version,
    parse_loginctl_sessions,
    parse_loginctl_show_session,
    parse_musl_loader_output,
    parse_os_release,
)
from kiro_bootstrap.host.process import ProcessView, is_live_root
from kiro_bootstrap.host.proxy import choose_proxy
from kiro_bootstrap.host.runner import Runner

MAX_TEXT_FILE_BYTES = 64 * 1024
MAX_LIBC_SCAN_BYTES = 8 * 1024 * 1024
PROBE_TIMEOUT_SECONDS = 5.0
SHOW_SESSION_PROPERTIES = ("-p", "Name", "-p", "Active", "-p", "Type", "-p", "Class")
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def _read_text(path: Path) -> str | None:
    try:
        with path.open("rb") as file:
            return file.read(MAX_TEXT_FILE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def _library_dirs(fs_root: Path, arch: str) -> list[Path]:
    """Where distributions keep 64-bit shared libraries, most specific first."""
    triplet = linux_multiarch_triplet(arch)
    relative = (f"usr/lib/{triplet}", f"lib/{triplet}", "usr/lib64", "lib64", "usr/lib", "lib")
    return [fs_root / path for path in relative]


def read_os_release(fs_root: Path) -> OsRelease:
    """os-release(5): /etc/os-release, else /usr/lib/os-release."""
    for path in ("etc/os-release", "usr/lib/os-release"):
        text = _read_text(fs_root / path)
        if text is not None:
            return parse_os_release(text)
    return OsRelease(name="Linux", version="", distro_id=None, id_like=())


def find_glibcxx(fs_root: Path, arch: str) -> tuple[str, ...] | None:
    """GLIBCXX version names of the libstdc++ the loader would pick, or None if none is found."""
    wanted_machine = elf.ELF_MACHINES.get(arch)
    candidates = [directory / "libstdc++.so.6" for directory in _library_dirs(fs_root, arch)]
    for candidate in candidates:
        versions = _versions_if_matching(candidate, wanted_machine)
        if versions:
            return versions
    # Only then ask the loader's cache, which names libraries in unusual places (Nix, /opt).
    try:
        with (fs_root / "etc/ld.so.cache").open("rb") as file:
            cache = file.read(elf.MAX_LD_CACHE_BYTES)
    except OSError:
        return None
    for path in elf.find_libstdcxx_in_ld_cache(cache):
        versions = _versions_if_matching(fs_root / path.lstrip("/"), wanted_machine)
        if versions:
            return versions
    return None


def _versions_if_matching(path: Path, wanted_machine: int | None) -> tuple[str, ...] | None:
    strings = elf.read_dynamic_strings(path)
    if strings is None or (wanted_machine is not None and strings.machine != wanted_machine):
        return None
    return find_glibcxx_versions(strings.strings) or None


def find_libc(
    process: ProcessView, runner: Runner, fs_root: Path, arch: str
) -> tuple[str | None, str | None]:
    """("glibc" | "musl" | None, version) of the C library."""
    live = is_live_root(fs_root, "linux")
    if live and process.glibc:  # the running interpreter's own glibc: exact and free
        return "glibc", parse_glibc_version(process.glibc)
    if not live:  # another root (a test tree, a chroot): read libc.so.6's banner instead
        for directory in _library_dirs(fs_root, arch):
            try:
                with (directory / "libc.so.6").open("rb") as file:
                    version = find_glibc_release(file.read(MAX_LIBC_SCAN_BYTES))
            except OSError:
                continue
            if version:
                return "glibc", version
    for directory in (fs_root / "lib", fs_root / "usr/lib"):
        loaders = sorted(directory.glob("ld-musl-*.so.1")) if directory.is_dir() else []
        if loaders:
            if not live:
                return "musl", None
            # Run bare, musl's loader prints its version (to stderr) and exits 1.
            done = runner([str(loaders[0])], timeout=PROBE_TIMEOUT_SECONDS)
            return "musl", parse_musl_loader_output(done.stderr + done.stdout)
    if live:
        done = runner(["ldd", "--version"], timeout=PROBE_TIMEOUT_SECONDS)
        version = parse_glibc_version(done.stdout) if done.ok else None
        if version:
            return "glibc", version
    return None, None


def find_console_user(fs_root: Path, runner: Runner) -> str | None:
    """The user of seat0's active session, from logind's state files, else from loginctl."""
    seats = fs_root / "run/systemd/seats"
    if not seats.is_dir():  # no systemd-logind: nothing records who sits where
        return None
    seat_text = _read_text(seats / "seat0")
    if seat_text is None:  # logind without a local seat: a server or a container
        return None
    sessions = fs_root / "run/systemd/sessions"

    def read_session(session_id: str) -> str | None:
        return _read_text(sessions / session_id) if _SESSION_ID.match(session_id) else None

    user = console_user_from_logind_files(seat_text, read_session)
    active = re.search(r"^ACTIVE=(\S+)", seat_text, re.MULTILINE)
    if user is not None or active is None or read_session(active.group(1)) is not None:
        return user
    # The seat names an active session whose file we cannot read: ask logind properly.
    return _console_user_from_loginctl(runner)


def _console_user_from_loginctl(runner: Runner) -> str | None:
    listed = runner(["loginctl", "list-sessions", "--no-legend"], timeout=PROBE_TIMEOUT_SECONDS)
    if not listed.ok:
        return None
    for session_id, _, seat in parse_loginctl_sessions(listed.stdout):
        if seat != "seat0":
            continue
        shown = runner(
            ["loginctl", "show-session", session_id, *SHOW_SESSION_PROPERTIES],
            timeout=PROBE_TIMEOUT_SECONDS,
        )
        user = parse_loginctl_show_session(shown.stdout) if shown.ok else None
        if user:
            return user
    return None


def collect_linux_facts(
    process: ProcessView, *, runner: Runner, environ: Mapping[str, str], fs_root: Path
) -> HostFacts:
    """Linux facts: os-release, glibc, libstdc++, logind; no subprocess unless a file fails us."""
    release = read_os_release(fs_root)
    arch = normalize_arch(process.machine)
    libc, libc_version = find_libc(process, runner, fs_root, arch)
    # Like Path.home(): $HOME first (what tests and sudo -H set), the password database next.
    home = environ.get("HOME") or process.user_home or "/"
    return HostFacts(
        os="linux",
        os_name=release.name,
        os_version=release.version,
        distro_id=release.distro_id,
        arch=arch,
        native_arch=arch,
        libc=libc,
        libc_version=libc_version,
        glibcxx_versions=find_glibcxx(fs_root, arch),
        is_admin=process.euid == 0,
        current_user=process.user_name,
        console_user=find_console_user(fs_root, runner),
        home=Path(home),
        memory_bytes=process.memory_bytes,
        proxy=choose_proxy(environ, ProxySettings()),
    )
