"""The template and every bilan we write follow the OOXML rules Word enforces (no repair prompt).

Word is stricter than LibreOffice: children out of schema order, a cell that does not
end with a paragraph, an unbalanced field or bookmark, a space Word would drop, a
relationship or content type missing, each makes Word offer to "repair" the file.
``ooxml_rules.problems`` checks them all with zipfile + lxml; each document the tool
can produce is checked, then the checker itself is shown to catch each rule.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from clas_bilan import campaigns
from clas_bilan.docx.template import template_path
from clas_bilan.extract import extract
from clas_bilan.render import render
from helpers_answers import Reponses
from helpers_campaign import SHIPPED
from ooxml_rules import ORDERS, W, check_part, problems

EXAMPLE = campaigns.current().example
PARAGRAPHS = (
    "Premier paragraphe avec  deux espaces.\n\n  Retrait de deux espaces\tpuis une tabulation."
)


_ONE_LINE = ("campagne", "email", "date")


def _example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def _multi_paragraph(value: Any, key: str = "") -> Any:
    """Every free text of the answers made multi-paragraph (one-line answers fold it back)."""
    if isinstance(value, dict):
        return {k: _multi_paragraph(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_multi_paragraph(item, key) for item in value]
    if isinstance(value, str) and value not in ("oui", "non") and key not in _ONE_LINE:
        return f"{value.strip()}\n{PARAGRAPHS}"
    return value


def _big() -> Reponses:
    """30 training sessions, 40 territoires of 3 schools, multi-paragraph answers everywhere."""
    data = _multi_paragraph(_example())
    session = data["formations"]["sessions"][0]
    data["formations"]["sessions"] = [
        {**session, "organisme": f"Organisme n° {n}\n{PARAGRAPHS}"} for n in range(1, 31)
    ]
    data["territoires"] = [
        {
            "territoire": f"Territoire n° {n}\n{PARAGRAPHS}",
            "etablissements": [
                {
                    "nom": f"École {n}-{k}",
                    "adresse": f"{k} rue de l'École, 01000 Bourg-en-Bresse",
                    "email": f"ecole{n}.{k}@ac-lyon.fr",
                }
                for k in range(1, 4)
            ],
        }
        for n in range(1, 41)
    ]
    return Reponses.model_validate(data)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The four kinds of .docx the tool ships or writes."""
    folder = tmp_path_factory.mktemp("word")
    example = render(Reponses.model_validate(_example()), folder / "exemple.docx")
    big = render(_big(), folder / "grand.docx")
    extracted = extract(example).answers
    again = render(extracted, folder / "relu.docx")
    return {"modèle": template_path(), "exemple": example, "grand": big, "relu": again}


@pytest.mark.parametrize("kind", ["modèle", "exemple", "grand", "relu"])
def test_document_follows_the_rules_word_enforces(documents: dict[str, Path], kind: str) -> None:
    found = problems(documents[kind])
    assert not found, f"{len(found)} problème(s) Word dans « {kind} » :\n" + "\n".join(found[:40])


def test_big_bilan_grew_its_tables(documents: dict[str, Path]) -> None:
    """The big render really copied rows, so the rules above were checked on copied rows."""
    with zipfile.ZipFile(documents["grand"]) as package:
        body = etree.fromstring(package.read("word/document.xml")).find(f"{{{W}}}body")
    texts = ["".join(tr.itertext()) for tr in body.iter(f"{{{W}}}tr")]
    assert sum("Organisme n° " in text for text in texts) == 30
    assert sum("Territoire n° " in text for text in texts) == 40


def _bookmarked_last_rows(root: etree._Element) -> None:
    """Bookmarks around each cell of every table's last row, as Word may leave them."""
    for number, tbl in enumerate(root.iter(f"{{{W}}}tbl")):
        for column, tc in enumerate(tbl.findall(f"{{{W}}}tr")[-1].findall(f"{{{W}}}tc")):
            bookmark_id = str(9000 + 20 * number + column)
            tc.insert(1, _w("bookmarkStart", id=bookmark_id, name=f"_Ligne{bookmark_id}"))
            tc.insert(2, _w("bookmarkEnd", id=bookmark_id))


