"""Hash and write arriving bytes in two worker threads, so receiving, hashing and writing overlap.

hashlib and file writes release the GIL for large buffers, so on a machine with a spare core the
download costs about max(receive, hash, write) instead of their sum. Each worker takes chunks in
arrival order from its own bounded queue (bounded: RSS stays flat whatever the file size).
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import BinaryIO

from kiro_bootstrap.net.limits import SINK_QUEUE_CHUNKS

_STOP = None


class HashingSink:
    """Feed chunks; on exit every fed chunk has been hashed and written (or the error raised)."""

    def __init__(self, file: BinaryIO, hasher: hashlib._Hash) -> None:
        self._file = file
        self._hasher = hasher
        self._error: BaseException | None = None
        self._queues: list[queue.Queue[bytes | None]] = []
        self._threads: list[threading.Thread] = []
        for name, consume in (("hash", hasher.update), ("write", file.write)):
            chunks: queue.Queue[bytes | None] = queue.Queue(SINK_QUEUE_CHUNKS)
            worker = threading.Thread(
                target=self._work, args=(chunks, consume), name=f"kiro-{name}", daemon=True
            )
            self._queues.append(chunks)
            self._threads.append(worker)
            worker.start()

    def __enter__(self) -> HashingSink:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Let the workers finish what was fed, stop them, and raise a worker's error."""
        for chunks in self._queues:
            chunks.put(_STOP)
        for worker in self._threads:
            worker.join()
        if self._error is not None and error is None:
            raise self._error

    def feed(self, chunk: bytes) -> None:
        """Queue one chunk for hashing and writing (blocks while the workers are behind)."""
        if self._error is not None:
            raise self._error
        for chunks in self._queues:
            chunks.put(chunk)

    def _work(self, chunks: queue.Queue[bytes | None], consume: Callable[[bytes], object]) -> None:
        while (chunk := chunks.get()) is not _STOP:
            if self._error is None:
                try:
                    consume(chunk)
                except BaseException as error:  # noqa: BLE001 - handed to the feeding thread
                    self._error = error
