"""How a verified (or rejected) build reads: the checks, then path, version and digest."""

from __future__ import annotations

from typing import Any

from kiro_bootstrap.checks import Check
from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.output import Result
from kiro_bootstrap.verify.chain import ChainFailedError


def verified_result(
    checks: tuple[Check, ...], fields: dict[str, Any], deferred: tuple[str, ...]
) -> Result:
    """Exit 0 with every check, the build's fields (JSON) and one line per field (text)."""
    result = Result(data={**fields, "deferred": list(deferred)}, checks=list(checks))
    width = max(len(name) for name in fields)
    for name, value in fields.items():
        if value is not None:
            result.say(f"{name:<{width}}  {value}")
    if deferred:
        result.say(
            f"Deferred to another OS: {', '.join(deferred)} (accepted: the org pin matched).",
            "dim",
        )
    return result


def rejected_result(failed: ChainFailedError, fields: dict[str, Any]) -> Result:
    """Exit 5 with the checks that ran, so a person sees which step failed and why."""
    error = {"code": failed.code, "message": failed.message, "hint": failed.hint}
    result = Result(
        status=ExitStatus.VERIFICATION_FAILED,
        data={**fields, "error": error},
        checks=list(failed.checks),
    )
    result.say(f"error: {failed.message}", "fail")
    if failed.hint:
        result.say(f"hint: {failed.hint}", "dim")
    return result
