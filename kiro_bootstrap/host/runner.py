"""The one way the tool runs another program, and a recorded stand-in for tests."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0
EXIT_NOT_FOUND = 127  # the shells' convention for "command not found"
EXIT_NOT_EXECUTABLE = 126  # ... and for "found but could not be started"
EXIT_TIMED_OUT = 124  # GNU timeout's convention
# A console program started from a GUI-less parent (an MDM agent) would otherwise flash a window.
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)


@dataclass(frozen=True)
class Completed:
    """What a finished program left behind."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """True when the program exited 0."""
        return self.returncode == 0


class Runner(Protocol):
    """Runs argv (never through a shell) and returns what it printed; never raises for exits."""

    def __call__(
        self,
        argv: Sequence[str],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        env: Mapping[str, str] | None = None,
        input: str | None = None,  # noqa: A002 - the subprocess name callers know
    ) -> Completed: ...


def decode_output(data: bytes | str | None) -> str:
    """Decode a program's output: UTF-8, else the Windows OEM code page, else Latin-1."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Windows console tools (reg, query, netsh) write the OEM code page when piped; the "oem"
    # codec exists only on Windows, and Latin-1 never fails elsewhere.
    try:
        return data.decode("oem", errors="replace")
    except LookupError:
        return data.decode("latin-1")


def run_process(
    argv: Sequence[str],
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    env: Mapping[str, str] | None = None,
    input: str | None = None,  # noqa: A002 - the subprocess name callers know
) -> Completed:
    """Run argv without a shell; a missing program is 127, a timeout 124, never an exception."""
    # `env`, when given, is the child's whole environment (as subprocess takes it), not additions.
    if not argv:
        raise ValueError("run_process needs a program to run")
    program = PurePath(argv[0]).name
    started = time.monotonic()
    try:
        # stdin is never inherited: a tool that prompts (schtasks for a password) must fail
        # instead of waiting forever for an answer nobody will type.
        process = subprocess.run(
            list(argv),
            input=None if input is None else input.encode("utf-8"),
            stdin=subprocess.DEVNULL if input is None else None,
            capture_output=True,
            timeout=timeout,
            env=None if env is None else dict(env),
            check=False,
            creationflags=_NO_WINDOW,
        )
    except (FileNotFoundError, NotADirectoryError):
        log.debug("run %s: not found", program)
        return Completed(EXIT_NOT_FOUND, "", f"{program}: not found")
    except subprocess.TimeoutExpired as timed_out:
        log.debug("run %s: timed out after %.0f s", program, timeout)
        return Completed(
            EXIT_TIMED_OUT,
            decode_output(timed_out.stdout),
            f"{program}: timed out after {timeout:g} s",
        )
    except OSError as error:
        log.debug("run %s: cannot start (%s)", program, error.strerror)
        return Completed(EXIT_NOT_EXECUTABLE, "", f"{program}: cannot start: {error.strerror}")
    # Only the program's name, the argument count and the outcome are logged: arguments,
    # environment, input and output may carry tokens or passwords.
    log.debug(
        "run %s (%d args) -> %d in %.0f ms",
        program,
        len(argv) - 1,
        process.returncode,
        (time.monotonic() - started) * 1000,
    )
    return Completed(
        process.returncode, decode_output(process.stdout), decode_output(process.stderr)
    )


class UnexpectedCommandError(AssertionError):
    """A RecordedRunner was asked to run something it has no recording for."""


@dataclass
class RecordedRunner:
    """A Runner for tests: answers from recordings keyed by argv prefix, and logs every call."""

    recordings: list[tuple[tuple[str, ...], Completed]] = field(default_factory=list)
    strict: bool = True  # unknown argv: raise (strict) or answer "not found" (127)
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def add(
        self, prefix: Sequence[str], result: Completed | str, returncode: int = 0
    ) -> RecordedRunner:
        """Answer argv starting with `prefix` with `result` (text means stdout); chainable."""
        if isinstance(result, str):
            result = Completed(returncode, result, "")
        self.recordings.append((tuple(prefix), result))
        return self

    def __call__(
        self,
        argv: Sequence[str],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        env: Mapping[str, str] | None = None,
        input: str | None = None,  # noqa: A002 - mirrors Runner
    ) -> Completed:
        """Record argv and answer with the recording whose prefix matches it longest."""
        command = tuple(argv)
        self.calls.append(command)
        matches = [
            (len(prefix), result)
            for prefix, result in self.recordings
            if command[: len(prefix)] == prefix
        ]
        if matches:
            return max(matches, key=lambda match: match[0])[1]
        if self.strict:
            raise UnexpectedCommandError(f"no recording for {list(command)!r}")
        return Completed(EXIT_NOT_FOUND, "", f"{command[0] if command else '?'}: not found")
