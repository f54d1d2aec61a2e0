"""Resolve `[[assignments]]` against the identity store, in a few paginated, batched reads.

One paginated list_groups matched locally replaces a lookup per group; one paginated list_users
gives every member's name and email, so no per-user call is ever made.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from kiro_bootstrap.admin.identity_center import IdcInstance
from kiro_bootstrap.aws.session import AwsClients
from kiro_bootstrap.errors import AwsPreconditionError
from kiro_bootstrap.settings.model import PLANS, Assignment

# The identity store's largest page.
PAGE_SIZE = 100
# Threads reading group memberships beside the chain of list_users pages (a pool of the
# client's connections each; see aws.session.CONNECTIONS_PER_CLIENT).
READERS = 8


@dataclass(frozen=True)
class DirectoryUser:
    """One identity store user."""

    user_id: str
    user_name: str
    display_name: str | None
    emails: tuple[str, ...]


@dataclass(frozen=True)
class ResolvedAssignment:
    """An `[[assignments]]` entry with its principal id and the users it subscribes."""

    plan: str
    principal_type: Literal["USER", "GROUP"]
    principal_id: str
    name: str
    members: tuple[DirectoryUser, ...]


@dataclass(frozen=True)
class Unresolved:
    """An `[[assignments]]` entry the directory does not know, and the closest name it does."""

    kind: Literal["group", "user"]
    name: str
    nearest: str | None


def resolve_assignments(
    clients: AwsClients, instance: IdcInstance, assignments: Sequence[Assignment]
) -> list[ResolvedAssignment]:
    """Each assignment's principal id and members; raise naming any that does not resolve."""
    resolved, unresolved = resolve_what_exists(clients, instance, assignments)
    if unresolved:
        missing = [f"{item.kind} {item.name!r}" for item in unresolved]
        raise AwsPreconditionError(
            f"Not found in identity store {instance.identity_store_id} ({instance.region}): "
            f"{', '.join(missing)}.",
            hint="Fix the names in [[assignments]] (group display names, user names or emails).",
        )
    return resolved


def resolve_what_exists(
    clients: AwsClients, instance: IdcInstance, assignments: Sequence[Assignment]
) -> tuple[list[ResolvedAssignment], list[Unresolved]]:
    """The assignments that resolve, and the ones that do not (each with the nearest name)."""
    if not assignments:
        return [], []
    wanted_groups = {a.group for a in assignments if a.group is not None}
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        # list_users is one chain of pages; the groups' memberships are read beside it.
        every_user = pool.submit(lambda: list(list_users(clients, instance)))
        all_groups = _group_ids(clients, instance) if wanted_groups else {}
        group_ids = {name: all_groups[name] for name in wanted_groups if name in all_groups}
        ids = sorted(set(group_ids.values()))
        member_ids = dict(
            zip(ids, pool.map(partial(_member_ids, clients, instance), ids), strict=True)
        )
        users = {user.user_id: user for user in every_user.result()}
    by_name = _index_users(users.values())
    unresolved = [
        Unresolved("group", name, _nearest(name, all_groups))
        for name in sorted(wanted_groups - group_ids.keys())
    ]
    unresolved += sorted(
        (
            Unresolved("user", a.user, _nearest(a.user.lower(), by_name))
            for a in assignments
            if a.user is not None and a.user.lower() not in by_name
        ),
        key=lambda item: item.name,
    )
    members = {group_id: _members(found, users) for group_id, found in member_ids.items()}
    resolved = []
    for assignment in assignments:
        if assignment.group is not None and assignment.group in group_ids:
            group_id = group_ids[assignment.group]
            resolved.append(
                ResolvedAssignment(
                    assignment.plan, "GROUP", group_id, assignment.group, members[group_id]
                )
            )
        elif assignment.user is not None and assignment.user.lower() in by_name:
            user = by_name[assignment.user.lower()]
            resolved.append(
                ResolvedAssignment(assignment.plan, "USER", user.user_id, user.user_name, (user,))
            )
    return resolved, unresolved


def _nearest(name: str, known: Iterable[str]) -> str | None:
    """The closest known name (difflib), for a "did you mean" next to an unresolved one."""
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def highest_plans(resolved: Sequence[ResolvedAssignment]) -> dict[str, tuple[DirectoryUser, str]]:
    """user_id → (user, plan): a user reached twice is billed the highest tier (FACTS §3)."""
    plans: dict[str, tuple[DirectoryUser, str]] = {}
    for assignment in resolved:
        for user in assignment.members:
            current = plans.get(user.user_id)
            if current is None or PLANS.index(assignment.plan) > PLANS.index(current[1]):
                plans[user.user_id] = (user, assignment.plan)
    return plans


def _group_ids(clients: AwsClients, instance: IdcInstance) -> dict[str, str]:
    """Display name → group id for every group, from one paginated list_groups."""
    found: dict[str, str] = {}
    for page in _pages(clients, instance, "list_groups"):
        for group in page.get("Groups", []):
            name = group.get("DisplayName")
            if isinstance(name, str):
                found[name] = str(group["GroupId"])
    return found


def list_users(clients: AwsClients, instance: IdcInstance) -> Iterator[DirectoryUser]:
    """Every user of the store, from one paginated list_users (a few calls for 10,000 users)."""
    for page in _pages(clients, instance, "list_users"):
        for user in page.get("Users", []):
            emails = tuple(
                str(email["Value"])
                for email in sorted(user.get("Emails") or [], key=lambda e: not e.get("Primary"))
                if email.get("Value")
            )
            yield DirectoryUser(
                str(user["UserId"]), str(user["UserName"]), user.get("DisplayName"), emails
            )


def _index_users(users: Any) -> dict[str, DirectoryUser]:
    """Lower-cased user name and every email → user; a user name wins over someone's email."""
    index: dict[str, DirectoryUser] = {}
    for user in users:
        for email in user.emails:
            index.setdefault(email.lower(), user)
    for user in users:
        index[user.user_name.lower()] = user
    return index


def _member_ids(clients: AwsClients, instance: IdcInstance, group_id: str) -> list[str]:
    """The user ids of the group's direct members (nested groups are not members)."""
    return [
        str(membership["MemberId"]["UserId"])
        for page in _pages(clients, instance, "list_group_memberships", GroupId=group_id)
        for membership in page.get("GroupMemberships", [])
        if membership.get("MemberId", {}).get("UserId") is not None
    ]


def _members(user_ids: Iterable[str], users: dict[str, DirectoryUser]) -> tuple[DirectoryUser, ...]:
    """Those users, in user name order; one created since list_users ran is kept by id."""
    members = [
        users.get(user_id) or DirectoryUser(user_id, user_id, None, ()) for user_id in user_ids
    ]
    return tuple(sorted(members, key=lambda user: user.user_name))


def _pages(
    clients: AwsClients, instance: IdcInstance, operation: str, **params: Any
) -> Iterator[dict[str, Any]]:
    """Pages of an identity store list call, at the largest page size."""
    return clients.pages(
        "identitystore",
        operation,
        instance.region,
        IdentityStoreId=instance.identity_store_id,
        PaginationConfig={"PageSize": PAGE_SIZE},
        **params,
    )
