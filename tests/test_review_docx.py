"""Odd Word documents: tracked changes, content controls, text boxes, answers like labels.

Each document is the shipped template changed with lxml the way Word (or another
editor) stores it; what ``extract`` reads and what ``render`` writes are checked,
the written bilan read back with zipfile + lxml.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from clas_bilan import campaigns
from clas_bilan.docx.template import template_path
from clas_bilan.extract import extract
from clas_bilan.render import readable, render
from helpers_answers import Reponses, reference
from helpers_docx import W, body, paragraph_text, tables, w
from ooxml_rules import problems

LABEL = campaigns.current().label

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
CHANGE = 'w:author="Anne" w:date="2026-06-30T10:00:00Z"'

Edit = Callable[[etree._Element], None]


def xml(markup: str) -> etree._Element:
    """One WordprocessingML element from its markup (``w:`` and ``mc:`` prefixes bound)."""
    return etree.fromstring(f'<root xmlns:w="{W}" xmlns:mc="{MC}">{markup}</root>')[0]


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def label(root: etree._Element, start: str) -> etree._Element:
    """The first body paragraph whose text starts with ``start``."""
    for p in root.iter(w("p")):
        if _flat("".join(p.itertext())).startswith(start):
            return p
    raise AssertionError(start)


def cell(root: etree._Element, table_start: str, row: int, column: int) -> etree._Element:
    """A cell of the body table whose first row starts with ``table_start``."""
    for tbl in root.iter(w("tbl")):
        trs = tbl.findall(w("tr"))
        if _flat("".join(trs[0].itertext())).startswith(table_start):
            return trs[row].findall(w("tc"))[column]
    raise AssertionError(table_start)


def wrap(element: etree._Element, markup: str = "<w:sdt><w:sdtPr/><w:sdtContent/></w:sdt>") -> None:
    """Put ``element`` inside a content control (its innermost empty element)."""
    wrapper = xml(markup)
    inner = wrapper if not len(wrapper) else wrapper[-1]
    element.addprevious(wrapper)
    inner.append(element)


def edited(tmp_path: Path, edit: Edit, name: str = "bilan_word.docx") -> Path:
    """A copy of the shipped template with ``edit`` applied to its main part."""
    target = tmp_path / name
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                edit(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            copy.writestr(item, data)
    return target


# Tracked changes: what Word shows is what is read ------------------------------------


def test_tracked_deletions_and_moves_are_not_read_insertions_are(tmp_path: Path) -> None:
    def typed(root: etree._Element) -> None:
        count = label(root, "Nombre de salariés")
        count.append(xml(f'<w:del w:id="1" {CHANGE}><w:r><w:delText>5</w:delText></w:r></w:del>'))
        count.append(xml(f'<w:ins w:id="2" {CHANGE}><w:r><w:t>7</w:t></w:r></w:ins>'))
        answer = label(root, "Quelle appréciation").getnext()
        answer.append(
            xml(f'<w:moveFrom w:id="3" {CHANGE}><w:r><w:t>Déplacé. </w:t></w:r></w:moveFrom>')
        )
        answer.append(xml("<w:r><w:t xml:space='preserve'>Utile.</w:t></w:r>"))
        answer.append(
            xml(f'<w:moveTo w:id="4" {CHANGE}><w:r><w:t> Déplacé.</w:t></w:r></w:moveTo>')
        )
        # some editors keep w:t (not w:delText) inside a deletion
        needs = label(root, "Avez-vous des besoins de formation").getnext()
        needs.append(xml(f'<w:del w:id="5" {CHANGE}><w:r><w:t>Supprimé </w:t></w:r></w:del>'))
        needs.append(xml("<w:r><w:t>Gardé</w:t></w:r>"))

    found = extract(edited(tmp_path, typed))
    assert found.problems == []
    assert found.answers.moyens_humains.salaries.nombre == 7
    assert found.answers.formations.appreciation == "Utile. Déplacé."
    assert found.answers.formations.besoins_non_couverts == "Gardé"


def test_a_label_with_a_tracked_insertion_is_found_and_the_signature_line_replaced_once(
    tmp_path: Path,
) -> None:
    def changed(root: etree._Element) -> None:
        place = label(root, "Fait à")
        wrap(place.find(w("r")), f'<w:ins w:id="7" {CHANGE}/>')
        signatory = label(root, "Nom et prénom du signataire")
        wrap(signatory.find(w("r")), f'<w:ins w:id="8" {CHANGE}/>')

    template = edited(tmp_path, changed, "modele.docx")
    answers = reference()
    bilan = render(answers, tmp_path / "bilan.docx", template=template)
    texts = [_flat(paragraph_text(p)) for p in body(bilan).iter(w("p"))]
    assert texts.count("Fait à Bourg-en-Bresse, le 30/06/2026") == 1
    assert not any("………" in text for text in texts)
    assert extract(bilan).answers == readable(answers)
    assert not problems(bilan)


# Content controls, text boxes, links, simple fields ----------------------------------


def test_answers_typed_in_content_controls_are_read(tmp_path: Path) -> None:
    def typed(root: etree._Element) -> None:
        answer = label(root, "Quelle appréciation").getnext()
        answer.append(xml("<w:r><w:t>Dans un contrôle</w:t></w:r>"))
        wrap(answer)
        tc = cell(root, "Nature des critères", 1, 2)
        tc.find(w("p")).append(xml("<w:r><w:t>3</w:t></w:r>"))
        wrap(tc.find(w("p")))
        territory = cell(root, "TERRITOIRES", 1, 0)
        territory.find(w("p")).append(xml("<w:r><w:t>Quartier Nord</w:t></w:r>"))
        wrap(territory.getparent())  # a row in a repeating section
        wrap(territory)  # a cell in a content control

    found = extract(edited(tmp_path, typed))
    assert found.problems == []
    assert found.answers.formations.appreciation == "Dans un contrôle"
    assert found.answers.axe_enfants.criteres_bonus.collectifs_ouverture_culturelle == 3
    assert [t.territoire for t in found.answers.territoires] == ["Quartier Nord"]


def test_a_content_control_showing_its_placeholder_is_no_answer(tmp_path: Path) -> None:
    placeholder = (
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>"
    )
    prompt = "<w:r><w:t>Cliquez ou appuyez ici pour entrer du texte.</w:t></w:r>"

    def typed(root: etree._Element) -> None:
        label(root, "Nom et prénom du signataire").append(xml(placeholder.format(prompt)))
        label(root, "Quelle appréciation").addnext(xml(placeholder.format(f"<w:p>{prompt}</w:p>")))

    found = extract(edited(tmp_path, typed))
    assert found.problems == []
    assert found.answers == Reponses(campagne=campaigns.current().code)


def test_a_text_box_is_read_once_links_and_simple_fields_are_read(tmp_path: Path) -> None:
    box = (
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>encadré</w:t></w:r>'
        "</w:p></w:txbxContent></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>encadré</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )

    def typed(root: etree._Element) -> None:
        answer = label(root, "Quelle appréciation").getnext()
        answer.append(xml("<w:r><w:t xml:space='preserve'>Voir l’</w:t></w:r>"))
        answer.append(xml(box))
        who = label(root, "Nom, prénom, adresse mail")
        who.append(xml("<w:r><w:t xml:space='preserve'>Durand, Paul, </w:t></w:r>"))
        who.append(
            xml(
                '<w:hyperlink w:history="1"><w:r><w:t>p.durand@exemple.fr</w:t></w:r></w:hyperlink>'
            )
        )
        count = label(root, "Nombre de collectifs")
        count.append(xml('<w:fldSimple w:instr=" =1+2 "><w:r><w:t>3</w:t></w:r></w:fldSimple>'))

    found = extract(edited(tmp_path, typed))
    assert found.problems == []
    assert found.answers.formations.appreciation == "Voir l’encadré"
    assert found.answers.moyens_humains.coordination.email == "p.durand@exemple.fr"
    assert found.answers.public.nombre_collectifs == 3


def test_a_users_template_with_labels_and_cells_in_content_controls_is_filled(
    tmp_path: Path,
) -> None:
    def controls(root: etree._Element) -> None:
        wrap(label(root, "Nombre de bénévoles"))
        wrap(label(root, "Quelles actions avez-vous développées auprès des parents").getnext())
        tc = cell(root, "Nature des critères", 1, 2)
        wrap(tc.find(w("p")))
        tc.append(xml("<w:p/>"))  # Word ends a cell with a paragraph
        tc = cell(root, "NATURE CRITERE", 1, 2)
        tc.remove(tc.find(w("p")))
        tc.append(
            xml(
                "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r>"
                "<w:t>Saisir un nombre</w:t></w:r></w:p></w:sdtContent></w:sdt>"
            )
        )
        tc.append(xml("<w:p/>"))

    template = edited(tmp_path, controls, "modele.docx")
    answers = reference()
    bilan = render(answers, tmp_path / "bilan.docx", template=template)
    assert extract(bilan).answers == readable(answers)
    assert not problems(bilan)
    for tbl in tables(bilan):
        trs = tbl.findall(f".//{w('tr')}")
        if _flat("".join(trs[0].itertext())).startswith("NATURE CRITERE"):
            values = ["".join(tc.itertext()) for tc in trs[1].iter(w("tc"))]
            assert values[-1] == "3"
            assert "Saisir un nombre" not in "".join(trs[1].itertext())
            break
    else:
        raise AssertionError("NATURE CRITERE")


# Answers that read like the form --------------------------------------------------------

NEXT_QUESTION = (
    "Avez-vous conduit un projet sur l’ensemble de l’année scolaire ? De quelle nature ? "
    "Quelles sont les dépenses occasionnées par ce projet ?"
)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("axe_enfants__actions", f"Nous avons repris la question :\n{NEXT_QUESTION}\nRéponse."),
        ("axe_enfants__actions", NEXT_QUESTION),
        ("conclusion__suggestions_caf", "Fait à Bourg, le 12 mars, la réunion a eu lieu."),
        ("conclusion__suggestions_caf", "Signature"),
        ("axe_etablissements__retours", "Conclusion / Suggestion\nRien à signaler."),
        ("formations__appreciation", "Quelle appréciation avez-vous des formations ? Bonne."),
    ],
)
def test_an_answer_reading_like_a_form_label_stays_an_answer(
    tmp_path: Path, key: str, value: str
) -> None:
    answers = reference(**{key: value})
    bilan = render(answers, tmp_path / "bilan.docx")
    assert extract(bilan).answers == readable(answers)
    texts = [_flat(paragraph_text(p)) for p in body(bilan).findall(w("p"))]
    for line in value.split("\n"):
        assert _flat(line) in texts


def test_a_copy_of_the_form_with_other_spacing_and_invisible_characters_is_filled(
    tmp_path: Path,
) -> None:
    def retyped(root: etree._Element) -> None:
        for t in root.iter(w("t")):
            if t.text:
                t.text = t.text.replace("\u00a0:", ":").replace("\u00a0?", "?")
                t.text = t.text.replace("collectifs", "collec\u00adtifs")  # soft hyphen
                t.text = t.text.replace("Qualité", "Quali\u200bté")  # zero-width space
        equipement = label(root, "Nom et commune de l’équipement")
        for t in equipement.iter(w("t")):
            t.text = t.text.replace("concerné: ", "concerné : ")

    template = edited(tmp_path, retyped, "modele.docx")
    answers = reference()
    bilan = render(answers, tmp_path / "bilan.docx", template=template)
    assert extract(bilan).answers == readable(answers)


# A user's template with an unfinished text field ------------------------------------------


def test_a_text_field_without_its_end_does_not_swallow_the_rest_of_the_bilan(
    tmp_path: Path,
) -> None:
    def unfinished(root: etree._Element) -> None:
        field = label(root, "S’il existe des écarts entre le prévisionnel").getnext()
        for r in field.findall(w("r")):
            fld_char = r.find(w("fldChar"))
            if fld_char is not None and fld_char.get(w("fldCharType")) == "end":
                field.remove(r)

    template = edited(tmp_path, unfinished, "modele.docx")
    answers = reference()
    bilan = render(answers, tmp_path / "bilan.docx", template=template)
    assert extract(bilan).answers == readable(answers)
    texts = [_flat(paragraph_text(p)) for p in body(bilan).findall(w("p"))]
    assert _flat(answers.moyens_humains.ecarts_intervenants or "") in texts
    assert "Signature :" in texts


def test_a_bilan_that_does_not_read_back_is_named_by_its_own_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-back check names the bilan the user asked for, never the temporary file."""
    from clas_bilan import render as render_module
    from clas_bilan.errors import AnswersError

    original = render_module.fill

    def losing(document: object, answers: Reponses, **options: Any) -> Any:
        filled = original(document, answers, **options)
        root = document.element.body  # type: ignore[attr-defined]
        root.remove(label(root, "Nombre de collectifs"))
        return filled

    monkeypatch.setattr(render_module, "fill", losing)
    with pytest.raises(AnswersError) as raised:
        render(reference(), tmp_path / "bilan.docx")
    message = raised.value.message
    assert "Nombre de collectifs" in message
    assert ".tmp" not in message
    assert "Aucun fichier n'a été écrit." in message
    assert list(tmp_path.iterdir()) == []


