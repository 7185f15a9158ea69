"""The document's custom properties (``docProps/custom.xml``): a note render leaves for extract.

Word lists them under File › Properties › Custom, and Word and LibreOffice keep them when
the document is saved again; a copy of the form that already has some keeps them all.
"""

from __future__ import annotations

from typing import Any

from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from lxml import etree

_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one every custom property carries
_PROPERTY = f"{{{_NS}}}property"


def get(document: Any, name: str) -> str | None:
    """The text of the custom property ``name`` of an opened Document, or None."""
    root = _root(document)
    if root is None:
        return None
    for prop in root.iter(_PROPERTY):
        if prop.get("name") == name:
            return "".join(prop.itertext())
    return None


def put(document: Any, name: str, value: str) -> None:
    """Set the custom property ``name`` (a text) of an opened Document, keeping the others."""
    root = _root(document)
    if root is None:
        root = parse_xml(f'<Properties xmlns="{_NS}" xmlns:vt="{_VT}"/>')
    for prop in root.findall(_PROPERTY):
        if prop.get("name") == name:
            root.remove(prop)
    pids = [int(pid) for prop in root.iter(_PROPERTY) if (pid := prop.get("pid", "")).isdigit()]
    prop = etree.SubElement(root, _PROPERTY, fmtid=_FMTID, pid=str(max(pids, default=1) + 1))
    prop.set("name", name)
    etree.SubElement(prop, f"{{{_VT}}}lpwstr").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == _RT:
            package.rels.pop(rid)  # the old part goes with its relationship
    part = Part(PackURI("/docProps/custom.xml"), _TYPE, blob, package)
    package.relate_to(part, _RT)


def _root(document: Any) -> Any:
    """The parsed custom properties part, or None when there is none (or it is unreadable)."""
    try:
        blob = document.part.package.part_related_by(_RT).blob
    except KeyError:
        return None
    if b"<!DOCTYPE" in blob.upper():
        return None
    try:
        return parse_xml(blob)
    except etree.XMLSyntaxError:
        return None
