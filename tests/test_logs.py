"""Run logs: one file per run, rotated, 0600, secrets redacted."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiro_bootstrap.logs import KEEP_RUN_LOGS, start_run_log, stop_run_log
from kiro_bootstrap.redact import redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("proxy http://bob:hunter2@proxy.corp:8080", "hunter2"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9"),
        ("key AKIAIOSFODNN7EXAMPLE used", "IOSFODNN7EXAMPLE"),
        ('{"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}', "wJalrXUtnFEMI"),
        ("token=ghp_abcdefghijklmnop", "ghp_abcdefghijklmnop"),
        ("cloned with ghp_" + "a1" * 18 + " at 10:00", "a1a1a1a1"),
        ("glpat-" + "x" * 20 + " leaked", "xxxxxxxxxx"),
        ("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "MIIE"),
    ],
)
def test_redact_masks_secrets(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "downloaded https://prod.download.desktop.kiro.dev/stable/x.json in 0.2 s"
    assert redact(text) == text


def test_run_log_is_private_redacted_and_rotated(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    for index in range(KEEP_RUN_LOGS + 5):
        (folder / f"run-20200101T0000{index:02d}-1.log").write_text("old", encoding="utf-8")
    path = start_run_log(folder, "doctor", datetime(2026, 11, 26, tzinfo=UTC))
    assert path is not None
    logging.getLogger("kiro_bootstrap.test").info("proxy http://u:topsecret@p:1")
    stop_run_log()
    assert path.stat().st_mode & 0o777 == 0o600
    assert "topsecret" not in path.read_text("utf-8")
    assert len(list(folder.glob("run-*.log"))) == KEEP_RUN_LOGS


def test_unwritable_log_folder_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert start_run_log(blocker / "logs", "doctor", datetime.now(UTC)) is None
