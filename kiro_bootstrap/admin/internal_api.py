"""UNSUPPORTED: a client for Kiro's undocumented control-plane endpoints (FACTS §3, [reported]).

JSON 1.0 over SigV4, signed with botocore's SigV4Auth and sent with the tool's HTTP client. Only
used behind `--experimental-internal-api`; every call is logged as unsupported.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kiro_bootstrap.aws.errors import (
    ACCESS_DENIED,
    ACCESS_DENIED_CODES,
    REJECTED_CREDENTIAL_CODES,
    THROTTLED,
    THROTTLING_CODES,
    AwsCallError,
    AwsUnavailableError,
    CallFailure,
    rejected_credentials,
)
from kiro_bootstrap.aws.session import AwsClients
from kiro_bootstrap.errors import AwsPreconditionError, UnavailableError
from kiro_bootstrap.settings.model import is_loopback_host

if TYPE_CHECKING:
    import httpx

UNSUPPORTED = "UNSUPPORTED: undocumented Kiro endpoint"
JSON_10 = "application/x-amz-json-1.0"
# [reported] hosts per signing name; AWS_ENDPOINT_URL replaces them all (tests, the sandbox).
ENDPOINTS = {
    "codewhisperer": "https://codewhisperer.{region}.amazonaws.com/",
    "q": "https://codewhisperer.{region}.amazonaws.com/",
    "user-subscriptions": "https://service.user-subscriptions.{region}.amazonaws.com/",
}
TARGET_PREFIXES = {
    "codewhisperer": "AWSCodeWhispererService",
    "q": "AmazonQDeveloperService",
    "user-subscriptions": "AWSZornControlPlaneService",
}
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 0.2
PAGE_SIZE = 100
CONFLICT = "ConflictException"
HTTP_OK = 200
SERVER_ERROR_STATUS = 500
_log = logging.getLogger(__name__)


class InternalApiError(AwsCallError):
    """The endpoint refused a request for a reason other than permissions or throttling."""


class InternalApi:
    """Calls to the undocumented endpoints, as the caller's AWS identity."""

    def __init__(
        self,
        clients: AwsClients,
        http: httpx.Client,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Sign with the clients' credentials; send through `http`."""
        self._clients = clients
        self._http = http
        self._sleep = sleep

    def list_profiles(self, region: str) -> list[dict[str, Any]]:
        """The caller's Kiro profiles in a region."""
        return list(self._post("codewhisperer", "ListProfiles", region, {}).get("profiles", []))

    def create_profile(self, region: str, name: str, instance_arn: str, sso_region: str) -> str:
        """Create the account's profile in a region; return its ARN.

        Public clients send the IDC region as `ssoRegion` beside the instance ARN (FACTS §5).
        """
        source = {"instanceArn": instance_arn, "ssoRegion": sso_region}
        body = {"profileName": name, "identitySource": {"ssoIdentitySource": source}}
        return str(self._post("codewhisperer", "CreateProfile", region, body)["profileArn"])

    def create_assignment(
        self, region: str, principal_id: str, principal_type: str, plan_id: str
    ) -> bool:
        """Subscribe a user or group; False when it was already assigned (a conflict)."""
        body = {**_principal(principal_id, principal_type), "subscriptionType": plan_id}
        try:
            self._post("q", "CreateAssignment", region, body)
        except InternalApiError as error:
            if error.code != CONFLICT:
                raise
            return False
        return True

    def update_assignment(
        self, region: str, principal_id: str, principal_type: str, plan_id: str
    ) -> None:
        """Change an existing assignment's plan."""
        body = {**_principal(principal_id, principal_type), "subscriptionType": plan_id}
        self._post("q", "UpdateAssignment", region, body)

    def delete_assignment(self, region: str, principal_id: str, principal_type: str) -> None:
        """Remove an assignment."""
        self._post("q", "DeleteAssignment", region, _principal(principal_id, principal_type))

    def list_user_subscriptions(
        self, instance_arn: str, idc_region: str, subscription_region: str
    ) -> list[dict[str, Any]]:
        """Every subscribed user of the instance for a Kiro region, all pages.

        Called in the IDC region, where subscriptions are stored, with the Kiro profile region as
        `subscriptionRegion` — as public clients do (FACTS §5).
        """
        body: dict[str, Any] = {
            "instanceArn": instance_arn,
            "subscriptionRegion": subscription_region,
            "maxResults": PAGE_SIZE,
        }
        rows: list[dict[str, Any]] = []
        while True:
            page = self._post("user-subscriptions", "ListUserSubscriptions", idc_region, body)
            rows.extend(page.get("subscriptions", []))
            token = page.get("nextToken")
            if not token:
                return rows
            body["nextToken"] = token

    def _post(
        self, signing_name: str, operation: str, region: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """Sign and send one request; retry throttling and server errors; translate the rest."""
        target = f"{TARGET_PREFIXES[signing_name]}.{operation}"
        url = self._url(signing_name, region)
        _log.warning("%s: %s in %s", UNSUPPORTED, target, region)
        data = json.dumps(body).encode()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            status, answer = self._send(url, signing_name, region, target, data)
            if status == HTTP_OK:
                return answer
            code = str(answer.get("__type", "")).rpartition("#")[2]
            message = str(answer.get("message") or answer.get("Message") or "")
            retryable = code in THROTTLING_CODES or status >= SERVER_ERROR_STATUS
            if retryable and attempt < MAX_ATTEMPTS:
                self._sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
                continue
            where = f"{target} in account {self._clients.account_id} (region {region})"
            action = f"{signing_name}:{operation}"
            failure = CallFailure(f"{signing_name} {operation}", action, "", where)
            if retryable:
                reason = THROTTLED if code in THROTTLING_CODES else f"server error {code or status}"
                raise AwsUnavailableError(
                    f"{UNSUPPORTED} {where} kept failing ({code or status}).",
                    replace(failure, reason=reason),
                )
            if code in REJECTED_CREDENTIAL_CODES:
                raise rejected_credentials(where, code)
            if code in ACCESS_DENIED_CODES:
                raise AwsCallError(
                    f"AWS denied {where}: the caller lacks the IAM action {action}.",
                    replace(failure, reason=ACCESS_DENIED),
                    hint=f"Grant {action} to the identity you run as.",
                    code="aws-access-denied",
                )
            raise InternalApiError(
                f"{UNSUPPORTED} {where} failed: {code}: {message}",
                replace(failure, reason=f"{code}: {message}"[:200]),
                code=code,
            )
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _send(
        self, url: str, signing_name: str, region: str, target: str, data: bytes
    ) -> tuple[int, dict[str, Any]]:
        """One signed POST; the status and the decoded JSON answer."""
        import httpx
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest(
            method="POST",
            url=url,
            data=data,
            headers={"Content-Type": JSON_10, "X-Amz-Target": target},
        )
        access_key, secret_key, token = self._clients.credentials()
        SigV4Auth(Credentials(access_key, secret_key, token), signing_name, region).add_auth(
            request
        )
        try:
            response = self._http.post(url, content=data, headers=dict(request.headers.items()))
        except httpx.HTTPError as error:
            raise UnavailableError(
                f"{UNSUPPORTED} {target} in {region} did not answer: {error}.",
                hint="Retry later; check the network and proxy.",
            ) from error
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return response.status_code, answer if isinstance(answer, dict) else {}

    def _url(self, signing_name: str, region: str) -> str:
        """The endpoint: AWS_ENDPOINT_URL when set, else the reported host; never plain http."""
        override = self._clients.config.endpoint_url
        url = (override.rstrip("/") + "/") if override else ENDPOINTS[signing_name]
        url = url.format(region=region)
        parts = urlsplit(url)
        if parts.scheme != "https" and not (
            parts.scheme == "http" and is_loopback_host(parts.hostname or "")
        ):
            raise AwsPreconditionError(f"Refusing to send AWS credentials to {url} over http.")
        return url


def _principal(principal_id: str, principal_type: str) -> dict[str, str]:
    """The principal an assignment call names (USER or GROUP and its identity store id)."""
    return {"principalId": principal_id, "principalType": principal_type}
