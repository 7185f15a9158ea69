"""Build hostile .docx files for tests: repacked parts, hand-written zips, zip bombs."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20


@dataclass
class Entry:
    """One member of a hand-written zip: raw deflate data and the sizes it declares."""

    name: str
    data: bytes
    size: int
    crc: int


def deflate(data: bytes) -> bytes:
    """Raw deflate stream (as stored in a zip) of ``data``."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def zeros(mebibytes: int) -> bytes:
    """Raw deflate stream of ``mebibytes`` MiB of zeros, about 1 Ko a MiB, built at once.

    One MiB of zeros is compressed once and ended with a full flush, so the block
    stands alone and can be repeated; an empty final block closes the stream.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(MIB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * mebibytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def entries(source: Path) -> list[Entry]:
    """The members of a real package, recompressed, in their order."""
    with zipfile.ZipFile(source) as package:
        return [
            Entry(info.filename, deflate(data), len(data), zlib.crc32(data))
            for info in package.infolist()
            for data in [package.read(info)]
        ]


def write_zip(target: Path, members: list[Entry]) -> Path:
    """Write a zip by hand, declaring whatever sizes the entries say (even lies)."""
    local, central = bytearray(), bytearray()
    for entry in members:
        name = entry.name.encode()
        offset = len(local)
        local += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, entry.crc, len(entry.data),
            entry.size, len(name), 0,
        )  # fmt: skip
        local += name + entry.data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, entry.crc,
            len(entry.data), entry.size, len(name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += name
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0
    )
    target.write_bytes(bytes(local + central + end))
    return target


def replace(members: list[Entry], entry: Entry) -> list[Entry]:
    """The members with the one of the same name replaced by ``entry``."""
    return [entry if e.name == entry.name else e for e in members]


def repack(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a package part by part through ``change`` (None drops the part)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
    return target


def document_xml(source: Path) -> bytes:
    """The main part of a package."""
    with zipfile.ZipFile(source) as package:
        return package.read("word/document.xml")


def with_doctype(xml: bytes, doctype: str) -> bytes:
    """Insert a DOCTYPE right after the XML declaration."""
    head, _, rest = xml.partition(b"?>")
    return head + b"?>" + doctype.encode() + rest
