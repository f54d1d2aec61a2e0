"""Before anything changes: which build, whether this host can run it, for whom, where."""

from __future__ import annotations

from dataclasses import dataclass

from kiro_bootstrap.checks import Check
from kiro_bootstrap.context import Context
from kiro_bootstrap.doctor import host_checks
from kiro_bootstrap.doctor.host_checks import is_supported
from kiro_bootstrap.errors import DeploymentError, HostUnsupportedError, UsageError
from kiro_bootstrap.layout.locations import Scope, resolve_scope
from kiro_bootstrap.layout.targets import TargetSpec, choose_target, host_target
from kiro_bootstrap.privsep.person import ForPerson, Person, person_for_run
from kiro_bootstrap.privsep.windows_task import require_signed_in_user

UNSUPPORTED_WARNING = (
    "Installing on a host Kiro does not support (--allow-unsupported-os): {reasons}. "
    "Kiro may fail to start, sign-in may break and settings may not be saved."
)


@dataclass(frozen=True)
class Preflight(ForPerson):
    """The decisions every later step builds on."""

    spec: TargetSpec
    person: Person
    scope: Scope
    host_checks: tuple[Check, ...]
    unsupported_os_allowed: bool  # the host failed a blocking check and we go on anyway


def check_host(ctx: Context, *, allow_unsupported_os: bool) -> tuple[tuple[Check, ...], bool]:
    """doctor's blocking checks; a failure is exit 3 unless explicitly allowed (then warned)."""
    facts = ctx.facts
    checks = (
        host_checks.check_os(facts),
        host_checks.check_arch(facts, host_target(facts)),
        host_checks.check_glibc(facts),
    )
    if is_supported(list(checks)):
        return checks, False
    reasons = "; ".join(c.summary.rstrip(".") for c in checks if c.status == "fail")
    if not allow_unsupported_os:
        raise HostUnsupportedError(
            f"Kiro cannot run on this machine: {reasons}.",
            hint="See `kiro-bootstrap doctor`; --allow-unsupported-os installs anyway.",
        )
    ctx.output.warn(UNSUPPORTED_WARNING.format(reasons=reasons))
    return checks, True


def run_preflight(
    ctx: Context,
    *,
    target: str | None,
    scope: str | None,
    for_user: str | None,
    allow_unsupported_os: bool,
) -> Preflight:
    """Choose the build and scope, check the host, find the person; nothing is written."""
    spec = choose_target(target, ctx.facts)
    if spec.family != ctx.facts.os:
        raise UsageError(
            f"Target {spec.name} is a build for {spec.family}; this machine runs {ctx.facts.os}."
        )
    checks, allowed = check_host(ctx, allow_unsupported_os=allow_unsupported_os)
    person = person_for_run(ctx, for_user)
    chosen = resolve_scope(scope or ctx.settings.install.scope, ctx.facts)
    if chosen == "system" and not ctx.facts.is_admin:
        raise DeploymentError(
            "A system-wide install needs root or an administrator.",
            hint="Run it with sudo, or use --scope user.",
        )
    if spec.extension == "deb" and chosen != "system":
        raise DeploymentError(
            "The .deb installs system-wide; it cannot be a per-user install.",
            hint="Run as root with --scope system, or use --target linux-x64 (tar.gz).",
        )
    if ctx.facts.os == "windows":
        require_signed_in_user(ctx, person.name)
    return Preflight(spec, person, chosen, checks, allowed)
