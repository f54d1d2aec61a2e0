"""HTTP transfers: small files, resumable streaming downloads, retries with back-off.

A download feeds one SHA-256 while it writes the `.part` file, so the digest that serves the
organisation pin and the signature check comes from the bytes as they arrive. After a dropped
connection the same hash object simply continues. On a *rerun* that resumes a `.part` left by an
earlier process, the prefix already on disk is hashed once before the Range request: simpler and
sturdier than persisting hashlib's internal state (which it cannot export).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kiro_bootstrap.errors import UnavailableError, VerificationError
from kiro_bootstrap.files import make_folders
from kiro_bootstrap.net.limits import (
    CHUNK_BYTES,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER_SECONDS,
    TRANSIENT_STATUSES,
)
from kiro_bootstrap.net.pace import Pace, PaceRule
from kiro_bootstrap.net.progress import ProgressReporter, SilentProgress
from kiro_bootstrap.net.redirects import open_checked
from kiro_bootstrap.net.retry import backoff_delay, parse_retry_after
from kiro_bootstrap.net.sink import HashingSink

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
NOT_FOUND_STATUSES = frozenset({404, 410})
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_UNSATISFIED_RANGE = re.compile(r"bytes \*/(\d+)")
# Never let a server compress the artifact: the digest must be over the bytes it publishes.
_IDENTITY = {"Accept-Encoding": "identity"}
_DOWNLOAD_STATUSES = frozenset({200, 206, 416})


class NotPublishedError(UnavailableError):
    """The server says the file does not exist (404/410)."""

    default_code = "not-found"


class _TransientError(Exception):
    """A failure worth another attempt (429, 5xx, a short body)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass
class FetchSession:
    """What every transfer of one run shares: the client, the URL policy, the side effects."""

    client: httpx.Client
    allowed_hosts: frozenset[str]
    sleep: Callable[[float], None]
    clock: Callable[[], datetime]
    cap_bytes: int
    progress: ProgressReporter = field(default_factory=SilentProgress)
    rng: random.Random = field(default_factory=random.Random)
    pace_rule: PaceRule | None = None  # None: only the per-read timeouts apply
    monotonic: Callable[[], float] = time.monotonic

    def pace(self, what: str, size_guess: int) -> Pace | None:
        """A watch over one download's overall speed, when a rule is set."""
        if self.pace_rule is None:
            return None
        return Pace(self.pace_rule, what, self.monotonic, size_guess)


@dataclass(frozen=True)
class Downloaded:
    """A finished download: its SHA-256 (hex) and size."""

    sha256: str
    size: int


@dataclass
class _PartState:
    """The `.part` file being filled, its running hash and the server's validator."""

    part: Path
    offset: int = 0
    validator: str | None = None
    hasher: hashlib._Hash = field(default_factory=hashlib.sha256)

    def restart(self) -> None:
        """Throw away what we have; the server will send the whole file."""
        self.part.write_bytes(b"")
        self.offset, self.validator, self.hasher = 0, None, hashlib.sha256()


def fetch_bytes(session: FetchSession, url: str, *, what: str, limit: int) -> bytes:
    """GET a small file (metadata, signature, certificate) whole, with retries and a size cap."""
    pace = session.pace(what, limit)

    def attempt() -> bytes:
        _observe(pace, 0)
        with open_checked(
            session.client, "GET", url, allowed_hosts=session.allowed_hosts, headers=_IDENTITY
        ) as response:
            _raise_for_status(response, url, what, session.clock)
            _refuse_oversized(_declared_length(response), limit, url, what)
            data = bytearray()
            for chunk in response.iter_raw():
                data += chunk
                _refuse_oversized(len(data), limit, url, what)
                _observe(pace, len(chunk))
            return bytes(data)

    return _retrying(session, url, what, attempt, lambda: 0)


def probe(session: FetchSession, url: str, *, what: str) -> None:
    """HEAD `url` with retries; NotPublishedError when the server says it does not exist."""

    def attempt() -> None:
        with open_checked(
            session.client, "HEAD", url, allowed_hosts=session.allowed_hosts, headers=_IDENTITY
        ) as response:
            _raise_for_status(response, url, what, session.clock)

    _retrying(session, url, what, attempt, lambda: 0)


