"""A small .docx reader for tests, independent of the code under test (zipfile + lxml)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


_OWN = re.compile("[\u00a0\u202f](?=[:;!?»])|(?<=«)[\u00a0\u202f]")


def french(typed: str) -> str:
    """An answer as render writes it: French no-break spaces inside « » and before : ; ! ?

    U+00A0 before « : », U+202F elsewhere; an answer that already has a no-break space at
    one of those places is written as typed.
    """
    if _OWN.search(typed):
        return typed
    typed = re.sub(" (?=:)", "\u00a0", typed)
    return re.sub(" (?=[;!?»])|(?<=«) ", "\u202f", typed)


def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag: ``w("p")``."""
    return f"{{{W}}}{tag}"


def part(path: Path, name: str = "word/document.xml") -> etree._Element:
    """Parse one XML part of the package."""
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def body(path: Path) -> etree._Element:
    """The ``w:body`` element of the main document."""
    return part(path).find(w("body"))


def paragraph_text(p: etree._Element) -> str:
    """Text of a paragraph: ``w:t`` joined (hyperlinks included), tabs and breaks kept."""
    parts = []
    for element in p.iter(w("t"), w("tab"), w("br")):
        if element.tag == w("t"):
            parts.append(element.text or "")
        else:
            parts.append("\t" if element.tag == w("tab") else "\n")
    return "".join(parts)


def texts(element: etree._Element) -> list[str]:
    """Paragraph texts in body order, table cells' paragraphs included, row by row."""
    found: list[str] = []
    for child in element:
        if child.tag == w("p"):
            found.append(paragraph_text(child))
        elif child.tag in (w("tbl"), w("tr"), w("tc"), w("sdt"), w("sdtContent")):
            found.extend(texts(child))
    return found


def tables(path: Path) -> list[etree._Element]:
    """The body-level tables, in order."""
    return body(path).findall(w("tbl"))


def cell_texts(tc: etree._Element) -> list[str]:
    """The paragraph texts of one table cell."""
    return [paragraph_text(p) for p in tc.findall(w("p"))]


def checkbox_states(element: etree._Element) -> list[tuple[str, bool]]:
    """(name, ticked) of each legacy check box under ``element``, in order."""
    states = []
    for box in element.iterfind(".//w:ffData/w:checkBox", NS):
        named = box.getparent().find(w("name"))
        name = "" if named is None else named.get(w("val"))
        state = box.find(w("checked"))
        if state is None:
            state = box.find(w("default"))
        ticked = state is not None and state.get(w("val"), "1") not in ("0", "false", "off")
        states.append((name, ticked))
    return states


def text_field_names(element: etree._Element) -> list[str]:
    """Names of the legacy text fields (FORMTEXT) under ``element``, in order."""
    return [
        data.find(w("name")).get(w("val"))
        for data in element.iterfind(".//w:ffData", NS)
        if data.find(w("textInput")) is not None
    ]
