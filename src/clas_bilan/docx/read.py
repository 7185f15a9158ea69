"""Read answer text back from the form, as ``render`` wrote it or as a person typed it in Word."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx.oxml import parse_xml
from docx.oxml.ns import qn

from clas_bilan.docx import fields
from clas_bilan.docx.locate import (
    Element,
    after_label,
    cell_text,
    cells,
    first_cell,
    paragraphs,
    rows,
    text,
)

_P, _TBL = qn("w:p"), qn("w:tbl")
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)


def document_body(path: Path) -> Element:
    """Body of a .docx's main part, parsed alone: quicker than opening the whole package."""
    with zipfile.ZipFile(path) as package:
        relationships = parse_xml(package.read("_rels/.rels"))
        target = next(
            str(rel.get("Target")) for rel in relationships if rel.get("Type") == _OFFICE_DOCUMENT
        )
        document: Element = parse_xml(package.read(posixpath.normpath(target).lstrip("/")))
    return document.body


def trim(lines: Sequence[str]) -> str:
    """Lines joined by newlines, without the blank lines at the end (and start)."""
    kept = list(lines)
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept)


def below(label: Element, after: Sequence[Element], label_text: str) -> str:
    """Text typed after a label: on its line, then in the paragraphs up to the next form item.

    A table typed there is read too, one line a row, cells separated by tabs.
    """
    return trim(paragraphs_below(label, after, label_text))


def paragraphs_below(label: Element, after: Sequence[Element], label_text: str) -> list[str]:
    """The paragraphs typed after a label: the rest of its line first, then those below."""
    lines: list[str] = []
    rest = after_label(text(label), label_text)
    if rest is not None and rest.strip():
        lines.append(rest.strip())
    for element in after:
        if element.tag == _P:
            lines.append(text(element).replace(fields.PLACEHOLDER, ""))
        elif element.tag == _TBL:
            lines.extend(
                "\t".join(" ".join(cell_text(tc).split()) for tc in cells(tr))
                for tr in rows(element)
            )
    return lines


def inline(label: Element, after: Sequence[Element], label_text: str) -> str:
    """Text typed after a label on its own line; else on the lines below it."""
    rest = after_label(text(label), label_text) or ""
    if rest.strip():
        return rest.strip()
    return below(label, after, label_text).strip()


def box(tbl: Element, label_text: str) -> str:
    """Text typed in a one-cell box after its label, on its line and the lines below."""
    tc = first_cell(tbl)
    found = [] if tc is None else paragraphs(tc)
    if not found:
        return ""
    first, *others = found
    rest = (after_label(text(first), label_text) or "").strip()
    return trim([rest, *(text(p) for p in others)]).strip()


def boxes(p: Element) -> list[bool]:
    """Ticked state of each check box of a paragraph, in order."""
    return [fields.is_checked(box) for box in fields.checkboxes(p)]


def cell_lines(tc: Element) -> list[str]:
    """Text of a table cell, one item a paragraph."""
    return [text(p) for p in paragraphs(tc)]
