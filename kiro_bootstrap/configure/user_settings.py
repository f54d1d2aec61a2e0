"""Kiro's user `settings.json` (JSON with comments): only our keys change, nothing else moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiro_bootstrap.configure.documents import Document, open_jsonc, pointer
from kiro_bootstrap.configure.reconcile import FilePlan
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.configure.writer import Writer

# Kiro's telemetry switches (FACTS §2); content collection also under its older name, which
# earlier Kiro builds read.
TELEMETRY_KEYS: dict[str, tuple[str, ...]] = {
    "usage_analytics": (
        "telemetry.dataSharingAndPromptLogging.usageAnalyticsAndPerformanceMetrics",
    ),
    "content_collection": (
        "telemetry.dataSharingAndPromptLogging.contentCollectionForServiceImprovement",
        "telemetry.dataSharing.contentCollectionForServiceImprovement",
    ),
    "prompt_logging": ("telemetry.dataSharingAndPromptLogging.promptLogging",),
    "edit_stats": ("telemetry.editStats.enabled",),
    "feedback": ("telemetry.feedback.enabled",),
}
# Electron's per-OS application data folder, inside the person's home.
_APP_DATA = {
    "linux": ".config",
    "darwin": "Library/Application Support",
    "windows": "AppData/Roaming",
}


def settings_path(ws: Workstation) -> Path:
    """Kiro's user settings.json for the person (XDG_CONFIG_HOME only when it is theirs)."""
    config_home = ws.own_variable("XDG_CONFIG_HOME") if ws.facts.os == "linux" else None
    base = Path(config_home) if config_home else ws.home / _APP_DATA[ws.facts.os]
    return base / "Kiro" / "User" / "settings.json"


def proxy_has_credentials(proxy: str) -> bool:
    """True when a proxy URL carries a user name or password."""
    parts = urlsplit(proxy)
    return bool(parts.username or parts.password)


def desired_user_settings(ws: Workstation) -> dict[str, Any]:
    """The keys the organisation sets in a person's settings.json."""
    settings = ws.settings
    desired: dict[str, Any] = {}
    if settings.network.proxy:
        desired[pointer("http.proxy")] = settings.network.proxy
    if ws.loaded.origin_of("network.proxy_strict_ssl").kind != "default":
        desired[pointer("http.proxyStrictSSL")] = settings.network.proxy_strict_ssl
    telemetry = settings.kiro.telemetry.model_dump()
    for name, keys in TELEMETRY_KEYS.items():
        if telemetry[name] is not None:
            desired.update({pointer(key): telemetry[name] for key in keys})
    return desired


def open_document(_ws: Workstation, path: Path, before: bytes | None) -> Document:
    """Parse the person's settings; one that does not parse stops the run (exit 2)."""
    return open_jsonc(
        path,
        before,
        what="Kiro's settings file",
        hint="Fix the file (Kiro shows where), then run `kiro-bootstrap configure` again.",
    )


WRITER = Writer(
    file_format="jsonc",
    label="Kiro user settings",
    scope="user",
    mode=0o644,
    open_document=open_document,
)


def plan(ws: Workstation) -> list[FilePlan]:
    """Plan the person's settings.json."""
    result = WRITER.plan(ws, ws.user_file(settings_path(ws)), desired_user_settings(ws))
    if proxy_has_credentials(ws.settings.network.proxy) and result.changed:
        result.warnings.insert(
            0,
            f"network.proxy carries credentials: they are written in clear text into "
            f"{result.path}. "
            "Prefer a proxy that authenticates without credentials in its URL.",
        )
    return [result]
