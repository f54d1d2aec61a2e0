"""Kiro's launch environment: the organisation's CA and proxy for every Kiro process.

Kiro's Node processes (sign-in, the agent, extensions, the runtimes they spawn) trust only
Node's built-in roots unless `NODE_EXTRA_CA_CERTS` / `NODE_USE_SYSTEM_CA` say otherwise, and
read the standard proxy variables (FACTS §5). A GUI app gets variables only through what
starts it, so each OS gets the per-person mechanism that reaches a menu, dock or shim launch:

- Linux: the `Exec=` of the person's own desktop entry, as `env NAME=VALUE … kiro %F`: the
  install's entry for a user-scope tar.gz, else our own entry in the person's
  `~/.local/share/applications`, which overrides the system's (never a dpkg-owned file).
  Kiro alone is affected.
- macOS: a LaunchAgent in `~/Library/LaunchAgents` running `launchctl setenv` at login: every
  app the person starts afterwards sees the variables (the whole session, not Kiro alone).
- Windows: values under `HKCU\\Environment`, read by Explorer at sign-in: every process of the
  person's session (not Kiro alone). Written only when running as the person (their
  scheduled task): SYSTEM's `HKCU` is SYSTEM's own.

Proxy credentials never go into these (world-readable, or visible in a process argument): the
variables carry the proxy without them, and Kiro reads the credentials from `http.proxy` in
the person's settings.json.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kiro_bootstrap.configure import desktop_entry
from kiro_bootstrap.configure.documents import Document, PlistDocument
from kiro_bootstrap.configure.reconcile import FilePlan
from kiro_bootstrap.configure.update_policy import FORMAT_PLIST, RegistryDocument
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.configure.writer import Opener, Writer
from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.layout.locations import DESKTOP_ENTRY_NAME, linux_layout

LABEL = "Kiro launch environment"
MODE = 0o644  # nothing secret goes in: the proxy is written without its credentials
EXEC_KEY = "Exec"
DEB_LAUNCHER = "/usr/share/kiro/kiro"
LAUNCH_AGENT_LABEL = "dev.kiro.bootstrap.environment"
USER_ENVIRONMENT_KEY = "HKCU\\Environment"
# Hosts every Kiro process reaches directly: its own local servers.
LOOPBACK = ("localhost", "127.0.0.1", "::1")
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")
NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")


def without_credentials(proxy: str) -> str:
    """The proxy URL without a user name or password."""
    parts = urlsplit(proxy)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def launch_environment(ws: Workstation) -> dict[str, str]:
    """The variables every Kiro process should start with (empty: nothing to give)."""
    network = ws.settings.network
    variables: dict[str, str] = {}
    if network.ca_bundle:
        variables["NODE_EXTRA_CA_CERTS"] = str(Path(network.ca_bundle).resolve())
    if network.kiro_system_ca:
        variables["NODE_USE_SYSTEM_CA"] = "1"
    if network.proxy:
        proxy = without_credentials(network.proxy)
        variables.update(dict.fromkeys(PROXY_VARIABLES, proxy))
        no_proxy = ",".join(dict.fromkeys([*network.no_proxy, *LOOPBACK]))
        variables.update(dict.fromkeys(NO_PROXY_VARIABLES, no_proxy))
    return variables


class DesktopEntryDocument(Document):
    """A desktop entry edited in place; we own only `Exec=` of its [Desktop Entry] group."""

    def __init__(self, text: str) -> None:
        self.text = text  # empty: the entry is gone (uninstall removed it first)
        value = desktop_entry.read_key(text, desktop_entry.ENTRY_GROUP, EXEC_KEY)
        if value is not None:
            desktop_entry.split_exec(value)  # an unclosed quote is refused before any write

    def get(self, key: str) -> tuple[bool, Any]:
        """The key's value as written (Exec= with its environment prefix)."""
        value = desktop_entry.read_key(self.text, desktop_entry.ENTRY_GROUP, key)
        return value is not None, value

    def set(self, key: str, value: Any) -> None:
        """Set the key in the [Desktop Entry] group."""
        self.text = desktop_entry.replace_key(self.text, desktop_entry.ENTRY_GROUP, key, value)
        self.changed = True

    def delete(self, key: str) -> None:
        """Never needed: Exec= was always there before us (an entry cannot lose it)."""
        raise ConfigError(f"The desktop entry cannot do without {key}=.")

    def is_empty(self) -> bool:
        """True when no launch environment of ours is left (our own entry may then go)."""
        _present, value = self.get(EXEC_KEY)
        return not desktop_entry.split_environment(value or "")[0]

    def render(self) -> bytes | None:
        """The entry's text."""
        return self.text.encode("utf-8")


