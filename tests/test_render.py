"""``render``: every answer where a person would type it, read back with zipfile + lxml."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from lxml import etree
from typer.testing import CliRunner

from clas_bilan import campaigns
from clas_bilan.cli import app
from clas_bilan.docx.template import template_path
from clas_bilan.errors import AnswersError
from clas_bilan.extract import extract
from clas_bilan.render import readable, render
from helpers_answers import REFERENCE, reference
from helpers_campaign import fixtures
from helpers_docx import (
    body,
    cell_texts,
    checkbox_states,
    french,
    paragraph_text,
    part,
    tables,
    w,
)

CODE, LABEL = campaigns.current().code, campaigns.current().label

Convert = Callable[[Path, str, Path], Path]

EXAMPLES = fixtures()
DEFAULT_NAME = f"bilan_clas_{CODE}_espace-de-vie-sociale-les-tilleuls.docx"
NNBSP = "\u202f"
runner = CliRunner()


def _flat(text: str) -> str:
    """Spaces, no-break spaces and line breaks folded; narrow no-break spaces kept."""
    return re.sub(r"[ \t\n\u00a0]+", " ", text).strip()


def _paragraphs(path: Path) -> list[etree._Element]:
    return body(path).findall(w("p"))


def _label(path: Path, start: str) -> etree._Element:
    found = [p for p in _paragraphs(path) if _flat(paragraph_text(p)).startswith(start)]
    assert found, start
    return found[0]


def _under(path: Path, start: str) -> list[str]:
    """Texts of the paragraphs after a label, up to the next bold (label) or heading paragraph."""
    p = _label(path, start).getnext()
    lines: list[str] = []
    while p is not None and p.tag == w("p"):
        style = p.find(f"{w('pPr')}/{w('pStyle')}")
        if style is None or style.get(w("val")) != "Reponse":
            break
        lines.append(paragraph_text(p))
        p = p.getnext()
    return lines


def _table(path: Path, first: str) -> list[list[str]]:
    for tbl in tables(path):
        rows = [
            ["\n".join(cell_texts(tc)) for tc in tr.findall(w("tc"))] for tr in tbl.findall(w("tr"))
        ]
        if _flat(rows[0][0]).startswith(first):
            return rows
    raise AssertionError(first)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(reference(), tmp_path_factory.mktemp("rendu") / "bilan.docx")


def test_free_text_answers_stand_under_their_question(example: Path) -> None:
    assert _under(example, "Nom du gestionnaire et adresse") == [
        "Association Savoirs Partagés",
        "12 rue des Écoles, 01000 Bourg-en-Bresse",
        "",
    ]
    assert _under(example, "Nom et commune de l’équipement")[:2] == [
        "Espace de vie sociale Les Tilleuls",
        "Bourg-en-Bresse",
    ]
    assert _under(example, "Quelles actions avez-vous développées auprès des enfants")[0] == (
        french("Deux séances par semaine : méthodologie, lecture, jeux de logique.")
    )
    assert _under(example, "Globalement, quelle conclusion")[0].startswith("Année positive")


def test_inline_answers_follow_their_label(example: Path) -> None:
    def line(start: str) -> str:
        return _flat(paragraph_text(_label(example, start)))

    assert line("Nombre de salariés") == "Nombre de salariés : 3"
    base = campaigns.current().worked_hours  # 1607: 1,50
    etp, hours = f"{2410 / base:.2f}".replace(".", ","), f"{base:,}".replace(",", NNBSP)
    assert line("Soit en ETP (un Etp").endswith(
        f": {etp} (calculé : 2{NNBSP}410 heures travaillées / {hours})"
    )
    assert line("Nombre de bénévoles") == "Nombre de bénévoles (volontaires inclus) : 9"
    assert line("Soit en ETP :") == f"Soit en ETP : 0,72 (calculé : 1{NNBSP}150 heures / {hours})"
    assert line("Nom, prénom, adresse mail") == (
        "Nom, prénom, adresse mail : Martin, Sophie, s.martin@savoirs-partages.example"
    )
    assert line("Nombre de collectifs") == "Nombre de collectifs : 4"
    assert line("Fait à") == "Fait à Bourg-en-Bresse, le 30/06/2026"
    assert line("Nom et prénom du signataire") == "Nom et prénom du signataire : Claire Dubois"
    assert line("Qualité du signataire") == "Qualité du signataire : Présidente"
    box = next(t for t in tables(example) if "Intitulé du projet" in "".join(t.itertext()))
    assert _flat("".join(box.itertext())) == "Intitulé du projet : Réussir ensemble"


def test_text_field_holds_its_answer(example: Path) -> None:
    field = _label(example, "S’il existe des écarts entre le prévisionnel").getnext()
    assert field.find(f".//{w('ffData')}/{w('textInput')}") is not None
    assert paragraph_text(field) == (
        french("Un bénévole a quitté le projet en janvier ; il a été remplacé en mars.")
    )


def test_oui_box_is_ticked(example: Path) -> None:
    choice = _label(example, "Une formation a-t-elle été suivie")
    assert [ticked for _, ticked in checkbox_states(choice)] == [True, False]


def test_table_cells_hold_counts_yes_no_and_computed_totals(example: Path) -> None:
    formations = _table(example, "Nom de l’organisme")
    assert formations[2] == [
        "Fédération des centres sociaux de l'Ain",
        french("Accompagner la scolarité : posture et méthodes"),
        "14 et 15 octobre 2025",
        "2",
        "1",
        "3",
    ]
    assert formations[3:] == [[""] * 6] * 3
    public = _table(example, "Elémentaire")
    assert public[1] == ["28", "15", "0", "1", "44"]
    assert public[3] == ["4", "6", "5", "7", "6", "5", "4", "3", "3", "0", "0", "0", "1", ""]
    enfants = _table(example, "Nature des critères")
    assert [row[2] for row in enfants[1:]] == ["2", "Oui", "Non", "Oui"]
    parents = _table(example, "NATURE CRITERE")
    assert [row[2] for row in parents[1:]] == ["3", "Oui", "Non"]
    territoires = _table(example, "TERRITOIRES")
    assert (
        territoires[1][0] == "Quartier de la Reyssouze — salle des Tilleuls, 3 allée des Tilleuls"
    )
    assert territoires[1][1].split("\n") == [
        "École élémentaire Jean Moulin",
        "8 rue Jean Moulin, 01000 Bourg-en-Bresse",
        "ce.0010001x@ac-lyon.fr",
        "",  # a blank paragraph between two schools
        "Collège Louis Aragon",
        "2 avenue de la Paix, 01000 Bourg-en-Bresse",
        "ce.0010002y@ac-lyon.fr",
    ]


def test_document_title_names_the_equipement(example: Path) -> None:
    core = part(example, "docProps/core.xml")
    title = core.find("{http://purl.org/dc/elements/1.1/}title").text
    assert title == f"Bilan CLAS {LABEL} — Espace de vie sociale Les Tilleuls — Bourg-en-Bresse"


def test_paragraphs_and_line_breaks_are_kept(tmp_path: Path) -> None:
    answers = reference(
        conclusion__bilan="Premier <paragraphe> & « guillemets ».\n\nSecond 😀\nTroisième ligne",
        equipement__nom="Maison « Été » d'Œuvre / Ferney",
        intitule_projet="Lire & écrire",
    )
    output = render(answers, tmp_path / "bilan.docx")
    assert _under(output, "Globalement, quelle conclusion") == [
        french("Premier <paragraphe> & « guillemets »."),
        "",
        "Second 😀",
        "Troisième ligne",
        "",
    ]
    assert extract(output).answers == readable(answers)


def test_ETP_given_with_hours_is_written_with_both(tmp_path: Path) -> None:
    answers = reference(moyens_humains__salaries__etp="1,5", moyens_humains__benevoles__etp=0.72)
    output = render(answers, tmp_path / "bilan.docx")
    assert _flat(paragraph_text(_label(output, "Soit en ETP (un Etp"))).endswith(
        f": 1,50 (2{NNBSP}410 heures travaillées)"
    )
    assert extract(output).answers == readable(answers)


def test_an_answer_that_does_not_read_back_stops_render(tmp_path: Path) -> None:
    answers = reference(moyens_humains__coordination__prenom="Anne, Marie")
    with pytest.raises(AnswersError, match=r"moyens_humains\.coordination"):
        render(answers, tmp_path / "bilan.docx")
    assert list(tmp_path.iterdir()) == []


# Command line ----------------------------------------------------------------


def _copy(tmp_path: Path, source: Path = REFERENCE) -> Path:
    target = tmp_path / "reponses.yaml"
    shutil.copyfile(source, target)
    return target


def test_render_command_writes_the_default_name_and_says_what_next(tmp_path: Path) -> None:
    answers = _copy(tmp_path)
    result = runner.invoke(app, ["render", str(answers)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / DEFAULT_NAME).is_file()
    text = _flat(result.output)
    assert "Bilan écrit" in text
    assert "parentalite@caf01.caf.fr" in text and campaigns.current().deadline_text in text
    assert "clas-bilan email" in text and "AFAS / ESPADA" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEFAULT_NAME, "reponses.yaml"]


def test_render_refuses_answers_with_errors_and_writes_nothing(tmp_path: Path) -> None:
    answers = _copy(tmp_path, EXAMPLES / "invalid" / "total_faux.yaml")
    result = runner.invoke(app, ["render", str(answers), "-o", str(tmp_path / "bilan.docx")])
    assert result.exit_code == 1
    assert "n'a pas été produit" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reponses.yaml"]


def test_render_never_overwrites_without_force(tmp_path: Path) -> None:
    answers = _copy(tmp_path)
    output = tmp_path / "bilan.docx"
    output.write_bytes(b"le bilan d'avant")
    result = runner.invoke(app, ["render", str(answers), "-o", str(output)])
    assert result.exit_code == 2
    assert "existe déjà" in result.output and "--force" in result.output
    assert output.read_bytes() == b"le bilan d'avant"
    result = runner.invoke(app, ["render", str(answers), "-o", str(output), "--force"])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bilan.docx", "reponses.yaml"]


def test_default_name_is_ascii(tmp_path: Path) -> None:
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    data["equipement"]["nom"] = "Maison « Été » d'Œuvre / Ferney:Voltaire?"
    answers = tmp_path / "reponses.yaml"
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["render", str(answers)])
    assert result.exit_code == 0, result.output
    names = [p.name for p in tmp_path.glob("*.docx")]
    assert names == [f"bilan_clas_{CODE}_maison-ete-d-uvre-ferney-voltaire.docx"]


def _edit_template(tmp_path: Path, edit: object) -> Path:
    """Copy the shipped template, changing its document.xml with ``edit(root)``."""
    target = tmp_path / "autre_modele.docx"
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                edit(root)  # type: ignore[operator]
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            copy.writestr(item, data)
    return target


def _package(path: Path) -> dict[str, bytes]:
    """Every part of a package: XML canonicalized (whatever wrote it), other parts as stored."""
    with zipfile.ZipFile(path) as package:
        return {
            name: etree.tostring(etree.fromstring(package.read(name)), method="c14n")
            if name.endswith((".xml", ".rels"))
            else package.read(name)
            for name in package.namelist()
        }


def test_the_bilan_keeps_every_other_part_of_the_template_as_it_is(example: Path) -> None:
    """Styles, settings, numbering, footer, theme, thumbnail: only text and properties change.

    The custom properties are added (render notes the French spaces it put in the answers).
    """
    template, bilan = _package(template_path()), _package(example)
    assert sorted(bilan) == sorted([*template, "docProps/custom.xml"])
    # The package's content types and relationships now name the custom properties too.
    changed = {"word/document.xml", "docProps/core.xml", "[Content_Types].xml", "_rels/.rels"}
    assert [
        name for name in template if name not in changed and bilan[name] != template[name]
    ] == []
    assert all(bilan[name] != template[name] for name in changed)


FOOTER_MARK = "Centre social — pied de page maison"


def _styled_template(tmp_path: Path) -> Path:
    """A user's copy of the template with its own footer text and an extra style."""
    target = tmp_path / "modele_du_centre.docx"
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/footer1.xml":
                data = data.replace(b">Page <", f">{FOOTER_MARK} Page <".encode())
            elif item.filename == "word/styles.xml":
                root = etree.fromstring(data)
                style = etree.SubElement(root, w("style"), {w("type"): "paragraph"})
                style.set(w("styleId"), "StyleDuCentre")
                etree.SubElement(style, w("name"), {w("val"): "Style du centre"})
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            copy.writestr(item, data)
    return target


