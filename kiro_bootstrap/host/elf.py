"""Just enough ELF and ld.so.cache reading to find libstdc++'s version names, no subprocess."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
SHT_DYNSYM = 11
SHT_GNU_VERDEF = 0x6FFFFFFD
# libstdc++'s .dynstr is ~300 KiB; anything far larger is not the library we are looking for.
MAX_STRING_TABLE_BYTES = 4 * 1024 * 1024
# Used only when section headers are missing (stripped with sstrip): scan the file's start.
MAX_FALLBACK_SCAN_BYTES = 8 * 1024 * 1024
MAX_SECTION_HEADERS = 4096
MAX_LD_CACHE_BYTES = 16 * 1024 * 1024

# e_machine values (ELF gABI) for the architectures we name.
ELF_MACHINES = {"x86_64": 62, "arm64": 183, "x86": 3, "i686": 3, "i386": 3, "armv7l": 40}

_CACHE_PATH = re.compile(rb"(/[^\x00]+/libstdc\+\+\.so\.6)\x00")


@dataclass(frozen=True)
class ElfStrings:
    """An ELF file's machine and the bytes of its dynamic string table."""

    machine: int
    strings: bytes


def parse_elf_header(header: bytes) -> tuple[str, int, int, int, int, int] | None:
    """(byte order, machine, section table offset, entry size, count, 32/64) from an ELF header."""
    if len(header) < 64 or not header.startswith(ELF_MAGIC):
        return None
    bits = {1: 32, 2: 64}.get(header[4])
    order = {1: "<", 2: ">"}.get(header[5])
    if bits is None or order is None:
        return None
    (machine,) = struct.unpack_from(order + "H", header, 18)
    if bits == 64:
        (shoff,) = struct.unpack_from(order + "Q", header, 40)
        shentsize, shnum = struct.unpack_from(order + "HH", header, 58)
    else:
        (shoff,) = struct.unpack_from(order + "I", header, 32)
        shentsize, shnum = struct.unpack_from(order + "HH", header, 46)
    return order, machine, shoff, shentsize, shnum, bits


def _section(
    table: bytes, index: int, order: str, size: int, bits: int
) -> tuple[int, int, int, int]:
    """(type, offset, size, link) of section `index`."""
    start = index * size
    if bits == 64:
        _, kind, _, _, offset, length, link = struct.unpack_from(order + "IIQQQQI", table, start)
    else:
        _, kind, _, _, offset, length, link = struct.unpack_from(order + "IIIIIII", table, start)
    return kind, offset, length, link


def read_dynamic_strings(path: Path) -> ElfStrings | None:
    """Read an ELF library's .dynstr (where version names live); None if not an ELF file."""
    try:
        with path.open("rb") as file:
            parsed = parse_elf_header(file.read(64))
            if parsed is None:
                return None
            order, machine, shoff, shentsize, shnum, bits = parsed
            min_entry_size = 64 if bits == 64 else 40
            if shoff and 0 < shnum <= MAX_SECTION_HEADERS and shentsize >= min_entry_size:
                file.seek(shoff)
                table = file.read(shentsize * shnum)
                if len(table) == shentsize * shnum:
                    sections = [_section(table, i, order, shentsize, bits) for i in range(shnum)]
                    # The version definitions (or, failing that, the dynamic symbols) link to
                    # the string table that holds the version names.
                    for wanted in (SHT_GNU_VERDEF, SHT_DYNSYM):
                        for kind, _, _, link in sections:
                            if kind == wanted and 0 < link < shnum:
                                _, offset, length, _ = sections[link]
                                if length <= MAX_STRING_TABLE_BYTES:
                                    file.seek(offset)
                                    return ElfStrings(machine, file.read(length))
            file.seek(0)
            return ElfStrings(machine, file.read(MAX_FALLBACK_SCAN_BYTES))
    except (OSError, struct.error):
        return None


def find_libstdcxx_in_ld_cache(data: bytes) -> list[str]:
    """Every libstdc++.so.6 path named in an /etc/ld.so.cache image, in cache order.

    Both cache formats keep full library paths as NUL-terminated strings, so reading those
    strings is enough; the caller checks each file's ELF machine to pick the right one.
    """
    paths: list[str] = []
    for match in _CACHE_PATH.finditer(data[:MAX_LD_CACHE_BYTES]):
        path = match.group(1).decode("utf-8", errors="replace")
        if path not in paths:
            paths.append(path)
    return paths
