"""Does a key policy grant Kiro's service principal its actions? Evaluated the way IAM would.

The request we model is the one Kiro's service principal makes: principal `Service:<name>`,
`aws:PrincipalIsAWSService = true`, `aws:PrincipalServiceName = <name>` and, when known,
`aws:SourceAccount`. An Allow counts only when its principal, action, resource and every Condition
match that request; a Condition on a key the request does not carry cannot match (unless
`…IfExists` or a negated operator says otherwise). Any Deny that could apply means "not granted":
we cannot know the request well enough to rule it out, and a redundant statement costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

PRINCIPAL_IS_SERVICE = "aws:principalisawsservice"
PRINCIPAL_SERVICE_NAME = "aws:principalservicename"
SOURCE_ACCOUNT = "aws:sourceaccount"
VIA_SERVICE = "kms:viaservice"
# FACTS §5: AWS's IDC baseline key policy names this statement; we recognise it by shape too.
BASELINE_SID = "AllowManagedApps"
BASELINE_VIA_PREFIXES = ("sso.", "identitystore.")


@dataclass(frozen=True)
class Request:
    """What the service principal's call looks like to IAM."""

    service: str
    actions: tuple[str, ...]
    resource: str
    context: Mapping[str, str]  # lower-cased condition keys → value


def service_request(service: str, actions: list[str], key_arn: str, source: str | None) -> Request:
    """The request context of `service` calling `actions` on the key, from `source`'s account."""
    context = {PRINCIPAL_IS_SERVICE: "true", PRINCIPAL_SERVICE_NAME: service}
    if source is not None:
        context[SOURCE_ACCOUNT] = source
    return Request(service, tuple(actions), key_arn, context)


def granted(statements: list[dict[str, Any]], request: Request) -> bool:
    """True when every action is allowed by some matching Allow and no Deny could apply."""
    for action in request.actions:
        applying = [s for s in statements if _applies(s, request, action)]
        if any(s.get("Effect") == "Deny" for s in applying):
            return False
        if not any(s.get("Effect") == "Allow" for s in applying):
            return False
    return True


def is_baseline(statement: dict[str, Any]) -> bool:
    """AWS's `AllowManagedApps` shape: anyone, if an AWS service, via sso or identitystore."""
    if statement.get("Effect") != "Allow" or not _is_everyone(statement.get("Principal")):
        return False
    keys = {key.lower(): values for _, key, values in _conditions(statement)}
    via = [str(v) for v in _as_list(keys.get(VIA_SERVICE))]
    named = statement.get("Sid") == BASELINE_SID
    return named or (
        PRINCIPAL_IS_SERVICE in keys and any(v.startswith(BASELINE_VIA_PREFIXES) for v in via)
    )


def _applies(statement: dict[str, Any], request: Request, action: str) -> bool:
    """Principal, action, resource and conditions match; an unknowable condition counts against."""
    if not (
        _matches_principal(statement, request.service)
        and _matches_element(statement, "Action", action, case_sensitive=False)
        and _matches_element(statement, "Resource", request.resource, case_sensitive=True)
    ):
        return False
    unknown_means = statement.get("Effect") == "Deny"  # a Deny we cannot rule out applies
    for operator, key, values in _conditions(statement):
        holds = _condition_holds(operator, key, values, request.context)
        if not (unknown_means if holds is None else holds):
            return False
    return True


def _matches_principal(statement: dict[str, Any], service: str) -> bool:
    """Principal names the service (or everyone); NotPrincipal does not name it."""
    if "NotPrincipal" in statement:
        return not _names(statement["NotPrincipal"], service)
    return _names(statement.get("Principal"), service)


def _names(principal: Any, service: str) -> bool:
    """True when a Principal element covers the service principal."""
    if _is_everyone(principal):
        return True
    if not isinstance(principal, dict):
        return False
    return service in [str(v) for v in _as_list(principal.get("Service"))]


def _is_everyone(principal: Any) -> bool:
    """`"*"` and `{"AWS": "*"}` both mean every principal."""
    return principal == "*" or (
        isinstance(principal, dict) and "*" in _as_list(principal.get("AWS"))
    )


def _matches_element(
    statement: dict[str, Any], name: str, value: str, *, case_sensitive: bool
) -> bool:
    """`Action`/`Resource` match the value, or `NotAction`/`NotResource` leave it out."""
    negated = f"Not{name}"
    patterns = _as_list(statement.get(negated if negated in statement else name))
    if not case_sensitive:
        value, patterns = value.lower(), [str(p).lower() for p in patterns]
    hit = any(fnmatchcase(value, str(pattern)) for pattern in patterns)
    return not hit if negated in statement else hit


def _conditions(statement: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(operator, key, values) for each condition of a statement."""
    block = statement.get("Condition") or {}
    if not isinstance(block, dict):
        return [("Unparseable", "", None)]
    return [
        (str(op), str(key), values)
        for op, keys in block.items()
        for key, values in (keys.items() if isinstance(keys, dict) else [("", None)])
    ]


def _condition_holds(
    operator: str, key: str, values: Any, context: Mapping[str, str]
) -> bool | None:
    """One condition against the request context; None when it cannot be decided.

    A key outside the modelled context (kms:ViaService, aws:SourceArn, an encryption context…)
    may or may not be in Kiro's real request, so a condition on it is undecidable.
    """
    present = context.get(key.lower())
    if present is None or operator.startswith(("ForAnyValue:", "ForAllValues:")):
        return None
    base = operator.removesuffix("IfExists")
    wanted = [str(v) for v in _as_list(values)]
    if base == "Null":
        return wanted[:1] == ["false"]  # the key is present
    negated = "Not" in base
    match = _compare(base.replace("Not", "", 1), present, wanted)
    if match is None:
        return None
    return not match if negated else match


def _compare(base: str, present: str, wanted: list[str]) -> bool | None:
    """True when the value satisfies a positive operator; None for operators we do not model."""
    if base in ("StringEquals", "ArnEquals"):
        return present in wanted
    if base == "StringEqualsIgnoreCase":
        return present.lower() in [w.lower() for w in wanted]
    if base in ("StringLike", "ArnLike"):
        return any(fnmatchcase(present, w) for w in wanted)
    if base == "Bool":
        return present.lower() in [w.lower() for w in wanted]
    return None


def _as_list(value: Any) -> list[Any]:
    """A policy element that may be one value or a list of them."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
