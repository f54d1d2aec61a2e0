"""The artifact's own version must be the version it was offered as (rollback and freeze guard).

A genuinely signed old build served under a newer version's path and metadata would install as
that newer version and then refuse every real update as a downgrade. So each artifact's version
is read from inside it: the tar.gz's `product.json` (the field `kiro.version_field` names), the
.deb's control `Version`, the DMG's `Kiro.app` `CFBundleShortVersionString`, the Windows
installer's version resource. A value that exists and disagrees is exit 5. A value we cannot
find (a product.json without the field, a field holding the Code-OSS version) is a warning and
the label stands: which field holds Kiro's own version is not documented, and refusing every
real build because of our guess would be worse than the signed-old-build attack it guards.
"""

from __future__ import annotations

import io
import plistlib
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap.checks import Check
from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.layout.targets import TargetSpec
from kiro_bootstrap.parsing import ParseLimitError, load_json_bytes
from kiro_bootstrap.verify.macos import APP_NAME, TOOL_TIMEOUT_SECONDS, AttachError, attached_dmg

VERSION_CHECK = "artifact-version"
PRODUCT_JSON_SUFFIX = "resources/app/product.json"
# product.json, a control file and Info.plist are a few KiB; past this a member is not them.
MAX_MEMBER_BYTES = 1024 * 1024
_AR_MAGIC = b"!<arch>\n"
_AR_HEADER_BYTES = 60
_DEB_VERSION = re.compile(r"^Version:\s*(\S+)\s*$", re.MULTILINE)
_FOUR_PART_ZERO = re.compile(r"^(\d+\.\d+\.\d+)\.0$")


@dataclass(frozen=True)
class FoundVersion:
    """What the artifact says about its version: the value (None: not found) and where."""

    value: str | None
    source: str
    setting: str  # the setting that decides where we look, for the message
    note: str = ""


def check_artifact_version(
    spec: TargetSpec,
    artifact: Path,
    label: str,
    *,
    version_field: str,
    runner: Runner,
    can_attach_dmg: bool,
) -> Check:
    """Pass when the artifact's version is the label, fail when it differs, else warn."""
    if spec.extension == "dmg" and not can_attach_dmg:
        return Check(VERSION_CHECK, "deferred", "needs macOS to open the DMG; not read here")
    found = read_artifact_version(spec, artifact, version_field=version_field, runner=runner)
    if found.value is None:
        return Check(
            VERSION_CHECK,
            "warn",
            f"{found.note or 'no version found'} in {found.source}; taken as {label}, its label",
            f"If Kiro keeps its version elsewhere, say where: {found.setting}.",
        )
    if normalise_version(found.value) == normalise_version(label):
        return Check(VERSION_CHECK, "pass", f"{found.source} says {found.value}, as offered")
    return Check(
        VERSION_CHECK,
        "fail",
        f"the artifact offered as Kiro {label} is version {found.value} ({found.source}).",
        "A signed build of another version was served under this version's name (a rollback "
        f"or freeze attempt, or a broken mirror); do not install it. If {found.source} is not "
        f"where Kiro keeps its version, set {found.setting}.",
    )


def normalise_version(value: str) -> str:
    """1.0.309.0 (Windows' four parts) and a .deb's epoch or revision compare as 1.0.309."""
    text = value.strip().split(":", 1)[-1].split("-", 1)[0]
    match = _FOUR_PART_ZERO.match(text)
    return match.group(1) if match else text


def read_artifact_version(
    spec: TargetSpec, artifact: Path, *, version_field: str, runner: Runner
) -> FoundVersion:
    """The version the artifact carries inside, by its kind."""
    if spec.extension == "tar.gz":
        return _tarball_version(artifact, version_field)
    if spec.extension == "deb":
        return _deb_version(artifact)
    if spec.extension == "dmg":
        return _dmg_version(artifact, runner)
    return _exe_version(artifact)


def _tarball_version(artifact: Path, field: str) -> FoundVersion:
    source = f"product.json field {field!r}"
    setting = "kiro.version_field"
    try:
        with tarfile.open(artifact, "r:gz") as archive:
            for member in archive:
                if member.isfile() and member.name.endswith(PRODUCT_JSON_SUFFIX):
                    data = _read_member(archive, member)
                    return _product_field(data, field, source, setting)
    except (OSError, tarfile.TarError, EOFError):
        return FoundVersion(None, "the tar.gz", setting, "the archive cannot be read")
    return FoundVersion(None, "the tar.gz", setting, "no resources/app/product.json")


