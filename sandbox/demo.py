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


def run_cli(*argv: str, environ: dict[str, str], expect: tuple[int, ...] = (0,)) -> int:
    """Run one kiro-bootstrap command the way a person would, and show it."""
    print(f"\n$ kiro-bootstrap {' '.join(argv)}", flush=True)
    completed = subprocess.run(
        [sys.executable, "-m", "kiro_bootstrap", *argv], env=environ, check=False
    )
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


def run_developer(
    environ: dict[str, str], config: tuple[str, str], releases: ReleaseServer
) -> None:
    """Install (refused, then allowed), a no-op rerun, status, and a stranger's subscription."""
    developer = {**environ, "KIRO_BOOTSTRAP_USER": DEVELOPER}
    print("This machine's glibc is older than Kiro needs, so install refuses (exit 3):")
    run_cli("install", *config, environ=developer, expect=(3,))
    print(
        "\nKiro would fail to start here ('GLIBC_2.38 not found'); the demo goes on with "
        "--allow-unsupported-os only to show the install itself. The override is warned "
        "about and recorded in the status file."
    )
    run_cli("install", "--allow-unsupported-os", *config, environ=developer)
    releases.reset_counters()
    run_cli("install", "--allow-unsupported-os", "--quiet", *config, environ=developer)
    print(f"(the rerun served {artifact_bytes(releases)} artifact bytes and changed nothing)")
    run_cli("status", *config, environ=developer)
    run_cli("subscription", "--user", "mallory", *config, environ=developer, expect=(8,))


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
        heading(f"4. Developer onboarding for {DEVELOPER}")
        run_developer(environ, config, releases)
    heading("5. Sharing Kiro's artefacts in the team's repository")
    run_repository(environ, config)
    heading("6. What the workstation now holds")
    show_workstation(Path(environ["KIRO_BOOTSTRAP_ROOT"]), Path(environ["HOME"]))
    print("\nDemo finished.")
    return 0


def artifact_bytes(server: ReleaseServer) -> int:
    """Artifact bytes the release server sent since its counters were reset."""
    return sum(server.bytes_served(suffix) for suffix in ARTIFACT_SUFFIXES)


if __name__ == "__main__":
    sys.exit(main())
