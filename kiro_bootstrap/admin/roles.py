"""The two service-linked roles Kiro needs in the account that holds the Kiro profile."""

from __future__ import annotations

from dataclasses import dataclass

from kiro_bootstrap.aws.session import AwsClients


@dataclass(frozen=True)
class ServiceLinkedRole:
    """A service-linked role: its real name and the service that owns it (FACTS §3)."""

    name: str
    service: str

    @property
    def path_prefix(self) -> str:
        """Where IAM keeps it: found by path, since the role name is the service's to choose."""
        return f"/aws-service-role/{self.service}/"


SERVICE_LINKED_ROLES = (
    ServiceLinkedRole("AWSServiceRoleForAmazonQDeveloper", "q.amazonaws.com"),
    ServiceLinkedRole("AWSServiceRoleForUserSubscriptions", "user-subscriptions.amazonaws.com"),
)


def find_missing_roles(clients: AwsClients) -> list[ServiceLinkedRole]:
    """The service-linked roles that do not exist yet in the caller's account."""
    missing = []
    for role in SERVICE_LINKED_ROLES:
        pages = clients.pages("iam", "list_roles", PathPrefix=role.path_prefix)
        if not any(page.get("Roles") for page in pages):
            missing.append(role)
    return missing


def create_role(clients: AwsClients, role: ServiceLinkedRole) -> None:
    """Create one service-linked role (iam:CreateServiceLinkedRole)."""
    clients.call("iam", "create_service_linked_role", AWSServiceName=role.service)
