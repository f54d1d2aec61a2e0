"""The pass / warn / fail check shared by `doctor`, `verify` and `admin preflight`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

# "deferred": the step needs another OS (a macOS build checked on Linux); see verify/.
# "error": the check could not be made (an API call failed); admin preflight says which and why.
Status = Literal["pass", "warn", "fail", "deferred", "error"]


@dataclass(frozen=True)
class Check:
    """One finding: a stable id, its status, what we saw, and what to do about it."""

    id: str
    status: Status
    summary: str
    remedy: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON shape documented in the README."""
        return asdict(self)


def any_failed(checks: Iterable[Check]) -> bool:
    """True when at least one check failed."""
    return any(check.status == "fail" for check in checks)
