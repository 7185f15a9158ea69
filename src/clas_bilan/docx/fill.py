"""Write answer text into the form: under a label, after it, in a field, a cell or a box."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from docx.oxml.ns import qn

from clas_bilan.docx import fields
from clas_bilan.docx.locate import ANSWER_STYLE_ID, Element, cells, paragraphs, rows, text

_ANSWER_STYLE = f"{qn('w:style')}[@{qn('w:styleId')}='{ANSWER_STYLE_ID}']"
_BOOKMARKS = (qn("w:bookmarkStart"), qn("w:bookmarkEnd"))
_P, _R, _PPR, _RPR, _VAL = qn("w:p"), qn("w:r"), qn("w:pPr"), qn("w:rPr"), qn("w:val")
_BUSY = tuple(
    qn(tag)
    for tag in ("w:fldChar", "w:drawing", "w:pict", "w:object", "w:bookmarkStart", "w:sectPr")
)
_INLINE_CONTENT = {
    qn(tag)
    for tag in (
        "w:r",
        "w:ins",
        "w:del",
        "w:moveFrom",
        "w:moveTo",
        "w:hyperlink",
        "w:fldSimple",
        "w:smartTag",
        "w:sdt",
        "w:customXml",
        "w:proofErr",
    )
}
"""What a paragraph shows: runs and what wraps runs (bookmarks and comment marks are kept)."""
_WRAPPERS = {qn("w:sdtContent"), qn("w:customXml")}
_SHOWING_PLACEHOLDER = qn("w:showingPlcHdr")


def answer_style(styles: Element) -> str | None:
    """The answer style id when the document defines it, else None (Normal)."""
    return ANSWER_STYLE_ID if styles.find(_ANSWER_STYLE) is not None else None


def answer_format(styles: Element) -> Element | None:
    """Run format (``w:rPr``) of the answer style, so answers typed in a line look alike."""
    style = styles.find(_ANSWER_STYLE)
    rPr = None if style is None else style.find(_RPR)
    return None if rPr is None else copy.deepcopy(rPr)


def run(value: str, rPr: Element | None = None) -> Element:
    """A run holding ``value`` in a copy of the run format ``rPr``."""
    return fields.text_run(value, None if rPr is None else copy.deepcopy(rPr))


def is_blank(p: Element) -> bool:
    """True for an empty paragraph that only makes room: no text, field, drawing or section."""
    if p.tag != _P or text(p).strip():
        return False
    return next(p.iter(*_BUSY), None) is None


def write_below(label: Element, after: Sequence[Element], value: str, style: str | None) -> None:
    """Put ``value`` one paragraph a line right after ``label``, replacing blank room."""
    if value:
        write_paragraphs(label, after, value.split("\n"), style)


def write_paragraphs(
    label: Element, after: Sequence[Element], texts: Sequence[str], style: str | None
) -> None:
    """Put ``texts`` one paragraph each right after ``label`` (newlines as line breaks)."""
    if not texts:
        return
    for p in after:
        if is_blank(p):
            _remove(p)
    anchor = label
    for line in [*texts, ""]:
        p = _paragraph(line, style)
        anchor.addnext(p)
        anchor = p


def write_inline(p: Element, value: str, rPr: Element | None = None) -> None:
    """Append ``value`` to the paragraph, after its label and a space."""
    if value:
        space = "" if text(p)[-1:].isspace() else " "
        p.append(run(space + value, rPr))


def write_box(tbl: Element, value: str, rPr: Element | None = None) -> None:
    """Append ``value`` after the text of a one-cell box."""
    write_inline(paragraphs(cells(rows(tbl)[0])[0])[0], value, rPr)


def replace_text(
    p: Element, pieces: Sequence[tuple[str, bool]], answer: Element | None = None
) -> None:
    """Replace a paragraph's text by ``pieces``: labels keep the first run's format.

    Runs inside tracked changes, links or content controls go too, so the old text
    never stays beside the new.
    """
    first = next(p.iter(_R), None)
    rPr = None if first is None else first.find(_RPR)
    if rPr is not None:
        rPr = copy.deepcopy(rPr)
        for change in rPr.findall(qn("w:rPrChange")):
            rPr.remove(change)
    for child in list(p):
        if child.tag in _INLINE_CONTENT:
            p.remove(child)
    for value, is_answer in pieces:
        p.append(run(value, answer if is_answer else rPr))


def write_field(after: Sequence[Element], value: str) -> bool:
    """Put ``value`` in the first text field found after a label; False when there is none.

    An unfinished field (no ``fldChar end``) counts as none: the answer goes below the label.
    """
    for element in after:
        found = fields.text_fields(element)
        if found:
            if value:
                try:
                    found[0].set_result(value)
                except ValueError:
                    return False
            return True
    return False


def tick(p: Element, value: bool | None) -> None:
    """Tick the first box of a Oui/Non paragraph for True, the second for False."""
    boxes = fields.checkboxes(p)
    if value is None or len(boxes) < 2:
        return
    fields.set_checked(boxes[0], value)
    fields.set_checked(boxes[1], not value)


def write_cell(tc: Element, lines: Sequence[str], answer: Element | None = None) -> None:
    """Replace a cell's text by ``lines``, one paragraph each, keeping the paragraph format."""
    old = paragraphs(tc)
    pPr = old[0].find(_PPR) if old else None
    rPr = _first_rPr(old[0]) if old else None
    if rPr is None or not len(rPr):
        rPr = answer
    for line in lines or [""]:
        p = fields.element("w:p")
        if pPr is not None:
            p.append(copy.deepcopy(pPr))
        if line:
            p.append(run(line, rPr))
        if old:
            old[0].addprevious(p)  # in the content control the cell may have
        else:
            tc.append(p)
    wrapped = bool(old) and old[0].getparent() is not tc
    for p in old:
        p.getparent().remove(p)
    if wrapped:  # in a content control: it now shows the answer; the cell ends with w:p
        for placeholder in tc.iter(_SHOWING_PLACEHOLDER):
            placeholder.getparent().remove(placeholder)
        if tc[-1].tag != _P:
            tc.append(fields.element("w:p"))


def grow(tbl: Element, count: int) -> None:
    """Append copies of the last row until the table has ``count`` rows."""
    existing = rows(tbl)
    last = existing[-1]
    for _ in range(count - len(existing)):
        new = copy.deepcopy(last)
        for tc in cells(new):
            write_cell(tc, [])
        for mark in list(new.iter(*_BOOKMARKS)):
            mark.getparent().remove(mark)  # a copied bookmark id would not be unique
        last.addnext(new)
        last = new


def _remove(p: Element) -> None:
    """Remove a paragraph, and the content control it leaves empty."""
    parent = p.getparent()
    parent.remove(p)
    while parent.tag in _WRAPPERS and not len(parent):
        holder = parent.getparent() if parent.tag == qn("w:sdtContent") else parent
        above = holder.getparent()
        above.remove(holder)
        parent = above


def _paragraph(line: str, style: str | None) -> Element:
    p = fields.element("w:p")
    pPr = fields.element("w:pPr")
    if style:
        pStyle = fields.element("w:pStyle")
        pStyle.set(_VAL, style)
        pPr.append(pStyle)
    p.append(pPr)
    if line:
        p.append(run(line))
    return p


def _first_rPr(p: Element) -> Element | None:
    r = p.find(_R)
    return None if r is None else r.find(_RPR)
