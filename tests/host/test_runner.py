"""The one subprocess runner: real programs, missing ones, timeouts; and its recorded twin."""

from __future__ import annotations

import logging
import sys

import pytest

from kiro_bootstrap.host.runner import (
    EXIT_NOT_FOUND,
    EXIT_TIMED_OUT,
    Completed,
    RecordedRunner,
    decode_output,
    run_process,
)

PYTHON = sys.executable


def test_runs_a_program_and_captures_its_output():
    done = run_process([PYTHON, "-c", "import sys; print('out'); print('err', file=sys.stderr)"])
    assert done == Completed(0, "out\n", "err\n")
    assert done.ok


def test_exit_code_and_input_and_environment_pass_through():
    script = "import os, sys; sys.stdout.write(sys.stdin.read() + os.environ['KB_X']); sys.exit(3)"
    done = run_process([PYTHON, "-c", script], input="hello ", env={"KB_X": "world"})
    assert (done.returncode, done.stdout) == (3, "hello world")


def test_stdin_is_closed_so_a_prompt_cannot_hang():
    done = run_process([PYTHON, "-c", "import sys; print(repr(sys.stdin.read()))"], timeout=10)
    assert done.stdout.strip() == "''"


def test_a_missing_program_is_127_not_an_exception():
    done = run_process(["kiro-bootstrap-no-such-program-here", "--version"])
    assert done.returncode == EXIT_NOT_FOUND
    assert "not found" in done.stderr


def test_a_timeout_is_124_not_an_exception():
    done = run_process([PYTHON, "-c", "import time; time.sleep(30)"], timeout=0.3)
    assert done.returncode == EXIT_TIMED_OUT
    assert "timed out" in done.stderr


def test_no_argument_or_output_reaches_the_debug_log(caplog):
    caplog.set_level(logging.DEBUG, logger="kiro_bootstrap.host.runner")
    run_process([PYTHON, "-c", "print('sEcReT-OUT')", "--token=sEcReT-ARG"], input="sEcReT-IN")
    assert caplog.records
    assert "sEcReT" not in caplog.text
    assert "-> 0" in caplog.text


def test_output_in_a_windows_code_page_is_still_decoded():
    assert decode_output("jürgen".encode()) == "jürgen"
    assert decode_output("jürgen".encode("cp850")).startswith("j")
    assert decode_output(None) == ""


def test_recorded_runner_answers_by_longest_prefix_and_records_calls():
    runner = (
        RecordedRunner()
        .add(["reg", "query"], "generic")
        .add(["reg", "query", "HKCU\\X"], "specific")
        .add(["query", "user"], Completed(1, "", "No User exists for *"))
    )
    assert runner(["reg", "query", "HKCU\\X", "/v", "Y"]).stdout == "specific"
    assert runner(["reg", "query", "HKLM\\Z"]).stdout == "generic"
    assert runner(["query", "user"]).returncode == 1
    assert runner.calls == [
        ("reg", "query", "HKCU\\X", "/v", "Y"),
        ("reg", "query", "HKLM\\Z"),
        ("query", "user"),
    ]


def test_recorded_runner_strict_or_not_found():
    with pytest.raises(AssertionError):
        RecordedRunner()(["sw_vers"])
    assert RecordedRunner(strict=False)(["sw_vers"]).returncode == EXIT_NOT_FOUND