def test_grown_tables_do_not_copy_bookmarks(tmp_path: Path) -> None:
    """Rows copied to fit 30 sessions and 40 territoires never repeat a bookmark id or name."""
    template = _broken(tmp_path, "word/document.xml", _bookmarked_last_rows)
    assert not problems(template)
    bilan = render(_big(), tmp_path / "grand.docx", template=template)
    assert not problems(bilan), "\n".join(problems(bilan)[:20])
    with zipfile.ZipFile(bilan) as package:
        document = package.read("word/document.xml").decode()
    names = re.findall(r'w:bookmarkStart [^>]*w:name="(_Ligne\d+)"', document)
    assert names, "les signets du modèle ont disparu"
    assert len(names) == len(set(names))


# The checker catches what it claims: each rule is shown on a broken copy of the template.


def _broken(tmp_path: Path, part: str, change: Callable[[etree._Element], None]) -> Path:
    """A copy of the template with ``change`` applied to one XML part."""
    source = template_path()
    target = tmp_path / "casse.docx"
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w") as out:
        for item in package.infolist():
            data = package.read(item)
            if item.filename == part:
                root = etree.fromstring(data)
                change(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            out.writestr(item, data)
    return target


def _first(root: etree._Element, tag: str) -> etree._Element:
    found = root.find(f".//{{{W}}}{tag}")
    assert found is not None, tag
    return found


def _w(tag: str, **attributes: str) -> etree._Element:
    return etree.Element(f"{{{W}}}{tag}", {f"{{{W}}}{k}": v for k, v in attributes.items()})


def _swap_rpr(root: etree._Element) -> None:
    rPr = next(r for r in root.iter(f"{{{W}}}rPr") if r.find(f"{{{W}}}b") is not None)
    rPr.insert(0, _w("sz", val="20"))
    rPr.append(_w("b"))
    rPr.remove(rPr.find(f"{{{W}}}b"))


def _pstyle_last(root: etree._Element) -> None:
    pPr = next(p for p in root.iter(f"{{{W}}}pPr") if p.find(f"{{{W}}}pStyle") is not None)
    pPr.append(pPr.find(f"{{{W}}}pStyle"))


def _cell_without_paragraph(root: etree._Element) -> None:
    tc = _first(root, "tc")
    for p in tc.findall(f"{{{W}}}p"):
        tc.remove(p)


def _cell_ending_with_table(root: etree._Element) -> None:
    tc = _first(root, "tc")
    tc.append(etree.fromstring(etree.tostring(_first(root, "tbl"))))


def _extra_cell(root: etree._Element) -> None:
    tr = _first(root, "tr")
    tr.append(etree.fromstring(etree.tostring(tr.find(f"{{{W}}}tc"))))


def _orphan_vmerge(root: etree._Element) -> None:
    tcPr = _first(_first(root, "tc"), "tcPr")
    tcPr.insert(1, _w("vMerge"))


def _duplicate_bookmark(root: etree._Element) -> None:
    starts = list(root.iter(f"{{{W}}}bookmarkStart"))
    starts[1].set(f"{{{W}}}id", starts[0].get(f"{{{W}}}id"))


def _unended_bookmark(root: etree._Element) -> None:
    end = _first(root, "bookmarkEnd")
    end.getparent().remove(end)


def _unbalanced_field(root: etree._Element) -> None:
    end = next(f for f in root.iter(f"{{{W}}}fldChar") if f.get(f"{{{W}}}fldCharType") == "end")
    end.getparent().getparent().remove(end.getparent())


def _unpreserved_space(root: etree._Element) -> None:
    t = _first(root, "t")
    t.text = " espace devant"
    t.attrib.pop("{http://www.w3.org/XML/1998/namespace}space", None)


def _checked_before_default(root: etree._Element) -> None:
    box = _first(root, "checkBox")
    box.insert(0, _w("checked", val="1"))


def _ffdata_name_last(root: etree._Element) -> None:
    data = _first(root, "ffData")
    data.append(data.find(f"{{{W}}}name"))


def _sectpr_not_last(root: etree._Element) -> None:
    body = _first(root, "body")
    body.insert(len(body) - 1, body[-1])
    body.append(_w("p"))


def _pgsz_after_pgmar(root: etree._Element) -> None:
    sectPr = root.find(f"{{{W}}}body/{{{W}}}sectPr")
    sectPr.append(sectPr.find(f"{{{W}}}pgSz"))


def _unknown_child(root: etree._Element) -> None:
    _first(root, "pPr").append(_w("paragraphColour", val="red"))


def _missing_footer(root: etree._Element) -> None:
    _first(root, "footerReference").set(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", "rId99"
    )


def _undefined_style(root: etree._Element) -> None:
    _first(root, "pStyle").set(f"{{{W}}}val", "StyleInconnu")


def _tcpr_order(root: etree._Element) -> None:
    tcPr = _first(root, "tcPr")
    tcPr.append(tcPr.find(f"{{{W}}}tcW"))


def _decimal_size(root: etree._Element) -> None:
    _first(root, "sz").set(f"{{{W}}}val", "19.5")


def _named_colour(root: etree._Element) -> None:
    _first(root, "color").set(f"{{{W}}}val", "blue")


def _footer_field_without_end(root: etree._Element) -> None:
    _unbalanced_field(root)


def _style_rpr_order(root: etree._Element) -> None:
    rPr = next(r for r in root.iter(f"{{{W}}}rPr") if r.find(f"{{{W}}}rFonts") is not None)
    rPr.append(rPr.find(f"{{{W}}}rFonts"))


def _duplicate_style_and_paragraph_order(root: etree._Element) -> None:
    style = _first(root, "style")
    root.append(etree.fromstring(etree.tostring(style)))
    _pstyle_after_spacing(root)


def _pstyle_after_spacing(root: etree._Element) -> None:
    pPr = next(p for p in root.iter(f"{{{W}}}pPr") if p.find(f"{{{W}}}spacing") is not None)
    pPr.insert(0, _w("spacing", after="0"))
    pPr.remove(pPr.findall(f"{{{W}}}spacing")[1])
    pPr.append(_w("keepNext"))


BROKEN = [
    ("word/footer1.xml", _footer_field_without_end, "never ends (no fldChar end)"),
    ("word/styles.xml", _style_rpr_order, "<rFonts> must come before <lang> in <w:rPr>"),
    ("word/styles.xml", _duplicate_style_and_paragraph_order, "defined twice"),
    ("word/document.xml", _decimal_size, "sz val='19.5' is not a whole number"),
    ("word/document.xml", _named_colour, "color val='blue' is not auto or RRGGBB"),
    ("word/document.xml", _swap_rpr, "<b> must come before <sz> in <w:rPr>"),
    ("word/document.xml", _pstyle_last, "<pStyle> must come before"),
    ("word/document.xml", _cell_without_paragraph, "must end with a paragraph"),
    ("word/document.xml", _cell_ending_with_table, "must end with a paragraph"),
    ("word/document.xml", _extra_cell, "grid columns, tblGrid has"),
    ("word/document.xml", _orphan_vmerge, "vMerge continue with no merged cell above"),
    ("word/document.xml", _duplicate_bookmark, "used twice"),
    ("word/document.xml", _unended_bookmark, "never ends"),
    ("word/document.xml", _unbalanced_field, "never ends (no fldChar end)"),
    ("word/document.xml", _unpreserved_space, 'lacks xml:space="preserve"'),
    ("word/document.xml", _checked_before_default, "must come before <checked> in <w:checkBox>"),
    ("word/document.xml", _ffdata_name_last, "<name> must come before <textInput> in <w:ffData>"),
    ("word/document.xml", _sectpr_not_last, "<p> must come before <sectPr> in <w:body>"),
    ("word/document.xml", _pgsz_after_pgmar, "<pgSz> must come before"),
    ("word/document.xml", _unknown_child, "unknown child <paragraphColour> of <w:pPr>"),
    ("word/document.xml", _missing_footer, "'rId99' has no relationship"),
    ("word/document.xml", _undefined_style, "'StyleInconnu' is not defined"),
    ("word/document.xml", _tcpr_order, "<tcW> must come before"),
]


@pytest.mark.parametrize(
    ("part", "change", "message"), BROKEN, ids=[change.__name__ for _, change, _ in BROKEN]
)
def test_checker_reports_each_rule_with_its_place(
    tmp_path: Path, part: str, change: Callable[[etree._Element], None], message: str
) -> None:
    found = problems(_broken(tmp_path, part, change))
    root = {"word/styles.xml": "/w:styles", "word/footer1.xml": "/w:ftr"}.get(part, "/w:document")
    assert any(line.startswith(f"{part}: ") and message in line for line in found), (
        "\n".join(found) or "aucun problème trouvé"
    )
    assert any(line.startswith(f"{part}: {root}/") for line in found), found


@pytest.mark.campaign(SHIPPED)  # the shipped template's own creation date
def test_checker_reports_package_problems(tmp_path: Path) -> None:
    """Core properties, content types and external links, on a rewritten package."""
    source = template_path()
    target = tmp_path / "casse.docx"
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w") as out:
        for item in package.infolist():
            data = package.read(item)
            if item.filename == "docProps/core.xml":
                data = data.replace(b' xsi:type="dcterms:W3CDTF">2025-09-01', b">1/9/2025")
            elif item.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/word/footer1.xml"[^>]*/>', b"", data)
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b' TargetMode="External"', b"")
            out.writestr(item, data)
        out.writestr("word/media/extra.bin", b"\0")
    found = "\n".join(problems(target))
    assert 'dcterms:created needs xsi:type="dcterms:W3CDTF"' in found
    assert "value '1/9/2025T00:00:00Z' is not a W3CDTF date" in found
    assert "/word/footer1.xml has content type None, Word expects" in found
    assert "part /word/media/extra.bin has no content type" in found
    assert "mailto:parentalite@caf01.caf.fr' but lacks TargetMode" in found


