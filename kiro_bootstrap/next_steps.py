"""What to do next, in Kiro and as an administrator: one list for install, configure and status.

Text renders it as "Next, in Kiro"; JSON as `next_steps` (DECISIONS §5).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kiro_bootstrap.configure.aws_sessions import find_sso_sessions
from kiro_bootstrap.host.agent import PROGRAM, agent_writable_reason, root_owned_agent
from kiro_bootstrap.layout.locations import linux_layout
from kiro_bootstrap.settings.beside import BESIDE_NAME

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.output import Result

Who = Literal["person", "admin"]
HEADING = "Next, in Kiro"


@dataclass(frozen=True)
class NextStep:
    """One thing left to do, for whom, and the exact command when there is one."""

    who: Who
    what: str
    command: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON form: {who, what, command}."""
        return {"who": self.who, "what": self.what, "command": self.command}


@dataclass(frozen=True)
class Situation:
    """What the steps depend on, gathered from the run (tests build one directly)."""

    os: str
    start_url: str | None
    idc_region: str | None
    restrict_signin: bool = False
    signin_help_url: str | None = None
    prefilled: bool = False  # Kiro's managed settings hold this start URL
    kiro_command: str | None = None  # how to start Kiro from a terminal
    shim_folder_missing_from_path: Path | None = None
    admin_commands: tuple[str, ...] = ()
    agent: Path | None = None  # the agent an administrator would run, as found
    agent_writable_reason: str | None = None  # why a person could change the agent
    drift_fix: str | None = None
    installed: bool = True
    # An IDC sign-in already in ~/.aws/config: (section name, start URL, region), to offer.
    known_session: tuple[str, str, str] | None = None
    program: str = PROGRAM  # how the person runs this agent


def _start_kiro(situation: Situation) -> NextStep:
    if situation.os == "darwin":
        return NextStep(
            "person", "Open Kiro from Applications (or Spotlight: Kiro).", "open -a Kiro"
        )
    if situation.os == "windows":
        return NextStep("person", "Start Kiro from the Start menu (Kiro).", situation.kiro_command)
    return NextStep(
        "person",
        "Start Kiro from your applications menu (Kiro), or from a terminal.",
        situation.kiro_command or "kiro",
    )


def _sign_in(situation: Situation) -> list[NextStep]:
    method = (
        "sign in with your organisation's IAM Identity Center (the only method allowed)"
        if situation.restrict_signin
        else "choose IAM Identity Center (your organisation), not Builder ID, Google or GitHub"
    )
    help_text = f"; help: {situation.signin_help_url}" if situation.signin_help_url else ""
    steps = [NextStep("person", f"At Kiro's sign-in, {method}{help_text}.")]
    if (situation.start_url is None or situation.idc_region is None) and situation.known_session:
        name, url, region = situation.known_session
        steps.append(
            NextStep(
                "person",
                f"~/.aws/config signs in to {url} ({region}) as [sso-session {name}]; if that is "
                "your organisation, configure Kiro with it",
                f"{situation.program} configure --start-url {shlex.quote(url)} "
                f"--idc-region {region}",
            )
        )
    elif situation.start_url is None or situation.idc_region is None:
        steps.append(
            NextStep(
                "person",
                "No organisation settings: ask your administrator for the start URL and the IDC "
                "region (or the kiro-bootstrap.toml published beside this program), then run",
                f"{situation.program} configure --start-url URL --idc-region REGION",
            )
        )
    elif situation.prefilled:
        steps.append(
            NextStep(
                "person",
                f"Kiro pre-fills the start URL {situation.start_url} and the IDC region "
                f"{situation.idc_region} (managed settings): confirm them.",
            )
        )
    else:
        steps.append(
            NextStep(
                "person",
                f"Type the start URL {situation.start_url} and the IDC region "
                f"{situation.idc_region} (the Identity Center region, not the Kiro profile "
                "region).",
            )
        )
    return steps


def _admin_steps(situation: Situation) -> list[NextStep]:
    if not situation.admin_commands:
        return []
    steps: list[NextStep] = []
    if situation.agent is not None and situation.agent_writable_reason is not None:
        target = root_owned_agent(situation.os)
        steps.append(
            NextStep(
                "admin",
                "Install the agent to a root-owned path first "
                f"({situation.agent_writable_reason}).",
                install_agent_command(situation.os, situation.agent, target),
            )
        )
    steps += [
        NextStep("admin", "Write the machine-wide settings (Kiro then pre-fills the sign-in).", cmd)
        for cmd in situation.admin_commands
    ]
    return steps


