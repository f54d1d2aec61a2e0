"""`make demo`: the whole onboarding on the embedded sandbox — no AWS account, no internet.

One demo organisation, one config file. The admin prepares AWS (a local moto-based AWS on
127.0.0.1) and publishes a signed subscription roster; a workstation checks itself, fetches and
verifies Kiro from a local release host, installs and configures it, and confirms the developer's
subscription. Everything lands in a throwaway HOME and filesystem root under .sandbox/demo.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.demo_org import (
    DEMO_SCENARIO,
    DEVELOPER,
    VERSIONS,
    show_file,
    show_tree,
    write_org_config,
)
from sandbox.isolation import isolated_environ

if TYPE_CHECKING:
    from sandbox.release_server import ReleaseServer
    from sandbox.roster_server import RosterServer

REPO = Path(__file__).resolve().parent.parent
SANDBOX = REPO / ".sandbox" / "demo"
ARTIFACT_SUFFIXES = (".tar.gz", ".deb", ".dmg", ".exe")
# The demo must never reach the desktop's keyring (a prompt, or a stored secret).
NULL_KEYRING = "keyring.backends.null.Keyring"
KEY_FILE = "roster-signing.pem"


def run_cli(
    *argv: str,
    environ: dict[str, str],
    expect: tuple[int, ...] = (0,),
    program: Path | None = None,
) -> int:
    """Run one kiro-bootstrap command the way a person would (or the packaged one), and show it."""
    shown = program or "kiro-bootstrap"
    print(f"\n$ {shown} {' '.join(argv)}", flush=True)
    command = [str(program)] if program else [sys.executable, "-m", "kiro_bootstrap"]
    completed = subprocess.run([*command, *argv], env=environ, check=False)
    print(f"(exit {completed.returncode})", flush=True)
    if completed.returncode not in expect:
        raise SystemExit(f"demo: unexpected exit {completed.returncode} from {' '.join(argv)}")
    return completed.returncode


def heading(text: str) -> None:
    """Start a part of the story."""
    print(f"\n\n=== {text} ===", flush=True)


def run_admin(admin: dict[str, str], config: tuple[str, str], roster: RosterServer) -> None:
    """Preflight finds what is missing, setup plans and applies, the roster is published."""
    run_cli("admin", "preflight", *config, environ=admin, expect=(10,))
    run_cli("admin", "setup", *config, environ=admin)
    run_cli("admin", "setup", "--apply", *config, environ=admin)
    run_cli("admin", "preflight", *config, environ=admin)
    roster_folder = SANDBOX / "www" / "roster"
    roster_folder.mkdir(parents=True, exist_ok=True)
    publish = ("admin", "roster", "publish", *config, "--key-file", str(SANDBOX / KEY_FILE))
    print("\nThe sharded roster: a signed index, shards and proofs, written shards-first.")
    run_cli(*publish, "--dest", f"{roster_folder}/", environ=admin)
    roster.publish_folder(roster_folder)


def run_builds(environ: dict[str, str], config: tuple[str, str], releases: ReleaseServer) -> None:
    """Download and verify, a cache hit, tampering refused, a mirror written."""
    from sandbox.faults import Fault

    run_cli("download", "--target", "linux-x64", *config, environ=environ)
    releases.reset_counters()
    run_cli("download", "--target", "linux-x64", "--quiet", *config, environ=environ)
    print(f"(a rerun is a cache hit: {artifact_bytes(releases)} artifact bytes served)")
    print("\nA byte flipped in transit: verification fails closed (exit 5).")
    releases.add_fault(Fault.tamper(100, path=".tar.gz"))
    run_cli("download", "--version", VERSIONS[0], *config, environ=environ, expect=(5,))
    mirror = ("mirror", "--dest", str(SANDBOX / "mirror"), "--target", "linux-x64")
    mirror_url = "https://kiro-mirror.example.com/kiro"
    run_cli(*mirror, "--base-url", mirror_url, *config, environ=environ)


def package_for_portal(environ: dict[str, str], config: tuple[str, str]) -> Path:
    """`admin package`: the binary and the organisation's settings as the portal publishes them."""
    built = REPO / "dist" / "kiro-bootstrap"
    if built.is_file():
        binary = built
        print(f"Packaging the built binary {built}.")
    else:
        binary = Path(sys.executable).parent / "kiro-bootstrap"
        print(
            "No built binary (make binary): the venv's kiro-bootstrap entry point stands in for "
            "it, in the same packaged layout."
        )
    dest = SANDBOX / "portal"
    package = ("admin", "package", *config, "--dest", str(dest), "--binary", str(binary))
    run_cli(*package, "--target", "linux-x64", environ=environ)
    show_file(dest / "kiro-bootstrap-package.json")
    return dest / "linux-x64" / "kiro-bootstrap"


