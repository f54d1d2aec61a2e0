"""Run one function as another POSIX account in a forked child, with one pipe back.

OpenSSH's privilege separation is the model: the child drops to the person's uid, gid and
groups before it touches anything, so the kernel (not our checks) keeps it inside what the
person may already do. There is no re-exec: a onefile binary needs no second unpack folder.

The child reports JSON lines on the pipe. Root treats them as untrusted input (the person can
ptrace their own process): size-capped, schema-checked, and never a path to act on.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.errors import DeploymentError, ExitStatus

MAX_REPORT_BYTES = 1024 * 1024  # a child that talks more than this is cut off
MAX_LINE_BYTES = 256 * 1024
CHILD_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
EVENT_TYPES = frozenset({"log", "warning", "result", "error"})
_EXIT_AFTER_REPORT = 0
_EXIT_CRASHED = 70  # EX_SOFTWARE: the child failed before it could report


@dataclass(frozen=True)
class Identity:
    """Who the child becomes."""

    uid: int
    gid: int
    groups: tuple[int, ...]


Emit = Callable[[dict[str, Any]], None]
ChildWork = Callable[[Emit], None]


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills the child when root's process dies (kill -9 included)."""
    library = ctypes.util.find_library("c")
    if library is not None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(library, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(_EXIT_CRASHED)


def drop_privileges(identity: Identity) -> None:
    """Become the person for good; refuse to go on if root could be regained."""
    os.setgroups(list(identity.groups))
    os.setgid(identity.gid)
    os.setuid(identity.uid)
    if identity.uid != 0:
        try:
            os.setuid(0)
        except PermissionError:
            return
        raise SystemExit("privileges could be regained after dropping them")


def _close_inherited(keep: int) -> None:
    """Every descriptor but the report pipe goes; 0-2 read and write /dev/null."""
    null = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):
        if null != standard:
            os.dup2(null, standard)
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)


def run_in_child(
    identity: Identity,
    environ: Mapping[str, str],
    cwd: str,
    work: ChildWork,
    watch: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Fork, drop to `identity`, run `work`; return the child's validated events."""
    parent = os.getpid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(parent, identity, environ, cwd, work, write_end=write_end)
    os.close(write_end)
    try:
        raw = _read_capped(read_end, watch)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    events = parse_report(raw)
    if not any(event["event"] in {"result", "error"} for event in events):
        code = os.waitstatus_to_exitcode(status)
        raise DeploymentError(
            f"The step running as the person ended without a report (exit {code}).",
            hint="Run again with --debug; the run log holds what it said before it stopped.",
            code="person-step-failed",
        )
    return events


def _child(
    parent: int,
    identity: Identity,
    environ: Mapping[str, str],
    cwd: str,
    work: ChildWork,
    *,
    write_end: int,
) -> None:
    code = _EXIT_CRASHED
    try:
        _close_inherited(write_end)
        stream = os.fdopen(write_end, "w", encoding="utf-8")

        def emit(event: dict[str, Any]) -> None:
            stream.write(json.dumps(event, default=str) + "\n")
            stream.flush()

        try:
            drop_privileges(identity)
            _die_with_parent(parent)  # after the drop: changing credentials clears the setting
            os.environ.clear()
            os.environ.update(environ)
            os.chdir(cwd)
        except OSError as error:
            emit({"event": "error", "exit_code": int(ExitStatus.CANNOT_WORK_AS_SET_UP),
                  "code": "person-step-start",
                  "message": f"Could not start the step as the person: {error}."})  # fmt: skip
        else:
            work(emit)
        stream.close()
        code = _EXIT_AFTER_REPORT
    except BaseException:  # noqa: BLE001 - a child must never return into root's stack
        code = _EXIT_CRASHED
    finally:
        os._exit(code)


def _read_capped(descriptor: int, watch: Callable[[dict[str, Any]], None] | None) -> bytes:
    """Everything the child sends (capped); `watch` sees each event as it arrives."""
    chunks: list[bytes] = []
    total, pending = 0, b""
    while chunk := os.read(descriptor, 65536):
        total += len(chunk)
        if total > MAX_REPORT_BYTES:
            raise DeploymentError(
                "The step running as the person sent more than its report may hold.",
                code="person-step-report",
            )
        chunks.append(chunk)
        if watch is not None:
            *lines, pending = (pending + chunk).split(b"\n")
            for event in parse_report(b"\n".join(lines)):
                watch(event)
    return b"".join(chunks)


def parse_report(raw: bytes) -> list[dict[str, Any]]:
    """The child's JSON lines; anything off-schema is refused (exit 9), never acted on."""
    events: list[dict[str, Any]] = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            raise _refused("a line longer than a report line may be")
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            raise _refused("a line that is not one JSON event") from None
        if not isinstance(event, dict) or event.get("event") not in EVENT_TYPES:
            raise _refused("an event of an unknown type")
        if event["event"] == "error":
            code = event.get("exit_code")
            valid = {int(status) for status in ExitStatus} - {0}
            if not isinstance(code, int) or code not in valid:
                raise _refused("an error without a valid exit code")
        events.append(event)
    return events


def _refused(what: str) -> DeploymentError:
    return DeploymentError(
        f"The step running as the person sent {what}; its report was refused.",
        code="person-step-report",
    )
