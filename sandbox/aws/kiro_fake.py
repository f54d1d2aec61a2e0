"""A strict fake of Kiro's undocumented control-plane endpoints (FACTS §3).

Requests are JSON 1.0 over SigV4, routed by `X-Amz-Target`. The fake re-signs each request with
the known test secret and rejects a wrong signing name, region, date, body or target the way AWS
would (`InvalidSignatureException`, `UnknownOperationException`, `ValidationException`).

Response shapes below are OUR GUESS, NOT AWS'S DOCUMENTED SHAPE (none is published):

- `AWSCodeWhispererService.ListProfiles` `{maxResults?, nextToken?}` ->
  `{"profiles": [{"arn", "profileName", "description", "status": "ACTIVE", "region", "createdAt",
  "identityDetails": {"ssoIdentityDetails": {"instanceArn", "ssoRegion"}}}]}` (caller's account and
  the signed region only; never paginated).
- `AWSCodeWhispererService.CreateProfile` `{profileName, identitySource: {ssoIdentitySource:
  {instanceArn, ssoRegion}}, description?, clientToken?, referenceTrackerConfiguration?,
  kmsKeyArn?, tags?}` -> `{"profileArn": "arn:aws:codewhisperer:<region>:<account>:profile/<id>"}`
  (the id is 12 characters); a second
  profile in the same account and region -> 409 `ConflictException` (same clientToken: the first
  answer again). `ssoRegion` is required here because public clients send it (FACTS §5, [3P]);
  where it sits in the body is our guess (beside `instanceArn`, as ListProfiles shows it back).
- `AmazonQDeveloperService.CreateAssignment` / `UpdateAssignment` `{principalId, principalType:
  USER|GROUP, subscriptionType}` and `DeleteAssignment` `{principalId, principalType,
  subscriptionType?}` -> `{}`. Create on an existing principal -> 409 `ConflictException` (whatever
  its plan); update/delete of a missing one -> 404 `ResourceNotFoundException`; no profile in that
  account and region -> 404; IDC in an opt-in region -> 400 `ValidationException`.
- `AWSZornControlPlaneService.ListUserSubscriptions` `{instanceArn, subscriptionRegion,
  maxResults?, nextToken?}`, signed for the **IDC region** (subscriptions are stored there [vendor:
  user-subscriptions concepts]; public clients call it there with the Kiro profile region as
  `subscriptionRegion` [3P], FACTS §5). Signed for another region it answers an empty list (our
  guess; the old client's mistake then "lists nothing", as reported). Rows carry the field names
  public clients read [3P]: `Scenario.subscription_shape = "nested"` gives
  `{"principal": {"user": <id>}, "type": {"amazonQ": <plan>}, "activatedType": {"amazonQ":
  <plan>}, "status": "ACTIVE"}`, `"flat"` gives `{"principalId", "subscriptionType", "status"}`;
  one client reads one shape, another the other, so the tool must read both. No user names, and
  nothing about which assignment granted a subscription. Caller's account only, `nextToken` pages.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from sandbox.aws.kiro_state import (
    Assignment,
    KiroState,
    Profile,
    expand_subscriptions,
    profile_arn,
)
from sandbox.aws.kiro_wire import KiroError, page_of, parse_body
from sandbox.aws.principals import find_principal
from sandbox.aws.scenario import SUBSCRIBABLE_IDC_REGIONS, Scenario
from sandbox.aws.sigv4 import SignatureError, verify_signature
from sandbox.aws.wire import WireRequest, WireResponse, json_error, json_response

JSON_10 = "application/x-amz-json-1.0"
# Target -> the signing name its endpoint expects (FACTS §3).
TARGETS = {
    "AWSCodeWhispererService.ListProfiles": "codewhisperer",
    "AWSCodeWhispererService.CreateProfile": "codewhisperer",
    "AmazonQDeveloperService.CreateAssignment": "q",
    "AmazonQDeveloperService.UpdateAssignment": "q",
    "AmazonQDeveloperService.DeleteAssignment": "q",
    "AWSZornControlPlaneService.ListUserSubscriptions": "user-subscriptions",
}
PREFIXES = frozenset(target.partition(".")[0] for target in TARGETS)
SIGNING_NAMES = frozenset(TARGETS.values())
StoreLookup = Callable[[str], Any]  # instance ARN -> moto's IdentityStoreData, or None


def is_kiro_request(request: WireRequest) -> bool:
    """Route by target prefix, or by a Kiro signing name so a bad target still gets our error."""
    prefix = (request.header("x-amz-target") or "").partition(".")[0]
    auth = request.authorization
    return prefix in PREFIXES or (auth is not None and auth.service in SIGNING_NAMES)


class KiroFake:
    """Check and answer Kiro control-plane requests against an in-memory KiroState."""

    def __init__(self, scenario: Scenario, lookup_store: StoreLookup) -> None:
        """Bind the scenario (regions, plans) and the way to read an instance's directory."""
        self.state = KiroState()
        self.scenario = scenario
        self._lookup_store = lookup_store
        self._lock = threading.Lock()

    def handle(self, request: WireRequest) -> WireResponse:
        """Answer one request, or the error naming what is wrong with it."""
        try:
            account_id, region, operation, body = self._check(request)
            with self._lock:
                payload = getattr(self, f"_op_{operation}")(account_id, region, body)
        except KiroError as error:
            return json_error(error.status, error.code, error.message, content_type=JSON_10)
        return json_response(payload, content_type=JSON_10)

    def _check(self, request: WireRequest) -> tuple[str, str, str, dict[str, Any]]:
        """Authenticate, then validate target, scope, content type and body shape."""
        auth = request.authorization
        if auth is None:
            raise KiroError(
                403, "MissingAuthenticationTokenException", "Missing Authentication Token"
            )
        principal = find_principal(auth.access_key_id)
        if principal is None:
            raise KiroError(
                403,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        target = request.header("x-amz-target") or ""
        expected_service = TARGETS.get(target)
        if expected_service is None:
            known = ", ".join(sorted(TARGETS))
            raise KiroError(
                400, "UnknownOperationException", f"Unknown target {target!r}; known: {known}"
            )
        if auth.service != expected_service:
            raise KiroError(
                403,
                "InvalidSignatureException",
                f"Credential should be scoped to correct service: '{expected_service}'.",
            )
        allowed = set(self.scenario.kiro_regions)
        if expected_service == "user-subscriptions":
            allowed.add(self.scenario.idc_region)
        if auth.region not in allowed:
            raise KiroError(
                403,
                "InvalidSignatureException",
                f"Credential should be scoped to a valid region, not '{auth.region}'.",
            )
        try:
            verify_signature(request, auth, principal.secret_access_key)
        except SignatureError as problem:
            raise KiroError(403, "InvalidSignatureException", str(problem)) from None
        content_type = (request.header("content-type") or "").split(";")[0].strip()
        if content_type != JSON_10:
            raise KiroError(
                400, "ValidationException", f"Content-Type must be {JSON_10}, not {content_type!r}."
            )
        operation = target.partition(".")[2]
        return principal.account_id, auth.region, operation, parse_body(operation, request.body)

    def _op_ListProfiles(self, account_id: str, region: str, body: dict[str, Any]) -> Any:  # noqa: N802
        """List the caller's profile in the signed region."""
        profile = self.state.profiles.get((account_id, region))
        idc_region = self.scenario.idc_region
        return {"profiles": [] if profile is None else [profile.to_json(idc_region)]}

    def _op_CreateProfile(self, account_id: str, region: str, body: dict[str, Any]) -> Any:  # noqa: N802
        """Create the account's one profile in this region."""
        source = body["identitySource"].get("ssoIdentitySource")
        instance_arn = source.get("instanceArn") if isinstance(source, dict) else None
        sso_region = source.get("ssoRegion") if isinstance(source, dict) else None
        if not isinstance(instance_arn, str) or not isinstance(sso_region, str):
            raise KiroError(
                400,
                "ValidationException",
                "identitySource must be {'ssoIdentitySource': {'instanceArn': <ARN>, "
                "'ssoRegion': <IDC region>}}.",
            )
        if self._lookup_store(instance_arn) is None:
            raise KiroError(404, "ResourceNotFoundException", f"No IDC instance {instance_arn}.")
        existing = self.state.profiles.get((account_id, region))
        token = body.get("clientToken")
        if existing is not None:
            if token is not None and token == existing.client_token:
                return {"profileArn": existing.arn}
            raise KiroError(
                409,
                "ConflictException",
                f"Account {account_id} already has a profile in {region}: {existing.arn}.",
            )
        profile = Profile(
            profile_arn(account_id, region),
            body["profileName"],
            account_id,
            region,
            instance_arn,
            body.get("description", ""),
            token,
        )
        self.state.profiles[(account_id, region)] = profile
        return {"profileArn": profile.arn}

    def _op_CreateAssignment(self, account_id: str, region: str, body: dict[str, Any]) -> Any:  # noqa: N802
        """Subscribe a user or group; an existing assignment is a conflict."""
        key = self._assignment_key(account_id, region, body, must_exist=False)
        existing = self.state.assignments.get(key)
        if existing is not None:
            raise KiroError(
                409,
                "ConflictException",
                f"{existing.principal_type} {existing.principal_id} is already assigned "
                f"{existing.subscription_type}.",
            )
        self.state.assignments[key] = self._assignment(account_id, region, body)
        return {}

    def _op_UpdateAssignment(self, account_id: str, region: str, body: dict[str, Any]) -> Any:  # noqa: N802
        """Change an existing assignment's plan."""
        key = self._assignment_key(account_id, region, body, must_exist=True)
        self.state.assignments[key] = self._assignment(account_id, region, body)
        return {}

    def _op_DeleteAssignment(self, account_id: str, region: str, body: dict[str, Any]) -> Any:  # noqa: N802
        """Remove an existing assignment."""
        key = self._assignment_key(account_id, region, body, must_exist=True)
        del self.state.assignments[key]
        return {}

    def _op_ListUserSubscriptions(  # noqa: N802
        self, account_id: str, region: str, body: dict[str, Any]
    ) -> Any:
        """List the users subscribed through the caller's assignments, groups expanded."""
        instance_arn, wanted_region = body["instanceArn"], body["subscriptionRegion"]
        store = self._lookup_store(instance_arn)
        if store is None:
            raise KiroError(404, "ResourceNotFoundException", f"No IDC instance {instance_arn}.")
        if wanted_region not in self.scenario.kiro_regions:
            raise KiroError(400, "ValidationException", f"No subscriptions in {wanted_region}.")
        if region != self.scenario.idc_region:
            return {"subscriptions": []}
        profile = self.state.profiles.get((account_id, wanted_region))
        if profile is None or profile.instance_arn != instance_arn:
            return {"subscriptions": []}
        assignments = self.state.assignments_in(account_id, wanted_region)
        granted = expand_subscriptions(assignments, store, self.scenario.plans)
        rows = [_subscription_row(self.scenario, user_id, plan) for user_id, (plan, _) in
                granted.items()]  # fmt: skip
        rows.sort(key=lambda row: json.dumps(row, sort_keys=True))
        return page_of(rows, body, "subscriptions")

    def _assignment_key(
        self, account_id: str, region: str, body: dict[str, Any], *, must_exist: bool
    ) -> tuple[str, str, str, str]:
        """Validate an assignment body and return its state key."""
        principal_type, principal_id = body["principalType"], body["principalId"]
        if principal_type not in ("USER", "GROUP"):
            raise KiroError(
                400,
                "ValidationException",
                f"Value '{principal_type}' at 'principalType' failed to satisfy constraint: "
                "Member must satisfy enum value set: [USER, GROUP]",
            )
        plan = body.get("subscriptionType")
        if plan is not None and plan not in self.scenario.plans:
            raise KiroError(
                400,
                "ValidationException",
                f"Value '{plan}' at 'subscriptionType' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(self.scenario.plans)}]",
            )
        profile = self.state.profiles.get((account_id, region))
        if profile is None:
            raise KiroError(
                404,
                "ResourceNotFoundException",
                f"Account {account_id} has no profile in {region}.",
            )
        if self.scenario.idc_region not in SUBSCRIBABLE_IDC_REGIONS:
            raise KiroError(
                400,
                "ValidationException",
                f"Users of an IAM Identity Center instance in the opt-in Region "
                f"{self.scenario.idc_region} cannot be subscribed.",
            )
        store = self._lookup_store(profile.instance_arn)
        known = store.users if principal_type == "USER" else store.groups
        if principal_id not in known:
            raise KiroError(
                404,
                "ResourceNotFoundException",
                f"No {principal_type} {principal_id} in the directory.",
            )
        key = (account_id, region, principal_type, principal_id)
        if must_exist and key not in self.state.assignments:
            raise KiroError(
                404,
                "ResourceNotFoundException",
                f"No assignment for {principal_type} {principal_id}.",
            )
        return key

    def _assignment(self, account_id: str, region: str, body: dict[str, Any]) -> Assignment:
        """Build the stored assignment from a validated body."""
        return Assignment(
            account_id, region, body["principalId"], body["principalType"], body["subscriptionType"]
        )


def _subscription_row(scenario: Scenario, user_id: str, plan: str) -> dict[str, Any]:
    """One ListUserSubscriptions row in the scenario's shape (see the module docstring)."""
    if scenario.subscription_shape == "flat":
        return {"principalId": user_id, "subscriptionType": plan, "status": "ACTIVE"}
    return {
        "principal": {"user": user_id},
        "type": {"amazonQ": plan},
        "activatedType": {"amazonQ": plan},
        "status": "ACTIVE",
    }
