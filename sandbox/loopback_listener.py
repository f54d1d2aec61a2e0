"""A TCP listener on 127.0.0.1 that accepts in a thread until closed (a context manager).

The sandbox's small network stand-ins (the CONNECT proxy, the TLS server) share it and only
say what to do with each accepted connection.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Self

ACCEPT_TIMEOUT_SECONDS = 0.2  # how soon a closed listener notices it should stop


class LoopbackListener:
    """Accepts on 127.0.0.1:`port` (a free one) and hands each connection to `_handle`."""

    def _listen(self) -> None:
        """Bind the socket; call once, from the subclass's constructor."""
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(ACCEPT_TIMEOUT_SECONDS)
        self.port = int(self._socket.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _handle(self, connection: socket.socket) -> None:
        """What to do with one accepted connection."""
        raise NotImplementedError

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self._socket.accept()
            except OSError:
                continue
            self._handle(connection)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()
