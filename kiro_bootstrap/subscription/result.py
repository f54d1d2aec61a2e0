"""The outcome of one confirmation, and the record `status` reads back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from kiro_bootstrap.files import write_json
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.paths import Paths
from kiro_bootstrap.roster.model import format_timestamp, parse_timestamp
from kiro_bootstrap.subscription.storage import FOLDER_MODE, PUBLIC_MODE, state_dirs

RESULT_FILE = "last-result.json"
Source = Literal["network", "not-modified", "file", "cache"]


@dataclass(frozen=True)
class SubscriptionResult:
    """Whether `user` holds a plan, according to which roster."""

    user: str
    plan: str | None
    source: Source
    issued_at: datetime
    expires_at: datetime  # the earlier of the roster's own expiry and max_age_days
    checked_at: datetime
    request_url: str | None = None
    note: str | None = None  # e.g. "offline: using the cached roster"
    looked_up: tuple[str, ...] = ()  # this person's normalised names, never the roster's

    @property
    def subscribed(self) -> bool:
        """The user holds some plan."""
        return self.plan is not None

    def to_json(self) -> dict[str, Any]:
        """JSON fields for `--json` output and the status record."""
        return {
            "user": self.user,
            "subscribed": self.subscribed,
            "plan": self.plan,
            "source": self.source,
            "roster_issued_at": format_timestamp(self.issued_at),
            "roster_expires_at": format_timestamp(self.expires_at),
            "checked_at": format_timestamp(self.checked_at),
            "request_url": self.request_url,
            "note": self.note,
            "looked_up": list(self.looked_up),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubscriptionResult:
        """Read a record written by to_json; ValueError/KeyError when it is not one."""
        return cls(
            user=str(data["user"]),
            plan=None if data["plan"] is None else str(data["plan"]),
            source=data["source"],
            issued_at=parse_timestamp(data["roster_issued_at"], "roster_issued_at"),
            expires_at=parse_timestamp(data["roster_expires_at"], "roster_expires_at"),
            checked_at=parse_timestamp(data["checked_at"], "checked_at"),
            request_url=data.get("request_url"),
            note=data.get("note"),
            looked_up=tuple(str(item) for item in data.get("looked_up") or ()),
        )


def record_result(result: SubscriptionResult, facts: HostFacts, paths: Paths) -> Path:
    """Remember this result for `status`; returns where it went."""
    path = state_dirs(facts, paths)[0] / RESULT_FILE
    write_json(path, result.to_json(), mode=PUBLIC_MODE, folder_mode=FOLDER_MODE)
    return path


def read_last_result(facts: HostFacts, paths: Paths) -> SubscriptionResult | None:
    """The most recent recorded result (this user's or the system run's), or None."""
    found = []
    for folder in state_dirs(facts, paths):
        try:
            data = json.loads((folder / RESULT_FILE).read_text(encoding="utf-8"))
            found.append(SubscriptionResult.from_json(data))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return max(found, key=lambda result: result.checked_at, default=None)
