"""Overall limits of one download: a total deadline and a minimum throughput.

Per-read timeouts catch a host that stops; they do not catch one that trickles (one byte every
two seconds keeps every read alive for days, and the install lock with it). So each download
gets a deadline derived from its size and `network.min_rate_bytes_per_second`, plus a grace of
`network.min_rate_window_seconds`; and over every window of that length it must have received at
least the minimum rate's worth of bytes. Either breach is exit 4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kiro_bootstrap.errors import UnavailableError


@dataclass(frozen=True)
class PaceRule:
    """The slowest acceptable download: bytes per second, measured over a window."""

    min_rate: int
    window_seconds: float

    def deadline_seconds(self, size: int) -> float:
        """How long a download of `size` bytes may take in total, retries included."""
        return self.window_seconds + size / self.min_rate


@dataclass
class Pace:
    """Watches one download; `observe` raises UnavailableError when it is too slow."""

    rule: PaceRule
    what: str
    monotonic: Callable[[], float]
    size_guess: int  # the cap until the server says how large the file is
    started: float = field(init=False)
    window_start: float = field(init=False)
    window_bytes: int = 0

    def __post_init__(self) -> None:
        self.started = self.window_start = self.monotonic()

    def expect(self, size: int | None) -> None:
        """The server announced the file's size: the deadline follows it."""
        if size is not None:
            self.size_guess = size

    def observe(self, received: int) -> None:
        """Count `received` bytes and check both rules."""
        now = self.monotonic()
        self.window_bytes += received
        elapsed = now - self.started
        deadline = self.rule.deadline_seconds(self.size_guess)
        if elapsed > deadline:
            raise self._too_slow(f"it is not done after {elapsed:.0f} s (limit {deadline:.0f} s)")
        span = now - self.window_start
        if span >= self.rule.window_seconds:
            if self.window_bytes < self.rule.min_rate * span:
                raise self._too_slow(
                    f"{self.window_bytes} bytes arrived in the last {span:.0f} s, below "
                    f"{self.rule.min_rate} bytes per second"
                )
            self.window_start, self.window_bytes = now, 0

    def _too_slow(self, why: str) -> UnavailableError:
        return UnavailableError(
            f"Giving up on {self.what}: {why}.",
            hint="The host or the network is too slow; retry later, or lower "
            "network.min_rate_bytes_per_second for a slow link.",
            code="too-slow",
        )
