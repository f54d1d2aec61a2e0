"""Seed IDC instances and the identity store straight into moto's in-process backends.

Going around HTTP is what makes 10,000 users seed in well under a second: moto's own
create_user scans every user for a duplicate name, which is quadratic over HTTP or not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sandbox.aws.scenario import (
    ACCOUNT_IDENTITY_STORE,
    MANAGEMENT_ACCOUNT,
    ORGANIZATION_IDENTITY_STORE,
    SHARED_ACCOUNT,
    Scenario,
)
from sandbox.aws.sso_fake import IdcInstance

# Stable ids, so the same scenario always yields the same user and group ids.
ID_NAMESPACE = uuid.UUID("6f1d7c52-4b7e-4c1e-9a51-6b69726f0000")


@dataclass
class Directory:
    """What was seeded: user name -> id, group name -> id, group name -> member user names."""

    user_ids: dict[str, str] = field(default_factory=dict)
    group_ids: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)


def align_moto_instances(scenario: Scenario, instances: dict[str, list[IdcInstance]]) -> None:
    """Make moto's own sso-admin instances match what the front shows, for moto's other calls."""
    from moto.backends import get_backend
    from moto.ssoadmin.models import Instance

    backends = get_backend("sso-admin")
    for account_id, visible in instances.items():
        moto_instances = []
        for wanted in visible:
            instance = Instance(wanted.owner_account_id, wanted.region)
            instance.instance_arn = wanted.arn
            instance.identity_store_id = wanted.identity_store_id
            instance.name = wanted.name
            instance.created_date = wanted.created
            moto_instances.append(instance)
        backends[account_id][scenario.idc_region].instances = moto_instances


def seed_directory(scenario: Scenario) -> Directory:
    """Fill the organisation's identity store; both accounts read the same store object."""
    from moto.backends import get_backend
    from moto.identitystore.models import IdentityStoreData

    store = IdentityStoreData()
    directory = Directory()
    for group_name in scenario.group_names():
        directory.group_ids[group_name] = _add_group(store, group_name)
        directory.members[group_name] = []
    for person in scenario.directory():
        user_id = _add_user(store, person.user_name, person.display_name, person.email)
        directory.user_ids[person.user_name] = user_id
        for group_name in person.groups:
            membership_id = str(uuid.uuid5(ID_NAMESPACE, f"m/{group_name}/{person.user_name}"))
            store.group_memberships[membership_id] = {
                "IdentityStoreId": ORGANIZATION_IDENTITY_STORE,
                "MembershipId": membership_id,
                "GroupId": directory.group_ids[group_name],
                "MemberId": {"UserId": user_id},
            }
            directory.members[group_name].append(person.user_name)
    backends = get_backend("identitystore")
    # The member account reads the organisation's directory (FACTS §3); moto keeps stores per
    # account, so both accounts get the same object and see each other's writes.
    for account_id in (MANAGEMENT_ACCOUNT, SHARED_ACCOUNT):
        backends[account_id][scenario.idc_region].identity_stores[ORGANIZATION_IDENTITY_STORE] = (
            store
        )
    if scenario.instance_kind == "account":
        member = backends[SHARED_ACCOUNT][scenario.idc_region]
        member.identity_stores[ACCOUNT_IDENTITY_STORE] = IdentityStoreData()
    return directory


def find_store(scenario: Scenario, instances: dict[str, list[IdcInstance]], arn: str) -> Any:
    """Return moto's IdentityStoreData behind an instance ARN, or None if no such instance."""
    from moto.backends import get_backend

    for visible in instances.values():
        for instance in visible:
            if instance.arn == arn:
                backend = get_backend("identitystore")[instance.owner_account_id][instance.region]
                return backend.identity_stores.get(instance.identity_store_id)
    return None


def _add_group(store: Any, name: str) -> str:
    """Insert one group without moto's per-insert duplicate scan."""
    from moto.identitystore.models import Group

    group_id = str(uuid.uuid5(ID_NAMESPACE, f"g/{name}"))
    store.groups[group_id] = Group(
        group_id, name, [], f"{name} (seeded)", ORGANIZATION_IDENTITY_STORE
    )
    return group_id


def _add_user(store: Any, user_name: str, display_name: str, email: str) -> str:
    """Insert one user with a primary work email, fields in moto's User order."""
    from moto.identitystore.models import Name, User

    user_id = str(uuid.uuid5(ID_NAMESPACE, f"u/{user_name}"))
    given, _, family = display_name.partition(" ")
    name = Name(display_name, family or given, given, None, None, None)
    emails: list[dict[str, Any]] = [{"Value": email, "Type": "work", "Primary": True}]
    # Unset attributes are None, as moto's own create_user leaves them.
    unset: dict[str, Any] = dict.fromkeys(
        ("NickName", "ProfileUrl", "Addresses", "PhoneNumbers", "UserType", "Title"), None
    )
    unset |= dict.fromkeys(("PreferredLanguage", "Locale", "Timezone"), None)
    store.users[user_id] = User(
        UserId=user_id,
        IdentityStoreId=ORGANIZATION_IDENTITY_STORE,
        UserName=user_name,
        Name=name,
        DisplayName=display_name,
        Emails=emails,
        **unset,
    )
    return user_id
