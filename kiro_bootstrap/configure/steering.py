"""`~/.kiro/steering/`: the organisation's steering files, each owned as a whole."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from kiro_bootstrap.configure import front_matter
from kiro_bootstrap.configure.documents import Document, WholeFileDocument
from kiro_bootstrap.configure.reconcile import FilePlan
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.configure.writer import Writer
from kiro_bootstrap.errors import ConfigError

if TYPE_CHECKING:
    from kiro_bootstrap.settings.load import LoadedSettings

SUFFIX = ".md"
INCLUSION_MODES = ("always", "fileMatch", "manual", "auto")
FILE_MATCH = "fileMatch"
DEFAULT_FRONT_MATTER = "---\ninclusion: always\n---\n\n"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def steering_dir(home: Path) -> Path:
    """The person's steering folder."""
    return home / ".kiro" / "steering"


def read_source(
    loaded: LoadedSettings, key: str, source: str, *, file_suffixes: tuple[str, ...] = (SUFFIX,)
) -> str:
    """The file `source` names (relative to the config file that set `key`), else the text."""
    origin = loaded.origin_of(key)
    base = Path(origin.detail).parent if origin.kind == "file" and origin.detail else Path.cwd()
    if "\n" in source:
        return source  # multi-line: text, never a path
    candidate = Path(source).expanduser()
    candidate = candidate if candidate.is_absolute() else base / candidate
    try:
        is_file = candidate.is_file()
    except OSError:  # a long line of text is "File name too long", not an error
        is_file = False
    if is_file:
        try:
            return candidate.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{key}: cannot read {candidate} ({error}).") from None
    if source.endswith(file_suffixes):
        raise ConfigError(f"{key} names {candidate}, which does not exist.")
    return source


def with_front_matter(name: str, text: str, *, setting: str = "steering.files") -> str:
    """The text with front matter that loads as YAML: `inclusion: always` added when it has none.

    A `key: value` line that is not YAML on its own (`fileMatchPattern: *.ts`) is written
    double-quoted, the form that reads back as the same string.
    """
    try:
        if front_matter.split(text) is None:
            return DEFAULT_FRONT_MATTER + text.rstrip("\n") + "\n"
        text = front_matter.quote_lines(text)
        matter = front_matter.load(text)
    except front_matter.FrontMatterError as error:
        raise ConfigError(f"{setting}.{name}: line {error.line}: {error}.") from None
    inclusion = None if matter is None else matter.values.get("inclusion")
    if inclusion is not None and inclusion not in INCLUSION_MODES:
        raise ConfigError(
            f"{setting}.{name}: inclusion {inclusion!r} is not one of {', '.join(INCLUSION_MODES)}."
        )
    return text.rstrip("\n") + "\n"


def global_steering_warning(path: Path, text: str) -> str | None:
    """Why a global steering file will not work as meant, or None (Kiro issue 9176)."""
    matter = front_matter.load(text)
    if matter is None or matter.values.get("inclusion") != FILE_MATCH:
        return None
    return (
        f"{path.name}: inclusion fileMatch does not trigger in global steering "
        f"({path.parent}); use always or manual, or share it in a repository's .kiro/steering/."
    )


def steering_files(ws: Workstation) -> dict[Path, str]:
    """Each organisation steering file's path and final text."""
    files: dict[Path, str] = {}
    for name, source in ws.settings.steering.files.items():
        if not _NAME.match(name) or ".." in name:
            raise ConfigError(f"steering.files: {name!r} is not a usable file name.")
        file_name = name if name.endswith(SUFFIX) else name + SUFFIX
        text = with_front_matter(name, read_source(ws.loaded, f"steering.files.{name}", source))
        files[steering_dir(ws.home) / file_name] = text
    return files


def open_document(_ws: Workstation, _path: Path, before: bytes | None) -> Document:
    """A steering file is owned whole."""
    return WholeFileDocument(before)


WRITER = Writer(
    file_format="file",
    label="Kiro steering file",
    scope="user",
    mode=0o644,
    open_document=open_document,
)


def plan(ws: Workstation) -> list[FilePlan]:
    """Plan every organisation steering file (files no longer listed are removed by run.py)."""
    plans = []
    for wanted, text in steering_files(ws).items():
        path = ws.user_file(wanted)
        desired = {WholeFileDocument.KEY: text}
        file_plan = WRITER.plan(ws, path, desired, label=f"{WRITER.label} {path.name}")
        warning = global_steering_warning(path, text)
        if warning is not None:
            file_plan.warnings.append(warning)
        plans.append(file_plan)
    return plans
