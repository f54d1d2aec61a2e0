"""The .deb (system scope): the package tool, run non-interactively.

On the live root apt-get installs it (it resolves Kiro's dependencies before touching
anything, so a failure leaves the previous package in place). Under a root override (tests,
the demo) dpkg installs into that root with its own database, never into the real system.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kiro_bootstrap.errors import InstallError
from kiro_bootstrap.files import make_folders
from kiro_bootstrap.install.job import InstallJob, Placed
from kiro_bootstrap.layout.detect import read_product_version
from kiro_bootstrap.layout.locations import deb_location
from kiro_bootstrap.paths import Paths

DEB_PACKAGE = "kiro"
DPKG_DATABASE = "/var/lib/dpkg"
PACKAGE_TOOL_TIMEOUT_SECONDS = 900.0
# dpkg refuses to run as root unless ldconfig and start-stop-daemon are on PATH.
SYSTEM_TOOL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _dpkg_root_options(paths: Paths) -> list[str]:
    database = paths.system(DPKG_DATABASE)
    return [f"--root={paths.root}", f"--admindir={database}", "--force-not-root"]


def deb_install_argv(paths: Paths, deb: Path) -> list[str]:
    """apt-get on the live root; dpkg into the override root otherwise."""
    if paths.is_live_root:
        return [
            "apt-get", "install", "--yes", "--allow-downgrades",
            "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
            str(deb),
        ]  # fmt: skip
    return ["dpkg", *_dpkg_root_options(paths), "--install", str(deb)]


def deb_remove_argv(paths: Paths, *, purge: bool) -> list[str]:
    """Remove (or purge) the package the same way it was installed."""
    if paths.is_live_root:
        return ["apt-get", "purge" if purge else "remove", "--yes", DEB_PACKAGE]
    return ["dpkg", *_dpkg_root_options(paths), "--purge" if purge else "--remove", DEB_PACKAGE]


def package_tool_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """No prompts (debconf), and the system folders dpkg needs on PATH."""
    path = environ.get("PATH", "")
    return {**environ, "DEBIAN_FRONTEND": "noninteractive", "PATH": f"{path}:{SYSTEM_TOOL_PATH}"}


def prepare_dpkg_database(paths: Paths) -> None:
    """Give a fresh override root the empty dpkg database dpkg needs; the live root has one."""
    if paths.is_live_root:
        return
    database = paths.system(DPKG_DATABASE)
    for folder in (database / "updates", database / "info"):
        make_folders(folder, mode=0o755)
    for name in ("status", "available"):
        (database / name).touch(exist_ok=True)


def install_deb(job: InstallJob, previous_version: str | None) -> Placed:
    """Install the verified .deb; a failing package tool is exit 6."""
    ctx = job.ctx
    prepare_dpkg_database(ctx.paths)
    done = ctx.env.runner(
        deb_install_argv(ctx.paths, job.build.path),
        timeout=PACKAGE_TOOL_TIMEOUT_SECONDS,
        env=package_tool_environment(ctx.environ),
    )
    location = deb_location(ctx.paths)
    if not done.ok:
        now = read_product_version(
            location / "resources/app/product.json", ctx.settings.kiro.version_field
        )
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        state = f"Kiro {now} is still installed" if now else "no Kiro package is installed"
        raise InstallError(
            f"The package tool could not install Kiro {job.build.version}: {reason}; {state}.",
            hint="Run `dpkg --configure -a` if dpkg says it was interrupted, then run again."
            if now != previous_version
            else "Fix what the package tool reports, then run again.",
        )
    return Placed("deb", location)