def test_checker_reports_invalid_xml_characters(tmp_path: Path) -> None:
    source = template_path()
    target = tmp_path / "casse.docx"
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w") as out:
        for item in package.infolist():
            data = package.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"Page", b"Pa&#x1;ge", 1).replace(b"<w:t>", b"<w:t>\x0b", 1)
            out.writestr(item, data)
    found = "\n".join(problems(target))
    assert "&#x1; at offset" in found or "U+000B" in found


def test_order_table_is_complete_for_listed_parents() -> None:
    """Every child Word writes in our parts is in the table: a template child is never unknown."""
    with zipfile.ZipFile(template_path()) as package:
        for name in ("word/document.xml", "word/styles.xml", "word/settings.xml"):
            root = etree.fromstring(package.read(name))
            unknown = [f for f in check_part(root) if "unknown child" in f]
            assert not unknown, "\n".join(unknown)
    assert {"pPr", "rPr", "tblPr", "trPr", "tcPr", "sectPr", "ffData", "checkBox"} <= set(ORDERS)


def test_core_properties_of_a_bilan_are_w3cdtf(documents: dict[str, Path]) -> None:
    with zipfile.ZipFile(documents["exemple"]) as package:
        core = package.read("docProps/core.xml").decode()
    stamp = re.search(r'<dcterms:modified xsi:type="dcterms:W3CDTF">([^<]+)<', core)
    assert stamp is not None, core
    when = dt.datetime.strptime(stamp.group(1), "%Y-%m-%dT%H:%M:%SZ")
    assert when.year >= 2025
