"""Run every doctor check in order and give the verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiro_bootstrap.checks import Check
from kiro_bootstrap.context import Context
from kiro_bootstrap.doctor import host_checks, network_path, probes
from kiro_bootstrap.host.users import home_of, resolve_target_user
from kiro_bootstrap.layout.detect import find_installed_kiro
from kiro_bootstrap.layout.locations import install_prefix, resolve_scope
from kiro_bootstrap.layout.targets import host_target
from kiro_bootstrap.net.client import build_http_client, choose_proxy
from kiro_bootstrap.settings.beside import BESIDE_NAME

if TYPE_CHECKING:
    import httpx

# Only these make Kiro impossible here; every other finding is a warning.


def run_doctor(ctx: Context) -> list[Check]:
    """Every check, blocking ones first; reachability is skipped with --offline."""
    facts, settings = ctx.facts, ctx.settings
    user = resolve_target_user(None, ctx.environ, facts)
    try:
        home = home_of(user, facts, fs_root=ctx.paths.root)
    except LookupError:  # a person who never signed in here has no profile yet
        user, home = facts.current_user, facts.home
    scope = "user" if facts.os == "windows" else resolve_scope(settings.install.scope, facts)
    checks = [
        host_checks.check_os(facts),
        host_checks.check_arch(facts, host_target(facts)),
        host_checks.check_glibc(facts),
        probes.check_disk(install_prefix(scope, facts, ctx.paths, home)),
        host_checks.check_memory(facts),
        probes.check_installed(
            find_installed_kiro(facts, ctx.paths, home, settings.kiro.version_field)
        ),
        probes.check_running(
            [process.name for process in ctx.env.processes()],
            facts.os,
            settings.install.process_names,
        ),
        host_checks.check_context(facts, user),
        host_checks.check_proxy(choose_proxy(settings, facts)),
        probes.check_ca(settings),
    ]
    release_url = f"{settings.release.base_url}/"
    start_url = settings.identity_center.start_url
    if ctx.options.offline:
        checks.append(probes.check_reachable("release-host", "release host", release_url, None))
        checks.append(_start_url_check(ctx, start_url, None))
    else:
        with build_http_client(settings, facts) as client:
            checks.append(
                probes.check_reachable("release-host", "release host", release_url, client)
            )
            checks.append(_start_url_check(ctx, start_url, client))
    proxy = choose_proxy(settings, facts)
    return checks + network_path.check_service_hosts(settings, proxy, offline=ctx.options.offline)


def _start_url_check(ctx: Context, start_url: str | None, client: httpx.Client | None) -> Check:
    if start_url is None:
        return check_start_url_configured(ctx)
    return probes.check_reachable("idc-start-url", "IDC start URL", start_url, client)


def check_start_url_configured(ctx: Context) -> Check:
    """No start URL: Kiro cannot be signed in for the organisation; say where settings come from."""
    policy = ctx.paths.policy_config_file or ctx.paths.managed_preferences_dir or "the MDM policy"
    return Check(
        "idc-start-url",
        "warn",
        "No IAM Identity Center start URL is configured: Kiro will not know your organisation.",
        f"Settings come from the {BESIDE_NAME} your company portal publishes beside this "
        f"program, --config FILE|URL, --start-url URL --idc-region REGION, the MDM policy "
        f"({policy}) or your own {ctx.paths.user_config_file}.",
    )
