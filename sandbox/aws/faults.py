"""Scenario faults: access denied, throttling and stalls, in each protocol's real error shape."""

from __future__ import annotations

import threading

from sandbox.aws.scenario import Scenario
from sandbox.aws.wire import (
    WireRequest,
    WireResponse,
    action_name,
    is_query_protocol,
    json_error,
    query_error,
)

# Services whose throttling error code is not the usual ThrottlingException.
THROTTLING_CODES = {"organizations": "TooManyRequestsException"}
ORGANIZATIONS_DENIED = "You don't have permissions to access this resource."


class FaultInjector:
    """Decide, per request, whether a scenario fault answers instead of the service."""

    def __init__(self, scenario: Scenario, stopping: threading.Event) -> None:
        """Copy the scenario's fault knobs; throttle budgets are used up as requests arrive."""
        self._deny = frozenset(scenario.deny)
        self._stall = dict(scenario.stall)
        self._throttles_left = dict(scenario.throttle)
        self._lock = threading.Lock()
        self._stopping = stopping

    def apply(
        self, request: WireRequest, service: str, operation: str, caller_arn: str
    ) -> WireResponse | None:
        """Return the fault's error response, or None to let the request through."""
        key = f"{service}:{operation}"
        seconds = self._stall.get(key)
        if seconds is not None:
            # Waiting on the event, not sleeping, so shutting the front down ends the stall.
            self._stopping.wait(seconds)
        if key in self._deny:
            return access_denied(request, service, operation, caller_arn)
        with self._lock:
            left = self._throttles_left.get(key, 0)
            if left > 0:
                self._throttles_left[key] = left - 1
                return throttled(request, service)
        return None


def access_denied(
    request: WireRequest, service: str, operation: str, caller_arn: str
) -> WireResponse:
    """The AccessDenied answer AWS gives when no identity-based policy allows the action."""
    action = action_name(service, operation)
    message = (
        f"User: {caller_arn} is not authorized to perform: {action} "
        f"because no identity-based policy allows the {action} action"
    )
    if is_query_protocol(request):
        return query_error(403, "AccessDenied", message, service)
    if service == "organizations":
        message = ORGANIZATIONS_DENIED
    return json_error(400, "AccessDeniedException", message, content_type=_json_type(request))


def throttled(request: WireRequest, service: str) -> WireResponse:
    """The throttling answer botocore's retry handler recognises for this protocol."""
    if is_query_protocol(request):
        return query_error(400, "Throttling", "Rate exceeded", service)
    code = THROTTLING_CODES.get(service, "ThrottlingException")
    return json_error(400, code, "Rate exceeded", content_type=_json_type(request))


def _json_type(request: WireRequest) -> str:
    """Answer in the JSON version the client spoke."""
    return request.header("content-type") or "application/x-amz-json-1.1"
