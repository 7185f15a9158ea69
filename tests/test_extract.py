"""``extract``: a bilan typed by hand in Word, and one made by ``render``, read back."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree
from typer.testing import CliRunner

from clas_bilan import campaigns
from clas_bilan.checks import validate_file
from clas_bilan.cli import app
from clas_bilan.docx.template import template_path
from clas_bilan.extract import extract, to_yaml
from clas_bilan.render import readable, render
from helpers_answers import Reponses
from helpers_campaign import fixtures

CODE = campaigns.current().code

Convert = Callable[[Path, str, Path], Path]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REFERENCE = fixtures() / "valid" / "reference_du_contrat.yaml"
runner = CliRunner()


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).replace("\u00a0", " ")


class Word:
    """Types into a copy of the blank template the way Word stores typing."""

    def __init__(self, root: etree._Element) -> None:
        self.body = root.find(w("body"))

    def label(self, start: str) -> etree._Element:
        for p in self.body.iterchildren(w("p")):
            if " ".join(_text(p).split()).startswith(start):
                return p
        raise AssertionError(start)

    def below(self, start: str, offset: int = 1) -> etree._Element:
        p = self.label(start)
        for _ in range(offset):
            p = p.getnext()
        return p

    def table(self, start: str) -> list[list[etree._Element]]:
        for tbl in self.body.iterchildren(w("tbl")):
            if " ".join(_text(tbl.find(w("tr"))).split()).startswith(start):
                return [tr.findall(w("tc")) for tr in tbl.findall(w("tr"))]
        raise AssertionError(start)

    @staticmethod
    def type(p: etree._Element, *pieces: str) -> None:
        """Append runs; "\\n" in a piece is a Shift+Enter line break."""
        for piece in pieces:
            r = etree.SubElement(p, w("r"))
            for index, line in enumerate(piece.split("\n")):
                if index:
                    etree.SubElement(r, w("br"))
                t = etree.SubElement(r, w("t"))
                t.text = line
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    def cell(self, tc: etree._Element, *paragraphs: str) -> None:
        """Type in a cell, one paragraph each (the cell's empty paragraph first)."""
        first = tc.find(w("p"))
        for index, text in enumerate(paragraphs):
            p = first if index == 0 else etree.SubElement(tc, w("p"))
            half = len(text) // 2
            self.type(p, text[:half], text[half:])

    @staticmethod
    def tick(p: etree._Element, index: int) -> None:
        box = p.findall(f".//{w('ffData')}/{w('checkBox')}")[index]
        etree.SubElement(box, w("checked"))

    @staticmethod
    def retype(p: etree._Element, *pieces: str) -> None:
        """Replace a paragraph's runs by typed ones."""
        for r in p.findall(w("r")):
            p.remove(r)
        Word.type(p, *pieces)


def _hand_filled(tmp_path: Path, fill: Callable[[Word], None]) -> Path:
    target = tmp_path / "rempli_a_la_main.docx"
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                fill(Word(root))
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            copy.writestr(item, data)
    return target


def _typed_everywhere(word: Word) -> None:
    word.type(word.below("Nom du gestionnaire"), "Associ", "ation ", "Les Amis")
    word.type(word.below("Nom du gestionnaire", 2), "3 rue Haute", "\n01100 Oyonnax")
    word.type(word.label("Nom et commune de l’équipement"), "Centre social ", "Les Vignes")
    word.type(word.below("Nom et commune de l’équipement"), "Oyonnax")
    box = next(t for t in word.body.iter(w("tbl")) if "Intitulé du projet" in _text(t))
    word.type(box.find(f".//{w('p')}"), "Lire ", "ensemble")
    word.type(word.label("Nombre de salariés"), "1", "2")
    word.type(word.label("Soit en ETP (un Etp"), "1,5")
    word.type(word.label("Nombre de bénévoles"), " 4 ")
    word.type(word.label("Soit en ETP :"), "0.5")
    word.type(word.label("Nom, prénom, adresse mail"), "Durand, Paul, ", "p.durand@exemple.fr")
    field = word.below("S’il existe des écarts entre le prévisionnel")
    result = next(r for r in field.findall(w("r")) if r.find(w("t")) is not None)
    result.find(w("t")).text = "Aucun "
    result.addnext(etree.fromstring(f'<w:r xmlns:w="{W}"><w:t>écart.</w:t></w:r>'))
    word.tick(word.label("Une formation a-t-elle été suivie"), 0)
    formations = word.table("Nom de l’organisme")
    for tc, value in zip(
        formations[2], ["Fédé 01", "Posture", "mars 2026", "2", "", "1"], strict=True
    ):
        word.cell(tc, value)
    word.type(word.below("Quelle appréciation"), "Très ", "utile.")
    word.type(word.below("Quelle appréciation", 2), "Merci.")
    public = word.table("Elémentaire")
    word.cell(public[3][0], "3")
    word.cell(public[3][1], "4")
    word.cell(public[1][4], "7")
    word.type(word.label("Nombre de collectifs"), "2")
    territoires = word.table("TERRITOIRES")
    word.cell(territoires[1][0], "Quartier Nord", "Salle polyvalente")
    word.cell(territoires[1][1], "École Jean Jaurès", "contact@college.fr")
    for tc, value in zip(
        [row[2] for row in word.table("Nature des critères")[1:]],
        ["2", "oui", "NON", "Oui"],
        strict=True,
    ):
        word.cell(tc, value)
    for tc, value in zip(
        [row[2] for row in word.table("NATURE CRITERE")[1:]], ["1", "Oui", "non"], strict=True
    ):
        word.cell(tc, value)
    word.type(
        word.below("Quelles actions avez-vous développées auprès des enfants"), "Ligne 1\nLigne 2"
    )
    word.type(word.below("A l’issue d’une année de Clas", 2), "Ils sont contents.")
    word.retype(word.label("Fait à"), "Fait à Oyon", "nax………, le 01/07/2026")
    word.type(word.label("Nom et prénom du signataire"), "Jeanne ", "Roux")


def test_a_form_filled_by_hand_in_word_is_read_back(tmp_path: Path) -> None:
    found = extract(_hand_filled(tmp_path, _typed_everywhere))
    assert found.problems == []
    expected = Reponses.model_validate(
        {
            "campagne": CODE,
            "gestionnaire": {
                "nom": "Association Les Amis",
                "adresse": "3 rue Haute\n01100 Oyonnax",
            },
            "equipement": {"nom": "Centre social Les Vignes", "commune": "Oyonnax"},
            "intitule_projet": "Lire ensemble",
            "moyens_humains": {
                "salaries": {"nombre": 12, "etp": 1.5},
                "benevoles": {"nombre": 4, "etp": 0.5},
                "coordination": {"nom": "Durand", "prenom": "Paul", "email": "p.durand@exemple.fr"},
                "ecarts_intervenants": "Aucun écart.",
            },
            "formations": {
                "suivie": True,
                "sessions": [
                    {
                        "organisme": "Fédé 01",
                        "intitule": "Posture",
                        "dates": "mars 2026",
                        "personnes_formees": {"salaries": 2, "benevoles": 1},
                    }
                ],
                "appreciation": "Très utile.\nMerci.",
            },
            "public": {"inscrits": {"CP": 3, "CE1": 4}, "total": 7, "nombre_collectifs": 2},
            "territoires": [
                {
                    "territoire": "Quartier Nord\nSalle polyvalente",
                    "etablissements": [
                        {"nom": "École Jean Jaurès", "email": "contact@college.fr"},
                    ],
                }
            ],
            "axe_enfants": {
                "criteres_bonus": {
                    "collectifs_ouverture_culturelle": 2,
                    "surcout_materiel_pedagogique": True,
                    "surcout_intervenants_exterieurs": False,
                    "surcout_sorties_culturelles": True,
                },
                "actions": "Ligne 1\nLigne 2",
            },
            "axe_parents": {
                "criteres_bonus": {
                    "collectifs_accompagnement_parents": 1,
                    "surcout_intervenants_exterieurs": True,
                    "surcout_sorties_parents_enfants": False,
                },
                "avis_parents": "Ils sont contents.",
            },
            "signature": {"lieu": "Oyonnax", "date": dt.date(2026, 7, 1), "nom": "Jeanne Roux"},
        }
    )
    assert found.answers == expected


def test_the_blank_form_reads_as_no_answer(tmp_path: Path) -> None:
    found = extract(template_path())
    assert found.problems == []
    assert found.answers == Reponses(campagne=CODE)


def test_unreadable_answers_are_reported_not_dropped_silently(tmp_path: Path) -> None:
    def typed(word: Word) -> None:
        word.type(word.label("Nombre de salariés"), "trois")
        choice = word.label("Une formation a-t-elle été suivie")
        word.tick(choice, 0)
        word.tick(choice, 1)
        word.cell(word.table("Nature des critères")[2][2], "peut-être")
        word.type(word.label("Nombre de collectifs"), "2")

    found = extract(_hand_filled(tmp_path, typed))
    assert len(found.problems) == 3
    joined = "\n".join(found.problems)
    assert "Nombre de salariés" in joined and "trois" in joined
    assert "les deux cases « Oui » et « Non » sont cochées" in joined
    assert "matériel pédagogique" in joined and "peut-être" in joined
    assert found.answers.public.nombre_collectifs == 2
    assert found.answers.formations.suivie is None


def test_a_document_that_is_not_a_docx_is_a_french_error(tmp_path: Path) -> None:
    fake = tmp_path / "bilan.docx"
    fake.write_text("pas un document", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(fake)])
    assert result.exit_code == 2
    assert "n'est pas un document Word" in result.output
    result = runner.invoke(app, ["extract", str(tmp_path / "absent.docx")])
    assert result.exit_code == 2 and "introuvable" in result.output


