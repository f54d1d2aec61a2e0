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
from kiro_bootstrap.roster.model import Roster, format_timestamp
from kiro_bootstrap.roster.normalise import workstation_identifiers
from kiro_bootstrap.roster.signing import open_roster, trusted_keys
from kiro_bootstrap.subscription.cache import RosterCache
from kiro_bootstrap.subscription.result import Source, SubscriptionResult
from kiro_bootstrap.subscription.source import Fetched, fetch_roster, is_url, read_local
from kiro_bootstrap.subscription.storage import cache_dir
from kiro_bootstrap.subscription.token import load_token

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


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
    now = ctx.env.clock()
    cache = RosterCache(cache_dir(ctx.facts, ctx.paths))
    cached = _usable_cache(ctx, cache, expect)
    roster, source, note = _current_roster(ctx, expect, cache, cached, now)
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
    plan = roster.plan_for(workstation_identifiers(name, ctx.settings.subscription.email_domain))
    return SubscriptionResult(
        user=name,
        plan=plan,
        source=source,
        issued_at=roster.issued_at,
        expires_at=expires_at,
        checked_at=now,
        request_url=ctx.settings.subscription.request_url,
        note=note,
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


def _current_roster(
    ctx: Context,
    expect: _Expectations,
    cache: RosterCache,
    cached: tuple[Roster, str | None] | None,
    now: datetime,
) -> tuple[Roster, Source, str | None]:
    """A fresh verified roster, or the cached one when offline or unreachable (and says so)."""
    if ctx.options.offline:
        return _fall_back(cached, "offline (--offline)")
    try:
        fetched = _fetch(ctx, expect.location, cached)
    except UnavailableError as error:
        reason = error.message.rstrip(".")
        return _fall_back(cached, f"unreachable ({reason[:1].lower()}{reason[1:]})")
    if fetched.data is None and cached is not None:
        return cached[0], "not-modified", None
    data = fetched.data or b""
    roster = _verified(data, expect, source=expect.location)
    if cached is not None and roster.issued_at < cached[0].issued_at:
        raise VerificationError(
            f"The subscription roster at {expect.location} was issued "
            f"{format_timestamp(roster.issued_at)}, before the one this machine already has "
            f"({format_timestamp(cached[0].issued_at)}): refusing an older roster.",
            hint="Someone may be replaying an old roster; ask its publisher to publish again.",
            code="roster-rollback",
        )
    if now < _effective_expiry(roster, expect.max_age):
        cache.store(data, expect.location, fetched.etag, now)
    return roster, "network" if is_url(expect.location) else "file", None


def _fetch(ctx: Context, location: str, cached: tuple[Roster, str | None] | None) -> Fetched:
    if not is_url(location):
        return read_local(location)
    from kiro_bootstrap.net.client import build_http_client

    token = load_token(ctx.facts, ctx.paths, ctx.env.keyring)
    etag = cached[1] if cached is not None else None
    with build_http_client(ctx.settings, ctx.facts) as client:
        return fetch_roster(client, location, etag=etag, token=token)


def _fall_back(
    cached: tuple[Roster, str | None] | None, reason: str
) -> tuple[Roster, Source, str | None]:
    if cached is None:
        raise UnavailableError(
            f"Cannot confirm the subscription: {reason}, and no roster is cached on this machine.",
            hint="Retry when the network (or the file share) is reachable.",
            code="roster-unavailable",
        )
    return cached[0], "cache", f"{reason}: using the cached roster"


def _usable_cache(
    ctx: Context, cache: RosterCache, expect: _Expectations
) -> tuple[Roster, str | None] | None:
    """The cached roster re-verified (and its ETag when it came from roster_url), or None."""
    cached = cache.read()
    if cached is None:
        return None
    try:
        roster = _verified(cached.data, expect, source=f"the cache ({cache.folder})")
    except VerificationError as error:
        ctx.output.warn(f"ignoring the cached roster: {error.message}")
        return None
    return roster, cached.etag if cached.url == expect.location else None


def _verified(data: bytes, expect: _Expectations, *, source: str) -> Roster:
    """Signature by a trusted key, then the organisation: anything else is exit 5."""
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
    return roster


def _effective_expiry(roster: Roster, max_age: timedelta) -> datetime:
    """The roster's own expiry, cut short by this machine's subscription.max_age_days."""
    return min(roster.expires_at, roster.issued_at + max_age)
