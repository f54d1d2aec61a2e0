"""What every writer needs to know about the run: settings, host, whose files, how to reach them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiro_bootstrap.configure.files import read_bytes, refuse_links_under
from kiro_bootstrap.configure.ownership import FileRecord
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.paths import Paths
from kiro_bootstrap.settings.load import LoadedSettings
from kiro_bootstrap.settings.model import Settings

RegistryRead = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class Workstation:
    """The inputs of one configure run, gathered once by `run.py`."""

    loaded: LoadedSettings
    facts: HostFacts
    paths: Paths
    user: str
    home: Path
    acting_for_self: bool
    environ: Mapping[str, str]  # ours; honoured for the person's files only when we are them
    runner: Runner
    registry_reader: RegistryRead
    owned: Mapping[str, FileRecord]  # what both records say we own, by path

    @property
    def settings(self) -> Settings:
        """The effective settings."""
        return self.loaded.settings

    def own_variable(self, name: str) -> str | None:
        """An environment variable of the person's, i.e. only when we run as that person."""
        value = self.environ.get(name, "").strip()
        return value if value and self.acting_for_self else None

    def user_file(self, path: Path) -> Path:
        """Where to edit a person's file: through a dotfile link when we are that person."""
        if not self.acting_for_self:
            refuse_links_under(self.home, path)
            return path
        return path.resolve() if path.is_symlink() else path

    def previous(self, path: Path) -> FileRecord | None:
        """What the records say we own in `path`."""
        return self.owned.get(str(path))

    def read(self, path: Path) -> bytes | None:
        """The file's bytes (None: absent)."""
        return read_bytes(path)
