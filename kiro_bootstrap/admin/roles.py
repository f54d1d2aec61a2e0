"""The two service-linked roles Kiro needs in the account that holds the Kiro profile."""

from __future__ import annotations

from dataclasses import dataclass

from kiro_bootstrap.aws.errors import AwsCallError
from kiro_bootstrap.aws.session import AwsClients

NO_SUCH_ENTITY = "NoSuchEntity"


@dataclass(frozen=True)
class ServiceLinkedRole:
    """A service-linked role: its real name and the service that owns it (FACTS §3)."""

    name: str
    service: str


SERVICE_LINKED_ROLES = (
    ServiceLinkedRole("AWSServiceRoleForAmazonQDeveloper", "q.amazonaws.com"),
    ServiceLinkedRole("AWSServiceRoleForUserSubscriptions", "user-subscriptions.amazonaws.com"),
)


def find_missing_roles(clients: AwsClients) -> list[ServiceLinkedRole]:
    """The service-linked roles that do not exist yet in the caller's account (by exact name).

    Not by path: another role under `/aws-service-role/<service>/` is not the one Kiro uses.
    """
    missing = []
    for role in SERVICE_LINKED_ROLES:
        try:
            clients.call("iam", "get_role", RoleName=role.name)
        except AwsCallError as error:
            if error.code != NO_SUCH_ENTITY:
                raise
            missing.append(role)
    return missing


def create_role(clients: AwsClients, role: ServiceLinkedRole) -> None:
    """Create one service-linked role (iam:CreateServiceLinkedRole)."""
    clients.call("iam", "create_service_linked_role", AWSServiceName=role.service)
