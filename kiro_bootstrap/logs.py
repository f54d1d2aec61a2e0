"""The run log: one JSON event a line, secrets redacted, and a one-line summary at the end.

A log is for the person who was not there: what this agent was asked, which settings mattered
and where they came from, what it decided and why, what it did and where, every external call
(host, status, bytes, time), and how it ended (exit code, the error with its remedy). One file
per run, rotated by count; the folder 0700 and the files 0600 (DECISIONS §2).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from kiro_bootstrap import NAME, __version__
from kiro_bootstrap.redact import redact

LOGGER_NAME = "kiro_bootstrap"
EVENTS_LOGGER = "kiro_bootstrap.events"
KEEP_RUN_LOGS = 20
LOG_FOLDER_MODE = 0o700
LOG_FILE_MODE = 0o600


class JsonLineFormatter(logging.Formatter):
    """One JSON object a line: time, level, event kind, message, the event's fields."""

    def __init__(self) -> None:
        super().__init__()
        # Until the settings are loaded only the patterns are known; then their secret values.
        self.redactor: Callable[[str], str] = redact

    def format(self, record: logging.LogRecord) -> str:
        """The record as one redacted JSON line (a summary record stays plain text)."""
        if getattr(record, "summary", False):
            return self.redactor(record.getMessage())
        line: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", "log"),
            "message": record.getMessage(),
        }
        if line["event"] == "log":
            line["logger"] = record.name
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return self.redactor(json.dumps(line, default=str, ensure_ascii=False))


class Events:
    """The small API stages use to tell the run's story: decisions, actions, external calls."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def emit(self, event: str, message: str, *, level: int = logging.INFO, **fields: Any) -> None:
        """Log one event of kind `event` with its fields."""
        self.counts[event] += 1
        logging.getLogger(EVENTS_LOGGER).log(
            level, "%s", message, extra={"event": event, "fields": fields}
        )

    def decision(self, what: str, why: str, **fields: Any) -> None:
        """Something chosen, and the reason (why nothing was downloaded, a version refused)."""
        self.emit("decision", what, why=why, **fields)

    def action(self, what: str, path: str | Path | None = None, **fields: Any) -> None:
        """Something done to the machine, with the path it touched."""
        self.emit("action", what, path=None if path is None else str(path), **fields)

    def call(
        self, method: str, url: str, *, status: int | None, size: int | None, seconds: float
    ) -> None:
        """One external call: host, status, bytes and time."""
        host = urlsplit(url).netloc
        self.emit(
            "call",
            f"{method} {host}",
            method=method,
            url=url,
            host=host,
            status=status,
            bytes=size,
            seconds=round(seconds, 3),
        )


# The run's events, for code with no context at hand (the HTTP client's hooks).
RUN_EVENTS = Events()


class _FileHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler on a file we opened with an explicit mode; closing it closes the file."""

    def close(self) -> None:
        """Flush, then close the file."""
        super().close()
        self.stream.close()


def _rotate(folder: Path, keep: int) -> None:
    runs = sorted(folder.glob("run-*.log"))
    for old in runs[: max(0, len(runs) - keep + 1)]:
        old.unlink(missing_ok=True)


def _attach(handler: logging.Handler) -> None:
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)


def start_run_log(
    folder: Path,
    command: str,
    now: datetime,
    *,
    argv: Sequence[str] = (),
    mirror: TextIO | None = None,
) -> Path | None:
    """Open this run's log file and log its start; None when the folder cannot be written.

    Logging is best effort: a run never fails because its log cannot be written. `mirror`
    (stderr under --debug) gets the same lines.
    """
    RUN_EVENTS.counts.clear()
    if mirror is not None:
        _attach(logging.StreamHandler(mirror))
    path: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=LOG_FOLDER_MODE)
        _rotate(folder, KEEP_RUN_LOGS)
        path = folder / f"run-{now:%Y%m%dT%H%M%S}-{os.getpid()}.log"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_FILE_MODE)
        _attach(_FileHandler(os.fdopen(descriptor, "a", encoding="utf-8")))
    except OSError:
        path = None
    RUN_EVENTS.emit(
        "start",
        f"{NAME} {command} started",
        agent_version=__version__,
        command=command,
        argv=list(argv),
        pid=os.getpid(),
    )
    return path


def log_context(
    facts: Any, origins: Mapping[str, Any], verdict: Mapping[str, Any] | None = None
) -> None:
    """The host and the settings that were not defaults, with where each came from."""
    RUN_EVENTS.emit(
        "host",
        f"{facts.os_name} {facts.arch}",
        os=facts.os,
        os_version=facts.os_version,
        arch=facts.arch,
        libc=f"{facts.libc} {facts.libc_version}" if facts.libc else None,
        admin=facts.is_admin,
        user=facts.current_user,
        console_user=facts.console_user,
        verdict=dict(verdict) if verdict is not None else None,
    )
    for key, origin in sorted(origins.items()):
        if origin.kind != "default":  # only what someone set matters to the story
            RUN_EVENTS.emit("setting", key, key=key, origin=str(origin))


def finish_run_log(
    command: str,
    exit_code: int,
    started: float,
    *,
    error: Any | None = None,
    checks: Sequence[Any] = (),
    failures: Sequence[str] = (),
) -> None:
    """Log the checks that did not pass, what the result says failed, the result (and the
    error with its remedy), then the one-line human summary."""
    seconds = round(time.monotonic() - started, 3)
    for failure in failures:
        RUN_EVENTS.emit("failure", failure, level=logging.WARNING)
    for check in checks:
        if check.status != "pass":
            RUN_EVENTS.emit(
                "check",
                check.summary,
                level=logging.WARNING,
                id=check.id,
                status=check.status,
                remedy=check.remedy,
            )
    if error is not None:
        RUN_EVENTS.emit(
            "error",
            error.message,
            level=logging.ERROR,
            code=error.code,
            exit_code=exit_code,
            remedy=error.hint,
        )
    RUN_EVENTS.emit("result", f"exit {exit_code}", exit_code=exit_code, seconds=seconds)
    counts = RUN_EVENTS.counts
    told = ", ".join(
        f"{counts[kind]} {kind}s" for kind in ("decision", "action", "call") if counts[kind]
    )
    ending = f": {error.message}" if error is not None else ""
    logging.getLogger(EVENTS_LOGGER).info(
        "%s",
        f"{NAME} {command}: exit {exit_code} after {seconds}s"
        f"{' (' + told + ')' if told else ''}{ending}",
        extra={"summary": True},
    )


def use_redactor(redactor: Callable[[str], str]) -> None:
    """From now on the run log also masks the secret values this run's settings hold."""
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        if isinstance(handler.formatter, JsonLineFormatter):
            handler.formatter.redactor = redactor


def stop_run_log() -> None:
    """Close the run's handlers (tests run many commands in one process)."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
