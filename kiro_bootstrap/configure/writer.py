"""One kind of file configure edits: how it is recorded, labelled, read, parsed and planned.

Every writer module describes its files with a `Writer` and plans them through `Writer.plan`;
`run.py` finds the writer of a recorded file by its format, to give back or check what we own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiro_bootstrap.configure.documents import Document
from kiro_bootstrap.configure.reconcile import FilePlan, Scope, plan_keys
from kiro_bootstrap.configure.workstation import Workstation

Opener = Callable[[Workstation, Path, "bytes | None"], Document]
Reader = Callable[[Workstation, Path], "bytes | None"]


@dataclass(frozen=True)
class Writer:
    """A kind of file (or registry key) and everything needed to plan it."""

    file_format: str  # the name its record entries carry
    label: str  # what reports call it
    scope: Scope
    mode: int  # of a file we create (a person's existing file keeps its own)
    open_document: Opener  # parse the current bytes; one that does not parse stops the run
    read_current: Reader = Workstation.read  # the bytes as they are now (None: absent)

    def open(self, ws: Workstation, path: Path) -> tuple[bytes | None, Document]:
        """The current bytes and their document."""
        before = self.read_current(ws, path)
        return before, self.open_document(ws, path, before)

    def plan(
        self,
        ws: Workstation,
        path: Path,
        desired: Mapping[str, Any],
        *,
        label: str | None = None,
        opened: tuple[bytes | None, Document] | None = None,
    ) -> FilePlan:
        """Plan `path` to hold the `desired` keys (read and parsed here unless `opened`)."""
        before, doc = opened if opened is not None else self.open(ws, path)
        return plan_keys(
            path=path,
            scope=self.scope,
            label=label or self.label,
            doc=doc,
            before=before,
            file_format=self.file_format,
            desired=desired,
            previous=ws.previous(path),
            mode=self.mode,
        )
