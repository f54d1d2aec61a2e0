"""Back-off and Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from kiro_bootstrap.net.limits import MAX_DELAY_SECONDS
from kiro_bootstrap.net.retry import backoff_delay, parse_retry_after

NOW = datetime(2026, 8, 13, 12, 0, tzinfo=UTC)


def test_backoff_doubles_with_jitter_up_to_the_ceiling():
    rng = random.Random(1)
    delays = [backoff_delay(attempt, None, rng) for attempt in range(1, 12)]
    assert all(0.25 * 2 ** (n - 1) <= d <= 0.5 * 2 ** (n - 1) for n, d in enumerate(delays[:6], 1))
    assert max(delays) <= MAX_DELAY_SECONDS
    assert len(set(delays)) == len(delays)  # jitter: a fleet does not retry in lockstep


def test_retry_after_wins_when_longer():
    assert backoff_delay(1, 9.0, random.Random(1)) == 9.0
    assert backoff_delay(6, 1.0, random.Random(1)) > 1.0


def test_retry_after_as_seconds_or_http_date():
    assert parse_retry_after("120", NOW) == 120.0
    later = (NOW + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, NOW) == 30.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None
