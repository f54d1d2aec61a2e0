"""The Kiro fake's request shapes: body validation, paging and the error type."""

from __future__ import annotations

import base64
import json
from typing import Any

ASSIGNMENT_FIELDS = {"principalId": str, "principalType": str, "subscriptionType": str}
# Operation -> (field -> accepted type, required fields). Unknown fields are refused: typos show.
SHAPES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "ListProfiles": ({"maxResults": int, "nextToken": str}, set()),
    "CreateProfile": (
        {
            "profileName": str,
            "identitySource": dict,
            "description": str,
            "clientToken": str,
            "referenceTrackerConfiguration": dict,
            "kmsKeyArn": str,
            "tags": (dict, list),
        },
        {"profileName", "identitySource"},
    ),
    "CreateAssignment": (ASSIGNMENT_FIELDS, set(ASSIGNMENT_FIELDS)),
    "UpdateAssignment": (ASSIGNMENT_FIELDS, set(ASSIGNMENT_FIELDS)),
    "DeleteAssignment": (ASSIGNMENT_FIELDS, {"principalId", "principalType"}),
    "ListUserSubscriptions": (
        {"instanceArn": str, "subscriptionRegion": str, "maxResults": int, "nextToken": str},
        {"instanceArn", "subscriptionRegion"},
    ),
}
DEFAULT_PAGE = 100
MAX_PAGE = 1000
DEFAULT_PAGE = 100
MAX_PAGE = 1000


class KiroError(Exception):
    """An error answer: HTTP status, `__type` and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """Keep the parts json_error needs."""
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def parse_body(operation: str, raw: bytes) -> dict[str, Any]:
    """Decode the JSON body and check it against the operation's shape."""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise KiroError(400, "SerializationException", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise KiroError(400, "SerializationException", "The body must be a JSON object.")
    fields, required = SHAPES[operation]
    missing = sorted(required - body.keys())
    if missing:
        raise KiroError(
            400,
            "ValidationException",
            f"1 validation error detected: Value null at '{missing[0]}' failed to satisfy "
            "constraint: Member must not be null",
        )
    for name, value in body.items():
        if name not in fields:
            raise KiroError(400, "ValidationException", f"Unknown field '{name}' for {operation}.")
        if isinstance(value, bool) or not isinstance(value, fields[name]):
            raise KiroError(400, "ValidationException", f"Field '{name}' has the wrong type.")
    return body


def page_of(rows: list[dict[str, Any]], body: dict[str, Any], key: str) -> dict[str, Any]:
    """Cut one page out of rows, with an opaque offset token."""
    size = body.get("maxResults", DEFAULT_PAGE)
    if not 1 <= size <= MAX_PAGE:
        raise KiroError(400, "ValidationException", f"maxResults must be 1..{MAX_PAGE}.")
    try:
        start = int(base64.urlsafe_b64decode(body["nextToken"])) if "nextToken" in body else 0
    except ValueError:
        raise KiroError(400, "ValidationException", "Invalid nextToken.") from None
    page: dict[str, Any] = {key: rows[start : start + size]}
    if start + size < len(rows):
        page["nextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return page
