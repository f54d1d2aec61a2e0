"""A log file per run, rotated by count, with secrets redacted before they reach disk."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from kiro_bootstrap.redact import Redactor

LOGGER_NAME = "kiro_bootstrap"
KEEP_RUN_LOGS = 20


class RedactingFormatter(logging.Formatter):
    """Formats, then redacts, so secrets in arguments and tracebacks are masked too."""

    def __init__(self, fmt: str, redactor: Redactor) -> None:
        super().__init__(fmt)
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """Format the record and mask secrets in the result."""
        return self.redactor(super().format(record))


def _rotate(folder: Path, keep: int) -> None:
    runs = sorted(folder.glob("run-*.log"))
    for old in runs[: max(0, len(runs) - keep + 1)]:
        old.unlink(missing_ok=True)


def start_run_log(
    folder: Path, command: str, now: datetime, redactor: Redactor | None = None
) -> Path | None:
    """Open this run's log file; None when the folder cannot be written (logging is best effort)."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _rotate(folder, KEEP_RUN_LOGS)
        path = folder / f"run-{now:%Y%m%dT%H%M%S}-{os.getpid()}.log"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return None
    handler = logging.StreamHandler(os.fdopen(descriptor, "a", encoding="utf-8"))
    handler.setFormatter(
        RedactingFormatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s", redactor or Redactor()
        )
    )
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.debug("kiro-bootstrap %s started", command)
    return path


def stop_run_log() -> None:
    """Close the run's handlers (tests run many commands in one process)."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