def test_a_users_template_keeps_its_own_footer_and_styles(tmp_path: Path) -> None:
    template = _styled_template(tmp_path)
    output = tmp_path / "bilan.docx"
    result = runner.invoke(
        app, ["render", str(_copy(tmp_path)), "-o", str(output), "--template", str(template)]
    )
    assert result.exit_code == 0, result.output
    footer = "".join(paragraph_text(p) for p in part(output, "word/footer1.xml").iter(w("p")))
    assert footer.startswith(FOOTER_MARK)
    ids = [s.get(w("styleId")) for s in part(output, "word/styles.xml").iter(w("style"))]
    assert "StyleDuCentre" in ids and "Reponse" in ids


def test_template_lacking_a_question_is_named_and_the_rest_placed(tmp_path: Path) -> None:
    def rename(root: etree._Element) -> None:
        for t in root.iter(w("t")):
            if t.text and t.text.startswith("Nombre de collectifs"):
                t.text = "Nombre de groupes :"

    template = _edit_template(tmp_path, rename)
    answers = _copy(tmp_path)
    output = tmp_path / "bilan.docx"
    result = runner.invoke(
        app, ["render", str(answers), "-o", str(output), "--template", str(template)]
    )
    assert result.exit_code == 0, result.output
    warning = " ".join(result.output.split())
    assert "« autre_modele.docx » ne contient pas ces parties du formulaire" in warning
    assert "Nombre de collectifs" in warning and "leurs réponses n'y sont pas écrites" in warning
    found = extract(output)
    assert found.answers.public.nombre_collectifs is None
    assert found.answers.public.inscrits.CP == reference().public.inscrits.CP
    assert any("Nombre de collectifs" in text for text in found.warnings)
    result = runner.invoke(app, ["extract", str(output), "-o", str(tmp_path / "r.yaml")])
    assert result.exit_code == 0 and "Nombre de collectifs" in result.output