def download_to_part(session: FetchSession, url: str, part: Path, *, what: str) -> Downloaded:
    """Stream `url` into `part`, resuming what an earlier run left; cap breaches remove it."""
    state = _resume_state(part, url)
    pace = session.pace(what, session.cap_bytes)
    try:
        result = _retrying(
            session,
            url,
            what,
            lambda: _transfer(session, url, state, what, pace),
            lambda: state.offset,
        )
    except VerificationError:
        _discard(part)
        raise
    except UnavailableError:
        if state.offset == 0:
            _discard(part)  # nothing worth resuming
        raise
    except OSError as error:  # the disk, not the network: full, read-only, permissions
        _discard(part)
        raise UnavailableError(
            f"Cannot write {part}: {error.strerror}.", hint="Free some disk space and retry."
        ) from None
    finally:
        session.progress.end()
    _meta_path(part).unlink(missing_ok=True)
    return result


def discard_part(part: Path) -> None:
    """Remove a `.part` file and its resume record."""
    _discard(part)


def _observe(pace: Pace | None, received: int) -> None:
    if pace is not None:
        pace.observe(received)


def _transfer(
    session: FetchSession, url: str, state: _PartState, what: str, pace: Pace | None
) -> Downloaded:
    _observe(pace, 0)  # a retry after the deadline gives up instead of starting again
    headers = dict(_IDENTITY)
    if state.offset and state.validator:
        headers |= {"Range": f"bytes={state.offset}-", "If-Range": state.validator}
    with open_checked(
        session.client, "GET", url, allowed_hosts=session.allowed_hosts, headers=headers
    ) as response:
        if _already_complete(response, state):
            return Downloaded(state.hasher.hexdigest(), state.offset)
        _raise_for_status(response, url, what, session.clock, ok=_DOWNLOAD_STATUSES)
        total = _expected_total(response, state)
        _refuse_oversized(total, session.cap_bytes, url, what)
        if pace is not None and total is not None:
            pace.expect(total)
        state.validator = _validator(response)
        _write_meta(state.part, url, state.validator)
        session.progress.begin(what, total, state.offset)
        with state.part.open("ab") as file, HashingSink(file, state.hasher) as sink:
            # Unchunked: every byte that arrived is kept when the connection drops mid-chunk.
            for chunk in response.iter_raw():
                _refuse_oversized(state.offset + len(chunk), session.cap_bytes, url, what)
                sink.feed(chunk)
                state.offset += len(chunk)
                session.progress.advance(len(chunk))
                _observe(pace, len(chunk))
    if total is not None and state.offset != total:
        raise _TransientError(f"the body ended at {state.offset} of {total} bytes")
    return Downloaded(state.hasher.hexdigest(), state.offset)


def _already_complete(response: httpx.Response, state: _PartState) -> bool:
    """416 for a resume point at the very end: an earlier run already received every byte."""
    if response.status_code != 416:
        return False
    match = _UNSATISFIED_RANGE.fullmatch(response.headers.get("content-range", ""))
    return bool(state.offset and match and int(match.group(1)) == state.offset)


def _expected_total(response: httpx.Response, state: _PartState) -> int | None:
    """Reconcile a 200/206/416 with what we hold; the file's full size when the server says."""
    status = response.status_code
    if status == 416:
        state.restart()
        raise _TransientError("the server rejected our resume point")
    if status == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
        if match is None or int(match.group(1)) != state.offset:
            state.restart()
            raise _TransientError("the server sent a range we did not ask for")
        return int(match.group(3)) if match.group(3) != "*" else None
    if state.offset:
        state.restart()  # the file changed (If-Range failed) or the server ignores ranges
    return _declared_length(response)


def _declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _validator(response: httpx.Response) -> str | None:
    """A strong ETag, else Last-Modified: what If-Range may carry (RFC 9110 §13.1.5)."""
    etag = str(response.headers.get("etag") or "")
    if etag and not etag.startswith("W/"):
        return etag
    modified = response.headers.get("last-modified")
    return str(modified) if modified else None


