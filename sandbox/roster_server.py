"""A tiny roster host on 127.0.0.1: serves files with ETags, answers 304, records requests.

with RosterServer() as server:
    server.publish(envelope_bytes)       # what GET /roster.json returns from now on
    server.publish_folder(path)          # a sharded set under /roster/ (server.index_url)
    server.require_token = "s3cret"     # 401 without "Authorization: Bearer s3cret"
    server.status = 503                  # every request fails this way until reset to None
    server.redirect_to = "https://elsewhere.example/roster.json"   # every request
    server.redirect_once = ".../moved/roster.json"                  # the next request only
    server.requests                      # [(path, headers), ...]
    server.bytes_served                  # body bytes sent since the last reset_counters()
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

LOOPBACK_HOST = "127.0.0.1"
ROSTER_PATH = "/roster.json"
SET_PREFIX = "/roster/"
INDEX_NAME = "index.json"
ETAG_HEX_DIGITS = 32
# How often serve_forever looks for a shutdown request: bounds how long leaving `with` waits.
SHUTDOWN_POLL_SECONDS = 0.05


class RosterServer:
    """Serve `ROSTER_PATH` on loopback; use as a context manager."""

    def __init__(self) -> None:
        """Nothing is served until publish()."""
        self.files: dict[str, bytes] = {}
        self.require_token: str | None = None
        self.status: int | None = None
        self.redirect_to: str | None = None
        self.redirect_once: str | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.bytes_served = 0
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
        """The single-document roster's URL."""
        return self.url_for(ROSTER_PATH)

    @property
    def index_url(self) -> str:
        """The sharded roster's index URL (after publish_folder)."""
        return self.url_for(SET_PREFIX + INDEX_NAME)

    def url_for(self, path: str) -> str:
        """The URL of a path on this server."""
        if self._httpd is None:
            raise RuntimeError("RosterServer is not running: use `with RosterServer() as s`.")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def publish(self, document: bytes) -> None:
        """Serve these bytes at ROSTER_PATH from now on."""
        self.files[ROSTER_PATH] = document

    def publish_file(self, path: str, data: bytes) -> None:
        """Serve these bytes at this path from now on."""
        self.files[path] = data

    def publish_folder(self, folder: Path) -> None:
        """Serve a published roster set (what `admin roster publish --dest FOLDER/` wrote)."""
        for path in list(self.files):
            if path.startswith(SET_PREFIX):
                del self.files[path]
        for file in folder.rglob("*"):
            if file.is_file() and not file.name.startswith("."):
                self.files[SET_PREFIX + file.relative_to(folder).as_posix()] = file.read_bytes()

    def reset_counters(self) -> None:
        """Forget the requests and bytes served so far."""
        self.requests.clear()
        self.bytes_served = 0

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one GET."""
        self.requests.append((handler.path, dict(handler.headers.items())))
        if self.status is not None:
            self._send(handler, self.status, b"")
            return
        redirect, self.redirect_once = self.redirect_once or self.redirect_to, None
        if redirect is not None:
            self._send(handler, 302, b"", {"Location": redirect})
            return
        expected = f"Bearer {self.require_token}"
        if self.require_token and handler.headers.get("Authorization") != expected:
            self._send(handler, 401, b"")
            return
        document = self.files.get(handler.path)
        if document is None:
            self._send(handler, 404, b"")
            return
        etag = f'"{hashlib.sha256(document).hexdigest()[:ETAG_HEX_DIGITS]}"'
        if handler.headers.get("If-None-Match") == etag:
            self._send(handler, 304, b"", {"ETag": etag})
            return
        self._send(handler, 200, document, {"ETag": etag, "Content-Type": "application/json"})

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
        self.bytes_served += len(body)
