"""Legacy Word form fields: FORMCHECKBOX check boxes and FORMTEXT text fields.

Word stores a legacy form field as a run sequence: ``fldChar begin`` (carrying
``w:ffData``), ``instrText``, for text fields ``fldChar separate`` then the result
runs, and ``fldChar end``. Word may split a hand-typed result over several runs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from html import escape
from typing import Any, cast

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import oxml_parser
from docx.text.paragraph import Paragraph
from lxml import etree

PLACEHOLDER = "\u2002" * 5
"""The result Word shows in an empty text field: five en-spaces."""

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XPATH = {"w": _W}
_CHECKBOXES = etree.XPath(
    './/w:fldChar[@w:fldCharType="begin"][w:ffData/w:checkBox]', namespaces=_XPATH
)
_TEXT_INPUTS = etree.XPath(
    './/w:fldChar[@w:fldCharType="begin"][w:ffData/w:textInput]', namespaces=_XPATH
)
_BOOKMARK_IDS = etree.XPath("//w:bookmarkStart/@w:id", namespaces=_XPATH)
_FALSE = {"0", "false", "off"}

Element = Any
"""An lxml element of a WordprocessingML document (python-docx's CT_ classes included)."""


def add_checkbox(paragraph: Paragraph, name: str, checked: bool = False) -> None:
    """Append a legacy check box (FORMCHECKBOX) named ``name`` at the paragraph end."""
    p = paragraph._p
    begin = _fld_char_run(
        "begin",
        f"<w:ffData><w:name w:val={_quoted(name)}/><w:enabled/>"
        '<w:calcOnExit w:val="0"/>'
        '<w:checkBox><w:sizeAuto/><w:default w:val="0"/></w:checkBox></w:ffData>',
    )
    p.append(begin)
    p.append(_instr_run(" FORMCHECKBOX "))
    p.append(_fld_char_run("end"))
    if checked:
        set_checked(begin[0], True)


def add_text_field(paragraph: Paragraph, name: str) -> None:
    """Append an empty legacy text field (FORMTEXT) named ``name``, bookmarked as Word does."""
    p = paragraph._p
    bookmark_id = str(_next_bookmark_id(p))
    p.append(
        parse_xml(
            f"<w:bookmarkStart {nsdecls('w')} w:id={_quoted(bookmark_id)} w:name={_quoted(name)}/>"
        )
    )
    p.append(
        _fld_char_run(
            "begin",
            f"<w:ffData><w:name w:val={_quoted(name)}/><w:enabled/>"
            '<w:calcOnExit w:val="0"/><w:textInput/></w:ffData>',
        )
    )
    p.append(_instr_run(" FORMTEXT "))
    p.append(_fld_char_run("separate"))
    p.append(text_run(PLACEHOLDER, parse_xml(f"<w:rPr {nsdecls('w')}><w:noProof/></w:rPr>")))
    p.append(_fld_char_run("end"))
    p.append(parse_xml(f"<w:bookmarkEnd {nsdecls('w')} w:id={_quoted(bookmark_id)}/>"))


def _quoted(value: str) -> str:
    """``value`` as a quoted XML attribute (``xml.sax.saxutils`` would import urllib and ssl)."""
    return f'"{escape(value)}"'


def checkboxes(element: Element) -> list[Element]:
    """Return the ``fldChar begin`` elements of the check boxes under ``element``, in order."""
    return _select(_CHECKBOXES, element)


def is_checked(fld_char: Element) -> bool:
    """Tell whether a check box is ticked: its ``w:checked`` state, else its default."""
    box = fld_char.find(f"{qn('w:ffData')}/{qn('w:checkBox')}")
    for tag in ("w:checked", "w:default"):
        state = box.find(qn(tag))
        if state is not None:
            return state.get(qn("w:val"), "1").lower() not in _FALSE
    return False


def set_checked(fld_char: Element, value: bool) -> None:
    """Tick or untick a check box by writing its ``w:checked`` state."""
    box = fld_char.find(f"{qn('w:ffData')}/{qn('w:checkBox')}")
    for old in box.findall(qn("w:checked")):
        box.remove(old)
    checked = OxmlElement("w:checked")
    checked.set(qn("w:val"), "1" if value else "0")
    box.append(checked)  # last child of CT_FFCheckBox: after size/sizeAuto and default


class TextField:
    """A legacy text field (FORMTEXT), found by its ``fldChar begin`` element."""

    def __init__(self, begin: Element) -> None:
        self.begin = begin

    @property
    def name(self) -> str:
        """The field's name (``w:ffData/w:name``), e.g. ``Texte237``."""
        name = self.begin.find(f"{qn('w:ffData')}/{qn('w:name')}")
        return "" if name is None else str(name.get(qn("w:val"), ""))

    def set_result(self, text: str) -> None:
        """Replace the result with ``text`` (newlines as line breaks), keeping its run format.

        Raises ValueError for a field without its end: its result would run to the end
        of the document.
        """
        separate, results, end = self._walk()
        if end is None:
            raise ValueError(f"Champ de formulaire {self.name!r} sans fin (fldChar end).")
        rPr = results[0].find(qn("w:rPr")) if results else None
        for r in results:
            r.getparent().remove(r)
        if separate is None:
            separate = _fld_char_run("separate")
            end.addprevious(separate)
        separate.addnext(text_run(text or PLACEHOLDER, None if rPr is None else _copy(rPr)))

    def _walk(self) -> tuple[Element | None, list[Element], Element | None]:
        """Return the field's separate run, result runs and end run, in document order."""
        depth = 0
        separate = None
        results: list[Element] = []
        for r in _following_runs(self.begin.getparent()):
            fld_char = r.find(qn("w:fldChar"))
            kind = None if fld_char is None else fld_char.get(qn("w:fldCharType"))
            if kind == "end" and not depth:
                return separate, results, r
            if kind == "separate" and not depth and separate is None:
                separate = r
                continue
            depth += {"begin": 1, "end": -1}.get(kind or "", 0)
            if separate is not None:
                results.append(r)
        return separate, results, None


def text_fields(element: Element) -> list[TextField]:
    """Return the legacy text fields (FORMTEXT) under ``element``, in document order."""
    return [TextField(begin) for begin in _select(_TEXT_INPUTS, element)]


def _fld_char_run(kind: str, ff_data: str = "") -> Element:
    return parse_xml(
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="{kind}">{ff_data}</w:fldChar></w:r>'
    )


def _instr_run(instruction: str) -> Element:
    return parse_xml(
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
    )


@functools.cache
def _clark(tag: str) -> str:
    return qn(tag)


def element(tag: str) -> Element:
    """A new element of python-docx's class for ``tag`` ("w:p"), like docx.oxml.OxmlElement.

    Made by python-docx's parser directly, at half the cost: render makes hundreds.
    """
    return cast(Element, oxml_parser.makeelement(_clark(tag)))


def text_run(text: str, rPr: Element | None = None) -> Element:
    """One run holding ``text`` (``rPr`` moved in), newlines as ``w:br``, tabs as ``w:tab``."""
    r = element("w:r")
    if rPr is not None:
        r.append(rPr)
    for index, line in enumerate(text.split("\n")):
        if index:
            r.append(element("w:br"))
        for piece_index, piece in enumerate(line.split("\t")):
            if piece_index:
                r.append(element("w:tab"))
            if piece:
                t = element("w:t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r.append(t)
    return r


def _following_runs(element: Element) -> Iterator[Element]:
    """The runs after ``element`` in document order (XPath ``following::w:r``), lazily.

    The field's end is usually a few runs away: no need to collect the rest of the body.
    """
    node = element
    while node is not None:
        for sibling in node.itersiblings():
            yield from sibling.iter(qn("w:r"))
        node = node.getparent()


def _select(xpath: etree.XPath, element: Element) -> list[Any]:
    return cast("list[Any]", xpath(element))


def _copy(element: Element) -> Element:
    return parse_xml(etree.tostring(element))


def _next_bookmark_id(p: Element) -> int:
    ids = [int(value) for value in _select(_BOOKMARK_IDS, p) if str(value).isdigit()]
    return max(ids, default=-1) + 1
