"""Serialize a filled document to .docx bytes once, re-serializing only the parts filling changes.

python-docx's ``save`` turns every XML part back into text and deflates it at zlib's
default level. Filling changes two parts only: the main text (``word/document.xml``)
and the properties (``docProps/core.xml``). The others (styles, settings, numbering,
footer…) are written as the bytes they were opened from, and every part is deflated at
a fast level: the file stays about a quarter bigger, and is written in a third of the time.
It relies on python-docx's private ``_ContentTypesItem`` (listed in ``clas_bilan.docx``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from docx.opc.constants import CONTENT_TYPE
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.part import XmlPart
from docx.opc.pkgwriter import _ContentTypesItem

COMPRESS_LEVEL = 3
"""zlib level of every part: as fast as level 1, ~25 % bigger than the default level 6."""


def kept(document: Any, source: bytes | None = None) -> dict[str, bytes]:
    """Bytes of the XML parts filling leaves alone, by part name.

    Read from ``source``, the package ``document`` was opened from, else serialized
    from ``document`` (once, for every copy filled from it).
    """
    unchanged = [part for part in _parts(document) if _left_alone(part, document)]
    if source is None:
        return {str(part.partname): part.blob for part in unchanged}
    with zipfile.ZipFile(io.BytesIO(source)) as package:
        return {str(part.partname): package.read(part.partname.membername) for part in unchanged}


def package(document: Any, kept: Mapping[str, bytes]) -> bytes:
    """The .docx bytes of ``document``; ``kept`` holds parts filling left alone (``kept()``)."""
    parts = _parts(document)
    stream = io.BytesIO()
    with zipfile.ZipFile(
        stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    ) as target:
        types = _ContentTypesItem.from_parts(parts)  # type: ignore[no-untyped-call]
        target.writestr(CONTENT_TYPES_URI.membername, types.blob)
        target.writestr(PACKAGE_URI.rels_uri.membername, document.part.package.rels.xml)
        for part in parts:
            blob = kept.get(str(part.partname)) if _left_alone(part, document) else None
            target.writestr(part.partname.membername, part.blob if blob is None else blob)
            if len(part.rels):
                target.writestr(part.partname.rels_uri.membername, part.rels.xml)
    return stream.getvalue()


def _parts(document: Any) -> list[Any]:
    """Every part of the document's package, in python-docx's order."""
    return list(document.part.package.iter_parts())


def _left_alone(part: Any, document: Any) -> bool:
    """True for an XML part that filling never changes (not the main text, not the properties)."""
    return (
        isinstance(part, XmlPart)
        and part is not document.part
        and part.content_type != CONTENT_TYPE.OPC_CORE_PROPERTIES
    )
