"""The organisation's settings published beside the binary (`kiro-bootstrap.toml`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap import NAME
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.ownership import writable_by_a_person

BESIDE_NAME = f"{NAME}.toml"


@dataclass(frozen=True)
class BesideFile:
    """The settings file found beside the running agent: used, or refused with a reason."""

    path: Path
    refused: str | None = None  # why it is not used (a sentence), None when it is


def find_beside_file(
    program: Path | None, facts: HostFacts, environ: Mapping[str, str]
) -> BesideFile | None:
    """The `kiro-bootstrap.toml` next to the agent, judged by who runs it.

    A person running their own download may use it. Root/Administrator never takes a settings
    file from a folder a person can write: that person would choose root's release host and
    trust; root-owned files (or the MDM policy) are the only authority.
    """
    if program is None:
        return None
    path = program.parent / BESIDE_NAME
    if not path.is_file():
        return None
    if facts.is_admin:
        reason = writable_by_a_person(path, environ, os_name=facts.os)
        if reason is None:
            return BesideFile(path)
        return BesideFile(
            path,
            refused=f"{path} is not used when running as root/Administrator: {reason}. Put the "
            "organisation's settings in the MDM policy, or pass a root-owned --config FILE",
        )
    if facts.os != "windows":
        owner = path.stat().st_uid
        if owner not in (0, os.getuid()):
            return BesideFile(
                path,
                refused=f"{path} is not used: it belongs to uid {owner}, not to you or root",
            )
    return BesideFile(path)
