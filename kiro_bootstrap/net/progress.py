"""A download progress bar: rich on a TTY, nothing otherwise."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressReporter(Protocol):
    """What the downloader tells about a transfer."""

    def begin(self, description: str, total: int | None, done: int) -> None:
        """A transfer (or a resumed part of one) starts; `done` bytes are already here."""

    def advance(self, size: int) -> None:
        """`size` more bytes arrived."""

    def end(self) -> None:
        """The transfer stopped (finished or failed)."""


class SilentProgress:
    """No output: --json, --quiet, or not a terminal."""

    def begin(self, description: str, total: int | None, done: int) -> None:
        """Ignore."""

    def advance(self, size: int) -> None:
        """Ignore."""

    def end(self) -> None:
        """Ignore."""


class RichProgress:
    """One rich bar per transfer on stderr; used as a context manager around a whole run."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress: Progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            # Only built when the output is interactive (a TTY), so drawing is always wanted.
            console=Console(file=stream, force_terminal=True),
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def begin(self, description: str, total: int | None, done: int) -> None:
        """Start (or restart) the bar."""
        if self._task is None:
            self._task = self._progress.add_task(description, total=total, completed=done)
        else:
            self._progress.update(self._task, description=description, total=total, completed=done)

    def advance(self, size: int) -> None:
        """Move the bar."""
        if self._task is not None:
            self._progress.advance(self._task, size)

    def end(self) -> None:
        """Drop the bar."""
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
