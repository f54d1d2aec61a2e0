"""The HTTP side of the sandbox release server: ranges, validators, streaming and faults."""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from sandbox.faults import Fault
from sandbox.http_resources import (
    RangeNotSatisfiableError,
    Resource,
    if_range_allows,
    parse_range,
)
from sandbox.server_state import HandlerState, shut_socket

SERVE_CHUNK_BYTES = 256 * 1024
ENDLESS_CHUNK_BYTES = 64 * 1024
# An endless body stops by itself here, so a client without a size limit cannot fill the disk.
ENDLESS_CAP_BYTES = 2 * 1024**3
# Idle keep-alive connections are dropped after this, so no handler thread waits forever.
IDLE_CONNECTION_SECONDS = 10.0
# Handlers notice a shutdown at once (their sockets are cut); this only bounds a bug.
HANDLER_JOIN_SECONDS = 5.0
CONTROL_PREFIX = "/_control/"
MAX_CONTROL_BODY_BYTES = 1024 * 1024

logger = logging.getLogger(__name__)


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that carries the shared state and never chats on stderr."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: HandlerState) -> None:
        """Bind to `address` with the release request handler."""
        self.state = state
        self._handler_threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()
        super().__init__(address, ReleaseRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Handle a connection in a daemon thread that server_close can still join.

        The stdlib forgets daemon threads; daemon they stay, so a stuck handler never keeps a
        process alive, but tests must see every thread gone once the server has stopped.
        """
        self.state.traffic.connected()
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="sandbox-release-handler",
            daemon=True,
        )
        with self._threads_lock:
            self._handler_threads = [t for t in self._handler_threads if t.is_alive()]
            self._handler_threads.append(thread)
        thread.start()

    def server_close(self) -> None:
        """Close the listening socket and wait for every handler thread."""
        super().server_close()
        with self._threads_lock:
            threads, self._handler_threads = self._handler_threads, []
        for thread in threads:
            thread.join(HANDLER_JOIN_SECONDS)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse-DNS lookup (slow or hanging without a resolver)."""
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients hanging up; log anything else, which would be our bug."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        logger.exception("sandbox release server failed on a request from %s", client_address)


class ReleaseRequestHandler(BaseHTTPRequestHandler):
    """Serves release files and metadata with ranges, validators and injected faults."""

    protocol_version = "HTTP/1.1"
    server_version = "KiroSandbox/1"
    timeout = IDLE_CONNECTION_SECONDS
    server: SandboxHTTPServer

    def setup(self) -> None:
        """Track the connection so shutdown can cut it; send small writes at once."""
        super().setup()
        # Headers and body go out in separate writes; with Nagle on, each response waits ~40 ms
        # for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self.server.state.register(self.connection):
            shut_socket(self.connection)

    def finish(self) -> None:
        """Untrack the connection."""
        try:
            super().finish()
        finally:
            self.server.state.unregister(self.connection)

    def handle_one_request(self) -> None:
        """Handle a request; a client hanging up or a shutdown just ends the connection."""
        try:
            super().handle_one_request()
        except OSError:
            self.close_connection = True
        if self.server.state.stopping.is_set():
            self.close_connection = True

    def version_string(self) -> str:
        """Name the server without the Python version the stdlib appends."""
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        """Log nothing: tests read the request log instead of stderr."""

    def do_GET(self) -> None:
        """Serve a GET."""
        self._serve(head=False)

    def do_HEAD(self) -> None:
        """Serve a HEAD."""
        self._serve(head=True)

    def do_POST(self) -> None:
        """Accept POSTs for control requests only."""
        path = unquote(urlsplit(self.path).path)
        if path.startswith(CONTROL_PREFIX):
            length = min(int(self.headers.get("Content-Length") or 0), MAX_CONTROL_BODY_BYTES)
            self._answer_control(path, self.rfile.read(length))
        else:
            # The unread request body would be parsed as the next request: end the connection.
            self.close_connection = True
            self._send_small(path, 405, b"method not allowed\n", head=False)

    def _serve(self, *, head: bool) -> None:
        """Answer GET or HEAD for a release file or metadata document."""
        path = unquote(urlsplit(self.path).path)
        if path.startswith(CONTROL_PREFIX):
            self._answer_control(path, b"")
            return
        state = self.server.state
        fault = state.faults.take(self.command, path)
        kind = fault.kind if fault else None
        if fault and kind == "status":
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            body = f"sandbox fault: status {fault.code}\n".encode()
            self._send_small(path, fault.code, body, head=head, headers=extra)
            return
        if fault and kind == "redirect":
            self._send_small(path, fault.code, b"", head=head, headers={"Location": fault.location})
            return
        resource = state.routes.resolve(path, forged_signature=kind == "wrong_signature")
        if resource is None:
            self._send_small(path, 404, b"not found\n", head=head)
            return
        if kind == "endless":
            self._send_endless(path, resource)
            return
        try:
            allowed = if_range_allows(self.headers.get("If-Range"), resource)
            byte_range = parse_range(self.headers.get("Range"), resource.size) if allowed else None
        except RangeNotSatisfiableError:
            extra = {"Content-Range": f"bytes */{resource.size}"}
            self._send_small(path, 416, b"", head=head, headers=extra)
            return
        start, end = byte_range or (0, resource.size)
        self._begin(path, 206 if byte_range else 200)
        announced = end - start + (fault.delta if fault and kind == "lie_length" else 0)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(max(announced, 0)))
        self.send_header("ETag", resource.etag)
        last_modified = email.utils.formatdate(resource.last_modified, usegmt=True)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Accept-Ranges", "bytes")
        if byte_range:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{resource.size}")
        if kind in {"lie_length", "drop_at"}:
            # The body will not match the headers, so this connection cannot carry another request.
            self.close_connection = True
        if kind == "lie_length":
            # Said out loud so a client that read "all" of a too-short length does not reuse it.
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self._send_body(path, resource, start, end, fault)

    def _send_body(
        self, path: str, resource: Resource, start: int, end: int, fault: Fault | None
    ) -> None:
        """Stream bytes [start, end) in chunks, applying a drop, stall, drip or tamper fault."""
        kind = fault.kind if fault else None
        limit = max(start, min(end, fault.offset)) if fault and kind == "drop_at" else end
        stall_at = min(start + fault.after_bytes, limit) if fault and kind == "stall" else None
        tamper_at = fault.offset if fault and kind == "tamper" else None
        drip_from = start + fault.after_bytes if fault and kind == "drip" else None
        drip_seconds = fault.seconds if fault else 0.0
        position = start
        with resource.open() as source:
            source.seek(start)
            while True:
                if fault and stall_at is not None and position >= stall_at:
                    stall_at = None
                    if self.server.state.stopping.wait(fault.seconds):
                        self.close_connection = True
                        return
                next_stop = limit if stall_at is None else stall_at
                if position >= limit:
                    return
                dripping = drip_from is not None and position >= drip_from
                if dripping and self.server.state.stopping.wait(drip_seconds):
                    self.close_connection = True
                    return
                size = 1 if dripping else min(SERVE_CHUNK_BYTES, next_stop - position)
                if drip_from is not None and not dripping:
                    size = min(size, drip_from - position)
                data = source.read(size)
                if not data:
                    self.close_connection = True
                    return
                if tamper_at is not None and position <= tamper_at < position + len(data):
                    flipped = bytearray(data)
                    flipped[tamper_at - position] ^= 0xFF
                    data = bytes(flipped)
                self._write(path, data)
                position += len(data)

    def _send_endless(self, path: str, resource: Resource) -> None:
        """Send bytes with neither Content-Length nor end until the client or the cap stops it."""
        self._begin(path, 200)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = bytes(ENDLESS_CHUNK_BYTES)
        sent = 0
        while sent < ENDLESS_CAP_BYTES and not self.server.state.stopping.is_set():
            self._write(path, chunk)
            sent += len(chunk)

    def _answer_control(self, path: str, body: bytes) -> None:
        """Answer a control request with JSON (not counted in the traffic log)."""
        status, value = self.server.state.routes.control(self.command, path, body)
        payload = json.dumps(value, indent=2).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _send_small(
        self,
        path: str,
        status: int,
        body: bytes,
        *,
        head: bool,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send a short, complete response (errors, redirects, injected statuses)."""
        self._begin(path, status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self._write(path, body)

    def _begin(self, path: str, status: int) -> None:
        """Log the request, then send the status line."""
        range_header = self.headers.get("Range")
        self.server.state.traffic.record(self.command, path, range_header, status)
        self.send_response(status)

    def _write(self, path: str, data: bytes) -> None:
        """Count, then send, body bytes (counted first so a client never sees more than counted)."""
        self.server.state.traffic.count(path, len(data))
        self.wfile.write(data)
