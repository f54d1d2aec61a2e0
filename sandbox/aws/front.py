"""The loopback front all clients use: count, inject faults, answer the fakes, forward to moto."""

from __future__ import annotations

import http.client
import socket
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sandbox.aws.faults import FaultInjector
from sandbox.aws.principals import find_principal
from sandbox.aws.wire import (
    WireRequest,
    WireResponse,
    iam_action,
    identify_operation,
    json_error,
)

# Headers that describe one hop, not the message: never copied across the front.
HOP_HEADERS = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}
)
MOTO_TIMEOUT_SECONDS = 60
# A fake answers a request by returning a response, or declines by returning None.
Responder = Callable[[WireRequest, str, str], WireResponse | None]


class Front:
    """A ThreadingHTTPServer on 127.0.0.1 in front of moto."""

    def __init__(self, moto_address: tuple[str, int], responders: list[Responder]) -> None:
        """Bind to a free loopback port; nothing is served until start()."""
        self._moto_address = moto_address
        self.responders = responders
        self.stopping = threading.Event()
        self.faults: FaultInjector | None = None
        self._calls: Counter[tuple[str, str]] = Counter()
        self._actions: Counter[tuple[str, str]] = Counter()
        self._calls_lock = threading.Lock()
        self._server = _FrontServer(("127.0.0.1", 0), _Handler)
        self._server.front = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The endpoint URL clients use."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def calls(self) -> Counter[tuple[str, str]]:
        """A snapshot of request counts per (service, operation)."""
        with self._calls_lock:
            return Counter(self._calls)

    @property
    def actions(self) -> Counter[tuple[str, str]]:
        """A snapshot of IAM actions requested per (caller ARN, action), denied ones included."""
        with self._calls_lock:
            return Counter(self._actions)

    def reset_calls(self) -> None:
        """Forget the counts."""
        with self._calls_lock:
            self._calls.clear()
            self._actions.clear()

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread.start()

    def close(self) -> None:
        """Stop serving; stalled requests wake up and end."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def dispatch(self, request: WireRequest) -> WireResponse:
        """Count the request, then let a fault, a fake or moto answer it."""
        service, operation = identify_operation(request)
        auth = request.authorization
        principal = find_principal(auth.access_key_id) if auth else None
        caller_arn = principal.arn if principal else "anonymous"
        if not request.path.startswith("/moto-api"):
            with self._calls_lock:
                self._calls[(service, operation)] += 1
                self._actions[(caller_arn, iam_action(service, operation))] += 1
        if self.faults is not None:
            fault = self.faults.apply(request, service, operation, caller_arn)
            if fault is not None:
                return fault
        for responder in self.responders:
            answer = responder(request, service, operation)
            if answer is not None:
                return answer
        if principal is not None and principal.static:
            # Fixed test keys are unknown to moto's STS; assumed-role keys moto maps itself.
            request.headers = [
                (name, value)
                for name, value in request.headers
                if name.lower() != "x-moto-account-id"
            ]
            request.headers.append(("x-moto-account-id", principal.account_id))
        return self._forward(request)

    def _forward(self, request: WireRequest) -> WireResponse:
        """Send the request to moto unchanged and relay its answer."""
        connection = http.client.HTTPConnection(*self._moto_address, timeout=MOTO_TIMEOUT_SECONDS)
        try:
            connection.putrequest(
                request.method, request.target, skip_host=True, skip_accept_encoding=True
            )
            for name, value in request.headers:
                connection.putheader(name, value)
            connection.endheaders(request.body or None)
            response = connection.getresponse()
            body = response.read()
            headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_HEADERS]
            return WireResponse(response.status, body, headers)
        finally:
            connection.close()


class _FrontServer(ThreadingHTTPServer):
    """The HTTP server; request threads never block shutdown."""

    daemon_threads = True
    block_on_close = False
    front: Front


class _Handler(BaseHTTPRequestHandler):
    """Turn each HTTP request into a WireRequest for Front.dispatch."""

    protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects
    server: _FrontServer

    def setup(self) -> None:
        """Turn Nagle's algorithm off for this connection."""
        # Headers and body go out in two writes; with the client's delayed ACK, Nagle would add
        # ~40 ms to every keep-alive request (10 s instead of 1 s for the 10,000-user benchmark).
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        """Handle GET."""
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET  # noqa: N815

    def _handle(self) -> None:
        """Read the whole request, dispatch it, and write the whole answer."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            answer = json_error(
                411, "LengthRequired", "Send a Content-Length; chunked is not supported."
            )
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = WireRequest(self.command, self.path, list(self.headers.items()), body)
            try:
                answer = self.server.front.dispatch(request)
            except Exception as error:  # noqa: BLE001 - a bug in a fake must reach the client
                answer = json_error(500, "InternalFailure", f"{type(error).__name__}: {error}")
        try:
            self.send_response(answer.status)
            for name, value in answer.headers:
                if name.lower() not in HOP_HEADERS:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a stall fault did its job); nothing left to tell it.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: tests and the demo print what matters themselves."""
