"""When to retry and how long to wait: exponential back-off with jitter, honouring Retry-After."""

from __future__ import annotations

import email.utils
import random
from datetime import datetime

from kiro_bootstrap.net.limits import (
    BASE_DELAY_SECONDS,
    JITTER_RANGE,
    MAX_DELAY_SECONDS,
)


def backoff_delay(attempt: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds to wait before attempt `attempt + 1` (attempt counts from 1).

    The server's Retry-After wins when it asks for longer than our own back-off.
    """
    ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0 ** (attempt - 1))
    delay = ceiling * rng.uniform(*JITTER_RANGE)
    return max(delay, retry_after or 0.0)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date relative to `now`; None if unusable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)