def _own_entry_text(launcher: Path, icon: Path) -> str:
    """Our entry overriding the system's: the same name, Kiro's own launcher."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Kiro\n"
        "Comment=Kiro IDE (launch environment set by kiro-bootstrap)\n"
        f"Exec={desktop_entry.exec_value([str(launcher)])}\n"
        f"Icon={icon}\n"
        "Terminal=false\n"
        "Categories=Development;IDE;\n"
        "StartupWMClass=Kiro\n"
    )


def _linux_target(ws: Workstation) -> tuple[Path, str] | None:
    """The person's entry to edit and the text it starts from when absent (None: no Kiro)."""
    data_home = ws.own_variable("XDG_DATA_HOME")
    applications = (Path(data_home) if data_home else ws.home / ".local" / "share") / "applications"
    entry = applications / DESKTOP_ENTRY_NAME
    user = linux_layout("user", ws.facts, ws.paths, ws.home)
    system = linux_layout("system", ws.facts, ws.paths, ws.home)
    for layout in (user, system):
        if (layout.current / "kiro").exists():
            return entry, _own_entry_text(layout.current / "kiro", layout.icon)
    deb = ws.paths.system(DEB_LAUNCHER)
    if deb.exists():
        return entry, _own_entry_text(deb, Path("kiro"))
    return None


def open_desktop_entry(_ws: Workstation, path: Path, before: bytes | None) -> Document:
    """Parse the person's entry; one we cannot read stops the run (exit 2)."""
    try:
        return DesktopEntryDocument((before or b"").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"The desktop entry {path} cannot be read ({error}); nothing was written.",
            hint="Fix or remove it, then run `kiro-bootstrap configure` again.",
        ) from None


def open_launch_agent(_ws: Workstation, path: Path, before: bytes | None) -> Document:
    """Parse the person's LaunchAgent; one we cannot read stops the run (exit 2)."""
    try:
        return PlistDocument(before)
    except ValueError as error:
        raise ConfigError(f"The LaunchAgent {path} cannot be read ({error}).") from None


def open_user_registry(ws: Workstation, _path: Path, _before: bytes | None) -> Document:
    """The person's `HKCU\\Environment` values."""
    return RegistryDocument(ws.registry_reader(USER_ENVIRONMENT_KEY), key=USER_ENVIRONMENT_KEY)


def _writer(file_format: str, opener: Opener) -> Writer:
    return Writer(
        file_format=file_format, label=LABEL, scope="user", mode=MODE, open_document=opener
    )


DESKTOP_ENTRY = _writer("desktop-entry", open_desktop_entry)
LAUNCH_AGENT = _writer(FORMAT_PLIST, open_launch_agent)  # recorded like the macOS policy plist
USER_REGISTRY = _writer("user-registry", open_user_registry)


def _plan_linux(ws: Workstation, variables: dict[str, str]) -> list[FilePlan]:
    target = _linux_target(ws)
    if target is None:
        return []
    path = ws.user_file(target[0])
    before = ws.read(path)
    doc = open_desktop_entry(ws, path, before if before is not None else target[1].encode())
    desired: dict[str, Any] = {}
    present, current = doc.get(EXEC_KEY)
    if variables and present:
        desired[EXEC_KEY] = desktop_entry.with_environment(current, variables)
    result = DESKTOP_ENTRY.plan(ws, path, desired, opened=(before, doc))
    if variables and not present:
        result.warnings.append(f"{path} has no Exec= line: Kiro's launch environment is not set.")
    return [result]


def _plan_macos(ws: Workstation, variables: dict[str, str]) -> list[FilePlan]:
    path = ws.user_file(ws.home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist")
    desired: dict[str, Any] = {}
    if variables:
        script = "; ".join(
            f"/bin/launchctl setenv {shlex.quote(name)} {shlex.quote(value)}"
            for name, value in variables.items()
        )
        desired = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": ["/bin/sh", "-c", script],
            "RunAtLoad": True,
        }
    return [LAUNCH_AGENT.plan(ws, path, desired)]


def _plan_windows(ws: Workstation, variables: dict[str, str]) -> list[FilePlan]:
    if not ws.acting_for_self:
        return []  # the person's own scheduled task writes their HKCU (DECISIONS §1)
    path = Path(USER_ENVIRONMENT_KEY)
    doc = open_user_registry(ws, path, None)
    return [USER_REGISTRY.plan(ws, path, dict(variables), opened=(doc.render(), doc))]


def plan(ws: Workstation) -> list[FilePlan]:
    """Plan the launch environment of the person's Kiro for this OS."""
    variables = launch_environment(ws)
    planners = {"linux": _plan_linux, "darwin": _plan_macos, "windows": _plan_windows}
    plans = planners[ws.facts.os](ws, variables)
    if plans and ws.settings.network.proxy != without_credentials(ws.settings.network.proxy):
        plans[0].warnings.append(
            "The proxy's credentials are not part of Kiro's launch environment; Kiro reads "
            "them from http.proxy in the person's settings.json."
        )
    return plans
