"""Build the effective settings from every layer, remembering where each value came from."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.parsing import MAX_DOCUMENT_BYTES, ParseLimitError, load_toml_bytes
from kiro_bootstrap.settings.model import ENV_NESTED_DELIMITER, ENV_PREFIX, Settings

# Environment variables that steer a run (or the MDM wrappers: BIN) but are not settings.
ENV_ONLY = frozenset({"ROOT", "USER", "BIN"})
# What the MDM policy locks when it sets it: flags and environment cannot loosen verification.
LOCKABLE_PREFIXES = ("release.", "subscription.public_keys")


@dataclass(frozen=True)
class Origin:
    """Where one effective value came from."""

    kind: str  # "default" | "file" | "organisation" | "url" | "policy" | "env" | "flag"
    detail: str = ""
    locked: bool = False

    def __str__(self) -> str:
        text = f"{self.kind} {self.detail}".strip()
        return f"{text} (locked by policy)" if self.locked else text


DEFAULT_ORIGIN = Origin("default")


@dataclass(frozen=True)
class Layer:
    """One source of values: nested like the TOML file, with an origin per dotted key."""

    values: dict[str, Any]
    origins: dict[str, Origin]


@dataclass(frozen=True)
class ManagedSource:
    """What the MDM policy (config file, managed preferences or registry) sets."""

    description: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedSettings:
    """The validated settings, the origin of each non-default key, and load-time warnings."""

    settings: Settings
    origins: dict[str, Origin]
    warnings: tuple[str, ...] = ()

    def origin_of(self, key: str) -> Origin:
        """The origin of a dotted key (a table's keys share the table's origin)."""
        return find_origin(self.origins, key)


def find_origin(origins: Mapping[str, Origin], key: str) -> Origin:
    """The origin of a dotted key or of the nearest table holding it."""
    while key:
        if key in origins:
            return origins[key]
        key = key.rpartition(".")[0]
    return DEFAULT_ORIGIN


def flatten(values: Mapping[str, Any], model: type[BaseModel] = Settings) -> dict[str, Any]:
    """Nested values → {dotted key: value}, descending only into settings tables."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        info = model.model_fields.get(key)
        annotation = info.annotation if info else None
        if (
            isinstance(value, Mapping)
            and isinstance(annotation, type)
            and issubclass(annotation, BaseModel)
        ):
            for sub_key, sub_value in flatten(value, annotation).items():
                flat[f"{key}.{sub_key}"] = sub_value
        else:
            flat[key] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """{dotted key: value} → nested values."""
    nested: dict[str, Any] = {}
    for dotted, value in flat.items():
        *parents, leaf = dotted.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _layer(values: dict[str, Any], origin: Origin) -> Layer:
    return Layer(values, dict.fromkeys(flatten(values), origin))


def read_toml_file(path: Path, *, required: bool) -> dict[str, Any]:
    """Read a TOML config file; a missing optional file is empty."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
        return load_toml_bytes(data, what=f"The config file {path}")
    except FileNotFoundError:
        if required:
            raise ConfigError(
                f"The config file {path} does not exist.", hint="Check the --config path."
            ) from None
        return {}
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML: {error}.") from None
    except ParseLimitError as error:
        raise ConfigError(f"{error}.") from None
    except OSError as error:
        raise ConfigError(f"The config file {path} cannot be read: {error.strerror}.") from None


def file_layer(path: Path, *, required: bool) -> Layer:
    """The organisation or user config file."""
    return _layer(read_toml_file(path, required=required), Origin("file", str(path)))


def organisation_layer(path: Path) -> Layer:
    """The settings published beside the binary: above the user's file, below the policy."""
    return _layer(read_toml_file(path, required=True), Origin("organisation", str(path)))


def url_layer(values: dict[str, Any], shown_url: str) -> Layer:
    """`--config https://…`, already fetched; its origin names the URL without userinfo."""
    return _layer(values, Origin("url", shown_url))


def policy_layer(source: ManagedSource) -> Layer:
    """The MDM-managed source; its verification keys are locked."""
    flat = flatten(source.values)
    origins = {
        key: Origin("policy", source.description, locked=key.startswith(LOCKABLE_PREFIXES))
        for key in flat
    }
    return Layer(source.values, origins)


