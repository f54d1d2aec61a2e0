"""Documents the writers edit key by key: JSON with comments, plists, whole text files.

Every document answers `get`, `set` and `delete` for the keys we own and renders itself
only when something changed, so an unchanged file keeps its exact bytes and mtime.
"""

from __future__ import annotations

import json
import plistlib
from pathlib import Path
from typing import Any

from kiro_bootstrap.configure import jsonc
from kiro_bootstrap.errors import ConfigError

BOM = "\ufeff"
POINTER_SEPARATOR = "/"


def pointer(*parts: str) -> str:
    """A JSON pointer (RFC 6901) naming a member: ("mcpServers", "a/b") -> "/mcpServers/a~1b"."""
    escaped = (part.replace("~", "~0").replace("/", "~1") for part in parts)
    return "".join(POINTER_SEPARATOR + part for part in escaped)


def split_pointer(key: str) -> list[str]:
    """The member names of a JSON pointer."""
    return [part.replace("~1", "/").replace("~0", "~") for part in key.split(POINTER_SEPARATOR)[1:]]


def display_key(key: str) -> str:
    """A key as people read it: "/settings/idc_start_url" -> "settings.idc_start_url"."""
    return ".".join(split_pointer(key)) if key.startswith(POINTER_SEPARATOR) else key


def same_value(first: Any, second: Any) -> bool:
    """Equality that tells true from 1 (JSON types matter in settings files)."""
    return json.dumps(first, sort_keys=True, default=str) == json.dumps(
        second, sort_keys=True, default=str
    )


class Document:
    """A file's content, edited by key; `changed` says whether rendering is needed."""

    changed: bool = False

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, value), or (False, None) when the key is absent."""
        raise NotImplementedError

    def set(self, key: str, value: Any) -> None:
        """Give `key` the value."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove `key`."""
        raise NotImplementedError

    def is_empty(self) -> bool:
        """True when nothing is left (a file we created can then be removed)."""
        raise NotImplementedError

    def render(self) -> bytes | None:
        """The new bytes; None when the file should not exist."""
        raise NotImplementedError

    def commands(self) -> list[list[str]]:
        """Programs to run instead of writing a file (the Windows registry)."""
        return []


class JsoncDocument(Document):
    """JSON with comments, edited in place; `strict` refuses comments and trailing commas."""

    def __init__(self, text: str, *, strict: bool = False) -> None:
        self.bom = text.startswith(BOM)
        self.text = text.removeprefix(BOM)
        # Parse now, so a damaged file is refused before anything at all is written.
        if strict and self.text.strip():
            json.loads(self.text)
        if not isinstance(jsonc.load(self.text), dict):
            raise jsonc.JsoncError("the top level is not an object", 0)

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, value) or (False, None)."""
        return jsonc.get(self.text, split_pointer(key))

    def set(self, key: str, value: Any) -> None:
        """Set the member, keeping every other byte (and comments inside an object we own)."""
        self.text = jsonc.merge_value(self.text, split_pointer(key), value)
        self.changed = True

    def delete(self, key: str) -> None:
        """Remove the member and its line."""
        self.text = jsonc.delete_value(self.text, split_pointer(key))
        self.changed = True

    def value(self) -> dict[str, Any]:
        """The whole document as Python values."""
        data: dict[str, Any] = jsonc.load(self.text)
        return data

    def is_empty(self) -> bool:
        """True when the object has no members left."""
        return not self.value()

    def render(self) -> bytes | None:
        """UTF-8, with the byte-order mark only if the file had one."""
        return ((BOM if self.bom else "") + self.text).encode("utf-8")


def open_jsonc(path: Path, before: bytes | None, *, what: str, hint: str) -> JsoncDocument:
    """Parse a person's JSON-with-comments file; one that does not parse stops the run (exit 2)."""
    try:
        return JsoncDocument((before or b"").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{what} {path} cannot be parsed ({error}); nothing was written.", hint=hint
        ) from None


class PlistDocument(Document):
    """A property list (macOS managed preferences); top-level keys only."""

    def __init__(self, data: bytes | None) -> None:
        loaded = plistlib.loads(data) if data else {}
        if not isinstance(loaded, dict):
            raise ValueError("the property list does not hold a dictionary")  # noqa: TRY004 - bad input
        self.data: dict[str, Any] = loaded

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, value) or (False, None)."""
        return (key in self.data, self.data.get(key))

    def set(self, key: str, value: Any) -> None:
        """Set a top-level key."""
        self.data[key] = value
        self.changed = True

    def delete(self, key: str) -> None:
        """Remove a top-level key."""
        self.data.pop(key, None)
        self.changed = True

    def is_empty(self) -> bool:
        """True when no key is left."""
        return not self.data

    def render(self) -> bytes | None:
        """XML property list, the format `defaults` and profiles use."""
        return plistlib.dumps(self.data, fmt=plistlib.FMT_XML, sort_keys=True)


class WholeFileDocument(Document):
    """A text file we own as a whole (a steering file): one key, "content"."""

    KEY = "content"

    def __init__(self, data: bytes | None) -> None:
        self.content = None if data is None else data.decode("utf-8", errors="replace")

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, text) or (False, None)."""
        return (self.content is not None, self.content)

    def set(self, key: str, value: Any) -> None:
        """Replace the whole text."""
        self.content = str(value)
        self.changed = True

    def delete(self, key: str) -> None:
        """The file goes away."""
        self.content = None
        self.changed = True

    def is_empty(self) -> bool:
        """True when there is no text."""
        return self.content is None

    def render(self) -> bytes | None:
        """The text as UTF-8, or None (remove the file)."""
        return None if self.content is None else self.content.encode("utf-8")
