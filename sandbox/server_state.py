"""State the sandbox release server's request handlers share across threads."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from sandbox.faults import FaultBook
from sandbox.http_resources import Resource
from sandbox.traffic import TrafficLog


class Routes(Protocol):
    """What the handler asks of the server: find a resource, answer a control request."""

    def resolve(self, path: str, *, forged_signature: bool = False) -> Resource | None:
        """Return the resource at `path`, or None for a 404."""

    def control(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """Answer a `/_control/...` request with a status and a JSON value."""


@dataclass
class HandlerState:
    """Everything the request handlers share, plus the live connections to cut at shutdown."""

    routes: Routes
    faults: FaultBook = field(default_factory=FaultBook)
    traffic: TrafficLog = field(default_factory=TrafficLog)
    stopping: threading.Event = field(default_factory=threading.Event)
    connections: set[socket.socket] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, connection: socket.socket) -> bool:
        """Track a connection; False when the server is already stopping."""
        with self.lock:
            self.connections.add(connection)
            return not self.stopping.is_set()

    def unregister(self, connection: socket.socket) -> None:
        """Stop tracking a finished connection."""
        with self.lock:
            self.connections.discard(connection)

    def cut_connections(self) -> None:
        """Shut every live socket, waking handlers blocked on reads or writes."""
        with self.lock:
            for connection in self.connections:
                shut_socket(connection)


def shut_socket(connection: socket.socket) -> None:
    """Shut a socket both ways, ignoring one that is already gone."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
