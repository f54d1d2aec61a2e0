"""An HTTP CONNECT proxy on loopback: what stands between a corporate workstation and the world.

It tunnels to the requested host and port, records each request (target and whether it carried
`Proxy-Authorization`), and answers 407 when credentials are required and missing.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from dataclasses import dataclass, field

from sandbox.loopback_listener import LoopbackListener

RELAY_TIMEOUT_SECONDS = 5.0
MAX_HEADER_BYTES = 8192
RELAY_CHUNK_BYTES = 65536


@dataclass
class ConnectProxy(LoopbackListener):
    """A context manager serving on 127.0.0.1:`port` in a thread."""

    expected_authorization: str | None = None  # "Basic …" required when set
    requests: list[tuple[str, bool]] = field(default_factory=list)  # (target, authorised?)

    def __post_init__(self) -> None:
        self._listen()

    def _handle(self, connection: socket.socket) -> None:
        threading.Thread(target=self._tunnel, args=(connection,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            client.settimeout(RELAY_TIMEOUT_SECONDS)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < MAX_HEADER_BYTES:
                chunk = client.recv(1024)
                if not chunk:
                    return
                head += chunk
            lines = head.decode("latin-1").split("\r\n")
            target = lines[0].split(" ")[1]
            authorization = next(
                (line.split(":", 1)[1].strip() for line in lines
                 if line.lower().startswith("proxy-authorization:")),
                None,
            )  # fmt: skip
            self.requests.append((target, authorization is not None))
            if self.expected_authorization and authorization != self.expected_authorization:
                client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                return
            host, _, port = target.rpartition(":")
            try:
                upstream = socket.create_connection((host, int(port)), RELAY_TIMEOUT_SECONDS)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                return
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._relay(client, upstream)

    @staticmethod
    def _relay(first: socket.socket, second: socket.socket) -> None:
        peers = {first: second, second: first}
        with contextlib.suppress(OSError):
            while True:
                ready, _, _ = select.select(list(peers), [], [], RELAY_TIMEOUT_SECONDS)
                if not ready:
                    return
                for sender in ready:
                    data = sender.recv(RELAY_CHUNK_BYTES)
                    if not data:
                        return
                    peers[sender].sendall(data)
