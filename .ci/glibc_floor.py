"""Report the highest GLIBC_ symbol version a PyInstaller one-file binary needs, and who needs it.

    python .ci/glibc_floor.py dist/kiro-bootstrap

The bootloader is the executable itself; the Python runtime and the extension modules are
shared libraries packed inside it, each extracted here and read with `objdump -T`. The binary
starts only where the bootloader's floor holds, and a command works only where the floor of
every library it loads holds: the reported floor is the highest of all.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from PyInstaller.archive.readers import CArchiveReader

GLIBC_SYMBOL = re.compile(r"GLIBC_(\d+(?:\.\d+)+)")
SHARED_LIBRARY = re.compile(r"\.so(\.\d+)*$")
SHOWN_LIBRARIES = 5


def glibc_versions(path: Path) -> list[tuple[int, ...]]:
    """Every GLIBC_x.y version `path`'s dynamic symbols ask for."""
    dump = subprocess.run(
        ["objdump", "-T", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return [tuple(int(part) for part in found.split(".")) for found in GLIBC_SYMBOL.findall(dump)]


def label(version: tuple[int, ...] | None) -> str:
    """2.34 for (2, 34); "none" for a library that needs no versioned glibc symbol."""
    return ".".join(str(part) for part in version) if version else "none"


def main(binary: Path) -> int:
    """Print the bootloader's floor, the bundled libraries' floor and the overall one."""
    bootloader = max(glibc_versions(binary), default=None)
    archive = CArchiveReader(str(binary))
    needs: dict[str, tuple[int, ...]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in archive.toc:
            if not SHARED_LIBRARY.search(name):
                continue
            extracted = Path(folder) / name.replace("/", "_")
            extracted.write_bytes(archive.extract(name))
            highest = max(glibc_versions(extracted), default=None)
            if highest:
                needs[name] = highest
    bundled = max(needs.values(), default=None)
    print(f"highest GLIBC_ the bootloader needs: {label(bootloader)}")
    print(f"highest GLIBC_ the {len(needs)} bundled shared libraries need: {label(bundled)}")
    for name, version in sorted(needs.items(), key=lambda item: item[1], reverse=True)[
        :SHOWN_LIBRARIES
    ]:
        print(f"  {label(version):>5}  {name}")
    overall = max(filter(None, (bootloader, bundled)), default=None)
    print(f"glibc floor of the binary: {label(overall)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
