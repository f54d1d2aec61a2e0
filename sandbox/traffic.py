"""What the release server sent: a request log and body bytes per path, safe across threads."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server answered it."""

    method: str
    path: str
    range: str | None
    status: int


class TrafficLog:
    """Counts body bytes per path and logs requests (control requests are not counted)."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._bytes: defaultdict[str, int] = defaultdict(int)
        self._requests: list[RequestRecord] = []
        self._connections = 0

    def connected(self) -> None:
        """Count an accepted connection (one per HTTP client while it keeps it alive)."""
        with self._lock:
            self._connections += 1

    def connections(self) -> int:
        """Return the connections accepted so far."""
        with self._lock:
            return self._connections

    def record(self, method: str, path: str, range_header: str | None, status: int) -> None:
        """Log a request; called before the response goes out, so a client never races it."""
        with self._lock:
            self._requests.append(RequestRecord(method, path, range_header, status))

    def count(self, path: str, size: int) -> None:
        """Add body bytes handed to the socket for `path` (counted before sending, same reason)."""
        with self._lock:
            self._bytes[path] += size

    def bytes_served(self, path_suffix: str | None = None) -> int:
        """Return body bytes sent for paths ending with `path_suffix` (all paths when None)."""
        with self._lock:
            return sum(
                size
                for path, size in self._bytes.items()
                if path_suffix is None or path.endswith(path_suffix)
            )

    def bytes_by_path(self) -> dict[str, int]:
        """Return a copy of the body bytes sent per path."""
        with self._lock:
            return dict(self._bytes)

    def requests(self) -> list[RequestRecord]:
        """Return a copy of the request log, oldest first."""
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget every request, connection and byte count."""
        with self._lock:
            self._bytes.clear()
            self._requests.clear()
            self._connections = 0
