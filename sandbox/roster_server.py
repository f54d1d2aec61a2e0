"""A tiny roster host on 127.0.0.1: serves one document with an ETag, answers 304, records requests.

with RosterServer() as server:
    server.publish(envelope_bytes)       # what GET /roster.json returns from now on
    server.require_token = "s3cret"     # 401 without "Authorization: Bearer s3cret"
    server.status = 503                  # every request fails this way until reset to None
    server.redirect_to = "https://elsewhere.example/roster.json"
    server.requests                      # [(path, headers), ...]
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

LOOPBACK_HOST = "127.0.0.1"
ROSTER_PATH = "/roster.json"
ETAG_HEX_DIGITS = 32
# How often serve_forever looks for a shutdown request: bounds how long leaving `with` waits.
SHUTDOWN_POLL_SECONDS = 0.05


class RosterServer:
    """Serve `ROSTER_PATH` on loopback; use as a context manager."""

    def __init__(self) -> None:
        """Nothing is served until publish()."""
        self.document: bytes | None = None
        self.require_token: str | None = None
        self.status: int | None = None
        self.redirect_to: str | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RosterServer:
        """Start serving."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.answer(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return  # keep test and demo output clean

        self._httpd = ThreadingHTTPServer((LOOPBACK_HOST, 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop serving."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        """The roster's URL."""
        if self._httpd is None:
            raise RuntimeError("RosterServer is not running: use `with RosterServer() as s`.")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{ROSTER_PATH}"

    def publish(self, document: bytes) -> None:
        """Serve these bytes from now on."""
        self.document = document

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one GET."""
        self.requests.append((handler.path, dict(handler.headers.items())))
        if self.status is not None:
            self._send(handler, self.status, b"")
            return
        if self.redirect_to is not None:
            self._send(handler, 302, b"", {"Location": self.redirect_to})
            return
        expected = f"Bearer {self.require_token}"
        if self.require_token and handler.headers.get("Authorization") != expected:
            self._send(handler, 401, b"")
            return
        if handler.path != ROSTER_PATH or self.document is None:
            self._send(handler, 404, b"")
            return
        etag = f'"{hashlib.sha256(self.document).hexdigest()[:ETAG_HEX_DIGITS]}"'
        if handler.headers.get("If-None-Match") == etag:
            self._send(handler, 304, b"", {"ETag": etag})
            return
        self._send(handler, 200, self.document, {"ETag": etag, "Content-Type": "application/json"})

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
