"""identitystore ListUsers and ListGroupMemberships served straight from moto's store.

moto rebuilds every user as a dict for each page (~110 ms a page at 10,000 users), so a
benchmark would measure moto. Answering from the store keeps a page cheap; shapes follow the
identitystore model (unset attributes omitted, as AWS omits them). Filtered requests, and stores
this fake does not know, fall through to moto.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from itertools import islice
from typing import Any

from sandbox.aws.wire import WireRequest, WireResponse, json_error, json_response

OPERATIONS = frozenset({"ListUsers", "ListGroupMemberships"})
MAX_RESULTS = 100
StoreLookup = Callable[[str, str, str], Any]  # (account, region, store id) -> IdentityStoreData


class IdentityStoreFake:
    """Answer the identity store's big list calls without moto's per-page rebuild."""

    def __init__(self, lookup_store: StoreLookup) -> None:
        """Bind the way to find moto's store for an account and region."""
        self._lookup_store = lookup_store
        # Memberships by group, rebuilt when the store's memberships change (scanning 100,000
        # memberships for each page would make a benchmark measure this fake).
        self._by_group: dict[int, tuple[tuple[int, str | None], dict[str, list[Any]]]] = {}

    def handle(
        self, request: WireRequest, operation: str, account_id: str, region: str
    ) -> WireResponse | None:
        """Answer one of OPERATIONS, or None to let moto answer."""
        body = _plain_list_body(request) if operation in OPERATIONS else None
        store = None
        if body is not None:
            store = self._lookup_store(account_id, region, str(body.get("IdentityStoreId")))
        if body is None or store is None:
            return None
        size = body.get("MaxResults", MAX_RESULTS)
        if not isinstance(size, int) or not 1 <= size <= MAX_RESULTS:
            return json_error(400, "ValidationException", f"MaxResults must be 1..{MAX_RESULTS}.")
        try:
            start = int(base64.urlsafe_b64decode(body["NextToken"])) if "NextToken" in body else 0
        except (ValueError, TypeError):
            return json_error(400, "ValidationException", "Invalid NextToken.")
        if operation == "ListUsers":
            key, total = "Users", len(store.users)
            rows = [_user_json(user) for user in islice(store.users.values(), start, start + size)]
        else:
            group_id = body.get("GroupId")
            memberships = self._memberships_by_group(store).get(str(group_id), [])
            key, total, rows = (
                "GroupMemberships",
                len(memberships),
                memberships[start : start + size],
            )
        page: dict[str, Any] = {key: rows}
        if start + size < total:
            page["NextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return json_response(page)

    def _memberships_by_group(self, store: Any) -> dict[str, list[Any]]:
        """The store's memberships grouped by group id, cached until they change."""
        every = store.group_memberships
        version = (len(every), next(reversed(every), None))
        cached = self._by_group.get(id(store))
        if cached is None or cached[0] != version:
            grouped: dict[str, list[Any]] = {}
            for membership in every.values():
                grouped.setdefault(str(membership["GroupId"]), []).append(membership)
            cached = (version, grouped)
            self._by_group[id(store)] = cached
        return cached[1]


def _plain_list_body(request: WireRequest) -> dict[str, Any] | None:
    """The JSON body of an unfiltered list request, or None for anything moto should answer."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("Filters"):
        return None
    return body


def _user_json(user: Any) -> dict[str, Any]:
    """moto's User named tuple as the API shows it: unset attributes left out."""
    shown = {name: value for name, value in user._asdict().items() if value is not None}
    if "Name" in shown:
        shown["Name"] = {k: v for k, v in user.Name._asdict().items() if v is not None}
    return shown
