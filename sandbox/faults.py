"""Faults the release server can inject, and the book that hands them out per request."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SIGNATURE_FILE_SUFFIX = "signature.bin"
# Faults that change the body: a HEAD has none, so it must not use up a fault meant for the GET.
BODY_FAULT_KINDS = frozenset(
    {"drop_at", "stall", "drip", "lie_length", "endless", "tamper", "wrong_signature"}
)
FAULT_KINDS = BODY_FAULT_KINDS | {"status", "redirect"}


@dataclass(frozen=True)
class Fault:
    """One misbehaviour for requests whose path contains `path`, `times` times (None: always).

    Build faults with the constructors (`Fault.drop_at(1024)`, `Fault.status(503)`, ...);
    offsets are absolute offsets in the served file, whatever Range the client asked for.
    """

    kind: str
    path: str = ""
    times: int | None = 1
    offset: int = 0
    code: int = 0
    retry_after: int | None = None
    seconds: float = 0.0
    after_bytes: int = 0
    delta: int = 0
    location: str = ""

    def __post_init__(self) -> None:
        """Reject unknown kinds and useless counts, so a typo fails loudly."""
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {sorted(FAULT_KINDS)}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1, or None for every request")

    @classmethod
    def drop_at(cls, offset: int, *, path: str = "", times: int | None = 1) -> Fault:
        """Close the connection once the body has reached file offset `offset`."""
        return cls("drop_at", path, times, offset=offset)

    @classmethod
    def status(
        cls, code: int, retry_after: int | None = None, *, path: str = "", times: int | None = 1
    ) -> Fault:
        """Answer with HTTP status `code` (and `Retry-After` seconds when given)."""
        return cls("status", path, times, code=code, retry_after=retry_after)

    @classmethod
    def stall(
        cls, seconds: float, after_bytes: int = 0, *, path: str = "", times: int | None = 1
    ) -> Fault:
        """Pause `seconds` after sending `after_bytes` body bytes (cut short by shutdown)."""
        return cls("stall", path, times, seconds=seconds, after_bytes=after_bytes)

    @classmethod
    def drip(
        cls, seconds: float, after_bytes: int = 0, *, path: str = "", times: int | None = 1
    ) -> Fault:
        """After `after_bytes` body bytes, send one byte every `seconds` (a trickling host)."""
        return cls("drip", path, times, seconds=seconds, after_bytes=after_bytes)

    @classmethod
    def lie_length(cls, delta: int, *, path: str = "", times: int | None = 1) -> Fault:
        """Announce a Content-Length `delta` bytes off the truth, then close the connection."""
        return cls("lie_length", path, times, delta=delta)

    @classmethod
    def endless(cls, *, path: str = "", times: int | None = 1) -> Fault:
        """Send bytes without a Content-Length until the client hangs up (or a safety cap)."""
        return cls("endless", path, times)

    @classmethod
    def redirect(
        cls, location: str, code: int = 302, *, path: str = "", times: int | None = 1
    ) -> Fault:
        """Redirect to `location` (absolute URL or a path on this server)."""
        return cls("redirect", path, times, code=code, location=location)

    @classmethod
    def tamper(cls, offset: int, *, path: str = "", times: int | None = 1) -> Fault:
        """Flip the byte at file offset `offset` in the body sent."""
        return cls("tamper", path, times, offset=offset)

    @classmethod
    def wrong_signature(cls, *, path: str = SIGNATURE_FILE_SUFFIX, times: int | None = 1) -> Fault:
        """Serve signature.bin as signed by the sandbox's "other" key instead of the release key."""
        return cls("wrong_signature", path, times)

    def to_json(self) -> dict[str, Any]:
        """Return the fault as a JSON-ready mapping (what `POST /_control/faults` accepts)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Build a fault from a mapping, rejecting unknown fields."""
        known = {item.name for item in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields {sorted(unknown)}")
        return cls(**data)

    def applies_to(self, method: str, path: str) -> bool:
        """Say whether this fault targets a request with this method and path."""
        if self.path not in path:
            return False
        if self.kind in BODY_FAULT_KINDS and method != "GET":
            return False
        return self.kind != "wrong_signature" or path.endswith(SIGNATURE_FILE_SUFFIX)


class FaultBook:
    """Thread-safe list of pending faults; each request takes at most one, in the order added."""

    def __init__(self) -> None:
        """Start with no faults."""
        self._lock = threading.Lock()
        self._entries: list[tuple[Fault, int | None]] = []

    def add(self, fault: Fault) -> None:
        """Append a fault after those already pending."""
        with self._lock:
            self._entries.append((fault, fault.times))

    def replace(self, faults: Iterable[Fault]) -> None:
        """Drop every pending fault and install `faults` instead."""
        with self._lock:
            self._entries = [(fault, fault.times) for fault in faults]

    def clear(self) -> None:
        """Drop every pending fault."""
        self.replace([])

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first pending fault for this request, using up one of its times."""
        with self._lock:
            for index, (fault, remaining) in enumerate(self._entries):
                if not fault.applies_to(method, path):
                    continue
                if remaining is None:
                    return fault
                if remaining <= 1:
                    del self._entries[index]
                else:
                    self._entries[index] = (fault, remaining - 1)
                return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """Return the pending faults with how many times each is left (None: always)."""
        with self._lock:
            return [{**fault.to_json(), "remaining": left} for fault, left in self._entries]
