"""Every tunable of fetching, in one place."""

from __future__ import annotations

# Retries: consecutive failed attempts without a byte of progress before giving up.
MAX_ATTEMPTS = 5
BASE_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 30.0
# A server asking for a longer pause than this is treated as down (exit 4), not waited for.
MAX_RETRY_AFTER_SECONDS = 120.0
# Jitter spreads a fleet's retries: each delay is scaled by a random factor in this range.
JITTER_RANGE = (0.5, 1.0)
# HTTP statuses worth retrying: throttling and server-side trouble.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

# Size caps: a Kiro build is ~200-400 MB; anything past this is a broken or hostile server.
MAX_DOWNLOAD_BYTES = 2 * 1024**3
MAX_METADATA_BYTES = 1024 * 1024
MAX_SIGNATURE_FILE_BYTES = 64 * 1024

# Bytes per read when hashing or copying local files; larger buffers cost RSS, smaller ones CPU.
CHUNK_BYTES = 1024 * 1024
# Chunks (at most 64 KiB each off the network) queued per download worker: ~2 MiB each, flat RSS.
SINK_QUEUE_CHUNKS = 32
