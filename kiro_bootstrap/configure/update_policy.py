"""Kiro's policies: `UpdateMode`, `UpdateUrl` and the extension gallery, where Kiro reads policy.

Both places are unverified for Kiro (FACTS §5), so they are settings: `kiro.linux_policy_file`
(default `/etc/kiro/policy.json`; Code-OSS itself reads `/etc/vscode/policy.json`) and
`kiro.macos_policy_delivery` (`managed-preferences`, the default; `preferences`, what
`sudo defaults write /Library/Preferences/dev.kiro.desktop` writes; `profile`: nothing is
written here, the MDM profile carries the keys).
Linux: that JSON file, merged. Windows: values under `HKLM\\SOFTWARE\\Policies\\Kiro`,
written with `reg add` through the runner. macOS: Code-OSS reads policies from the app's
preferences domain (`dev.kiro.desktop`) and honours only values macOS reports as *forced*,
i.e. managed preferences. We write `/Library/Managed Preferences/dev.kiro.desktop.plist`,
the file a configuration profile produces. Certain: that path and format are where macOS keeps
forced values. A guess: that Kiro reads them without an MDM profile behind the file; macOS's
preferences daemon caches values, so the change may show only after a restart, and an MDM
may replace the file. Organisations with an MDM should deploy the same keys as a profile.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from kiro_bootstrap.configure.documents import Document, JsoncDocument, PlistDocument, pointer
from kiro_bootstrap.configure.reconcile import FilePlan
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.configure.writer import Writer
from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.settings.model import Settings

POLICY_DOMAIN = "dev.kiro.desktop"
REGISTRY_KEY = "HKLM\\SOFTWARE\\Policies\\Kiro"
FORMAT_JSON = "policy-json"
FORMAT_PLIST = "plist"
FORMAT_REGISTRY = "registry"
PREFERENCES_FOLDER = "/Library/Preferences"
# Code-OSS policy names; the item URL's name follows the service URL's [unverified for Kiro].
GALLERY_POLICIES = {
    "service_url": "ExtensionGalleryServiceUrl",
    "item_url": "ExtensionGalleryItemUrl",
}


class RegistryDocument(Document):
    """String values of one registry key; edits become `reg add` / `reg delete` commands."""

    def __init__(self, values: dict[str, Any] | None, *, key: str = REGISTRY_KEY) -> None:
        self.key = key
        self.values = {
            name: value for name, value in (values or {}).items() if not isinstance(value, dict)
        }
        self.pending: list[list[str]] = []

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, value) or (False, None)."""
        return (key in self.values, self.values.get(key))

    def set(self, key: str, value: Any) -> None:
        """Queue `reg add` of a string value (64-bit view, no prompt)."""
        self.values[key] = str(value)
        self.pending.append(
            ["reg", "add", self.key, "/v", key, "/t", "REG_SZ", "/d", str(value), "/f",
             "/reg:64"]
        )  # fmt: skip
        self.changed = True

    def delete(self, key: str) -> None:
        """Queue `reg delete` of one value."""
        self.values.pop(key, None)
        self.pending.append(["reg", "delete", self.key, "/v", key, "/f", "/reg:64"])
        self.changed = True

    def is_empty(self) -> bool:
        """True when the key holds no values."""
        return not self.values

    def render(self) -> bytes | None:
        """The values as text, for the diff."""
        return render_registry(self.values)

    def commands(self) -> list[list[str]]:
        """The `reg` command lines to run."""
        return list(self.pending)


def render_registry(values: dict[str, Any]) -> bytes:
    """Registry values as `name = value` lines (what a diff shows)."""
    return "".join(f"{name} = {value}\n" for name, value in sorted(values.items())).encode()