def build_next_steps(situation: Situation) -> list[NextStep]:
    """The steps, in the order a person takes them."""
    steps: list[NextStep] = []
    if situation.shim_folder_missing_from_path is not None:
        folder = situation.shim_folder_missing_from_path
        steps.append(
            NextStep(
                "person",
                f"{folder} is not on PATH yet: open a new terminal, or add it.",
                f'export PATH="{folder}:$PATH"',
            )
        )
    if situation.installed:
        steps.append(_start_kiro(situation))
    else:
        steps.append(NextStep("person", "Install Kiro.", f"{situation.program} install"))
    steps += _sign_in(situation)
    if situation.drift_fix:
        fix = NextStep("person", "Put back the organisation's settings.", situation.drift_fix)
        steps.append(fix)
    steps += _admin_steps(situation)
    return steps


def install_agent_command(os_name: str, agent: Path, target: str) -> str:
    """The command that copies the agent (and the settings beside it) to a root-owned path."""
    settings = agent.parent / BESIDE_NAME
    if os_name == "windows":
        folder = target.rpartition("\\")[0]
        copies = [f'copy "{agent}" "{target}"']
        if settings.exists():
            copies.append(f'copy "{settings}" "{folder}\\{BESIDE_NAME}"')
        return " && ".join([f'mkdir "{folder}"', *copies])
    commands = [f"sudo install -m 0755 -o root {shlex.quote(str(agent))} {shlex.quote(target)}"]
    if settings.exists():
        beside = str(Path(target).parent / BESIDE_NAME)
        commands.append(
            f"sudo install -m 0644 -o root {shlex.quote(str(settings))} {shlex.quote(beside)}"
        )
    return " && ".join(commands)


def managed_settings_prefill(path: Path, start_url: str | None) -> bool:
    """True when Kiro's managed settings file already pre-fills this start URL."""
    if start_url is None:
        return False
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    values = document.get("settings") if isinstance(document, dict) else None
    return isinstance(values, dict) and values.get("idc_start_url") == start_url


def missing_from_path(folder: Path, ctx: Context) -> Path | None:
    """`folder` when it is not on this run's PATH (a fresh ~/.local/bin often is not)."""
    entries = ctx.environ.get("PATH", "").split(os.pathsep)
    return None if str(folder) in entries else folder


def situation_of(
    ctx: Context,
    *,
    shim: Path | None = None,
    admin_commands: list[str] | None = None,
    drift: bool = False,
    installed: bool = True,
) -> Situation:
    """The situation of this run: settings, managed settings, the agent, PATH."""
    idc = ctx.settings.identity_center
    commands = tuple(admin_commands or ())
    kiro_command = None
    missing = None
    if shim is not None and ctx.facts.os == "windows":
        kiro_command = f'"{shim}"'
    elif shim is not None:
        missing = missing_from_path(shim.parent, ctx)
        kiro_command = str(shim) if missing else shim.name
    program = str(ctx.env.program or PROGRAM)
    drift_fix = None
    if drift:
        argv = [program, "configure"]
        drift_fix = subprocess.list2cmdline(argv) if ctx.facts.os == "windows" else shlex.join(argv)
    known = None
    if idc.start_url is None:
        sessions = [x for x in find_sso_sessions(ctx.facts.home / ".aws" / "config") if x.region]
        if sessions:
            known = (sessions[0].name, sessions[0].start_url, str(sessions[0].region))
    return Situation(
        os=ctx.facts.os,
        known_session=known,
        program=(
            subprocess.list2cmdline([program])
            if ctx.facts.os == "windows"
            else shlex.quote(program)
        ),
        start_url=idc.start_url,
        idc_region=idc.region,
        restrict_signin=idc.restrict_signin,
        signin_help_url=idc.signin_help_url,
        prefilled=managed_settings_prefill(ctx.paths.kiro_managed_settings, idc.start_url),
        kiro_command=kiro_command,
        shim_folder_missing_from_path=missing,
        admin_commands=commands,
        agent=ctx.env.program,
        agent_writable_reason=(
            agent_writable_reason(ctx.env.program, ctx.environ, os_name=ctx.facts.os)
            if commands
            else None
        ),
        drift_fix=drift_fix,
        installed=installed,
    )


def add_next_steps(result: Result, steps: list[NextStep]) -> None:
    """Put the steps in the result: `next_steps` in JSON, a "Next, in Kiro" block in text."""
    result.data["next_steps"] = [step.to_json() for step in steps]
    if not steps:
        return
    result.say(f"{HEADING}:", "heading")
    for number, step in enumerate(steps, 1):
        who = "" if step.who == "person" else "[administrator] "
        result.say(f"  {number}. {who}{step.what}")
        if step.command:
            result.say(f"       {step.command}", "dim")


def kiro_launcher(ctx: Context, target: str | None, scope: str | None, home: Path) -> Path | None:
    """The `kiro` command (Linux) or Kiro.exe (Windows) an install put in place, if any."""
    if ctx.facts.os == "darwin" or target is None:
        return None
    if ctx.facts.os == "windows":
        return home / "AppData" / "Local" / "Programs" / "Kiro" / "Kiro.exe"
    if target.endswith("-deb"):
        return Path("/usr/bin/kiro")  # the package's own link

    return linux_layout("system" if scope == "system" else "user", ctx.facts, ctx.paths, home).shim
