"""Find each block of a form in a document body, by its text rather than its position.

What text stands for a block, and whether in a paragraph or a table, is the form's to say
(``form.mark``); this module only finds it. Texts are compared after folding spaces
(no-break, en-spaces, line breaks), quotes and case, so another copy of the form
(``--template``) or a hand-filled one is read the same way. Blocks that hold answers must
be found; the others only bound the zone of the block before them.

Text is read as Word shows it: tracked deletions and moved-away text are left out,
insertions kept; a content control (``w:sdt``) is looked into, and read as empty while
it shows its placeholder; a text box is read once, not from both of Word's copies.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docx.oxml.ns import qn

from clas_bilan import form

Element = Any
"""An lxml element of a WordprocessingML document."""

_TEXT_TAGS = {
    qn("w:t"): None,
    qn("w:tab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
}
_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_SDT, _SDT_CONTENT, _CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
_PLACEHOLDER = f"{qn('w:sdtPr')}/{qn('w:showingPlcHdr')}"
_HIDDEN = {
    qn("w:del"),  # tracked deletion: Word writes w:delText, some tools w:t
    qn("w:moveFrom"),  # tracked move, old place: its w:t are not shown
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",  # copy of Choice
}
_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'"}
    | dict.fromkeys(
        ("\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff")
    )
)
"""Apostrophes folded; soft hyphens and zero-width characters dropped."""
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_MARK = re.compile(r" (?=[:;?!])")
"""French typography puts a space before « : ; ? ! », copies of the form do not always."""


ANSWER_STYLE_ID = "Reponse"
"""Paragraph style of answers in the shipped template: such a paragraph is never a label."""
_ANSWER_STYLE = f"{qn('w:pPr')}/{qn('w:pStyle')}[@{qn('w:val')}='{ANSWER_STYLE_ID}']"


@dataclass
class Place:
    """Where a block stands: its paragraph or table, and the body elements up to the next one."""

    element: Element
    after: list[Element] = field(default_factory=list)


def text(element: Element) -> str:
    """Visible text under an element: runs joined, line breaks as newlines, tabs kept."""
    parent = element.getparent()
    if parent is not None and parent.tag == _SDT_CONTENT and _placeholder(parent.getparent()):
        return ""
    parts: list[str] = []
    for node in element.iter(*_TEXT_TAGS):
        if node.getparent().getparent() is not element:
            # a run inside something (change, link, control, text box): rare, walk with care
            parts.clear()
            _visible(element, parts)
            break
        mapped = _TEXT_TAGS[node.tag]
        parts.append(node.text or "" if mapped is None else mapped)
    return "".join(parts)


def _hidden(node: Element) -> bool:
    """True for an element whose text Word does not show."""
    return node.tag in _HIDDEN or (node.tag == _SDT and _placeholder(node))


def _placeholder(sdt: Element) -> bool:
    """True for a content control still showing its placeholder ("Cliquez ici…")."""
    return sdt is not None and sdt.tag == _SDT and sdt.find(_PLACEHOLDER) is not None


def _visible(element: Element, parts: list[str]) -> None:
    """``text`` the slow way: descend, skipping what Word does not show."""
    for child in element:
        mapped = _TEXT_TAGS.get(child.tag, "")
        if mapped is None:
            parts.append(child.text or "")
        elif mapped:
            parts.append(mapped)
        elif not _hidden(child):
            _visible(child, parts)


def cell_text(tc: Element) -> str:
    """Text of a table cell, one line a paragraph."""
    return "\n".join(text(p) for p in paragraphs(tc))


def _fold(char: str) -> str:
    if char.isspace():
        return " "
    folded = char.translate(_QUOTES)
    lowered = folded.lower()
    return lowered if len(lowered) == len(folded) else folded


def _normalize(value: str) -> str:
    folded = value.translate(_QUOTES)
    lowered = folded.lower()
    if len(lowered) != len(folded) or "Σ" in folded:  # casing that is not char by char
        return _folded(value)
    return _SPACE_BEFORE_MARK.sub("", _SPACES.sub(" ", lowered).strip(" "))


@functools.lru_cache(maxsize=2048)  # form labels and unchanged paragraphs come back often
def normalize(value: str) -> str:
    """Text folded for comparison: spaces collapsed (none before « : ; ? ! »), quotes and case."""
    return _normalize(value)


def _folded(value: str) -> str:
    """``normalize`` done character by character (for the rare casing that needs it)."""
    out: list[str] = []
    for char in value:
        folded = _fold(char)
        if folded == " " and (not out or out[-1] == " "):
            continue
        if folded:
            out.append(folded)
    return _SPACE_BEFORE_MARK.sub("", "".join(out).rstrip(" "))


def after_label(value: str, label: str) -> str | None:
    """The part of ``value`` after ``label`` (compared folded); None when it does not start so."""
    if value.startswith(label):  # the label as the template has it: no folding needed
        return value[len(label) :]
    wanted = normalize(label)
    if not normalize(value).startswith(wanted):
        return None
    if not wanted:
        return value
    low, high = len(wanted), len(value)  # shortest prefix of value that folds to wanted
    while low < high:
        middle = (low + high) // 2
        if len(_normalize(value[:middle])) >= len(wanted):
            high = middle
        else:
            low = middle + 1
    return value[low:]


def _matches(block: form.Block, element: Element) -> bool:
    """True when ``element`` is where ``block`` stands: the form's text for it is there."""
    mark = form.mark(block)
    if element.tag == _TBL and mark.where != "paragraph":
        first = first_cell(element)
        if first is None:
            return False
        found = normalize(cell_text(first))
    elif element.tag == _P and mark.where != "table":
        if element.find(_ANSWER_STYLE) is not None:  # an answer is never a label
            return False
        found = normalize(text(element))
    else:
        return False
    wanted = _normalized(mark.text)
    matched = found == wanted if mark.whole else found.startswith(wanted)
    return matched and (not mark.dated or ", le" in found)


