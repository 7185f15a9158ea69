"""The shipped Word template: the form's text, tables, form fields, page setup, reproducibility."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree

from clas_bilan import campaigns, form
from clas_bilan.docx import fields
from clas_bilan.docx.template import build, template_path
from helpers_campaign import SHIPPED
from helpers_docx import (
    NS,
    body,
    cell_texts,
    checkbox_states,
    paragraph_text,
    part,
    tables,
    text_field_names,
    texts,
    w,
)

# The committed template of the shipped campaign against the Caf's 2025/2026 text.
pytestmark = pytest.mark.campaign(SHIPPED)

Convert = Callable[[Path, str, Path], Path]

ROOT = Path(__file__).resolve().parent.parent
FORM_TEXT = ROOT / "tests" / "data" / "bilan_clas_2025_2026.txt"
"""The official form's text as extracted from the Caf's .docx (see CONTRACT.md)."""
TEMPLATE = ROOT / "templates" / "bilan_2025_2026.docx"
EN_SPACES = "\u2002" * 5
BLOCKS = campaigns.get("2025-2026").blocks


def _squeeze(text: str) -> str:
    """Drop bookmark markers, check box marks and every kind of whitespace (nbsp, en-space)."""
    text = re.sub(r"\[bookmark: [^\]]*\]", "", text).replace("|_|", "")
    return "".join(text.split())


def _form_lines() -> list[str]:
    lines = FORM_TEXT.read_text(encoding="utf-8").splitlines()
    return [squeezed for line in lines if (squeezed := _squeeze(line))]


def _shape(tbl: etree._Element) -> list[list[tuple[int, str | None]]]:
    """(gridSpan, vMerge) of each cell, row by row; a bare vMerge reads "continue"."""
    shape = []
    for tr in tbl.findall(w("tr")):
        row = []
        for tc in tr.findall(w("tc")):
            span = tc.find("w:tcPr/w:gridSpan", NS)
            merge = tc.find("w:tcPr/w:vMerge", NS)
            row.append(
                (
                    1 if span is None else int(span.get(w("val"))),
                    None if merge is None else merge.get(w("val"), "continue"),
                )
            )
        shape.append(row)
    return shape


def _grid(tbl: etree._Element) -> int:
    return len(tbl.findall("w:tblGrid/w:gridCol", NS))


def _table(header: str) -> etree._Element:
    """The body table whose first row holds ``header``."""
    for tbl in tables(TEMPLATE):
        first = tbl.find(w("tr"))
        if any(header in text for tc in first.findall(w("tc")) for text in cell_texts(tc)):
            return tbl
    raise AssertionError(f"no table headed {header!r}")


def _rows_text(tbl: etree._Element) -> list[list[str]]:
    return [["\n".join(cell_texts(tc)) for tc in tr.findall(w("tc"))] for tr in tbl.iter(w("tr"))]


def test_every_line_of_the_form_is_in_the_template_in_order() -> None:
    template = "".join(_squeeze(text) for text in texts(body(TEMPLATE)))
    position = 0
    for line in _form_lines():
        found = template.find(line, position)
        assert found >= 0, f"missing or out of order: {line!r}"
        position = found + len(line)


def test_wording_is_untouched_typos_included() -> None:
    all_text = "\n".join(texts(body(TEMPLATE)))
    for words in ("BONFICATION PARENTS ", "si oui, lequels\u00a0?", "expliquez -en les raisons"):
        assert words in all_text


def test_headings_use_word_heading_styles_for_the_outline() -> None:
    headings = [
        (p.find("w:pPr/w:pStyle", NS).get(w("val")), paragraph_text(p))
        for p in body(TEMPLATE).findall(w("p"))
        if p.find("w:pPr/w:pStyle", NS) is not None
        and p.find("w:pPr/w:pStyle", NS).get(w("val")).startswith("Heading")
    ]
    assert ("Heading1", "DESCRIPTION DE LA MISE EN ŒUVRE DU PROJET") in headings
    assert ("Heading2", "1. Moyens humains mobilisés ") in headings
    assert ("Heading2", "4. Synthèse territoriale de la mise en œuvre du projet Clas") in headings
    assert ("Heading1", "Axe d’intervention auprès des parents") in headings
    assert ("Heading1", "Conclusion / Suggestion") in headings
    assert len(headings) == sum(isinstance(block, form.Heading) for block in BLOCKS)
    styles = part(TEMPLATE, "word/styles.xml")
    for style_id, level in (("Heading1", "0"), ("Heading2", "1")):
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert style.find("w:pPr/w:outlineLvl", NS).get(w("val")) == level


def test_formations_table_shape() -> None:
    tbl = _table("Nom de l’organisme")
    assert _grid(tbl) == 6
    shape = _shape(tbl)
    assert shape[0] == [(1, "restart")] * 3 + [(3, None)]
    assert shape[1] == [(1, "continue")] * 3 + [(1, None)] * 3
    assert shape[2:] == [[(1, None)] * 6] * 4
    rows = _rows_text(tbl)
    assert rows[0][3] == "Nombre de personnes formées"
    assert rows[0][0] == "Nom de l’organisme\nen charge de la formation"
    assert [text.strip() for text in rows[1][3:]] == ["Salariés", "Volontaires", "Bénévoles"]
    assert all(text == "" for row in rows[2:] for text in row)
    header_rows = [tr.find("w:trPr/w:tblHeader", NS) is not None for tr in tbl.findall(w("tr"))]
    assert header_rows == [True, True] + [False] * 4


def test_public_table_shape() -> None:
    tbl = _table("Elémentaire")
    assert _grid(tbl) == 14
    shape = _shape(tbl)
    assert shape[0] == shape[1] == [(5, None), (4, None), (3, None), (1, None), (1, None)]
    assert shape[2] == shape[3] == [(1, None)] * 14
    rows = _rows_text(tbl)
    assert rows[0] == ["Elémentaire", "Collège", "Lycée", "Autre", "TOTAL"]
    assert rows[1] == [""] * 5
    assert rows[2] == [
        *["CP", "CE1", "CE2", "CM1", "CM2", "6e", "5e", "4e", "3e", "2de", "1ère", "T"],
        "",
        "/",
    ]
    assert rows[3] == [""] * 14


def test_territoires_table_shape() -> None:
    tbl = _table("TERRITOIRES D’INTERVENTION")
    assert _grid(tbl) == 2
    assert _shape(tbl) == [[(1, None)] * 2] * 9
    assert _rows_text(tbl)[0][1] == "ETABLISSEMENTS SCOLAIRES CONCERNES\u00a0: NOM ADRESSE, MAIL"


@pytest.mark.parametrize(
    ("header", "first_column"),
    [
        ("BONIFICATION ENFANTS", ["Nature des critères", "", "AU MOINS UN", "", ""]),
        ("BONFICATION PARENTS", ["NATURE CRITERE", "OBLIGATOIRE", "AU MOINS UN", ""]),
    ],
)
def test_bonus_tables_merge_their_first_column(header: str, first_column: list[str]) -> None:
    tbl = _table(header)
    assert _grid(tbl) == 3
    shape = _shape(tbl)
    assert all(len(row) == 3 and all(span == 1 for span, _ in row) for row in shape)
    merges = [row[0][1] for row in shape]
    start = first_column.index("AU MOINS UN")
    assert merges[start] == "restart"
    assert merges[start + 1 :] == ["continue"] * (len(first_column) - start - 1)
    assert all(merge is None for merge in merges[:start])
    assert [row[0] for row in _rows_text(tbl)] == first_column
    assert _rows_text(tbl)[0][2] == "Répondez par\nOui ou Non"


def test_one_cell_boxes() -> None:
    boxes = [tbl for tbl in tables(TEMPLATE) if _grid(tbl) == 1]
    assert [_rows_text(tbl) for tbl in boxes] == [
        [["Bilan qualitatif du projet Clas 2025-2026"]],
        [["Intitulé du projet :  "]],
    ]


def test_tables_never_touch_and_rows_do_not_split() -> None:
    children = list(body(TEMPLATE))
    for index, child in enumerate(children):
        if child.tag == w("tbl"):
            assert children[index + 1].tag == w("p")
            assert all(tr.find("w:trPr/w:cantSplit", NS) is not None for tr in child.iter(w("tr")))


def test_two_unchecked_check_boxes_in_the_choice_paragraph() -> None:
    assert checkbox_states(body(TEMPLATE)) == [("CaseACocher1", False), ("CaseACocher2", False)]
    choice = next(b for b in BLOCKS if isinstance(b, form.Choice))
    paragraphs = [p for p in body(TEMPLATE).findall(w("p")) if checkbox_states(p)]
    assert len(paragraphs) == 1
    assert paragraph_text(paragraphs[0]) == choice.label + "\t\t  Oui \t Non"
    instructions = [t.text for t in paragraphs[0].iter(w("instrText"))]
    assert instructions == [" FORMCHECKBOX "] * 2


def test_two_text_fields_alone_under_their_labels() -> None:
    paragraphs = body(TEMPLATE).findall(w("p"))
    assert text_field_names(body(TEMPLATE)) == ["Texte237", "Texte238"]
    labels = [b.label for b in BLOCKS if isinstance(b, form.Question) and b.layout == "field"]
    for name, label in zip(["Texte237", "Texte238"], labels, strict=True):
        index = next(i for i, p in enumerate(paragraphs) if paragraph_text(p) == label)
        field_paragraph = paragraphs[index + 1]
        assert text_field_names(field_paragraph) == [name]
        assert paragraph_text(field_paragraph) == EN_SPACES
        assert [t.text for t in field_paragraph.iter(w("instrText"))] == [" FORMTEXT "]
        bookmark = field_paragraph.find(w("bookmarkStart"))
        assert bookmark is not None and bookmark.get(w("name")) == name


def test_question_labels_and_space_left_under_them() -> None:
    paragraphs = body(TEMPLATE).findall(w("p"))
    all_text = [paragraph_text(p) for p in paragraphs]
    for block in BLOCKS:
        if not isinstance(block, form.Question):
            continue
        assert all_text.count(block.label) == 1, block.label
        index = all_text.index(block.label)
        if block.layout == "below":
            assert all_text[index + 1 : index + 1 + block.space] == [""] * block.space
            styles = [
                paragraphs[i].find("w:pPr/w:pStyle", NS).get(w("val"))
                for i in range(index + 1, index + 1 + block.space)
            ]
            assert styles == ["Reponse"] * block.space


def test_signature_block_at_the_end() -> None:
    all_text = [text for text in texts(body(TEMPLATE)) if text.strip()]
    assert all_text[-4:] == [
        "Fait à ………………………………, le ………………………",
        "Nom et prénom du signataire\u00a0: ",
        "Qualité du signataire\u00a0: ",
        "Signature\u00a0:",
    ]


def test_mail_address_is_a_mailto_link() -> None:
    links = body(TEMPLATE).findall(".//w:hyperlink", NS)
    assert [paragraph_text(link) for link in links] == ["parentalite@caf01.caf.fr"]
    rels = part(TEMPLATE, "word/_rels/document.xml.rels")
    targets = [rel.get("Target") for rel in rels if rel.get("TargetMode") == "External"]
    assert targets == ["mailto:parentalite@caf01.caf.fr"]


def test_page_setup_font_styles_and_footer() -> None:
    sect = body(TEMPLATE).find(w("sectPr"))
    size = sect.find(w("pgSz"))
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")
    styles = part(TEMPLATE, "word/styles.xml")
    fonts = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(w("ascii")) == fonts.get(w("hAnsi")) == "Arial"
    assert fonts.get(w("asciiTheme")) is None
    answer = styles.find("w:style[@w:styleId='Reponse']", NS)
    assert answer.find(w("name")).get(w("val")) == "Réponse"
    footer_names = [n for n in zipfile.ZipFile(TEMPLATE).namelist() if "footer" in n]
    footer = part(TEMPLATE, next(n for n in footer_names if n.endswith(".xml")))
    instructions = [t.text.strip() for t in footer.iter(w("instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert "".join(t.text for t in footer.iter(w("t"))) == "Page 1 sur 1"


def test_core_properties() -> None:
    properties = docx.Document(str(TEMPLATE)).core_properties
    assert properties.title == "Bilan CLAS 2025/2026"
    assert properties.author == "Caf de l'Ain"
    assert "CLAS" in properties.subject


def test_shipped_template_is_found_through_the_package() -> None:
    assert template_path().resolve() == TEMPLATE.resolve()


def _canonical(path: Path) -> dict[str, bytes]:
    """Every XML part, canonicalised; core properties without their dates."""
    found = {}
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            root = etree.fromstring(package.read(name))
            if name == "docProps/core.xml":
                for date in root.xpath("*[local-name()='created' or local-name()='modified']"):
                    root.remove(date)
            found[name] = etree.tostring(root, method="c14n")
    return found


@pytest.mark.parametrize("code", [known.code for known in campaigns.known() if known.home is None])
def test_committed_template_of_each_campaign_is_what_the_script_builds(
    code: str, tmp_path: Path
) -> None:
    output = tmp_path / "rebuilt.docx"
    script = ROOT / "scripts" / "build_template.py"
    subprocess.run(
        [sys.executable, str(script), "--campagne", code, "--output", str(output)],
        check=True,
        capture_output=True,
    )
    committed_path = ROOT / "templates" / f"bilan_{code.replace('-', '_')}.docx"
    committed, rebuilt = _canonical(committed_path), _canonical(output)
    assert committed.keys() == rebuilt.keys()
    for name in committed:
        assert committed[name] == rebuilt[name], f"{name} differs: run scripts/build_template.py"


def test_templates_folder_holds_one_template_per_known_campaign() -> None:
    names = sorted(path.name for path in (ROOT / "templates").iterdir())
    assert names == sorted(campaign.template_name for campaign in campaigns.known())


def test_build_is_reproducible(tmp_path: Path) -> None:
    build(tmp_path / "a.docx")
    build(tmp_path / "b.docx")
    assert _canonical(tmp_path / "a.docx") == _canonical(tmp_path / "b.docx")
    assert list(tmp_path.iterdir()) != [] and not list(tmp_path.glob(".*"))


# Legacy form fields helpers, read back independently.


def _saved(document: docx.document.Document, path: Path) -> etree._Element:
    document.save(str(path))
    return body(path)


def test_checkbox_helpers_tick_and_read(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Oui ? ")
    fields.add_checkbox(paragraph, "A")
    fields.add_checkbox(paragraph, "B", checked=True)
    boxes = fields.checkboxes(document.element.body)
    assert [fields.is_checked(box) for box in boxes] == [False, True]
    assert checkbox_states(_saved(document, tmp_path / "a.docx")) == [("A", False), ("B", True)]
    fields.set_checked(boxes[0], True)
    fields.set_checked(boxes[1], False)
    assert [fields.is_checked(box) for box in boxes] == [True, False]
    assert checkbox_states(_saved(document, tmp_path / "b.docx")) == [("A", True), ("B", False)]
    checked = boxes[0].find("w:ffData/w:checkBox", NS)
    assert [etree.QName(child).localname for child in checked] == ["sizeAuto", "default", "checked"]


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("0", False), ("false", False)])
def test_is_checked_reads_word_on_off_values(value: str | None, expected: bool) -> None:
    attribute = "" if value is None else f' w:val="{value}"'
    fld_char = parse_xml(
        f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"><w:ffData><w:checkBox>'
        f'<w:sizeAuto/><w:default w:val="1"/><w:checked{attribute}/></w:checkBox></w:ffData>'
        "</w:fldChar>"
    )
    assert fields.is_checked(fld_char) is expected


def test_text_field_result_written_and_read(tmp_path: Path) -> None:
    document = docx.Document()
    fields.add_text_field(document.add_paragraph(), "Texte237")
    fields.add_text_field(document.add_paragraph(), "Texte238")
    found = fields.text_fields(document.element.body)
    assert [field.name for field in found] == ["Texte237", "Texte238"]
    placeholders = [paragraph_text(p) for p in document.element.body.iter(w("p"))]
    assert placeholders == [fields.PLACEHOLDER, fields.PLACEHOLDER]
    found[0].set_result("Deux salariées parties\nen cours d’année\tfin")
    written = [paragraph_text(p) for p in document.element.body.iter(w("p"))]
    assert written == ["Deux salariées parties\nen cours d’année\tfin", fields.PLACEHOLDER]
    saved = _saved(document, tmp_path / "a.docx")
    first = saved.findall(w("p"))[0]
    assert paragraph_text(first) == "Deux salariées parties\nen cours d’année\tfin"
    assert [b.get(w("id")) for b in saved.iter(w("bookmarkStart"))] == ["0", "1"]


def test_text_field_joins_runs_split_by_word() -> None:
    p = parse_xml(
        f"<w:p {nsdecls('w')}>"
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Texte237"/>'
        "<w:enabled/><w:textInput/></w:ffData></w:fldChar></w:r>"
        '<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:rPr><w:noProof/></w:rPr><w:t xml:space="preserve">Écarts </w:t></w:r>'
        "<w:r><w:rPr><w:b/></w:rPr><w:t>dus</w:t><w:br/></w:r>"
        "<w:r><w:t>au budget</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        "<w:r><w:t> après</w:t></w:r></w:p>"
    )
    (field,) = fields.text_fields(p)
    field.set_result("Aucun")
    assert paragraph_text(p) == "Aucun après"
    assert len(p.findall(w("r"))) == 6  # begin, instruction, separate, result, end, " après"
    result = p.findall(w("r"))[3]
    assert result.find("w:rPr/w:noProof", NS) is not None


@pytest.mark.slow
def test_template_converts_to_pdf_with_its_headings(
    tmp_path: Path, libreoffice: Convert, pdftotext: str
) -> None:
    pdf = libreoffice(TEMPLATE, "pdf", tmp_path)
    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    ).stdout
    flat = " ".join(text.split())
    for heading in (
        "Bilan CLAS 2025/2026",
        "DESCRIPTION DE LA MISE EN ŒUVRE DU PROJET",
        "2. Les formations réalisées",
        "Axe d’intervention auprès des enfants et des jeunes",
        "BONFICATION PARENTS",
        "Conclusion / Suggestion",
        "Signature",
    ):
        assert heading in flat
    pages = text.count("\f")
    assert 4 <= pages <= 7
    assert f"Page 1 sur {pages}" in flat and f"Page {pages} sur {pages}" in flat