def _product_field(data: bytes | None, field: str, source: str, setting: str) -> FoundVersion:
    try:
        product = load_json_bytes(data or b"", what="product.json")
    except ParseLimitError as error:
        return FoundVersion(None, source, setting, str(error))
    value = product.get(field) if isinstance(product, dict) else None
    if not isinstance(value, str) or not value.strip():
        return FoundVersion(None, source, setting, f"no {field!r} field")
    if field != "vsCodeVersion" and value == product.get("vsCodeVersion"):
        # The field holds the Code-OSS version Kiro is built on, not Kiro's own.
        return FoundVersion(None, source, setting, f"{value} is the Code-OSS version")
    return FoundVersion(value.strip(), source, setting)


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes | None:
    if member.size > MAX_MEMBER_BYTES:
        return None
    handle = archive.extractfile(member)
    return handle.read() if handle is not None else None


def _deb_version(artifact: Path) -> FoundVersion:
    source, setting = "the .deb control file", "release.sha256 (pin the build instead)"
    try:
        control = _deb_control(artifact)
    except (OSError, tarfile.TarError, EOFError, ValueError) as error:
        return FoundVersion(None, source, setting, f"cannot be read ({error})")
    if control is None:
        return FoundVersion(None, source, setting, "no control file")
    match = _DEB_VERSION.search(control.decode("utf-8", "replace"))
    return FoundVersion(match.group(1) if match else None, source, setting, "no Version field")


def _deb_control(artifact: Path) -> bytes | None:
    """`./control` from the .deb's control.tar[.gz|.xz] (an ar archive's second member)."""
    with artifact.open("rb") as handle:
        if handle.read(len(_AR_MAGIC)) != _AR_MAGIC:
            raise ValueError("not an ar archive")
        while header := handle.read(_AR_HEADER_BYTES):
            if len(header) < _AR_HEADER_BYTES:
                return None
            name = header[:16].decode("ascii", "replace").strip().rstrip("/")
            size = int(header[48:58].decode("ascii").strip() or "0")
            if not name.startswith("control.tar"):
                handle.seek(size + size % 2, io.SEEK_CUR)
                continue
            if size > MAX_MEMBER_BYTES * 8:
                raise ValueError("control archive too large")
            with tarfile.open(fileobj=io.BytesIO(handle.read(size)), mode="r:*") as control:
                for member in control:
                    if member.isfile() and member.name.lstrip("./") == "control":
                        return _read_member(control, member)
            return None
    return None


def _dmg_version(artifact: Path, runner: Runner) -> FoundVersion:
    source = f"{APP_NAME}'s CFBundleShortVersionString"
    setting = "release.sha256 (pin the build instead)"
    try:
        with attached_dmg(artifact, runner, timeout=TOOL_TIMEOUT_SECONDS) as mount:
            plist = mount / APP_NAME / "Contents/Info.plist"
            info = plistlib.loads(plist.read_bytes()) if plist.is_file() else None
    except (AttachError, OSError, plistlib.InvalidFileException, ValueError) as error:
        return FoundVersion(None, source, setting, f"cannot be read ({error})")
    value = info.get("CFBundleShortVersionString") if isinstance(info, dict) else None
    return FoundVersion(value if isinstance(value, str) else None, source, setting, "no value")


def _exe_version(artifact: Path) -> FoundVersion:
    import pefile

    source = "the installer's version resource (ProductVersion)"
    setting = "release.sha256 (pin the build instead)"
    try:
        pe = pefile.PE(str(artifact), fast_load=True)
    except (pefile.PEFormatError, OSError) as error:
        return FoundVersion(None, source, setting, f"not a readable PE file ({error})")
    with pe:
        resource = pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]
        pe.parse_data_directories(directories=[resource])
        for info in getattr(pe, "FileInfo", None) or []:
            for entry in info:
                for table in getattr(entry, "StringTable", []):
                    value = table.entries.get(b"ProductVersion")
                    if value:
                        return FoundVersion(value.decode("utf-8", "replace"), source, setting)
    return FoundVersion(None, source, setting, "no version resource")
