"""Kiro's managed settings: the IAM Identity Center sign-in pre-filled (and locked) for everyone.

Kiro 1.2+ reads `managed-settings.json` (FACTS §2). An unreadable file blocks the agent's
tools, so the whole document we would write is validated first, and a file we cannot parse
is refused rather than replaced.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiro_bootstrap.configure.documents import (
    Document,
    JsoncDocument,
    pointer,
    same_value,
)
from kiro_bootstrap.configure.reconcile import FilePlan
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.configure.writer import Writer
from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.host.facts import version_numbers
from kiro_bootstrap.settings.model import MAX_METHODS_PER_RULE, MAX_VALUE_LENGTH

MINIMUM_KIRO_VERSION = (1, 2)  # the first Kiro IDE that reads managed settings
SIGNIN_METHODS = frozenset({"idc", "external_idp", "builder_id", "google", "github", "social"})
RULE_EFFECTS = frozenset({"allow", "deny"})
EFFECTIVE_RULE_EFFECT = "deny"  # Kiro ignores, with a warning, rules of any other effect
RULE_KEY_PREFIX = "rule:"
SIGNIN_RULE_PREFIX = "signin_method:"  # "rule:signin_method:idc,external_idp"
IDC_ONLY_KEY = "idc-only"  # the key `restrict_signin` records have always used
EXTERNAL_IDP_SETTINGS = {
    "external_idp_domain": "external_idp_domain",
    "external_idp_start_url": "external_idp_start_url",
    "external_idp_region": "external_idp_region",
}


def signin_rule(allowed: list[str]) -> dict[str, Any]:
    """The rule that denies every sign-in method except the allowed ones."""
    return {"capability": "signin_method", "match": ["*"], "exclude": allowed, "effect": "deny"}


IDC_ONLY_RULE = signin_rule(["idc"])


def signin_rule_key(allowed: list[str]) -> str:
    """The ownership key of the rule allowing exactly `allowed`."""
    name = IDC_ONLY_KEY if allowed == ["idc"] else SIGNIN_RULE_PREFIX + ",".join(allowed)
    return RULE_KEY_PREFIX + name


def rule_of_key(key: str) -> dict[str, Any]:
    """The rule an ownership key stands for."""
    name = key.removeprefix(RULE_KEY_PREFIX)
    if name == IDC_ONLY_KEY:
        return IDC_ONLY_RULE
    return signin_rule(name.removeprefix(SIGNIN_RULE_PREFIX).split(","))


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_SKELETON = '{\n  "rules": [],\n  "settings": {}\n}\n'


class ManagedSettingsDocument(JsoncDocument):
    """Strict JSON; keys are "/settings/<name>" members and "rule:<name>" entries of `rules`."""

    def __init__(self, data: bytes | None) -> None:
        text = _SKELETON if not data else data.decode("utf-8")
        super().__init__(text, strict=True)
        self.had_bom = self.bom
        self.bom = False  # Kiro reads UTF-8 without a byte-order mark: rewrite one that has it
        self.changed = self.had_bom

    def _rules(self) -> list[Any]:
        rules = self.value().get("rules", [])
        return list(rules) if isinstance(rules, list) else []

    def get(self, key: str) -> tuple[bool, Any]:
        """A settings member, or whether one of our rules is present."""
        if key.startswith(RULE_KEY_PREFIX):
            rule = rule_of_key(key)
            found = any(same_value(existing, rule) for existing in self._rules())
            return found, (rule if found else None)
        return super().get(key)

    def set(self, key: str, value: Any) -> None:
        """Set a settings member, or add our rule once (other rules stay, in order)."""
        if key.startswith(RULE_KEY_PREFIX):
            rules = self._rules()
            if not any(same_value(existing, value) for existing in rules):
                super().set(pointer("rules"), [*rules, value])
            return
        super().set(key, value)

    def delete(self, key: str) -> None:
        """Remove a settings member, or our rule."""
        if key.startswith(RULE_KEY_PREFIX):
            rule = rule_of_key(key)
            kept = [existing for existing in self._rules() if not same_value(existing, rule)]
            super().set(pointer("rules"), kept)
            return
        super().delete(key)

    def is_empty(self) -> bool:
        """No rules and no settings left (empty containers do not count)."""
        return not any(value for value in self.value().values())

    def render(self) -> bytes | None:
        """The document, with `rules` present, after validation; never with a BOM."""
        if "rules" not in self.value():
            super().set(pointer("rules"), [])
        problems = validate_managed_settings(self.value())
        if problems:
            raise ConfigError(
                f"The managed settings would be invalid: {problems[0]}; nothing was written.",
                hint="Fix the identity_center settings or the existing managed-settings.json.",
            )
        return self.text.encode("utf-8")


def _text_problems(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        if len(value) > MAX_VALUE_LENGTH:
            return [f"{where} is longer than {MAX_VALUE_LENGTH} characters"]
        if _CONTROL_CHARACTERS.search(value):
            return [f"{where} contains control characters"]
        return []
    if isinstance(value, list):
        return [problem for item in value for problem in _text_problems(item, where)]
    if isinstance(value, dict):
        return [
            problem
            for key, item in value.items()
            for problem in _text_problems(item, f"{where}.{key}")
        ]
    return []


def _rule_problems(rule: Any, where: str) -> list[str]:
    if not isinstance(rule, dict) or not isinstance(rule.get("capability"), str):
        return [f"{where} must be an object with a capability"]
    problems = []
    if rule.get("effect") not in RULE_EFFECTS:
        problems.append(f"{where}.effect must be one of {sorted(RULE_EFFECTS)}")
    for field_name in ("match", "exclude"):
        names = rule.get(field_name, [])
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            problems.append(f"{where}.{field_name} must be a list of names")
        elif len(names) > MAX_METHODS_PER_RULE:
            problems.append(f"{where}.{field_name} lists more than {MAX_METHODS_PER_RULE} names")
        elif rule["capability"] == "signin_method":
            unknown = [name for name in names if name != "*" and name not in SIGNIN_METHODS]
            if unknown:
                problems.append(f"{where}.{field_name} names unknown sign-in methods {unknown}")
    return problems


def validate_managed_settings(data: Any) -> list[str]:
    """Problems that would make Kiro reject the document (FACTS §2 limits); empty when valid."""
    if not isinstance(data, dict):
        return ["the document must be a JSON object"]
    rules, settings = data.get("rules"), data.get("settings", {})
    if not isinstance(rules, list):
        return ["rules must be a list"]
    if not isinstance(settings, dict):
        return ["settings must be an object"]
    problems = _text_problems(data, "managed settings")
    for index, rule in enumerate(rules):
        problems += _rule_problems(rule, f"rules[{index}]")
    for name, value in settings.items():
        if name.endswith("_url") and isinstance(value, str) and urlsplit(value).scheme != "https":
            problems.append(f"settings.{name} must be an https URL")
    return problems


def ignored_rules_warning(data: Any, path: Path) -> str | None:
    """A warning naming rules Kiro ignores (an effect other than deny); None when all count."""
    rules = data.get("rules") if isinstance(data, dict) else None
    ignored = [
        index
        for index, rule in enumerate(rules if isinstance(rules, list) else [])
        if isinstance(rule, dict) and rule.get("effect") != EFFECTIVE_RULE_EFFECT
    ]
    if not ignored:
        return None
    where = ", ".join(f"rules[{index}]" for index in ignored)
    return f'{path}: {where} will be ignored by Kiro (only effect "deny" rules apply).'


def open_document(_ws: Workstation, path: Path, before: bytes | None) -> Document:
    """Parse the existing file; one that does not parse stops the run (exit 2)."""
    try:
        return ManagedSettingsDocument(before)
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"The managed settings file {path} cannot be parsed ({error}); nothing was written.",
            hint="Fix or remove the file, then run `kiro-bootstrap configure` again.",
        ) from None


def desired_managed_settings(ws: Workstation) -> dict[str, Any]:
    """The keys the organisation wants in managed settings."""
    identity_center = ws.settings.identity_center
    desired: dict[str, Any] = {}
    if identity_center.start_url and identity_center.region:
        desired[pointer("settings", "idc_start_url")] = identity_center.start_url
        desired[pointer("settings", "idc_region")] = identity_center.region
    if identity_center.signin_help_url:
        desired[pointer("settings", "signin_help_url")] = identity_center.signin_help_url
    for setting, name in EXTERNAL_IDP_SETTINGS.items():
        value = getattr(identity_center, setting)
        if value:
            desired[pointer("settings", name)] = value
    allowed = identity_center.allowed_signin_methods
    if allowed:
        desired[signin_rule_key(allowed)] = signin_rule(allowed)
    return desired


def older_kiro_warning(versions: list[str | None]) -> str | None:
    """A warning when an installed or pinned Kiro predates managed settings."""
    for version in versions:
        numbers = version_numbers(version)
        if numbers and numbers < MINIMUM_KIRO_VERSION:
            return (
                f"Kiro {version} is older than 1.2 and ignores managed settings: the sign-in "
                "will not be pre-filled until Kiro is updated."
            )
    return None


WRITER = Writer(
    file_format="managed-settings",
    label="Kiro managed settings",
    scope="system",
    mode=0o644,
    open_document=open_document,
)


def plan(ws: Workstation) -> list[FilePlan]:
    """Plan the managed settings file."""
    path = ws.paths.kiro_managed_settings
    before, doc = WRITER.open(ws, path)
    result = WRITER.plan(ws, path, desired_managed_settings(ws), opened=(before, doc))
    if isinstance(doc, ManagedSettingsDocument):
        warning = ignored_rules_warning(doc.value(), path)
        if warning:
            result.warnings.append(warning)
    return [result]
