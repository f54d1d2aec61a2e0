"""One renderer: a command's result as readable text (coloured on a TTY) or as one JSON object."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

from kiro_bootstrap.checks import Check
from kiro_bootstrap.errors import ExitStatus, KiroBootstrapError
from kiro_bootstrap.redact import Redactor

SCHEMA = "kiro-bootstrap/1"
Tone = Literal["plain", "ok", "warn", "fail", "heading", "dim"]
_COLOURS: dict[Tone, str] = {
    "plain": "",
    "ok": "\033[32m",
    "warn": "\033[33m",
    "fail": "\033[31m",
    "heading": "\033[1m",
    "dim": "\033[2m",
}
_RESET = "\033[0m"
_CHECK_MARKS: dict[str, tuple[str, Tone]] = {
    "pass": ("ok  ", "ok"),
    "warn": ("warn", "warn"),
    "fail": ("FAIL", "fail"),
    "deferred": ("skip", "dim"),
    "error": ("ERR ", "fail"),
}


def silence(stream: TextIO) -> None:
    """Point a stream whose reader went away (`| head`) at /dev/null, so exit stays quiet."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


@dataclass
class Result:
    """What a command returns: an exit status, JSON fields and the lines a person reads."""

    status: ExitStatus = ExitStatus.OK
    data: dict[str, Any] = field(default_factory=dict)
    lines: list[tuple[Tone, str]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def say(self, text: str, tone: Tone = "plain") -> None:
        """Add a line for the human rendering."""
        self.lines.append((tone, text))


@dataclass
class Output:
    """Where and how things are printed; built once from the global options."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    json_mode: bool = False
    quiet: bool = False
    verbose: bool = False
    colour: bool = False
    interactive: bool = False
    # Every line and JSON document passes through it (settings' secret values added at load).
    redactor: Redactor = field(default_factory=Redactor)

    @classmethod
    def for_terminal(
        cls, environ: Mapping[str, str], *, json_mode: bool, quiet: bool, verbose: bool
    ) -> Output:
        """Colours and progress only on a TTY, and never with NO_COLOR, --json or --quiet."""
        tty = sys.stdout.isatty() and sys.stderr.isatty()
        return cls(
            json_mode=json_mode,
            quiet=quiet,
            verbose=verbose,
            colour=tty and "NO_COLOR" not in environ and environ.get("TERM") != "dumb",
            interactive=tty and not json_mode and not quiet,
        )

    def paint(self, text: str, tone: Tone) -> str:
        """Colour a piece of text when colours are on."""
        return f"{_COLOURS[tone]}{text}{_RESET}" if self.colour and _COLOURS[tone] else text

    def note(self, text: str, tone: Tone = "dim") -> None:
        """A side remark on stderr (progress, log path); silent with --quiet."""
        if not self.quiet:
            print(self.paint(self.redactor(text), tone), file=self.stderr)

    def warn(self, text: str) -> None:
        """A warning on stderr; shown even with --json, silent with --quiet."""
        self.note(f"warning: {text}", "warn")

    def emit(self, command: str, result: Result) -> None:
        """Print the result: one JSON object, or text; a reader that went away is not an error."""
        try:
            self._emit(command, result)
        except BrokenPipeError:
            silence(self.stdout)

    def _emit(self, command: str, result: Result) -> None:
        if self.json_mode:
            envelope = {
                "schema": SCHEMA,
                "command": command,
                "ok": result.status == ExitStatus.OK,
                "exit_code": int(result.status),
                **result.data,
            }
            if result.checks:
                envelope["checks"] = [check.to_json() for check in result.checks]
            print(self.redactor(json.dumps(envelope, indent=2, default=str)), file=self.stdout)
            return
        if self.quiet and result.status == ExitStatus.OK:
            return
        width = max((len(check.id) for check in result.checks), default=0)
        clean = self.redactor
        for check in result.checks:
            mark, tone = _CHECK_MARKS[check.status]
            summary = clean(check.summary)
            print(f"{self.paint(mark, tone)} {check.id:<{width}}  {summary}", file=self.stdout)
            if check.remedy and check.status != "pass":
                remedy = self.paint(f"→ {clean(check.remedy)}", "dim")
                print(f"     {'':<{width}}  {remedy}", file=self.stdout)
        for tone, text in result.lines:
            print(self.paint(clean(text), tone), file=self.stdout)

    def emit_error(self, command: str, error: KiroBootstrapError) -> None:
        """Print an error as one sentence (and a hint), or inside the JSON envelope."""
        try:
            self._emit_error(command, error)
        except BrokenPipeError:
            silence(self.stdout)

    def _emit_error(self, command: str, error: KiroBootstrapError) -> None:
        if self.json_mode:
            envelope = {
                "schema": SCHEMA,
                "command": command,
                "ok": False,
                "exit_code": int(error.exit_status),
                "error": {"code": error.code, "message": error.message, "hint": error.hint},
            }
            print(self.redactor(json.dumps(envelope, indent=2)), file=self.stdout)
            return
        print(self.paint(f"error: {self.redactor(error.message)}", "fail"), file=self.stderr)
        if error.hint:
            print(self.paint(f"hint: {self.redactor(error.hint)}", "dim"), file=self.stderr)