@functools.cache
def _normalized(text: str) -> str:
    return normalize(text)


def locate(body: Element, blocks: Sequence[form.Block]) -> list[Place | None]:
    """Place of each block in ``body`` (None where absent), answer blocks found first, in order."""
    elements = _inside(body, (_P, _TBL))
    found: list[int | None] = [None] * len(blocks)
    start = 0
    for index, block in enumerate(blocks):
        if form.holds_answer(block):
            found[index] = _search(block, elements, start, len(elements))
            if found[index] is not None:
                start = found[index] + 1  # type: ignore[operator]
    start = 0
    for index, block in enumerate(blocks):
        if found[index] is not None:
            start = found[index] + 1  # type: ignore[operator]
            continue
        if form.holds_answer(block):
            continue
        stop = next((f for f in found[index + 1 :] if f is not None), len(elements))
        found[index] = _search(block, elements, start, stop)
        if found[index] is not None:
            start = found[index] + 1  # type: ignore[operator]
    positions = sorted(f for f in found if f is not None)
    places: list[Place | None] = []
    for position in found:
        if position is None:
            places.append(None)
            continue
        following = [p for p in positions if p > position]
        stop = following[0] if following else len(elements)
        places.append(Place(elements[position], elements[position + 1 : stop]))
    return places


def missing(blocks: Sequence[form.Block], places: Sequence[Place | None]) -> list[str]:
    """Titles of the answer blocks that were not found."""
    return [
        form.title(block)
        for block, place in zip(blocks, places, strict=False)
        if place is None and form.holds_answer(block)
    ]


def _search(block: form.Block, elements: list[Element], start: int, stop: int) -> int | None:
    for position in range(start, stop):
        if _matches(block, elements[position]):
            return position
    return None


def rows(tbl: Element) -> list[Element]:
    """The rows (``w:tr``) of a table, those inside content controls included."""
    return _inside(tbl, (_TR,))


def cells(tr: Element) -> list[Element]:
    """The cells (``w:tc``) of a row, those inside content controls included."""
    return _inside(tr, (_TC,))


def paragraphs(element: Element) -> list[Element]:
    """The paragraphs of a cell or body, those inside content controls included."""
    return _inside(element, (_P,))


def first_cell(tbl: Element) -> Element | None:
    """The first cell of a table's first row; None for a table without any."""
    found = rows(tbl)
    first = cells(found[0]) if found else []
    return first[0] if first else None


def _inside(parent: Element, tags: tuple[str, ...]) -> list[Element]:
    """Children of ``parent`` with one of ``tags``, looking into content controls."""
    found: list[Element] = []
    for child in parent:
        tag = child.tag
        if tag in tags:
            found.append(child)
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                found.extend(_inside(content, tags))
        elif tag == _CUSTOM_XML:
            found.extend(_inside(child, tags))
    return found
