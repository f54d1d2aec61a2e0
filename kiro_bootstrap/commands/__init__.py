"""Thin commands: parse options, call the stages, return a `Result`."""

from __future__ import annotations

import argparse
from typing import Protocol

from kiro_bootstrap.commands import (
    admin,
    config,
    configure,
    doctor,
    download,
    install,
    mirror,
    person_step,
    repo,
    status,
    subscription,
    trust,
    uninstall,
    verify,
)


class CommandModule(Protocol):
    """A module that adds one command (or a command group) to the parser."""

    def register(self, commands: argparse._SubParsersAction[argparse.ArgumentParser],
                 common: argparse.ArgumentParser) -> None: ...  # fmt: skip


# `--help` lists them in this order: a workstation's pipeline first, then sharing, settings and
# the admin side. Only commands that work are here.
COMMAND_MODULES: tuple[CommandModule, ...] = (
    doctor, install, status, uninstall, configure, subscription,
    download, verify, trust, mirror, repo, config, admin, person_step,
)  # fmt: skip