def _raise_for_status(
    response: httpx.Response,
    url: str,
    what: str,
    clock: Callable[[], datetime],
    *,
    ok: frozenset[int] = frozenset({200}),
) -> None:
    status = response.status_code
    if status in ok:
        return
    if status in NOT_FOUND_STATUSES:
        raise NotPublishedError(f"{what} is not at {url} (HTTP {status}).")
    if status in TRANSIENT_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"), clock())
        raise _TransientError(f"HTTP {status}", retry_after)
    raise UnavailableError(
        f"Cannot download {what}: {url} answered HTTP {status}.",
        hint="Check release.base_url, the proxy (network.proxy) and retry later.",
    )


def _refuse_oversized(size: int | None, limit: int, url: str, what: str) -> None:
    if size is not None and size > limit:
        raise VerificationError(
            f"Refusing {what} from {url}: it is larger than the {limit:,}-byte cap.",
            hint="The server sends more data than any Kiro build has; it may be hostile.",
            code="size-cap",
        )


def _retrying(
    session: FetchSession,
    url: str,
    what: str,
    attempt: Callable[[], T],
    progress_mark: Callable[[], int],
) -> T:
    """Run `attempt` until it succeeds; count only failures that made no progress."""
    import httpx

    failures = 0
    while True:
        mark = progress_mark()
        try:
            return attempt()
        except (_TransientError, httpx.TimeoutException, httpx.NetworkError,
                httpx.RemoteProtocolError, httpx.ProxyError) as error:  # fmt: skip
            failures = 1 if progress_mark() > mark else failures + 1
            retry_after = error.retry_after if isinstance(error, _TransientError) else None
            reason = _describe(error)
            if _is_certificate_failure(error):
                raise UnavailableError(
                    f"Cannot download {what} from {url}: the TLS certificate is not trusted.",
                    hint="Install your organisation's CA in the OS trust store or set "
                    "network.ca_bundle.",
                ) from None
            if retry_after is not None and retry_after > MAX_RETRY_AFTER_SECONDS:
                raise UnavailableError(
                    f"Cannot download {what} from {url}: the server asks to wait "
                    f"{retry_after:.0f} s.",
                    hint="Retry later.",
                ) from None
            if failures >= MAX_ATTEMPTS:
                raise UnavailableError(
                    f"Cannot download {what} from {url}: {reason} ({failures} attempts).",
                    hint="Check the network and proxy (network.proxy); retry later.",
                ) from None
            session.sleep(backoff_delay(failures, retry_after, session.rng))
        except httpx.HTTPError as error:
            raise UnavailableError(
                f"Cannot download {what} from {url}: {_describe(error)}.",
                hint="Check release.base_url and the proxy (network.proxy).",
            ) from None


def _describe(error: Exception) -> str:
    text = str(error).strip()
    name = type(error).__name__.removeprefix("_")
    return f"{name}: {text}" if text and not isinstance(error, _TransientError) else text or name


def _is_certificate_failure(error: Exception) -> bool:
    return "CERTIFICATE_VERIFY_FAILED" in str(error)


def _resume_state(part: Path, url: str) -> _PartState:
    """Pick up a `.part` an earlier run left for the same URL, or start empty."""
    make_folders(part.parent, mode=0o755)
    state = _PartState(part)
    saved = _read_meta(part)
    if part.exists() and saved.get("url") == url and saved.get("validator"):
        with part.open("rb") as source:
            while chunk := source.read(CHUNK_BYTES):
                state.hasher.update(chunk)
                state.offset += len(chunk)
        state.validator = str(saved["validator"])
    else:
        part.write_bytes(b"")
    return state


def _meta_path(part: Path) -> Path:
    return part.with_name(f"{part.name}.json")


def _read_meta(part: Path) -> dict[str, object]:
    try:
        loaded = json.loads(_meta_path(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_meta(part: Path, url: str, validator: str | None) -> None:
    _meta_path(part).write_text(json.dumps({"url": url, "validator": validator}), "utf-8")


def _discard(part: Path) -> None:
    with contextlib.suppress(OSError):
        part.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        _meta_path(part).unlink(missing_ok=True)