def test_very_long_names_render_with_shortened_document_properties(tmp_path: Path) -> None:
    """Word's properties hold 255 characters at most; the answers themselves stay whole."""
    name = "Centre social " + "très " * 60 + "long"
    answers = reference(equipement__nom=name, gestionnaire__nom="Association " + "A" * 300)
    bilan = render(answers, tmp_path / "bilan.docx")
    assert extract(bilan).answers == readable(answers)
    core = etree.fromstring(zipfile.ZipFile(bilan).read("docProps/core.xml"))
    title = core.find("{http://purl.org/dc/elements/1.1/}title").text
    author = core.find("{http://purl.org/dc/elements/1.1/}creator").text
    assert title.startswith(f"Bilan CLAS {LABEL} — Centre social très") and title.endswith("…")
    assert len(title) <= 255 and len(author) <= 255 and author.startswith("Association AAA")


def test_the_python_docx_internals_we_rely_on_are_there() -> None:
    """A python-docx upgrade that moves one fails here by name (listed in clas_bilan.docx)."""
    import copy

    import docx
    from docx.opc.packuri import PACKAGE_URI
    from docx.opc.pkgwriter import _ContentTypesItem
    from docx.oxml.parser import oxml_parser

    document = docx.Document(str(template_path()))
    parts = list(document.part.package.iter_parts())
    types = _ContentTypesItem.from_parts(parts).blob
    assert b"wordprocessingml.document.main+xml" in types
    assert oxml_parser.makeelement(f"{{{W}}}p").__class__.__name__ == "CT_P"
    assert PACKAGE_URI.rels_uri.membername == "_rels/.rels"
    assert document.part.partname.membername == "word/document.xml"
    assert b"officeDocument" in document.part.package.rels.xml
    assert all(isinstance(part.blob, bytes) for part in parts)
    twin = copy.deepcopy(document)
    assert twin.element is not document.element
    assert twin.part.package is not document.part.package


def test_a_table_typed_under_a_question_is_read_with_the_answer(tmp_path: Path) -> None:
    """A coordinator who lists the actions in a small Word table loses none of it."""

    def typed(root: etree._Element) -> None:
        answer = label(root, "Quelles actions avez-vous développées auprès des enfants").getnext()
        answer.append(xml("<w:r><w:t>Nos ateliers :</w:t></w:r>"))
        answer.addnext(
            xml(
                "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
                "<w:tr><w:tc><w:p><w:r><w:t>Lundi</w:t></w:r></w:p></w:tc>"
                "<w:tc><w:p><w:r><w:t>Lecture</w:t></w:r></w:p>"
                "<w:p><w:r><w:t>en groupe</w:t></w:r></w:p></w:tc></w:tr>"
                "<w:tr><w:tc><w:p><w:r><w:t>Jeudi</w:t></w:r></w:p></w:tc>"
                "<w:tc><w:p><w:r><w:t>Jeux</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
            )
        )

    found = extract(edited(tmp_path, typed))
    assert found.problems == []
    assert (
        found.answers.axe_enfants.actions == "Nos ateliers :\nLundi\tLecture en groupe\nJeudi\tJeux"
    )