# The answers file written ----------------------------------------------------------


def _keys(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            found.append(prefix + str(key))
            found += _keys(value, f"{prefix}{key}.")
        return found
    if isinstance(data, list) and data:
        return _keys(data[0], f"{prefix}0.")
    return []


@pytest.fixture
def rendered(tmp_path: Path) -> tuple[Reponses, Path]:
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    data["conclusion"]["bilan"] = "Année positive.\n\nDeuxième paragraphe : « freins »."
    answers = Reponses.model_validate(data)
    return answers, render(answers, tmp_path / "bilan.docx")


def test_extract_command_writes_a_valid_readable_answers_file(
    tmp_path: Path, rendered: tuple[Reponses, Path]
) -> None:
    answers, bilan = rendered
    result = runner.invoke(app, ["extract", str(bilan), "-o", str(tmp_path / "reprise.yaml")])
    assert result.exit_code == 0, result.output
    assert "Fichier de réponses écrit" in result.output
    written = tmp_path / "reprise.yaml"
    text = written.read_text(encoding="utf-8")
    assert "  bilan: |\n    Année positive.\n\n    Deuxième paragraphe : « freins ».\n" in text
    assert "  suivie: oui   # oui / non — OBLIGATOIRE\n" in text
    report = validate_file(written)
    assert report.errors == []
    assert report.answers == readable(answers)
    reference = _keys(yaml.safe_load(REFERENCE.read_text(encoding="utf-8")))
    ours = [key for key in _keys(yaml.safe_load(text)) if key in reference]
    assert ours == reference


def test_extract_command_never_overwrites_without_force(
    tmp_path: Path, rendered: tuple[Reponses, Path]
) -> None:
    _, bilan = rendered
    target = tmp_path / "bilan.yaml"
    target.write_text("mes réponses\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(bilan)])
    assert result.exit_code == 2
    assert "existe déjà" in result.output
    assert target.read_text(encoding="utf-8") == "mes réponses\n"
    result = runner.invoke(app, ["extract", str(bilan), "--force"])
    assert result.exit_code == 0, result.output
    assert "# Relu depuis « bilan.docx » par clas-bilan extract." in target.read_text("utf-8")


def test_problems_are_written_at_the_top_of_the_answers_file() -> None:
    text = to_yaml(
        Reponses(), source="x.docx", problems=["« Nombre de salariés » : « trois »\nillisible"]
    )
    assert "# À REVOIR : « Nombre de salariés » : « trois » illisible\n" in text
    assert yaml.safe_load(text)["campagne"] == CODE


def test_a_bilan_resaved_by_libreoffice_reads_back_the_same(
    tmp_path: Path, libreoffice: Convert
) -> None:
    """A coordinator opens the bilan in LibreOffice and saves it again as .docx."""
    answers = validate_file(REFERENCE).answers
    assert answers is not None
    made = render(answers, tmp_path / "bilan.docx")
    back = extract(libreoffice(made, "docx:MS Word 2007 XML", tmp_path / "libreoffice"))
    assert back.problems == []
    assert back.answers == readable(answers)
