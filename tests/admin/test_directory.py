"""Assignment resolution: paginated, batched, and clear about names that do not resolve."""

from __future__ import annotations

import math

import pytest

from kiro_bootstrap.admin.directory import highest_plans, resolve_assignments
from kiro_bootstrap.admin.identity_center import find_instance
from kiro_bootstrap.aws.session import AwsClients, resolve_aws_settings
from kiro_bootstrap.errors import AwsPreconditionError
from kiro_bootstrap.settings.model import Assignment, Settings
from sandbox.aws import Person, Scenario
from tests.admin.harness import HEALTHY, IDC


def clients_for(aws) -> AwsClients:
    """AwsClients on the LocalAws's session, as the CLI would build them."""
    config = resolve_aws_settings(Settings(), {"AWS_REGION": "us-east-1"})
    return AwsClients(aws.session, config, account_id=aws.account_id())


def settings() -> Settings:
    """Settings pointing at the IDC region."""
    return Settings(identity_center={"region": IDC})


def test_2500_users_in_30_groups_resolve_in_few_paginated_calls(aws) -> None:
    aws.reset(Scenario(users=2_500, groups=30))
    clients = clients_for(aws)
    instance = find_instance(clients, settings())
    groups = [Assignment(group=f"group-{i:02d}", plan="pro") for i in range(1, 31)]
    aws.reset_calls()
    resolved = resolve_assignments(clients, instance, groups)
    assert sum(len(a.members) for a in resolved) == 2_500
    assert resolved[16].members == tuple(sorted(resolved[16].members, key=lambda u: u.user_name))
    assert aws.calls[("identitystore", "ListUsers")] == 25
    assert aws.calls[("identitystore", "ListGroups")] == 1
    pages = sum(math.ceil(len(m) / 100) for m in aws.directory.members.values())
    assert aws.calls[("identitystore", "ListGroupMemberships")] == pages
    assert sum(aws.calls.values()) <= 2_500 // 100 + 30 * 3 + 20
    assert not [op for (_, op) in aws.calls if op in ("DescribeUser", "GetUserId", "GetGroupId")]


def test_users_match_by_name_or_email_and_the_highest_plan_wins(aws) -> None:
    ada = Person("ada", "Ada Lovelace", "Ada@Example.com", groups=("devs", "leads"))
    bob = Person("bob", "Bob Byte", "bob@example.com", groups=("devs",))
    aws.reset(Scenario(people=(ada, bob)))
    clients = clients_for(aws)
    instance = find_instance(clients, settings())
    resolved = resolve_assignments(
        clients,
        instance,
        [
            Assignment(group="devs", plan="pro"),
            Assignment(group="leads", plan="pro-plus"),
            Assignment(user="ada@example.com", plan="power"),
        ],
    )
    assert [(a.principal_type, a.name, len(a.members)) for a in resolved] == [
        ("GROUP", "devs", 2), ("GROUP", "leads", 1), ("USER", "ada", 1),
    ]  # fmt: skip
    plans = {user.user_name: plan for user, plan in highest_plans(resolved).values()}
    assert plans == {"ada": "power", "bob": "pro"}
    assert resolved[2].members[0].emails == ("Ada@Example.com",)


def test_names_that_do_not_resolve_are_all_named(aws) -> None:
    aws.reset(HEALTHY)
    clients = clients_for(aws)
    instance = find_instance(clients, settings())
    wanted = [Assignment(group="ghosts", plan="pro"), Assignment(user="casper", plan="pro")]
    with pytest.raises(AwsPreconditionError) as missing:
        resolve_assignments(clients, instance, wanted)
    assert "group 'ghosts'" in missing.value.message
    assert "user 'casper'" in missing.value.message
    assert instance.identity_store_id in missing.value.message
