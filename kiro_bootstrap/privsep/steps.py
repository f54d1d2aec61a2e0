"""The person-side step: everything under a person's home runs as that person.

Root (or the person acting for themselves) calls `run_person_step(ctx, person, step, request)`
with a `PersonStep` its stage defines beside the function (the hand-over command on Windows finds
steps by name in its own table).
When the run acts for someone else on Linux or macOS, the step runs in a forked child that has
become that person (see `fork.py`); otherwise it runs in this process, as the same account.
Either way the caller gets a plain JSON-able dict back, and errors keep their exit codes.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from kiro_bootstrap import errors
from kiro_bootstrap.crash import CRASH_VARIABLE, kill_parent_at
from kiro_bootstrap.errors import DeploymentError, KiroBootstrapError
from kiro_bootstrap.paths import build_paths
from kiro_bootstrap.privsep.fork import CHILD_PATH, Identity, run_in_child
from kiro_bootstrap.privsep.handover import run_through_task
from kiro_bootstrap.redact import redact

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.privsep.person import Person

StepFunction = Callable[["Context", "Person", dict[str, Any]], dict[str, Any]]
MAX_MESSAGE_CHARS = 2000  # a relayed sentence; the rest of a chatty child is dropped
_ERROR_KINDS: dict[int, type[KiroBootstrapError]] = {
    int(kind.exit_status): kind
    for kind in (
        errors.UsageError,
        errors.HostUnsupportedError,
        errors.UnavailableError,
        errors.VerificationError,
        errors.InstallError,
        errors.RetryLaterError,
        errors.NotSubscribedError,
        errors.DeploymentError,
        errors.AwsPreconditionError,
    )
}
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonStep:
    """Work done as the person: its name (logs, the Windows hand-over) and its function."""

    name: str
    function: StepFunction


def needs_separate_process(ctx: Context, person: Person) -> bool:
    """True when the step must run as another account than this process."""
    del ctx
    return person.for_someone_else


def run_person_step(
    ctx: Context, person: Person, person_step: PersonStep, request: dict[str, Any]
) -> dict[str, Any]:
    """Run one person-side step for `person` and return its report."""
    step, function = person_step.name, person_step.function
    if not needs_separate_process(ctx, person):
        return function(ctx, person, request)
    if ctx.facts.os == "windows":
        return _take_report(ctx, person, step, run_through_task(ctx, person, step, request))
    if not hasattr(os, "fork") or os.geteuid() != 0 or person.uid is None or person.gid is None:
        raise DeploymentError(
            f"Working in {person.name}'s home needs root.",
            hint=f"Run it as {person.name}, or as root with --for-user {person.name}.",
        )
    environ = person_environ(person, ctx.environ)
    identity = Identity(person.uid, person.gid, person.groups or (person.gid,))

    def work(emit: Callable[[dict[str, Any]], None]) -> None:
        _run_as_child(ctx, person, environ, (function, request), emit)

    def watch(event: dict[str, Any]) -> None:
        if event["event"] == "log":
            kill_parent_at(ctx.environ, str(event.get("message")))

    _log.info("person step %s for %s (uid %s) starts", step, person.name, person.uid)
    events = run_in_child(identity, environ, str(person.home), work, watch)
    return _take_report(ctx, person, step, events)


def person_environ(person: Person, inherited: Mapping[str, str]) -> dict[str, str]:
    """A scrubbed environment: no proxy credentials, no secrets, no AWS variables of root's."""
    home = person.home
    environ = {
        "HOME": str(home),
        "USER": person.name,
        "LOGNAME": person.name,
        "PATH": CHILD_PATH,
        "LANG": inherited.get("LANG", "C.UTF-8"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    if inherited.get(CRASH_VARIABLE):  # the crash tests' hook (inert unless a test sets it)
        environ[CRASH_VARIABLE] = inherited[CRASH_VARIABLE]
    return environ


def person_context(ctx: Context, person: Person, environ: Mapping[str, str]) -> Context:
    """The run as the person sees it: their account, their home, their folders, no admin."""
    facts = dataclasses.replace(
        ctx.facts,
        current_user=person.name,
        home=person.home,
        is_admin=False,
        is_system=False,
        console_user=person.name,
    )
    env = dataclasses.replace(ctx.env, environ=dict(environ), facts=facts)
    return dataclasses.replace(
        ctx, env=env, facts=facts, paths=build_paths(facts, ctx.paths.root), log_file=None
    )


class _WarningStream(io.TextIOBase):
    """The child's stderr: each warning line becomes an event for root to log and show."""

    def __init__(self, emit: Callable[[dict[str, Any]], None]) -> None:
        self._emit = emit

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                self._emit({"event": "warning", "message": line.removeprefix("warning: ")})
        return len(text)


class _EventHandler(logging.Handler):
    """The child's log records travel to root on the pipe."""

    def __init__(self, emit: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(logging.DEBUG)
        self._emit = emit

    def emit(self, record: logging.LogRecord) -> None:
        self._emit({"event": "log", "level": record.levelname, "message": record.getMessage()})


def _run_as_child(
    ctx: Context,
    person: Person,
    environ: Mapping[str, str],
    call: tuple[StepFunction, dict[str, Any]],
    emit: Callable[[dict[str, Any]], None],
) -> None:
    function, request = call
    logger = logging.getLogger("kiro_bootstrap")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)  # root's log file: its descriptor is already closed
    logger.addHandler(_EventHandler(emit))
    child = person_context(ctx, person, environ)
    warnings = cast(TextIO, _WarningStream(emit))
    child.output = dataclasses.replace(ctx.output, stdout=io.StringIO(), stderr=warnings)
    try:
        # Inside the step the person acts for themselves: nothing forks again.
        inner = dataclasses.replace(person, for_someone_else=False, stepped=True)
        report = function(child, inner, request)
    except KiroBootstrapError as error:
        emit(_error_event(error))
        return
    except OSError as error:
        # What the kernel refused the person (a planted link, a file not theirs) ends here.
        refused = DeploymentError(
            f"Working in {person.name}'s home failed: {error.strerror or error} "
            f"({error.filename or 'a file there'}).",
            hint="Something in the home is not the person's to change (a link, a file of "
            "another account); remove it and run again.",
            code="person-step-refused",
        )
        emit(_error_event(refused))
        return
    except Exception as error:  # noqa: BLE001 - reported to root as an internal error, not lost
        emit({"event": "log", "level": "ERROR", "message": traceback.format_exc()})
        emit(_error_event(KiroBootstrapError(f"The person-side step failed: {error!r}.")))
        return
    emit({"event": "result", "report": report})


def _error_event(error: KiroBootstrapError) -> dict[str, Any]:
    return {
        "event": "error",
        "exit_code": int(error.exit_status),
        "code": error.code,
        "message": error.message,
        "hint": error.hint,
    }


def _text(value: Any) -> str:
    return redact(str(value))[:MAX_MESSAGE_CHARS] if value is not None else ""


def _take_report(
    ctx: Context, person: Person, step: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """Log what the child said (redacted), relay warnings and errors, return its report."""
    for event in events:
        kind = event["event"]
        if kind == "log":
            _log.info("[%s as %s] %s", step, person.name, _text(event.get("message")))
        elif kind == "warning":
            ctx.output.warn(_text(event.get("message")))
        elif kind == "error":
            error_kind = _ERROR_KINDS.get(event["exit_code"], KiroBootstrapError)
            hint = _text(event.get("hint")) or None
            raise error_kind(_text(event.get("message")), hint=hint, code=_text(event.get("code")))
        else:
            report = event.get("report")
            if not isinstance(report, dict):
                raise DeploymentError(f"The {step} step running as {person.name} sent no report.")
            _log.info("person step %s for %s reported: %s", step, person.name, _text(report))
            return report
    raise DeploymentError(f"The {step} step running as {person.name} sent no report.")


def inside(home: Path, path: Path) -> bool:
    """Whether `path` (as written, no links followed) lies inside `home`."""
    try:
        Path(os.path.normpath(path)).relative_to(os.path.normpath(home))
    except ValueError:
        return False
    return True