def run_developer(environ: dict[str, str], packaged: Path, releases: ReleaseServer) -> None:
    """Only the packaged binary, no --config: refused, then allowed, a rerun, status."""
    developer = {**environ, "KIRO_BOOTSTRAP_USER": DEVELOPER}
    print(f"The developer has only {packaged} and kiro-bootstrap.toml beside it.")
    print("Run bare without a terminal (a script), it only asks for a command (exit 2):")
    run_cli(environ=developer, expect=(2,), program=packaged)
    print("This machine's glibc is older than Kiro needs, so install refuses (exit 3):")
    run_cli("install", environ=developer, expect=(3,), program=packaged)
    print(
        "\nKiro would fail to start here ('GLIBC_2.38 not found'); the demo goes on with "
        "--allow-unsupported-os only to show the install itself. The override is warned "
        "about and recorded in the status file."
    )
    run_cli("install", "--allow-unsupported-os", environ=developer, program=packaged)
    releases.reset_counters()
    rerun = ("install", "--allow-unsupported-os", "--quiet")
    run_cli(*rerun, environ=developer, program=packaged)
    print(f"(the rerun served {artifact_bytes(releases)} artifact bytes and changed nothing)")
    run_cli("status", environ=developer, program=packaged)
    run_cli("subscription", "--user", "mallory", environ=developer, expect=(8,), program=packaged)


def run_repository(environ: dict[str, str], config: tuple[str, str]) -> None:
    """Scaffold a team repository's .kiro folder, rerun (no-op), and check it."""
    project = SANDBOX / "projects" / "payments-service"
    project.mkdir(parents=True)
    git = ("git", "-C", str(project))
    subprocess.run([*git, "init", "--quiet"], check=True, env=environ)
    origin = "git@github.com:example-org/payments-service.git"
    subprocess.run([*git, "remote", "add", "origin", origin], check=True, env=environ)
    print(f"A team repository with a GitHub remote: {project}")
    run_cli("repo", "init", str(project), *config, environ=environ)
    run_cli("repo", "init", str(project), "--quiet", *config, environ=environ)
    run_cli("repo", "check", str(project), *config, environ=environ)
    show_file(project / ".kiro" / "settings" / "mcp.json")


def show_workstation(root: Path, home: Path) -> None:
    """The files onboarding left, and the installed Kiro's launcher."""
    show_tree(root, "The filesystem root")
    show_tree(home, "The developer's home")
    for path in (
        root / "etc/kiro/managed-settings.json",
        home / ".config/Kiro/User/settings.json",
        home / ".aws/config",
        home / ".kiro/settings/mcp.json",
        root / "var/lib/kiro-bootstrap/status.json",
    ):
        show_file(path)
    shim = root / "usr/local/bin/kiro" if os.geteuid() == 0 else home / ".local/bin/kiro"
    print(f"\n$ {shim}")
    print(subprocess.run([str(shim)], capture_output=True, text=True, check=False).stdout.strip())


def main() -> int:
    """Set up the sandbox and walk through admin and developer onboarding."""
    from kiro_bootstrap.roster.keys import key_from_pem
    from kiro_bootstrap.roster.signing import public_key_text
    from sandbox.aws.server import LocalAws
    from sandbox.release_server import ReleaseServer
    from sandbox.release_tree import build_release_tree
    from sandbox.roster_server import RosterServer
    from sandbox.test_keys import load_or_create_keys

    shutil.rmtree(SANDBOX, ignore_errors=True)
    environ = isolated_environ(SANDBOX)
    environ.update(PYTHONPATH=str(REPO), PYTHON_KEYRING_BACKEND=NULL_KEYRING)
    print(f"Sandbox: HOME and root under {SANDBOX}; every server listens on 127.0.0.1.")
    heading("1. Can this workstation run Kiro?")
    run_cli("doctor", "--offline", environ=environ, expect=(0, 3))

    host = SANDBOX / "release-host"
    tree = build_release_tree(host, VERSIONS, keys=load_or_create_keys(host / "keys"))
    with LocalAws(DEMO_SCENARIO) as aws, RosterServer() as roster, ReleaseServer(tree) as releases:
        admin = {**environ, **aws.env("shared")}
        heading("2. Admin, in the shared services account (on the local AWS)")
        key_file = SANDBOX / KEY_FILE
        run_cli("admin", "roster", "keygen", "--key-file", str(key_file), environ=admin)
        signing_key = key_from_pem(key_file.read_text("ascii"), str(key_file))
        org = write_org_config(
            SANDBOX,
            release_url=releases.base_url,
            certificate_pin=tree.signing_key.fingerprint_sha256,
            roster_url=roster.index_url,
            public_key=public_key_text(signing_key.public_key()),
        )
        print(f"\nThe organisation config both halves read: {org}")
        config = ("--config", str(org))
        run_admin(admin, config, roster)
        heading("3. Kiro builds: resolve, download, verify, mirror")
        run_builds(environ, config, releases)
        heading("4. The company portal: admin package")
        packaged = package_for_portal(environ, config)
        heading(f"5. Developer onboarding for {DEVELOPER}: only the packaged binary")
        run_developer(environ, packaged, releases)
    heading("6. Sharing Kiro's artefacts in the team's repository")
    run_repository(environ, config)
    heading("7. What the workstation now holds")
    show_workstation(Path(environ["KIRO_BOOTSTRAP_ROOT"]), Path(environ["HOME"]))
    print("\nDemo finished.")
    return 0


def artifact_bytes(server: ReleaseServer) -> int:
    """Artifact bytes the release server sent since its counters were reset."""
    return sum(server.bytes_served(suffix) for suffix in ARTIFACT_SUFFIXES)


if __name__ == "__main__":
    sys.exit(main())
