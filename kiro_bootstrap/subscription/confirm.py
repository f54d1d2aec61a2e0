"""Confirm the user's subscription: fetch, verify, check organisation and age, look the user up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiro_bootstrap.context import USER_VARIABLE, Context
from kiro_bootstrap.errors import ConfigError, UnavailableError, VerificationError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.users import resolve_target_user
from kiro_bootstrap.net.client import build_http_client
from kiro_bootstrap.roster.model import Roster, format_timestamp
from kiro_bootstrap.roster.normalise import workstation_identifiers
from kiro_bootstrap.roster.sharded import RosterIndex
from kiro_bootstrap.roster.signing import MAX_ROSTER_BYTES, open_roster, trusted_keys
from kiro_bootstrap.subscription.cache import RosterCache
from kiro_bootstrap.subscription.result import Source, SubscriptionResult
from kiro_bootstrap.subscription.shard_lookup import Reader, look_up
from kiro_bootstrap.subscription.source import RosterFiles, beside, is_url
from kiro_bootstrap.subscription.storage import cache_dir
from kiro_bootstrap.subscription.token import load_token

# How far ahead of this machine's clock a roster's issue time may be (clocks drift).
CLOCK_SKEW = timedelta(minutes=5)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


@dataclass(frozen=True)
class _Cached:
    """The cached roster document, verified again, its bytes and its ETag."""

    document: Roster | RosterIndex
    data: bytes
    etag: str | None


@dataclass(frozen=True)
class _Expectations:
    """What a roster must satisfy on this machine."""

    location: str
    start_url: str
    instance_arn: str | None
    trusted: dict[str, Ed25519PublicKey]
    max_age: timedelta


def choose_user(user: str | None, environ: Mapping[str, str], facts: HostFacts) -> str:
    """`--user`, else KIRO_BOOTSTRAP_USER, else the resolved target user (the login name)."""
    for candidate in (user, environ.get(USER_VARIABLE)):
        if candidate and candidate.strip():
            return candidate.strip()
    return resolve_target_user(None, environ, facts)


def confirm_subscription(ctx: Context, *, user: str | None) -> SubscriptionResult:
    """The user's plan (or None) from the freshest roster we can trust; exit 4/5 when we cannot."""
    expect = _expectations(ctx)
    name = choose_user(user, ctx.environ, ctx.facts)
    identifiers = workstation_identifiers(name, ctx.settings.subscription.email_domain)
    now = ctx.env.clock()
    cache = RosterCache(cache_dir(ctx.facts, ctx.paths))
    cached = _usable_cache(ctx, cache, expect, now)
    roster, source, note = _current_roster(ctx, expect, cache, cached, identifiers, now)
    expires_at = _effective_expiry(roster, expect.max_age)
    if now >= expires_at:
        where = "the cached roster" if source == "cache" else f"the roster at {expect.location}"
        raise UnavailableError(
            f"{note + '; ' if note else ''}{where} expired on {format_timestamp(expires_at)} "
            f"(issued {format_timestamp(roster.issued_at)}).",
            hint="The roster is published on a schedule; ask its publisher to run "
            "`admin roster publish`, then retry.",
            code="roster-expired",
        )
    return SubscriptionResult(
        user=name,
        plan=roster.plan_for(identifiers),
        source=source,
        issued_at=roster.issued_at,
        expires_at=expires_at,
        checked_at=now,
        request_url=ctx.settings.subscription.request_url,
        note=note,
        looked_up=tuple(identifiers),
    )


def _expectations(ctx: Context) -> _Expectations:
    settings = ctx.settings
    location = settings.subscription.roster_url
    if not location:
        raise ConfigError(
            "subscription.roster_url is not set: there is no roster to confirm against.",
            hint="Set [subscription] roster_url to where `admin roster publish` puts it.",
        )
    if not settings.identity_center.start_url:
        raise ConfigError(
            "identity_center.start_url is not set: a roster cannot be matched to the organisation."
        )
    if not settings.subscription.public_keys:
        raise ConfigError(
            "subscription.public_keys is empty: no roster can be trusted.",
            hint="Add the public key printed by `admin roster keygen`.",
        )
    try:
        trusted = trusted_keys(settings.subscription.public_keys)
    except ValueError as error:
        raise ConfigError(f"Invalid setting subscription.public_keys: {error}.") from None
    return _Expectations(
        location=location,
        start_url=settings.identity_center.start_url,
        instance_arn=settings.identity_center.instance_arn,
        trusted=trusted,
        max_age=timedelta(days=settings.subscription.max_age_days),
    )


def _current_roster(  # noqa: PLR0917 - one call site, each argument a different thing
    ctx: Context,
    expect: _Expectations,
    cache: RosterCache,
    cached: _Cached | None,
    identifiers: list[str],
    now: datetime,
) -> tuple[Roster, Source, str | None]:
    """A fresh verified roster, or the cached one when offline or unreachable (and says so)."""
    if ctx.options.offline:
        return _fall_back(cache, cached, identifiers, "offline (--offline)")
    with _roster_files(ctx, expect.location) as files:
        try:
            etag = cached.etag if cached is not None else None
            fetched = files.read(expect.location, etag=etag, limit=MAX_ROSTER_BYTES)
            if fetched.data is None and cached is not None:
                document, data = cached.document, cached.data
                source: Source = "not-modified"
            else:
                data = fetched.data or b""
                document = _verified(data, expect, source=expect.location, now=now)
                source = "network" if is_url(expect.location) else "file"
                _refuse_replay(document, cached, expect.location)
            read = _set_reader(files, cache, fetched.location)
            roster, used = _entries(document, identifiers, read, expect.location)
        except UnavailableError as error:
            reason = error.message.rstrip(".")
            return _fall_back(
                cache, cached, identifiers, f"unreachable ({reason[:1].lower()}{reason[1:]})"
            )
    if now < _effective_expiry(roster, expect.max_age):
        cache.store(data, expect.location, fetched.etag, now, used)
    return roster, source, None


