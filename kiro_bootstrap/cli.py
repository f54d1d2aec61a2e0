"""The command line: parse, build the context, run one command, turn errors into exit codes."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, cast

from kiro_bootstrap import NAME, __version__
from kiro_bootstrap.commands import COMMAND_MODULES
from kiro_bootstrap.context import (
    Context,
    Environment,
    GlobalOptions,
    build_context,
    resolve_root,
)
from kiro_bootstrap.errors import ExitStatus, KiroBootstrapError, UsageError
from kiro_bootstrap.output import Output, Result

Handler = Callable[[Context, argparse.Namespace], Result]
_log = logging.getLogger(__name__)
# An internal error's own text is cut here: some (RecursionError chains) run to thousands of lines.
MAX_CRASH_TEXT = 200


class ParserExit(Exception):  # noqa: N818 - it is a control-flow signal, not an error
    """argparse finished the run itself (--help, --version)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors follow the error model."""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Stop parsing without leaving the process (tests run the CLI in-process)."""
        if message:
            raise UsageError(message.strip())
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        """Turn argparse's complaint into a usage error (exit 2)."""
        raise UsageError(f"{message[:1].upper()}{message[1:]}.", hint=f"See '{self.prog} --help'.")


def config_location(text: str) -> Path | str:
    """`--config`: a URL stays text (fetched when the context is built), anything else a path."""
    from kiro_bootstrap.net.remote_config import display_url, is_config_url
    from kiro_bootstrap.settings.model import check_url

    if not is_config_url(text):
        return Path(text)
    try:
        return check_url(text, allow_loopback_http=True)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{display_url(text)} {error}") from None