def test_questions_are_found_by_their_text_not_their_position(tmp_path: Path) -> None:
    def reshape(root: etree._Element) -> None:
        body_ = root.find(w("body"))
        for t in root.iter(w("t")):
            if t.text:
                t.text = t.text.replace("\u00a0", " ").replace(" : ", "\u2002:  ")
        extra = etree.SubElement(body_, w("p"))
        etree.SubElement(etree.SubElement(extra, w("r")), w("t")).text = "Paragraphe ajouté."
        body_.insert(0, extra)

    template = _edit_template(tmp_path, reshape)
    answers = reference()
    output = render(answers, tmp_path / "bilan.docx", template=template)
    assert extract(output, template=template).answers == readable(answers)
    salaries = _flat(paragraph_text(_label(output, "Nombre de salariés")))
    assert salaries == "Nombre de salariés\u2002: 3"


@pytest.mark.slow
def test_rendered_example_converts_to_pdf(
    tmp_path: Path, example: Path, libreoffice: Convert, pdftotext: str
) -> None:
    pdf = libreoffice(example, "pdf", tmp_path)
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    ).stdout
    flat = _flat(text)
    for wanted in (
        "Intitulé du projet : Réussir ensemble",
        "Nombre de salariés : 3",
        "Fait à Bourg-en-Bresse, le 30/06/2026",
        "Café des parents mensuel",
        "ce.0010002y@ac-lyon.fr",
    ):
        assert wanted in flat
    assert re.search(r"Page 1 sur \d", flat)


@pytest.mark.slow
def test_render_pdf_option_writes_a_pdf_beside_the_bilan(tmp_path: Path, soffice: str) -> None:
    answers = _copy(tmp_path)
    result = runner.invoke(
        app, ["render", str(answers), "-o", str(tmp_path / "bilan.docx"), "--pdf"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bilan.pdf").read_bytes().startswith(b"%PDF")
    assert "Copie PDF" in result.output
