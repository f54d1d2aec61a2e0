"""What the local AWS looks like: fixed accounts and credentials, and the knobs a test turns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MANAGEMENT_ACCOUNT = "111111111111"
SHARED_ACCOUNT = "222222222222"
ACCOUNT_IDS: dict[str, str] = {"management": MANAGEMENT_ACCOUNT, "shared": SHARED_ACCOUNT}

AccountName = Literal["management", "shared"]
InstanceKind = Literal["organization", "account", "none"]
KeyType = Literal["AWS_OWNED_KMS_KEY", "CUSTOMER_MANAGED_KEY"]


@dataclass(frozen=True)
class TestCredentials:
    """A fixed access key pair that the front maps to one account."""

    __test__ = False  # a data class, not a pytest test class

    account_id: str
    user_name: str
    access_key_id: str
    secret_access_key: str


CREDENTIALS: dict[str, TestCredentials] = {
    "management": TestCredentials(
        MANAGEMENT_ACCOUNT,
        "kiro-admin",
        "AKIAKIROMGMT00000001",
        "kiroMgmtSecret0000000000000000000000000001",
    ),
    "shared": TestCredentials(
        SHARED_ACCOUNT,
        "kiro-admin",
        "AKIAKIROSHARED000001",
        "kiroSharedSecret00000000000000000000000001",
    ),
}
CREDENTIALS_BY_KEY: dict[str, TestCredentials] = {c.access_key_id: c for c in CREDENTIALS.values()}

# Fixed identifiers, so a demo transcript and a test assertion read the same every run.
ORGANIZATION_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-6684a1b2c3d4e5f6"
ORGANIZATION_IDENTITY_STORE = "d-9767a1b2c3"
ACCOUNT_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-7907f0e1d2c3b4a5"
ACCOUNT_IDENTITY_STORE = "d-9067f0e1d2"
KEY_ADMIN_ROLE = "KiroKeyAdmin"
Q_ROLE = ("AWSServiceRoleForAmazonQDeveloper", "q.amazonaws.com")
SUBSCRIPTIONS_ROLE = ("AWSServiceRoleForUserSubscriptions", "user-subscriptions.amazonaws.com")
VENDOR_STATEMENT_SID = "Allow Kiro to use key via IDC"

# FACTS §3: the Kiro console and profile exist only here (GovCloud left out on purpose).
KIRO_REGIONS = ("us-east-1", "eu-central-1")
# FACTS §3: IDC regions whose users can be subscribed; anything else is treated as opt-in.
SUBSCRIBABLE_IDC_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "sa-east-1",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-north-1",
    }
)
# FACTS §3 calls the plan names [reported]: cheapest first, so a double subscription bills the last.
PLANS = (
    "Q_DEVELOPER_STANDALONE_PRO",
    "Q_DEVELOPER_STANDALONE_PRO_PLUS",
    "Q_DEVELOPER_STANDALONE_POWER",
)


@dataclass(frozen=True)
class Person:
    """One identity store user and the groups (by display name) they belong to."""

    user_name: str
    display_name: str
    email: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """Every knob of the local AWS; the defaults are a healthy organisation."""

    caller: AccountName = "shared"
    default_region: str = "us-east-1"
    idc_region: str = "ap-southeast-2"
    instance_kind: InstanceKind = "organization"
    key_type: KeyType = "AWS_OWNED_KMS_KEY"
    vendor_statement: bool = False
    service_linked_roles: bool = True
    users: int = 12
    groups: int = 3
    people: tuple[Person, ...] | None = None
    kiro_regions: tuple[str, ...] = KIRO_REGIONS
    plans: tuple[str, ...] = PLANS
    # ListUserSubscriptions rows as one public client or the other reads them (see kiro_fake).
    subscription_shape: Literal["nested", "flat"] = "nested"
    # Faults, keyed "service:Operation" as counted, e.g. "kms:GetKeyPolicy" or "q:CreateAssignment".
    deny: frozenset[str] = frozenset()
    # Operations our fakes leave to moto, which answers a bare HTTP 500 for what it lacks
    # (e.g. "sso-admin:DescribeInstance"): a local AWS without that API.
    unimplemented: frozenset[str] = frozenset()
    throttle: dict[str, int] = field(default_factory=dict)
    stall: dict[str, float] = field(default_factory=dict)

    @property
    def caller_account(self) -> str:
        """The account id the default credentials belong to."""
        return ACCOUNT_IDS[self.caller]

    def directory(self) -> tuple[Person, ...]:
        """The people to seed: the explicit list, or generated ones spread over the groups."""
        if self.people is not None:
            return self.people
        group_names = [f"group-{index:02d}" for index in range(1, self.groups + 1)]
        return tuple(
            Person(
                user_name=f"user{index:05d}",
                display_name=f"Test User {index:05d}",
                email=f"user{index:05d}@example.com",
                groups=(group_names[index % len(group_names)],) if group_names else (),
            )
            for index in range(1, self.users + 1)
        )

    def group_names(self) -> tuple[str, ...]:
        """Every group to seed, in a stable order, including empty generated ones."""
        if self.people is None:
            return tuple(f"group-{index:02d}" for index in range(1, self.groups + 1))
        return tuple(dict.fromkeys(name for person in self.people for name in person.groups))
