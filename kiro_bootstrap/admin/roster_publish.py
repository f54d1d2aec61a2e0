"""Build the signed roster from `[[assignments]]` and the directory, and report on it.

Names never leave this module in the clear: the roster holds salted hashes only, and the
dry-run report holds counts only. The cross-check names users, for the administrator's eyes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.admin.directory import DirectoryUser, Unresolved
from kiro_bootstrap.admin.identity_center import IdcInstance
from kiro_bootstrap.errors import ConfigError, VerificationError
from kiro_bootstrap.roster.model import (
    Roster,
    RosterHeader,
    Subscriber,
    build_roster,
    format_timestamp,
)
from kiro_bootstrap.roster.roster_set import RosterSet, build_roster_set
from kiro_bootstrap.roster.signing import key_id_of, peek_roster, public_key_text, seal_roster
from kiro_bootstrap.settings.model import PLANS, Settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# Warn when the live roster has less than this share of its validity left: a schedule that
# publishes daily with a week's validity never trips it; one that stopped days ago does.
EXPIRY_WARNING_SHARE = 1 / 3


@dataclass(frozen=True)
class LiveRoster:
    """The roster now at the destination, as far as it can be read without trusting it."""

    issued_at: datetime
    expires_at: datetime
    key_id: str
    warning: str | None


@dataclass(frozen=True)
class Difference:
    """One user whose plan differs between the roster and list-user-subscriptions."""

    user_name: str
    roster_plan: str | None
    live_plan: str | None


def plan_counts(plans: Mapping[str, tuple[DirectoryUser, str]]) -> dict[str, int]:
    """Users per plan, every plan listed (a dry run prints only these)."""
    counted = Counter(plan for _user, plan in plans.values())
    return {plan: counted.get(plan, 0) for plan in PLANS}


def roster_header(settings: Settings, instance: IdcInstance, now: datetime) -> RosterHeader:
    """This organisation's roster header for a publish at `now`."""
    return RosterHeader(
        start_url=_start_url(settings),
        instance_arn=instance.instance_arn,
        profile_region=settings.kiro.profile_region,
        issued_at=now,
        valid_for=timedelta(days=settings.subscription.max_age_days),
    )


def _subscribers(plans: Mapping[str, tuple[DirectoryUser, str]]) -> Iterator[Subscriber]:
    return (Subscriber(user.user_name, user.emails, plan) for user, plan in plans.values())


def build_signed_set(
    plans: Mapping[str, tuple[DirectoryUser, str]],
    settings: Settings,
    instance: IdcInstance,
    key: Ed25519PrivateKey,
    now: datetime,
) -> RosterSet:
    """The sharded roster for these users: index, shards and proof pages, signed."""
    return build_roster_set(_subscribers(plans), roster_header(settings, instance, now), key=key)


def build_signed_roster(
    plans: Mapping[str, tuple[DirectoryUser, str]],
    settings: Settings,
    instance: IdcInstance,
    key: Ed25519PrivateKey,
    now: datetime,
) -> tuple[Roster, bytes]:
    """A fresh single-document roster (new salt) for these users, and its signed envelope."""
    roster = build_roster(
        _subscribers(plans),
        roster_header(settings, instance, now),
        key_id=key_id_of(key.public_key()),
    )
    return roster, seal_roster(roster, key)


def untrusted_key_warning(key: Ed25519PrivateKey, settings: Settings) -> str | None:
    """Say so when workstations configured like this one would reject the key."""
    text = public_key_text(key.public_key())
    configured = [item.strip() for item in settings.subscription.public_keys]
    if text in configured:
        return None
    return (
        f"the signing key {key_id_of(key.public_key())} is not in this config's "
        f"subscription.public_keys: workstations reject its rosters until it is ({text})"
    )


def inspect_live(data: bytes | None, where: str, now: datetime) -> LiveRoster | None:
    """Read the published roster's dates and warn when it is (nearly) expired."""
    if data is None:
        return None
    try:
        live = peek_roster(data, source=where)
    except VerificationError as error:
        raise ConfigError(
            f"{where} holds something that is not a roster; refusing to replace it "
            f"({error.message})",
            hint="Choose another --dest, or remove that file yourself if it is really unused.",
        ) from None
    left = live.expires_at - now
    validity = live.expires_at - live.issued_at
    warning = None
    if left <= timedelta(0):
        warning = (
            f"the live roster at {where} expired on {format_timestamp(live.expires_at)}: "
            "workstations cannot confirm subscriptions; check the publishing schedule"
        )
    elif left < validity * EXPIRY_WARNING_SHARE:
        warning = (
            f"the live roster at {where} expires on {format_timestamp(live.expires_at)} "
            f"(in {_duration(left)}): check the publishing schedule"
        )
    return LiveRoster(live.issued_at, live.expires_at, live.key_id, warning)


def cross_check(
    plans: Mapping[str, tuple[DirectoryUser, str]], live_rows: Iterable[Mapping[str, Any]]
) -> list[Difference]:
    """Users whose roster plan and list-user-subscriptions plan differ, by user name."""
    roster = {user_id: (user.user_name, plan) for user_id, (user, plan) in plans.items()}
    live = {
        str(row.get("user_id")): (str(row.get("user_name")), row.get("plan")) for row in live_rows
    }
    differences = []
    for user_id in sorted(roster.keys() | live.keys()):
        name, roster_plan = roster.get(user_id, (live.get(user_id, ("", None))[0], None))
        live_plan = live.get(user_id, (name, None))[1]
        if roster_plan != live_plan:
            differences.append(
                Difference(name, roster_plan, None if live_plan is None else str(live_plan))
            )
    return sorted(differences, key=lambda difference: difference.user_name)


def _start_url(settings: Settings) -> str:
    start_url = settings.identity_center.start_url
    if not start_url:
        raise ConfigError(
            "identity_center.start_url is not set: workstations match the roster to the "
            "organisation by it.",
            hint="Set [identity_center] start_url to the AWS access portal URL.",
        )
    return start_url


def describe_unresolved(unresolved: Iterable[Unresolved]) -> list[str]:
    """One line per assignment the directory does not know, with a "did you mean"."""
    return [
        f"{item.kind} {item.name!r} is not in the directory"
        + (f" (did you mean {item.nearest!r}?)" if item.nearest else "")
        for item in unresolved
    ]


def _duration(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"
