"""This agent as an administrator should run it: from a path only root (or Administrators) own.

Root must run only what root owns: an agent in a person's Downloads could be swapped by that
person before an administrator runs it. Both `configure` (the admin command in its report) and
the next steps (the step that installs the agent first) name it from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kiro_bootstrap import NAME
from kiro_bootstrap.host.ownership import writable_by_a_person

PROGRAM = NAME
# Where an administrator puts the agent so that root runs only what root owns.
ROOT_OWNED_AGENT = {
    "linux": f"/usr/local/bin/{NAME}",
    "darwin": f"/usr/local/bin/{NAME}",
    "windows": rf"C:\Program Files\{NAME}\{NAME}.exe",
}


def root_owned_agent(os_name: str) -> str:
    """Where the agent belongs on this OS."""
    return ROOT_OWNED_AGENT.get(os_name, ROOT_OWNED_AGENT["linux"])


def agent_writable_reason(
    program: Path | None, environ: Mapping[str, str], *, os_name: str
) -> str | None:
    """Why a person could change the running agent (so root must not run it), or None."""
    if program is None:
        return None
    return writable_by_a_person(program, environ, os_name=os_name)


def agent_command(program: Path | None, environ: Mapping[str, str], *, os_name: str) -> str:
    """The agent as an administrator should run it: always a root-owned path."""
    if program is None:
        return PROGRAM
    if agent_writable_reason(program, environ, os_name=os_name) is not None:
        return root_owned_agent(os_name)
    return str(program)
