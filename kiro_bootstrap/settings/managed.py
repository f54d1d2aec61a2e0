"""Read the MDM-managed source: a TOML file, macOS managed preferences or the Windows registry."""

from __future__ import annotations

import importlib
import plistlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.parsing import load_json_text
from kiro_bootstrap.paths import Paths
from kiro_bootstrap.settings.load import ManagedSource, read_toml_file

MANAGED_PREFERENCES_DOMAIN = "dev.kiro.bootstrap"
POLICY_REGISTRY_KEY = "HKLM\\SOFTWARE\\Policies\\KiroBootstrap"

# Reads a registry key tree as {value name or subkey: value or subtree}; None if the key is absent.
RegistryReader = Callable[[str], dict[str, Any] | None]


def _decode_registry(tree: dict[str, Any]) -> dict[str, Any]:
    """Registry strings that hold JSON lists or tables become real lists and tables."""
    decoded: dict[str, Any] = {}
    for name, value in tree.items():
        if isinstance(value, dict):
            decoded[name] = _decode_registry(value)
        elif isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                decoded[name] = load_json_text(value, what=f"The policy value {name}")
            except ValueError:
                raise ConfigError(
                    f"The policy value {POLICY_REGISTRY_KEY}\\{name} is not valid JSON."
                ) from None
        else:
            decoded[name] = value
    return decoded


def read_windows_registry(key: str) -> dict[str, Any] | None:
    """The real registry reader (Windows only; imported lazily)."""
    # Typed as Any: the stubs only describe winreg when type-checking for Windows.
    winreg: Any = importlib.import_module("winreg")

    hive_name, _, sub_key = key.partition("\\")
    hive = getattr(
        winreg,
        {"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER"}.get(hive_name, hive_name),
    )

    def walk(path: str) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        with winreg.OpenKey(hive, path) as handle:
            sub_keys, values, _ = winreg.QueryInfoKey(handle)
            for index in range(values):
                name, value, _kind = winreg.EnumValue(handle, index)
                tree[name] = value
            for index in range(sub_keys):
                child = winreg.EnumKey(handle, index)
                tree[child] = walk(f"{path}\\{child}")
        return tree

    try:
        return walk(sub_key)
    except FileNotFoundError:
        return None


def read_plist(path: Path) -> dict[str, Any]:
    """A managed preferences plist, sections as dictionaries."""
    try:
        with path.open("rb") as handle:
            data = plistlib.load(handle)
    except FileNotFoundError:
        return {}
    except (plistlib.InvalidFileException, ValueError) as error:
        raise ConfigError(f"The managed preferences {path} cannot be parsed: {error}.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"The managed preferences {path} must hold a dictionary.")
    # Configuration profiles add their own PayloadXxx keys; they are not settings.
    return {key: value for key, value in data.items() if not key.startswith("Payload")}


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """`top`'s keys over `base`'s, section by section."""
    merged = dict(base)
    for key, value in top.items():
        below = merged.get(key)
        if isinstance(below, dict) and isinstance(value, dict):
            merged[key] = _overlay(below, value)
        else:
            merged[key] = value
    return merged


def read_macos_managed(facts: HostFacts, folder: Path) -> tuple[dict[str, Any], str]:
    """Computer-level managed preferences, overlaid by the person's user-level ones.

    An MDM profile scoped to a user (Jamf "User Level", a user channel) lands in
    `/Library/Managed Preferences/<user>/`; macOS gives those precedence for that person.
    The person is whom a root run acts for by default (the console user), else ourselves.
    """
    computer = folder / f"{MANAGED_PREFERENCES_DOMAIN}.plist"
    values = read_plist(computer)
    sources = [str(computer)] if values else []
    person = facts.console_user if facts.is_admin else facts.current_user
    if person and person != "root":
        user_level = folder / person / f"{MANAGED_PREFERENCES_DOMAIN}.plist"
        personal = read_plist(user_level)
        if personal:
            values = _overlay(values, personal)
            sources.append(str(user_level))
    return values, " + ".join(sources) or str(computer)


def read_managed_source(
    facts: HostFacts, paths: Paths, *, registry_reader: RegistryReader | None = None
) -> ManagedSource | None:
    """The managed source for this OS, or None when the policy sets nothing."""
    if facts.os == "linux" and paths.policy_config_file is not None:
        values = read_toml_file(paths.policy_config_file, required=False)
        description = str(paths.policy_config_file)
    elif facts.os == "darwin" and paths.managed_preferences_dir is not None:
        values, description = read_macos_managed(facts, paths.managed_preferences_dir)
    elif facts.os == "windows":
        tree = (registry_reader or read_windows_registry)(POLICY_REGISTRY_KEY)
        values, description = _decode_registry(tree or {}), POLICY_REGISTRY_KEY
    else:
        return None
    return ManagedSource(description, values) if values else None