def desired_policy(ws: Workstation) -> dict[str, str]:
    """UpdateMode and UpdateUrl; a pinned version turns updates off unless a mode is set."""
    kiro = ws.settings.kiro
    values: dict[str, str] = {}
    if kiro.update_mode is not None:
        values["UpdateMode"] = kiro.update_mode
    elif ws.settings.release.pinned:
        values["UpdateMode"] = "none"  # Kiro updating itself would leave the pinned version
    if kiro.update_url:
        values["UpdateUrl"] = kiro.update_url
    gallery = kiro.extension_gallery.model_dump()
    values.update(
        {name: gallery[field] for field, name in GALLERY_POLICIES.items() if gallery[field]}
    )
    return values


def policy_location(ws: Workstation) -> tuple[Path, str] | None:
    """Where this OS keeps the policy, and in which format (None: an MDM profile delivers it)."""
    kiro = ws.settings.kiro
    if ws.facts.os == "windows":
        return Path(REGISTRY_KEY), FORMAT_REGISTRY
    if ws.facts.os == "darwin":
        if kiro.macos_policy_delivery == "profile":
            return None
        folder = (
            ws.paths.system(PREFERENCES_FOLDER)
            if kiro.macos_policy_delivery == "preferences"
            or ws.paths.managed_preferences_dir is None
            else ws.paths.managed_preferences_dir
        )
        return folder / f"{POLICY_DOMAIN}.plist", FORMAT_PLIST
    return ws.paths.system(kiro.linux_policy_file), FORMAT_JSON


def policy_delivery(settings: Settings, os_name: str) -> dict[str, str]:
    """Which policy location this host uses (for status: both are unverified for Kiro)."""
    if os_name == "windows":
        return {"delivery": "registry", "location": REGISTRY_KEY}
    if os_name == "darwin":
        delivery = settings.kiro.macos_policy_delivery
        where = {
            "managed-preferences": f"/Library/Managed Preferences/{POLICY_DOMAIN}.plist",
            "preferences": f"{PREFERENCES_FOLDER}/{POLICY_DOMAIN}.plist",
            "profile": f"an MDM configuration profile for {POLICY_DOMAIN}",
        }[delivery]
        return {"delivery": delivery, "location": where}
    return {"delivery": "file", "location": settings.kiro.linux_policy_file}


def open_document(ws: Workstation, path: Path, before: bytes | None, file_format: str) -> Document:
    """Parse the current policy; one that does not parse stops the run (exit 2)."""
    try:
        if file_format == FORMAT_REGISTRY:
            return RegistryDocument(ws.registry_reader(REGISTRY_KEY))
        if file_format == FORMAT_PLIST:
            return PlistDocument(before)
        return JsoncDocument((before or b"").decode("utf-8"), strict=True)
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"The update policy {path} cannot be parsed ({error}); nothing was written.",
            hint="Fix or remove it, then run `kiro-bootstrap configure` again.",
        ) from None


def read_current(ws: Workstation, path: Path, file_format: str) -> bytes | None:
    """The policy as it is now (registry values rendered as text)."""
    if file_format == FORMAT_REGISTRY:
        values = ws.registry_reader(REGISTRY_KEY)
        return None if values is None else render_registry(RegistryDocument(values).values)
    return ws.read(path)


def key_for(file_format: str, name: str) -> str:
    """How a policy name is addressed in the document of this format."""
    return pointer(name) if file_format == FORMAT_JSON else name


WRITERS = {
    file_format: Writer(
        file_format=file_format,
        label="Kiro update policy",
        scope="system",
        mode=0o644,
        open_document=partial(open_document, file_format=file_format),
        read_current=partial(read_current, file_format=file_format),
    )
    for file_format in (FORMAT_JSON, FORMAT_PLIST, FORMAT_REGISTRY)
}


def plan(ws: Workstation) -> list[FilePlan]:
    """Plan the policy file (nothing when an MDM profile delivers it)."""
    location = policy_location(ws)
    if location is None:
        return []
    path, file_format = location
    desired = {key_for(file_format, name): value for name, value in desired_policy(ws).items()}
    return [WRITERS[file_format].plan(ws, path, desired)]
