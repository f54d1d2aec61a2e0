"""The one context object, built once in `main()` and passed to every command."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kiro_bootstrap import NAME
from kiro_bootstrap.host.runner import Runner, run_process

# Start-up stays fast (`--version`) because the heavy modules below load only when used.
if TYPE_CHECKING:
    from kiro_bootstrap.host.facts import HostFacts
    from kiro_bootstrap.logs import Events
    from kiro_bootstrap.output import Output
    from kiro_bootstrap.paths import Paths
    from kiro_bootstrap.settings.load import LoadedSettings
    from kiro_bootstrap.settings.managed import RegistryReader
    from kiro_bootstrap.settings.model import Settings

ROOT_VARIABLE = "KIRO_BOOTSTRAP_ROOT"
USER_VARIABLE = "KIRO_BOOTSTRAP_USER"


@dataclass(frozen=True)
class RunningProcess:
    """One process running now: its name, owner and executable (None where unreadable)."""

    name: str
    uid: int | None = None
    user: str | None = None
    exe: str | None = None


def list_processes() -> list[RunningProcess]:
    """The processes running now (psutil; imported lazily)."""
    import psutil

    found = []
    for process in psutil.process_iter(["name", "uids", "username", "exe"]):
        info = process.info
        uids = info.get("uids")
        found.append(
            RunningProcess(
                name=str(info.get("name") or ""),
                uid=uids.real if uids is not None else None,
                user=info.get("username"),
                exe=info.get("exe"),
            )
        )
    return found


def running_program() -> Path | None:
    """This agent's own executable: the binary when frozen, the console script, else None."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable)
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name.startswith(NAME):
        return script.resolve()
    return None


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def chown_to_user(path: Path, user: str) -> None:
    """Give `path` to `user` and that user's primary group (POSIX only; never follows links)."""
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


@dataclass
class Environment:
    """The side effects a run starts from; tests pass a fake one instead of patching globals."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    facts: HostFacts | None = None  # None: read the real machine
    runner: Runner = run_process
    registry_reader: RegistryReader | None = None
    clock: Callable[[], datetime] = utc_now
    processes: Callable[[], list[RunningProcess]] = list_processes
    aws_session: Callable[[], Any] | None = None  # a boto3.Session factory; None: from environ
    sleep: Callable[[float], None] = time.sleep  # retry back-off; tests pass a recorder
    stdin: TextIO = field(default_factory=lambda: sys.stdin)  # secrets are read here, never argv
    keyring: Any | None = None  # a keyring backend; None: the OS keyring (keyring.get_keyring())
    chown: Callable[[Path, str], None] = chown_to_user  # root handing files to a person
    # The agent's own path (settings published beside it; the admin commands we print).
    program: Path | None = field(default_factory=running_program)
    # Was the console opened just for this run (a double-click)? None: ask the real machine.
    console_owner: Callable[[], bool] | None = None

    def host_facts(self) -> HostFacts:
        """The injected facts, or the real machine's (gathered once)."""
        if self.facts is None:
            from kiro_bootstrap.host.gather import gather_host_facts

            self.facts = gather_host_facts(runner=self.runner, environ=self.environ)
        return self.facts


@dataclass(frozen=True)
class GlobalOptions:
    """The options every command accepts."""

    config: Path | str | None = None  # a file, or an https URL (str)
    json: bool = False
    verbose: bool = False
    quiet: bool = False
    debug: bool = False
    offline: bool = False
    root: Path | None = None

    @classmethod
    def from_args(cls, args: Any) -> GlobalOptions:
        """The global options from a parsed command line, wherever they appeared on it."""
        return cls(
            config=getattr(args, "config", None),
            json=getattr(args, "json", False),
            verbose=getattr(args, "verbose", False),
            quiet=getattr(args, "quiet", False),
            debug=getattr(args, "debug", False),
            offline=getattr(args, "offline", False),
            root=getattr(args, "root", None),
        )


@dataclass
class Context:
    """Everything a command needs: options, host facts, paths, settings and output."""

    options: GlobalOptions
    env: Environment
    facts: HostFacts
    paths: Paths
    loaded: LoadedSettings
    output: Output
    log_file: Path | None = None

    @property
    def settings(self) -> Settings:
        """The effective settings."""
        return self.loaded.settings

    @property
    def events(self) -> Events:
        """The run log's event API: `ctx.events.decision(...)`, `.action(...)`, `.call(...)`."""
        from kiro_bootstrap.logs import RUN_EVENTS

        return RUN_EVENTS

    @property
    def environ(self) -> Mapping[str, str]:
        """The process environment this run sees."""
        return self.env.environ


def resolve_root(options: GlobalOptions, environ: Mapping[str, str]) -> Path:
    """`--root`, else `KIRO_BOOTSTRAP_ROOT`, else the real filesystem root."""
    if options.root is not None:
        return options.root
    if environ.get(ROOT_VARIABLE):
        return Path(environ[ROOT_VARIABLE])
    return Path(Path.cwd().anchor or "/")


def build_context(
    options: GlobalOptions,
    env: Environment,
    output: Output,
    setting_flags: Mapping[str, tuple[Any, str]],
) -> Context:
    """Gather the host facts, resolve paths, and load and validate the settings."""
    from kiro_bootstrap.paths import build_paths
    from kiro_bootstrap.settings.beside import find_beside_file
    from kiro_bootstrap.settings.load import Layer, load_settings, url_layer
    from kiro_bootstrap.settings.managed import read_managed_source

    facts = env.host_facts()
    paths = build_paths(facts, resolve_root(options, env.environ))
    managed = read_managed_source(facts, paths, registry_reader=env.registry_reader)
    config_layer: Layer | None = None
    if isinstance(options.config, str):
        from kiro_bootstrap.net.remote_config import display_url, fetch_config

        config_layer = url_layer(fetch_config(options.config, facts), display_url(options.config))
    # An explicit --config is the organisation's word: the file beside the binary then waits.
    beside = (
        None if options.config is not None else find_beside_file(env.program, facts, env.environ)
    )
    if beside is not None and beside.refused:
        output.warn(beside.refused + ".")
    loaded = load_settings(
        config_file=options.config if isinstance(options.config, Path) else None,
        user_config_file=paths.user_config_file,
        managed=managed,
        environ=env.environ,
        flags=setting_flags,
        config_layer=config_layer,
        organisation=beside.path if beside is not None and not beside.refused else None,
    )
    from kiro_bootstrap.redact import Redactor
    from kiro_bootstrap.settings.secret_values import secret_values

    output.redactor = Redactor(secret_values(loaded.settings))
    for warning in loaded.warnings:
        output.warn(warning)
    return Context(options, env, facts, paths, loaded, output)
