"""Fuzz ``extract`` with damaged bilans: it returns answers or a French UserError, nothing else.

Two kinds of damage, both starting from a real rendered bilan: bytes of the .docx
flipped, cut or inserted (what a broken download or a bad disk does), and edits of
word/document.xml (what a careless edit in Word or a buggy tool does): elements
dropped, paragraphs and rows duplicated, tags renamed, texts replaced, and the XML
text itself cut or garbled. Whatever comes out of ``extract`` must also make an
answers file that loads.
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from clas_bilan.errors import UserError
from clas_bilan.extract import Extracted, extract, to_yaml
from clas_bilan.loading import load
from clas_bilan.render import render
from clas_bilan.scaffold import example_text
from helpers_hostile import document_xml, repack

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TAGS = [
    f"{{{W}}}{name}"
    for name in (
        "p", "r", "t", "tab", "br", "tbl", "tr", "tc", "tcPr", "gridSpan", "vMerge", "sdt",
        "sdtContent", "fldChar", "instrText", "fldSimple", "checkBox", "default", "checked",
        "ffData", "bookmarkStart", "hyperlink", "body", "document",
    )
] + ["{urn:inconnu}x", "p"]  # fmt: skip
TARGETS = set(TAGS[:21])
"""Elements edits aim at: those that carry text, cells, rows, fields and check boxes."""
ENGLISH = ("Error", "error", "Traceback", "object", "None", "line ")
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def bilan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = load(example_text()).answers
    assert answers is not None
    return render(answers, tmp_path_factory.mktemp("fuzz") / "bilan.docx")


def _outcome(path: Path) -> Extracted | UserError:
    """What extract gives: answers, or the French error it raised (any other error fails)."""
    try:
        found = extract(path)
    except UserError as error:
        assert error.exit_code in (1, 2)
        assert error.message.strip()
        assert not any(word in error.message for word in ENGLISH), error.message
        return error
    loaded = load(to_yaml(found.answers, source=path.name, problems=found.problems))
    assert loaded.answers is not None, [f.message for f in loaded.findings]
    return found


# Bytes of the package ------------------------------------------------------------


flips = st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=8)
cuts = st.integers(0, 10**6)
inserts = st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=64))


@FUZZ
@given(mutation=st.one_of(flips.map(lambda f: ("flip", f)), cuts.map(lambda c: ("cut", c)),
                          inserts.map(lambda i: ("insert", i))))  # fmt: skip
def test_damaged_bytes_never_crash_extract(
    mutation: tuple[str, object], bilan: Path, tmp_path: Path
) -> None:
    data = bytearray(bilan.read_bytes())
    kind, value = mutation
    if kind == "flip":
        for position, mask in value:  # type: ignore[attr-defined]
            data[position % len(data)] ^= mask
    elif kind == "cut":
        del data[value % len(data) :]  # type: ignore[operator]
    else:
        position, extra = value  # type: ignore[misc]
        data[position % len(data) : position % len(data)] = extra
    damaged = tmp_path / "abime.docx"
    damaged.write_bytes(bytes(data))
    _outcome(damaged)


# word/document.xml ----------------------------------------------------------------


SAMPLES = ["", " ", "Oui", "non", "1 200", "1,5", "-3", "12/13/2026", "@", "\t", "x" * 5000]
texts = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
)
edits = st.lists(
    st.tuples(
        st.sampled_from(["drop", "duplicate", "rename", "text", "move"]),
        st.integers(0, 10**5),
        st.integers(0, 10**5),
        texts,
        st.sampled_from(TAGS),
    ),
    min_size=1,
    max_size=6,
)


def _edit(root: etree._Element, edits: list[tuple[str, int, int, str, str]]) -> None:
    """Apply tree edits to elements that matter; indices pick them modulo their number."""
    for action, first, second, text, tag in edits:
        elements = [e for e in root.iter() if e.tag in TARGETS and e is not root]
        if not elements:
            return
        element = elements[first % len(elements)]
        parent = element.getparent()
        if action == "drop" and parent is not None:
            parent.remove(element)
        elif action == "duplicate" and parent is not None:
            element.addnext(copy.deepcopy(element))
        elif action == "rename":
            element.tag = tag
        elif action == "text":
            element.text = text
        elif action == "move" and parent is not None:
            target = elements[second % len(elements)]
            if element not in target.iterancestors() and target is not element:
                target.append(element)


@FUZZ
@given(edits=edits)
def test_edited_document_xml_never_crashes_extract(
    edits: list[tuple[str, int, int, str, str]], bilan: Path, tmp_path: Path
) -> None:
    root = etree.fromstring(document_xml(bilan))
    _edit(root, edits)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    _outcome(_with_document(bilan, tmp_path, xml))


@FUZZ
@given(
    cuts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 40)), max_size=4),
    inserts=st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from(["<", ">", "&", "</w:p>", "<w:p>", '"'])),
        max_size=4,
    ),
)
def test_garbled_xml_text_never_crashes_extract(
    cuts: list[tuple[int, int]], inserts: list[tuple[int, str]], bilan: Path, tmp_path: Path
) -> None:
    xml = document_xml(bilan).decode("utf-8")
    for position, length in cuts:
        start = position % len(xml)
        xml = xml[:start] + xml[start + length :]
    for position, extra in inserts:
        start = position % len(xml)
        xml = xml[:start] + extra + xml[start:]
    _outcome(_with_document(bilan, tmp_path, xml.encode("utf-8")))


def _with_document(bilan: Path, folder: Path, xml: bytes) -> Path:
    return repack(
        bilan,
        folder / "modifie.docx",
        lambda name, data: xml if name == "word/document.xml" else data,
    )


def test_the_unharmed_bilan_reads_back(bilan: Path) -> None:
    """The fuzzing starts from a bilan that extract reads whole."""
    found = _outcome(bilan)
    assert isinstance(found, Extracted) and not found.problems
    assert zipfile.is_zipfile(bilan)
