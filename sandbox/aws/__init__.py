"""A local AWS on loopback for tests, the sandbox demo and benchmarks: moto plus fakes.

    with LocalAws(Scenario(key_type="CUSTOMER_MANAGED_KEY", users=200)) as aws:
        env = aws.env()                      # for a CLI subprocess
        sso = aws.session().client("sso-admin", region_name=aws.scenario.idc_region)
        aws.reset(Scenario(instance_kind="account"))   # switch scenario in ~0.2 s
        assert aws.calls[("sso-admin", "ListInstances")] == 0

moto's state is process-global, so one LocalAws runs per process at a time; share one per test
module and call reset(scenario) between tests. Nothing here ever names a real AWS endpoint.
"""

from __future__ import annotations

from sandbox.aws.kiro_state import Assignment, KiroState, Profile
from sandbox.aws.scenario import (
    ACCOUNT_IDS,
    CREDENTIALS,
    KIRO_REGIONS,
    MANAGEMENT_ACCOUNT,
    PLANS,
    SHARED_ACCOUNT,
    Person,
    Scenario,
    TestCredentials,
)
from sandbox.aws.server import LocalAws

__all__ = [
    "ACCOUNT_IDS",
    "CREDENTIALS",
    "KIRO_REGIONS",
    "MANAGEMENT_ACCOUNT",
    "PLANS",
    "SHARED_ACCOUNT",
    "Assignment",
    "KiroState",
    "LocalAws",
    "Person",
    "Profile",
    "Scenario",
    "TestCredentials",
]