def global_options() -> argparse.ArgumentParser:
    """Options accepted before or after any subcommand."""
    common = Parser(add_help=False)
    group = common.add_argument_group("global options")
    # SUPPRESS keeps a later position (after the subcommand) from resetting an earlier one.
    group.add_argument(
        "--config",
        type=config_location,
        metavar="FILE|URL",
        default=argparse.SUPPRESS,
        help="organisation config: a TOML file, or an https URL",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print exactly one JSON object on stdout",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="say more, including where the log file is",
    )
    group.add_argument(
        "--quiet", action="store_true", default=argparse.SUPPRESS, help="print only errors"
    )
    group.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    group.add_argument(
        "--offline", action="store_true", default=argparse.SUPPRESS, help="never touch the network"
    )
    group.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="filesystem root for every system path (default /)",
    )
    return common  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The full parser: global options plus every command that works."""
    common = global_options()
    parser = Parser(
        prog=NAME,
        parents=[common],
        description="Set Kiro up for your organisation: on AWS (admin) and on this machine.",
    )
    parser.add_argument("--version", action="version", version=f"{NAME} {__version__}")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="with no command on a terminal: answer the onboarding's confirmation",
    )
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser),
    )
    for module in COMMAND_MODULES:
        module.register(commands, common)
    return parser


def _peek_options(argv: Sequence[str]) -> GlobalOptions:
    """Best-effort global options for reporting an error that happened while parsing."""
    return GlobalOptions(json="--json" in argv, debug="--debug" in argv, quiet="--quiet" in argv)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return cast("dict[str, argparse.ArgumentParser]", action.choices)
    return {}


def command_path(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str:
    """The command's full path (`admin roster keygen`) from argv, whatever options precede it.

    Known even when parsing fails, so an error's JSON envelope names the same command as
    success would. An option's value is skipped, never taken for a command.
    """
    words: list[str] = []
    current = parser
    expecting_value = False
    for word in argv:
        if expecting_value:
            expecting_value = False
            continue
        if word.startswith("-"):
            action = current._option_string_actions.get(word)
            expecting_value = action is not None and action.nargs != 0
            continue
        choices = _subcommands(current)
        if word not in choices:
            # Not a subcommand: an operand (or an unknown command, named as typed).
            return " ".join(words) or word
        words.append(word)
        current = choices[word]
    return " ".join(words)


def _on_a_terminal(env: Environment) -> bool:
    """Both ends of the conversation are a terminal: a person can answer."""
    try:
        return env.stdin.isatty() and env.stdout.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class _Run:
    """What main() needs to know about the run after it ends."""

    started: float = field(default_factory=time.monotonic)
    log_file: Path | None = None


class InternalCrashError(KiroBootstrapError):
    """A bug: one sentence naming the log that holds the traceback."""

    def __init__(self, error: Exception, log_file: Path | None) -> None:
        first = (str(error).strip().splitlines() or [""])[0][:MAX_CRASH_TEXT]
        where = f"the traceback is in {log_file}" if log_file else "no run log could be written"
        super().__init__(
            f"Internal error ({type(error).__name__}{': ' + first if first else ''}); {where}.",
            hint="This is a bug; run again with --debug and report the traceback.",
        )


def _run(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    env: Environment,
    output: Output,
    run: _Run,
) -> tuple[str, int]:
    with contextlib.redirect_stdout(env.stdout):
        args = parser.parse_args(argv)
    options = GlobalOptions.from_args(args)
    output.json_mode, output.quiet, output.verbose = options.json, options.quiet, options.verbose
    output.interactive = output.interactive and not (options.json or options.quiet)
    handler: Handler | None = getattr(args, "handler", None)
    command: str = getattr(args, "command_name", "")
    if handler is None:
        if _on_a_terminal(env) and not (options.json or options.quiet):
            # A bare run by a person (or a double-click): the guided onboarding.
            from kiro_bootstrap.onboarding.flow import COMMAND, run_onboarding

            return COMMAND, run_onboarding(parser, args, env, output)
        raise UsageError("Name a command.", hint=f"See '{NAME} --help'.")
    flag_reader: Callable[[argparse.Namespace], dict[str, tuple[Any, str]]] = getattr(
        args, "setting_flags", lambda _args: {}
    )
    from kiro_bootstrap.logs import (
        finish_run_log,
        log_context,
        start_run_log,
        stop_run_log,
        use_redactor,
    )
    from kiro_bootstrap.paths import build_paths

    # The log starts before the settings load, so a bad setting (exit 2) is in it too.
    paths = build_paths(env.host_facts(), resolve_root(options, env.environ))
    mirror = env.stderr if options.debug else None
    run.log_file = start_run_log(paths.log_dir, command, env.clock(), argv=argv, mirror=mirror)
    if options.verbose and run.log_file:
        output.note(f"log: {run.log_file}")
    try:
        context = build_context(options, env, output, flag_reader(args))
        context.log_file = run.log_file
        use_redactor(output.redactor)  # the settings' secret values are known from here on
        from kiro_bootstrap.doctor.host_checks import host_verdict

        log_context(context.facts, context.loaded.origins, host_verdict(context.facts))
        result = handler(context, args)
        output.emit(command, result)
        failures = [text for tone, text in result.lines if tone == "fail"]
        finish_run_log(
            command, int(result.status), run.started, checks=result.checks, failures=failures
        )
        return command, int(result.status)
    except KiroBootstrapError as error:
        _log.debug("failed: %s", error.message, exc_info=options.debug)
        finish_run_log(command, int(error.exit_status), run.started, error=error)
        raise
    except Exception as error:
        # The traceback goes to the run log (still open here); the person sees one sentence.
        _log.exception("internal error")
        internal = InternalCrashError(error, run.log_file)
        finish_run_log(command, int(ExitStatus.INTERNAL_ERROR), run.started, error=internal)
        raise internal from error
    finally:
        stop_run_log()


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run one command line; return its exit code. The only place errors become codes."""
    argv = list(sys.argv[1:] if argv is None else argv)
    env = env or Environment()
    peeked = _peek_options(argv)
    output = Output.for_terminal(
        env.environ, json_mode=peeked.json, quiet=peeked.quiet, verbose=False
    )
    output.stdout, output.stderr = env.stdout, env.stderr
    parser = build_parser()
    command = command_path(parser, argv)
    run = _Run()
    try:
        command, code = _run(parser, argv, env, output, run)
    except ParserExit as done:
        return done.status
    except KiroBootstrapError as error:
        if peeked.debug:
            traceback.print_exc(file=env.stderr)
        output.emit_error(command, error)
        return int(error.exit_status)
    except KeyboardInterrupt:
        output.note("interrupted", "warn")
        return int(ExitStatus.INTERRUPTED)
    except Exception as error:  # noqa: BLE001 - the one place a bug becomes exit 1
        if peeked.debug:
            traceback.print_exc(file=env.stderr)
        output.emit_error(command, InternalCrashError(error, run.log_file))
        return int(ExitStatus.INTERNAL_ERROR)
    return code