def env_layer(environ: Mapping[str, str]) -> Layer:
    """`KIRO_BOOTSTRAP_<SECTION>__<KEY>` variables, lists and tables as JSON."""
    ours = {
        name.upper(): value
        for name, value in environ.items()
        if name.upper().startswith(ENV_PREFIX) and name.upper()[len(ENV_PREFIX) :] not in ENV_ONLY
    }
    for name in ours:
        section = name[len(ENV_PREFIX) :].split(ENV_NESTED_DELIMITER)[0].lower()
        if section not in Settings.model_fields:
            nearest = nearest_setting([section])
            suggestion = f" Did you mean {nearest}?" if nearest else ""
            raise ConfigError(f"Unknown setting in the environment variable {name}.{suggestion}")
    if not ours:
        return Layer({}, {})
    # pydantic-settings parses the variables (nesting, JSON lists and tables); it is imported
    # only when there is something to parse, which keeps start-up fast on managed machines.
    from pydantic_settings import EnvSettingsSource
    from pydantic_settings.exceptions import SettingsError
    from pydantic_settings.sources.utils import parse_env_vars

    source = EnvSettingsSource(
        Settings,  # type: ignore[arg-type]  # it reads only model_fields and model_config
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        case_sensitive=False,
    )
    # Read the mapping we were given, not the process environment.
    source.env_vars = parse_env_vars(ours, False, False, None)
    try:
        values = source()
    except SettingsError:
        names = ", ".join(sorted(ours))
        raise ConfigError(
            f"An environment variable among {names} holds a value that is not valid JSON.",
            hint='Lists and tables in the environment are JSON, e.g. \'["a", "b"]\'.',
        ) from None
    origins: dict[str, Origin] = {}
    for key in flatten(values):
        parts = key.split(".")
        # The variable that set this key is the longest prefix of it that exists.
        for end in range(len(parts), 0, -1):
            name = ENV_PREFIX + ENV_NESTED_DELIMITER.join(parts[:end]).upper()
            if name in ours:
                origins[key] = Origin("env", name)
                break
    return Layer(values, origins)


def flag_layer(flags: Mapping[str, tuple[Any, str]]) -> Layer:
    """Command-line flags that set settings: {dotted key: (value, flag name)}."""
    values = unflatten({key: value for key, (value, _) in flags.items()})
    return Layer(values, {key: Origin("flag", name) for key, (_, name) in flags.items()})


def merge_layers(layers: list[Layer]) -> tuple[dict[str, Any], dict[str, Origin], list[str]]:
    """Merge lowest-first; a value the policy locked survives env and flags."""
    merged: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    warnings: list[str] = []
    for layer in layers:
        for key, value in flatten(layer.values).items():
            origin = layer.origins.get(key, DEFAULT_ORIGIN)
            held = origins.get(key)
            if held is not None and held.locked and origin.kind in ("env", "flag"):
                if origin.kind == "flag":
                    raise ConfigError(
                        f"{key} is locked by policy ({held.detail}); {origin.detail} cannot "
                        "override it."
                    )
                warnings.append(f"{origin.detail} is ignored: {key} is locked by policy.")
                continue
            merged[key] = value
            origins[key] = origin
    return merged, origins, warnings


def nearest_setting(parts: Sequence[str]) -> str | None:
    """The known key closest to a misspelt one (`identity_center.start_urll`), if any is close."""
    from pydantic import BaseModel

    model: type[BaseModel] = Settings
    for part in parts[:-1]:
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    close = difflib.get_close_matches(parts[-1], list(model.model_fields), n=1, cutoff=0.75)
    return ".".join([*parts[:-1], close[0]]) if close else None


def describe_validation_error(error: ValidationError, origins: Mapping[str, Origin]) -> str:
    """The first problem as one sentence naming the key and where it came from."""
    problem = error.errors()[0]
    parts = [str(part) for part in problem["loc"]]
    key = ".".join(parts)
    origin = find_origin(origins, key)
    if origin.kind == "default":
        # A whole-table rule (release needs a version for its pins): name who set the table.
        origin = next((o for k, o in origins.items() if k.startswith(f"{key}.")), origin)
    where = f" (from {origin})" if origin.kind != "default" else ""
    if problem["type"] == "extra_forbidden":
        nearest = nearest_setting(parts)
        suggestion = f" Did you mean {nearest}?" if nearest else ""
        return f"Unknown setting {key}{where}.{suggestion}"
    message = problem["msg"].removeprefix("Value error, ")
    if not key:  # a rule across sections
        return f"Invalid configuration{where}: {message}."
    return f"Invalid setting {key}{where}: {message}."


def load_settings(
    *,
    config_file: Path | None,
    user_config_file: Path,
    managed: ManagedSource | None,
    environ: Mapping[str, str],
    flags: Mapping[str, tuple[Any, str]] | None = None,
    config_layer: Layer | None = None,
    organisation: Path | None = None,
) -> LoadedSettings:
    """Flags > environment > MDM policy > organisation file > config file > defaults.

    `config_layer` (a fetched `--config URL`) stands in for the config file; `organisation` is
    the settings file published beside the binary. The policy locks verification.
    """
    layers = [
        config_layer
        or file_layer(config_file or user_config_file, required=config_file is not None),
    ]
    if organisation is not None:
        layers.append(organisation_layer(organisation))
    if managed is not None:
        layers.append(policy_layer(managed))
    layers += [env_layer(environ), flag_layer(flags or {})]
    merged, origins, warnings = merge_layers(layers)
    try:
        settings = Settings.model_validate(unflatten(merged))
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error, origins)) from None
    if settings.release.signing.require_pins:
        warnings.append(
            "release.signing.require_pins is deprecated; it means "
            'release.signing.linux_trust = "pinned", which replaces it.'
        )
    return LoadedSettings(settings, origins, tuple(warnings))
