"""Thin commands: parse options, call the stages, return a `Result`."""

from __future__ import annotations

import argparse
from typing import Protocol

from kiro_bootstrap.commands import config, doctor


class CommandModule(Protocol):
    """A module that adds one command (or a command group) to the parser."""

    def register(self, commands: argparse._SubParsersAction[argparse.ArgumentParser],
                 common: argparse.ArgumentParser) -> None: ...  # fmt: skip


# Order is the order `--help` lists them in; only commands that work are here.
COMMAND_MODULES: tuple[CommandModule, ...] = (doctor, config)