def _refuse_replay(document: Roster | RosterIndex, cached: _Cached | None, location: str) -> None:
    """A roster older than the cached one would undo a revocation: exit 5."""
    if cached is None or document.issued_at >= cached.document.issued_at:
        return
    raise VerificationError(
        f"The subscription roster at {location} was issued "
        f"{format_timestamp(document.issued_at)}, before the one this machine already has "
        f"({format_timestamp(cached.document.issued_at)}): refusing an older roster.",
        hint="Someone may be replaying an old roster; ask its publisher to publish again.",
        code="roster-rollback",
    )


def _entries(
    document: Roster | RosterIndex, identifiers: list[str], read: Reader, source: str
) -> tuple[Roster, dict[str, bytes]]:
    """A single-document roster as it is; a sharded one's index with the person's shards."""
    if isinstance(document, Roster):
        return document, {}
    return look_up(document, identifiers, read, source=source)


def _roster_files(ctx: Context, location: str) -> RosterFiles:
    """The reader for this check, with the roster token when roster_url is a URL."""
    token = load_token(ctx.facts, ctx.paths, ctx.env.keyring) if is_url(location) else None
    return RosterFiles(lambda: build_http_client(ctx.settings, ctx.facts), token)


def _set_reader(files: RosterFiles, cache: RosterCache, index_location: str) -> Reader:
    """Files of the set from the cache when held (they are verified anyway), else fetched."""

    def read(relative: str, limit: int) -> bytes:
        held = cache.read_file(relative, limit)
        if held is not None:
            return held
        fetched = files.read(beside(index_location, relative), etag=None, limit=limit)
        return fetched.data or b""

    return read


def _fall_back(
    cache: RosterCache, cached: _Cached | None, identifiers: list[str], reason: str
) -> tuple[Roster, Source, str | None]:
    """The cached roster, with the shards this machine holds; exit 4 when that cannot answer."""

    def read(relative: str, limit: int) -> bytes:
        held = cache.read_file(relative, limit)
        if held is None:
            raise UnavailableError(f"{relative} is not cached")
        return held

    missing = UnavailableError(
        f"Cannot confirm the subscription: {reason}, and no roster is cached on this machine "
        "for this person.",
        hint="Retry when the network (or the file share) is reachable.",
        code="roster-unavailable",
    )
    if cached is None:
        raise missing
    try:
        roster, _files = _entries(cached.document, identifiers, read, f"the cache ({cache.folder})")
    except UnavailableError:
        raise missing from None
    return roster, "cache", f"{reason}: using the cached roster"


def _usable_cache(
    ctx: Context, cache: RosterCache, expect: _Expectations, now: datetime
) -> _Cached | None:
    """The cached roster re-verified (and its ETag when it came from roster_url), or None."""
    cached = cache.read()
    if cached is None:
        return None
    try:
        document = _verified(cached.data, expect, source=f"the cache ({cache.folder})", now=now)
    except VerificationError as error:
        ctx.output.warn(f"ignoring the cached roster: {error.message}")
        return None
    etag = cached.etag if cached.url == expect.location else None
    return _Cached(document, cached.data, etag)


def _verified(
    data: bytes, expect: _Expectations, *, source: str, now: datetime
) -> Roster | RosterIndex:
    """Signature by a trusted key, the organisation, and not from the future: else exit 5."""
    roster = open_roster(data, expect.trusted, source=source)
    if roster.start_url.rstrip("/").lower() != expect.start_url.rstrip("/").lower():
        raise VerificationError(
            f"The subscription roster from {source} belongs to another organisation "
            f"(start URL {roster.start_url}, ours is {expect.start_url}).",
            hint="Check subscription.roster_url and identity_center.start_url.",
            code="roster-other-organisation",
        )
    if expect.instance_arn and roster.instance_arn != expect.instance_arn:
        raise VerificationError(
            f"The subscription roster from {source} is for IAM Identity Center instance "
            f"{roster.instance_arn}, not ours ({expect.instance_arn}).",
            code="roster-other-organisation",
        )
    if roster.issued_at > now + CLOCK_SKEW:
        # Never cached: a roster from the future would make every correct one look like a replay.
        raise VerificationError(
            f"The subscription roster from {source} was issued "
            f"{format_timestamp(roster.issued_at)}, more than {CLOCK_SKEW.seconds // 60} "
            f"minutes after this machine's clock ({format_timestamp(now)}).",
            hint="Check this machine's clock; if it is right, ask the roster's publisher to "
            "check theirs and publish again.",
            code="roster-future",
        )
    return roster


def _effective_expiry(roster: Roster | RosterIndex, max_age: timedelta) -> datetime:
    """The roster's own expiry, cut short by this machine's subscription.max_age_days."""
    return min(roster.expires_at, roster.issued_at + max_age)
