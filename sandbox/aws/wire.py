"""Requests and responses as bytes on the wire: naming the operation and shaping AWS errors."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

# Signing names whose boto3 service name differs, so call counts read like boto3 code.
SERVICE_ALIASES = {"sso": "sso-admin"}
# The IAM action prefix AWS prints in AccessDenied messages, where it differs from the service.
ACTION_PREFIXES = {"sso-admin": "sso"}
# Object calls the admin side makes, by HTTP method (bucket-level calls are not made).
S3_OBJECT_ACTIONS = {"GET": "GetObject", "HEAD": "GetObject", "PUT": "PutObject"}
QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}


@dataclass(frozen=True)
class Authorization:
    """The parts of a SigV4 Authorization header."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


@dataclass
class WireRequest:
    """One HTTP request as received, headers kept in order and case."""

    method: str
    target: str  # path plus query, exactly as sent
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return a header's value, matching the name case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def path(self) -> str:
        """The path without the query string."""
        return urlsplit(self.target).path

    @property
    def authorization(self) -> Authorization | None:
        """The parsed SigV4 Authorization header, or None when absent or not SigV4."""
        return parse_authorization(self.header("authorization") or "")


@dataclass
class WireResponse:
    """One HTTP response to send back."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


def parse_authorization(value: str) -> Authorization | None:
    """Split `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` into its parts."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        return None
    parts = dict(item.strip().partition("=")[::2] for item in rest.split(","))
    scope = parts.get("Credential", "").split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        return None
    return Authorization(
        access_key_id=scope[0],
        date=scope[1],
        region=scope[2],
        service=scope[3],
        signed_headers=tuple(parts.get("SignedHeaders", "").split(";")),
        signature=parts.get("Signature", ""),
    )


def identify_operation(request: WireRequest) -> tuple[str, str]:
    """Name the (service, operation) a request calls, the way boto3 would name it."""
    auth = request.authorization
    service = SERVICE_ALIASES.get(auth.service, auth.service) if auth else "unsigned"
    target = request.header("x-amz-target")
    if target:
        return service, target.rpartition(".")[2]
    action = _query_action(request)
    if action:
        return service, action
    return service, f"{request.method} {request.path}"


def is_query_protocol(request: WireRequest) -> bool:
    """True for the form-encoded `Action=` protocol of IAM and STS."""
    return request.header("x-amz-target") is None and _query_action(request) is not None


def _query_action(request: WireRequest) -> str | None:
    """Read `Action=` from the query string or from a form-encoded body."""
    fields = parse_qs(urlsplit(request.target).query)
    content_type = request.header("content-type") or ""
    if "x-www-form-urlencoded" in content_type:
        fields.update(parse_qs(request.body.decode("utf-8", "replace")))
    actions = fields.get("Action")
    return actions[0] if actions else None


def iam_action(service: str, operation: str) -> str:
    """The IAM action a call needs; S3's REST calls by method (HEAD needs s3:GetObject too)."""
    if service == "s3":
        method = operation.partition(" ")[0]
        return f"s3:{S3_OBJECT_ACTIONS.get(method, operation)}"
    return action_name(service, operation)


def action_name(service: str, operation: str) -> str:
    """The IAM action string AWS prints, e.g. `sso:DescribeInstance`."""
    return f"{ACTION_PREFIXES.get(service, service)}:{operation}"


def json_response(
    payload: Any, *, content_type: str = "application/x-amz-json-1.1"
) -> WireResponse:
    """A 200 answer in the JSON protocols."""
    return WireResponse(200, json.dumps(payload).encode(), _json_headers(content_type))


def json_error(
    status: int,
    code: str,
    message: str,
    *,
    content_type: str = "application/x-amz-json-1.1",
    **extra: Any,
) -> WireResponse:
    """An error in the JSON protocols: `__type` names it, `message` says why."""
    body = {"__type": code, "message": message, **extra}
    headers = [*_json_headers(content_type), ("x-amzn-ErrorType", code)]
    return WireResponse(status, json.dumps(body).encode(), headers)


def query_error(status: int, code: str, message: str, service: str) -> WireResponse:
    """An error in the query protocol (IAM, STS): an XML ErrorResponse."""
    namespace = QUERY_NAMESPACES.get(service, f"https://{service}.amazonaws.com/doc/")
    request_id = str(uuid.uuid4())
    xml = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    return WireResponse(status, xml.encode(), headers)


def _json_headers(content_type: str) -> list[tuple[str, str]]:
    """Headers every JSON answer carries."""
    return [("Content-Type", content_type), ("x-amzn-RequestId", str(uuid.uuid4()))]
