"""Bilans typed by hand in Word, in the Caf's form and in our template, read back by extract.

The typing is done on the XML the way Word stores it (lxml only, independent of the code
under test): answers in the empty paragraphs under a question, on the label's own line,
inside a FORMTEXT field (over two paragraphs too), a skipped blank line, boxes ticked with
``w:checked`` or ``w:default``, rows added by copying the last one, another font or italics,
runs split mid-word, a no-break space before « : », OUI/non in the bonus tables, and
établissements laid out in each way people type them.
"""

from __future__ import annotations

import copy
import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

import caf_form_builder
from caf_form_builder import W, document_root, rewrite, w
from clas_bilan import campaigns
from clas_bilan.cli import app
from clas_bilan.docx.template import template_path
from clas_bilan.extract import extract
from clas_bilan.schools import Reading, read_cell, write_cell
from helpers_campaign import SHIPPED

runner = CliRunner()
EXAMPLE = campaigns.current().example
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _plain(element: etree._Element) -> str:
    texts = [t.text or "" for t in element.iter(w("t"))]
    return " ".join("".join(texts).replace("\u00a0", " ").split())


class Typist:
    """Types into a document's XML as Word stores what a person types."""

    def __init__(self, root: etree._Element) -> None:
        self.body = root.find(w("body"))

    def label(self, start: str) -> etree._Element:
        for p in self.body.iterchildren(w("p")):
            if _plain(p).startswith(start):
                return p
        raise AssertionError(start)

    def below(self, start: str, offset: int = 1) -> etree._Element:
        p = self.label(start)
        for _ in range(offset):
            p = p.getnext()
        assert p.tag == w("p") and not _plain(p), start  # an empty paragraph of the form
        return p

    def table(self, start: str) -> etree._Element:
        for tbl in self.body.iterchildren(w("tbl")):
            if _plain(tbl.find(w("tr"))).startswith(start):
                return tbl
        raise AssertionError(start)

    @staticmethod
    def rows(tbl: etree._Element, width: int) -> list[list[etree._Element]]:
        """The rows of at least ``width`` cells, header rows left out by the caller."""
        found = [tr.findall(w("tc")) for tr in tbl.findall(w("tr"))]
        return [cells for cells in found if len(cells) >= width]

    @staticmethod
    def type(p: etree._Element, *pieces: str, italic: bool = False, font: str = "") -> None:
        """Append one run a piece; "\\n" in a piece is a Shift+Enter line break."""
        for piece in pieces:
            r = etree.SubElement(p, w("r"))
            if italic or font:
                rPr = etree.SubElement(r, w("rPr"))
                if font:
                    etree.SubElement(rPr, w("rFonts")).attrib.update(
                        {w("ascii"): font, w("hAnsi"): font}
                    )
                if italic:
                    etree.SubElement(rPr, w("i"))
            for index, line in enumerate(piece.split("\n")):
                if index:
                    etree.SubElement(r, w("br"))
                if line:
                    t = etree.SubElement(r, w("t"))
                    t.text = line
                    t.set(XML_SPACE, "preserve")

    def cell(self, tc: etree._Element, *paragraphs: str, **look: Any) -> None:
        """Type in a cell, one paragraph each (Enter), the cell's empty paragraph first."""
        first = tc.find(w("p"))
        for index, text in enumerate(paragraphs):
            p = first if index == 0 else etree.SubElement(tc, w("p"))
            half = len(text) // 2
            self.type(p, text[:half], text[half:], **look)  # a run split mid-word

    def in_field(self, start: str, *paragraphs: str) -> None:
        """Type in the FORMTEXT field after a label; Enter inside it makes new paragraphs."""
        p = self.label(start).getnext()
        while p.find(f".//{w('textInput')}") is None:
            p = p.getnext()
        result = next(
            r
            for r in p.findall(w("r"))
            if r.find(w("t")) is not None and r.find(w("instrText")) is None
        )
        result.find(w("t")).text = paragraphs[0]
        end = result.getnext()
        tail = [end, *end.itersiblings()]
        previous = p
        for text in paragraphs[1:]:  # the field's end moves to the last paragraph typed
            new = etree.Element(w("p"))
            previous.addnext(new)
            self.type(new, text)
            previous = new
        if previous is not p:
            for element in tail:
                previous.append(element)

    @staticmethod
    def enter(p: etree._Element) -> etree._Element:
        """A new paragraph after ``p``, as the Enter key makes."""
        new = etree.Element(w("p"))
        p.addnext(new)
        return new

    @staticmethod
    def retype(p: etree._Element, *pieces: str, **look: Any) -> None:
        """Select the paragraph's text (a space, say) and type over it."""
        for r in p.findall(w("r")):
            p.remove(r)
        Typist.type(p, *pieces, **look)

    @staticmethod
    def tick(p: etree._Element, index: int, how: str) -> None:
        box = p.findall(f".//{w('ffData')}/{w('checkBox')}")[index]
        if how == "checked":
            etree.SubElement(box, w("checked"))
        else:
            box.find(w("default")).set(w("val"), "1")

    def relabel(self, start: str, old: str, new: str) -> None:
        """Change spaces in a label (a no-break space before « : » or the reverse)."""
        for t in self.label(start).iter(w("t")):
            t.text = (t.text or "").replace(old, new)

    @staticmethod
    def copy_last_row(tbl: etree._Element, times: int = 1) -> None:
        for _ in range(times):
            last = tbl.findall(w("tr"))[-1]
            last.addnext(copy.deepcopy(last))


SCHOOLS: dict[str, tuple[list[str], list[dict[str, str | None]]]] = {
    "un paragraphe par ligne": (
        [
            "École élémentaire Pasteur",
            "1 rue Pasteur, 01100 Oyonnax",
            "ce.0011001a@ac-lyon.fr",
            "Collège Ampère",
            "2 avenue de la Gare",
            "01100 Oyonnax",
            "ce.0011002b@ac-lyon.fr",
        ],
        [
            {
                "nom": "École élémentaire Pasteur",
                "adresse": "1 rue Pasteur, 01100 Oyonnax",
                "email": "ce.0011001a@ac-lyon.fr",
            },
            {
                "nom": "Collège Ampère",
                "adresse": "2 avenue de la Gare, 01100 Oyonnax",
                "email": "ce.0011002b@ac-lyon.fr",
            },
        ],
    ),
    "sauts de ligne": (
        [
            "École maternelle Les Lilas\n4 chemin des Lilas\n01100 Oyonnax\nce.0011003c@ac-lyon.fr"
            "\nÉcole primaire Jean Moulin\n9 rue Jean Moulin, 01100 Oyonnax"
        ],
        [
            {
                "nom": "École maternelle Les Lilas",
                "adresse": "4 chemin des Lilas, 01100 Oyonnax",
                "email": "ce.0011003c@ac-lyon.fr",
            },
            {
                "nom": "École primaire Jean Moulin",
                "adresse": "9 rue Jean Moulin, 01100 Oyonnax",
                "email": None,
            },
        ],
    ),
    "séparateurs": (
        [
            "École Victor Hugo – 3 place du Marché, 01100 Oyonnax – ce.0011004d@ac-lyon.fr",
            "Collège Saint-Exupéry, 12 boulevard Dupuy, 01100 Oyonnax, ce.0011005e@ac-lyon.fr",
            "Lycée Painlevé ; 5 rue Painlevé 01100 Oyonnax ; mail : ce.0011006f@ac-lyon.fr",
            "École des Crêts - 7 allée des Crêts - 01100 Oyonnax",
        ],
        [
            {
                "nom": "École Victor Hugo",
                "adresse": "3 place du Marché, 01100 Oyonnax",
                "email": "ce.0011004d@ac-lyon.fr",
            },
            {
                "nom": "Collège Saint-Exupéry",
                "adresse": "12 boulevard Dupuy, 01100 Oyonnax",
                "email": "ce.0011005e@ac-lyon.fr",
            },
            {
                "nom": "Lycée Painlevé",
                "adresse": "5 rue Painlevé 01100 Oyonnax",
                "email": "ce.0011006f@ac-lyon.fr",
            },
            {
                "nom": "École des Crêts",
                "adresse": "7 allée des Crêts - 01100 Oyonnax",
                "email": None,
            },
        ],
    ),
    "ligne vide entre écoles, mail d'abord": (
        [
            "ce.0011007g@ac-lyon.fr",
            "École de la Forge",
            "",
            "Groupe scolaire Les Tilleuls",
            "15 rue des Tilleuls 01100 Oyonnax",
        ],
        [
            {"nom": "École de la Forge", "adresse": None, "email": "ce.0011007g@ac-lyon.fr"},
            {
                "nom": "Groupe scolaire Les Tilleuls",
                "adresse": "15 rue des Tilleuls 01100 Oyonnax",
                "email": None,
            },
        ],
    ),
    "une liste de noms": (
        ["École Jean Jaurès", "École Louis Pergaud", "Collège Lumière"],
        [
            {"nom": "École Jean Jaurès", "adresse": None, "email": None},
            {"nom": "École Louis Pergaud", "adresse": None, "email": None},
            {"nom": "Collège Lumière", "adresse": None, "email": None},
        ],
    ),
    "un paragraphe par école, Maj+Entrée entre ses lignes": (
        [
            "École du Centre\n2 rue Centrale, 01100 Oyonnax\nce.0011008h@ac-lyon.fr",
            "Collège Jeanne d'Arc\nce.0011009i@ac-lyon.fr",
        ],
        [
            {
                "nom": "École du Centre",
                "adresse": "2 rue Centrale, 01100 Oyonnax",
                "email": "ce.0011008h@ac-lyon.fr",
            },
            {"nom": "Collège Jeanne d'Arc", "adresse": None, "email": "ce.0011009i@ac-lyon.fr"},
        ],
    ),
}
UNCLEAR = (
    ["Groupe scolaire", "La Plaine", "3 rue X, 01100 Oyonnax", "ce.0011010j@ac-lyon.fr"],
    [
        {
            "nom": "Groupe scolaire, La Plaine",
            "adresse": "3 rue X, 01100 Oyonnax",
            "email": "ce.0011010j@ac-lyon.fr",
        }
    ],
)


def _type_bilan(typist: Typist, tick: str) -> None:
    """Type the whole bilan, as a coordinator would in Word."""
    typist.type(typist.below("Nom du gestionnaire"), "Associ", "ation Les Amis")
    typist.type(typist.below("Nom du gestionnaire", 2), "3 rue Haute, 01100 Oyonnax")
    typist.type(typist.label("Nom et commune de l’équipement"), "Centre social ", "Les Vignes")
    typist.type(typist.below("Nom et commune de l’équipement"), "Oyonnax", font="Times New Roman")
    box = typist.table("Intitulé du projet")
    typist.type(box.find(f".//{w('p')}"), "Lire ", "ensem", "ble", italic=True)
    typist.type(typist.label("Nombre de salariés"), "4")
    typist.type(typist.label("Soit en ETP (un Etp"), " 2,00")
    typist.type(typist.label("Nombre de bénévoles"), " 1", "1 ")
    typist.type(typist.label("Soit en ETP :"), "0,75")
    typist.type(
        typist.label("Nom, prénom, adresse mail"),
        "Benali, Kari",
        "ma, clas@exemple.fr",
        font="Comic Sans MS",
    )
    typist.in_field(
        "S’il existe des écarts entre le prévisionnel",
        "Une animatrice est partie en février.",
        "Elle a été remplacée en mars.",
    )
    typist.tick(typist.label("Une formation a-t-elle été suivie"), 0, tick)
    formations = typist.table("Nom de l’organisme")
    full = typist.rows(formations, 6)[2:]
    sessions = [
        ["Fédération des centres sociaux", "Posture", "14 octobre 2025", "2", "1", "4"],
        ["Caf de l’Ain", "Associer les parents", "3 février 2026", "3", "0", "2"],
        ["Ligue de l’enseignement", "Jeux", "mars 2026", "1", "", "1"],
        ["CAF", "Écoute", "avril 2026", "1", "", ""],
        ["Mairie", "Numérique", "mai 2026", "2", "1", "1"],
    ]
    typist.copy_last_row(formations, len(sessions) - len(full))
    for cells, values in zip(typist.rows(formations, 6)[2:], sessions, strict=True):
        for tc, value in zip(cells, values, strict=True):
            if value:
                typist.cell(tc, value)
    skipped = typist.below("Quelle appréciation", 2)  # a blank line left above
    typist.type(skipped, "Très utile.", italic=True)
    typist.type(typist.enter(skipped), "Merci aux formateurs.")
    typist.type(typist.label("Avez-vous des besoins de formation"), " Aucun.")
    public = typist.rows(typist.table("Elémentaire"), 14)
    for tc, value in zip(public[-1], ["5", "6", "7", "6", "6", "6", "5", "4", "3"], strict=False):
        typist.cell(tc, value)
    typist.relabel("Nombre de collectifs", "\u00a0:", " :")
    typist.type(typist.label("Nombre de collectifs"), "5")
    territoires = typist.table("TERRITOIRES")
    typed = [*SCHOOLS.values(), UNCLEAR, (["École Jules Ferry"], [])]
    typist.copy_last_row(territoires, len(typed) - (len(territoires.findall(w("tr"))) - 1))
    for index, (cells, (lines, _)) in enumerate(
        zip(typist.rows(territoires, 2)[1:], typed, strict=True)
    ):
        typist.cell(cells[0], f"Quartier {index + 1}", "Salle polyvalente")
        typist.cell(cells[1], *lines)
    enfants = typist.table("Nature des critères")
    for cells, value in zip(typist.rows(enfants, 3)[1:], ["3", "OUI", "oui", "non"], strict=True):
        typist.cell(cells[2], value)
    parents = typist.table("NATURE CRITERE")
    for cells, value in zip(typist.rows(parents, 3)[1:], ["2", "Oui", "NON"], strict=True):
        typist.cell(cells[2], value)
    typist.type(
        typist.below("Quelles actions avez-vous développées auprès des enfants"),
        "Deux séances par semaine.\nAide aux devoirs.",
    )
    typist.in_field("A l’issue d’une année de Clas", "Les parents sont contents.")
    typist.relabel("Avez-vous des remarques", "Caf ?", "Caf\u00a0?")
    typist.retype(typist.below("Avez-vous des remarques"), "Rien à signaler.", italic=True)


def _expected(*, signed: bool) -> dict[str, Any]:
    schools = [*SCHOOLS.values(), UNCLEAR]
    return {
        "campagne": campaigns.current().code,
        "gestionnaire": {"nom": "Association Les Amis", "adresse": "3 rue Haute, 01100 Oyonnax"},
        "equipement": {"nom": "Centre social Les Vignes", "commune": "Oyonnax"},
        "intitule_projet": "Lire ensemble",
        "moyens_humains": {
            "salaries": {"nombre": 4, "etp": 2.0},
            "benevoles": {"nombre": 11, "etp": 0.75},
            "coordination": {"nom": "Benali", "prenom": "Karima", "email": "clas@exemple.fr"},
            "ecarts_intervenants": "Une animatrice est partie en février.\n"
            "Elle a été remplacée en mars.",
        },
        "formations": {
            "suivie": True,
            "sessions": [
                {"organisme": "Fédération des centres sociaux", "intitule": "Posture"}
                | {"dates": "14 octobre 2025"}
                | {"personnes_formees": {"salaries": 2, "volontaires": 1, "benevoles": 4}},
                {"organisme": "Caf de l’Ain", "intitule": "Associer les parents"}
                | {"dates": "3 février 2026"}
                | {"personnes_formees": {"salaries": 3, "volontaires": 0, "benevoles": 2}},
                {"organisme": "Ligue de l’enseignement", "intitule": "Jeux", "dates": "mars 2026"}
                | {"personnes_formees": {"salaries": 1, "benevoles": 1}},
                {"organisme": "CAF", "intitule": "Écoute", "dates": "avril 2026"}
                | {"personnes_formees": {"salaries": 1}},
                {"organisme": "Mairie", "intitule": "Numérique", "dates": "mai 2026"}
                | {"personnes_formees": {"salaries": 2, "volontaires": 1, "benevoles": 1}},
            ],
            "appreciation": "Très utile.\nMerci aux formateurs.",
            "besoins_non_couverts": "Aucun.",
        },
        "public": {
            "inscrits": {"CP": 5, "CE1": 6, "CE2": 7, "CM1": 6, "CM2": 6}
            | {"6e": 6, "5e": 5, "4e": 4, "3e": 3},
            "nombre_collectifs": 5,
        },
        "territoires": [
            {"territoire": f"Quartier {i + 1}\nSalle polyvalente", "etablissements": found}
            for i, (_, found) in enumerate(schools)
        ]
        + [
            {
                "territoire": f"Quartier {len(schools) + 1}\nSalle polyvalente",
                "etablissements": [{"nom": "École Jules Ferry"}],
            }
        ],
        "axe_enfants": {
            "criteres_bonus": {
                "collectifs_ouverture_culturelle": 3,
                "surcout_materiel_pedagogique": True,
                "surcout_intervenants_exterieurs": True,
                "surcout_sorties_culturelles": False,
            },
            "actions": "Deux séances par semaine.\nAide aux devoirs.",
        },
        "axe_parents": {
            "criteres_bonus": {
                "collectifs_accompagnement_parents": 2,
                "surcout_intervenants_exterieurs": True,
                "surcout_sorties_parents_enfants": False,
            },
            "avis_parents": "Les parents sont contents.",
        },
        "conclusion": {"suggestions_caf": "Rien à signaler."},
        "signature": (
            {"lieu": "Oyonnax", "date": dt.date(2026, 7, 1), "nom": "Jeanne Roux"} if signed else {}
        ),
    }


@pytest.fixture(scope="module")
def caf_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return caf_form_builder.build(tmp_path_factory.mktemp("caf") / "formulaire_caf.docx")


def _typed(source: Path, target: Path, tick: str, *, sign: bool) -> Path:
    root = document_root(source)
    typist = Typist(root)
    _type_bilan(typist, tick)
    if sign:
        label = typist.label("Fait à")
        for r in label.findall(w("r")):
            label.remove(r)
        typist.type(label, "Fait à Oyon", "nax………, le 01/07/2026")
        typist.type(typist.label("Nom et prénom du signataire"), "Jeanne ", "Roux")
    return rewrite(source, target, root)


COPIES = {
    "formulaire_caf_coche": ("caf", "checked"),
    "formulaire_caf_defaut": ("caf", "default"),
    "notre_modele_coche": ("ours", "checked"),
    "notre_modele_defaut": ("ours", "default"),
}


@pytest.mark.campaign(SHIPPED)  # typed into the Caf's 2025/2026 form or with its labels
@pytest.mark.parametrize("copy_name", sorted(COPIES))
@pytest.mark.usefixtures("wide_console")
def test_every_typed_answer_comes_back(caf_form: Path, tmp_path: Path, copy_name: str) -> None:
    form_kind, tick = COPIES[copy_name]
    source = caf_form if form_kind == "caf" else template_path()
    typed = _typed(source, tmp_path / f"{copy_name}.docx", tick, sign=form_kind == "ours")
    found = extract(typed)
    assert found.problems == []
    expected = campaigns.current().answers.model_validate(_expected(signed=form_kind == "ours"))
    assert found.answers == expected
    unclear = [text for text in found.warnings if "n'a pas pu être séparé" in text]
    assert len(unclear) == 1
    assert "territoire « Quartier 7 Salle polyvalente »" in unclear[0]
    assert "« Groupe scolaire, La Plaine »" in unclear[0]
    signature_missing = any("le bloc de signature" in text for text in found.warnings)
    assert signature_missing == (form_kind == "caf")
    target = tmp_path / "reponses.yaml"
    result = runner.invoke(app, ["extract", str(typed), "-o", str(target)])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "À vérifier : territoire « Quartier 7 Salle polyvalente »" in said
    assert "--template" not in said and "--modele" not in said
    assert "À REVOIR" in target.read_text("utf-8")
    result = runner.invoke(app, ["validate", str(target)])
    assert result.exit_code == 0, result.output
    assert "Erreur" not in result.output
    assert "TOTAL 48" in " ".join(result.output.split())
    assert yaml.safe_load(target.read_text("utf-8"))["formations"]["suivie"] == "oui"


@pytest.mark.parametrize("layout", sorted(SCHOOLS))
def test_schools_are_grouped_as_typed(layout: str) -> None:
    lines, expected = SCHOOLS[layout]
    reading = read_cell(lines)
    assert [dict(zip(("nom", "adresse", "email"), s, strict=True)) for s in reading.schools] == [
        {"nom": None, "adresse": None, "email": None} | school for school in expected
    ]
    assert reading.unclear == []


def test_schools_that_cannot_be_told_apart_stay_whole() -> None:
    reading = read_cell(UNCLEAR[0])
    assert reading.schools == [
        ("Groupe scolaire, La Plaine", "3 rue X, 01100 Oyonnax", "ce.0011010j@ac-lyon.fr")
    ]
    assert reading.unclear == ["Groupe scolaire, La Plaine"]
    assert read_cell(["École A", "École B", "", "Collège C"]).unclear == ["École A, École B"]


@pytest.mark.campaign(SHIPPED)  # typed into the Caf's 2025/2026 form or with its labels
def test_the_typed_caf_copy_can_be_rendered_again(caf_form: Path, tmp_path: Path) -> None:
    """extract then render --modele on the same Caf copy: the signature block is added."""
    typed = _typed(caf_form, tmp_path / "rempli.docx", "checked", sign=False)
    answers = tmp_path / "reponses.yaml"
    assert runner.invoke(app, ["extract", str(typed), "-o", str(answers)]).exit_code == 0
    output = tmp_path / "bilan.docx"
    result = runner.invoke(
        app, ["render", str(answers), "--modele", str(caf_form), "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as package:
        text = package.read("word/document.xml").decode("utf-8")
    assert "Qualité du signataire" in text and "Groupe scolaire, La Plaine" in text
    assert f'xmlns:w="{W}"' in text


_LINE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=30
).map(lambda text: " ".join(text.split()) or None)
_EMAIL = st.none() | st.from_regex(r"[a-z]{1,8}(\.[a-z0-9]{1,5})?@[a-z]{2,8}\.fr", fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_LINE, _LINE, _EMAIL), max_size=4))
def test_what_render_writes_in_a_schools_cell_reads_back(schools: list[Any]) -> None:
    kept = [school for school in schools if any(school)]
    paragraphs = write_cell(kept)
    reading = read_cell(paragraphs)
    assert reading.schools == kept
    assert reading.unclear == []


def test_two_lines_that_are_both_names_are_kept_whole_and_flagged() -> None:
    """« École A » then « Quartier Nord » (Shift+Enter): maybe a name on two lines."""
    reading = read_cell(["École Jean Macé\nQuartier de la Gare", "Collège Lumière\n2 rue Neuve"])
    assert reading.schools == [
        ("École Jean Macé, Quartier de la Gare", None, None),
        ("Collège Lumière", "2 rue Neuve", None),
    ]
    assert reading.unclear == ["École Jean Macé, Quartier de la Gare"]


def test_labelled_lines_are_read_as_their_part() -> None:
    reading = read_cell(["Nom : École A, site B", "Adresse : Quartier Nord", "Mail : à venir"])
    assert reading == Reading([("École A, site B", "Quartier Nord", "à venir")])


def test_render_writes_an_unsure_school_so_that_it_reads_back_without_warning(
    tmp_path: Path,
) -> None:
    data = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    data["territoires"][0]["etablissements"] = [
        {"nom": "École Jean Macé", "adresse": "Quartier de la Gare"},
        {"nom": "Collège Lumière", "adresse": "2 rue Neuve, 01000 Bourg-en-Bresse"},
        {"adresse": "Hameau des Granges"},
    ]
    answers = tmp_path / "reponses.yaml"
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    output = tmp_path / "bilan.docx"
    result = runner.invoke(app, ["render", str(answers), "-o", str(output)])
    assert result.exit_code == 0, result.output
    found = extract(output)
    assert found.warnings == [] and found.problems == []
    assert [(s.nom, s.adresse) for s in found.answers.territoires[0].etablissements] == [
        ("École Jean Macé", "Quartier de la Gare"),
        ("Collège Lumière", "2 rue Neuve, 01000 Bourg-en-Bresse"),
        (None, "Hameau des Granges"),
    ]


def test_a_typed_cell_of_two_names_is_flagged_with_its_territoire(
    caf_form: Path, tmp_path: Path
) -> None:
    root = document_root(caf_form)
    typist = Typist(root)
    row = typist.rows(typist.table("TERRITOIRES"), 2)[1]
    typist.cell(row[0], "Quartier de la Gare")
    typist.cell(row[1], "École Jean Macé\nGroupe scolaire Nord")
    found = extract(rewrite(caf_form, tmp_path / "rempli.docx", root))
    said = [text for text in found.warnings if "n'a pas pu être séparé" in text]
    assert len(said) == 1
    assert said[0].startswith("territoire « Quartier de la Gare » : ")
    assert "« École Jean Macé, Groupe scolaire Nord »" in said[0]
    assert found.answers.territoires[0].etablissements[0].nom == (
        "École Jean Macé, Groupe scolaire Nord"
    )


SKIPPED_LINE = {
    "deux lignes": (
        ["Association Les Amis", "3 rue Haute, 01100 Oyonnax"],
        {"nom": "Association Les Amis", "adresse": "3 rue Haute, 01100 Oyonnax"},
        None,
    ),
    "adresse sur deux lignes": (
        ["Association Les Amis", "3 rue Haute", "01100 Oyonnax"],
        {"nom": "Association Les Amis", "adresse": "3 rue Haute\n01100 Oyonnax"},
        None,
    ),
    "ordre incertain": (
        ["Association", "Les Amis de l'école", "3 rue Haute"],
        {"nom": "Association, Les Amis de l'école, 3 rue Haute"},
        "« Association, Les Amis de l'école, 3 rue Haute » n'a pas pu être séparé",
    ),
}


@pytest.mark.parametrize("form_kind", ["caf", "ours"])
@pytest.mark.parametrize("case", sorted(SKIPPED_LINE))
def test_a_skipped_blank_line_does_not_shift_the_parts(
    caf_form: Path, tmp_path: Path, form_kind: str, case: str
) -> None:
    """A blank line left under « Nom du gestionnaire… » or « Nom et commune… » is no part."""
    lines, gestionnaire, warned = SKIPPED_LINE[case]
    source = caf_form if form_kind == "caf" else template_path()
    root = document_root(source)
    typist = Typist(root)
    p = typist.below("Nom du gestionnaire", 2)  # the first empty line skipped
    for index, line in enumerate(lines):
        typist.type(p if index == 0 else (p := typist.enter(p)), line)
    p = typist.below("Nom et commune de l’équipement", 2)
    typist.type(p, "Centre social Les Vignes")
    typist.type(typist.enter(typist.enter(p)), "Oyonnax")  # and a blank line between
    found = extract(rewrite(source, tmp_path / "rempli.docx", root))
    assert found.problems == []
    assert found.answers.gestionnaire.model_dump(exclude_none=True) == gestionnaire
    assert found.answers.equipement.nom == "Centre social Les Vignes"
    assert found.answers.equipement.commune == "Oyonnax"
    said = [text for text in found.warnings if "n'a pas pu être séparé" in text]
    if warned is None:
        assert said == []
    else:
        assert len(said) == 1
        assert said[0].startswith("« Nom du gestionnaire et adresse : » : " + "« ")
        assert warned in said[0] and "repris tel quel dans « nom »" in said[0]


def test_one_paragraph_typed_with_line_breaks_is_read_line_by_line(
    caf_form: Path, tmp_path: Path
) -> None:
    root = document_root(caf_form)
    typist = Typist(root)
    typist.type(
        typist.below("Nom du gestionnaire", 2), "Association Les Amis\n3 rue Haute\n01100 Oyonnax"
    )
    typist.type(typist.label("Nom et commune de l’équipement"), "Centre social Les Vignes")
    typist.type(typist.below("Nom et commune de l’équipement", 2), "Oyonnax")
    found = extract(rewrite(caf_form, tmp_path / "rempli.docx", root))
    assert found.answers.gestionnaire.nom == "Association Les Amis"
    assert found.answers.gestionnaire.adresse == "3 rue Haute\n01100 Oyonnax"
    assert found.answers.equipement.commune == "Oyonnax"
    assert not [text for text in found.warnings if "séparé" in text]


def _title_as_paragraph(root: etree._Element) -> etree._Element:
    """The « Intitulé du projet : » box of a copy made by hand: a bold paragraph, no frame."""
    typist = Typist(root)
    box = typist.table("Intitulé du projet")
    p = etree.Element(w("p"))
    r = etree.SubElement(p, w("r"))
    etree.SubElement(etree.SubElement(r, w("rPr")), w("b"))
    etree.SubElement(r, w("t")).text = "Intitulé du projet :"
    box.addprevious(p)
    box.getparent().remove(box)
    return p


@pytest.mark.parametrize("where", ["sur la ligne", "en dessous"])
def test_the_project_title_typed_as_a_paragraph_is_read(
    caf_form: Path, tmp_path: Path, where: str
) -> None:
    root = document_root(caf_form)
    label = _title_as_paragraph(root)
    if where == "sur la ligne":
        Typist.type(label, " Lire ", "ensemble")
    else:
        Typist.type(Typist.enter(label), "Lire ensemble")
        Typist.type(Typist.enter(label.getnext()), "avec les parents")
    found = extract(rewrite(caf_form, tmp_path / "rempli.docx", root))
    assert found.problems == []
    assert not [text for text in found.warnings if "Intitulé" in text]
    expected = "Lire ensemble" if where == "sur la ligne" else "Lire ensemble\navec les parents"
    assert found.answers.intitule_projet == expected


@pytest.mark.campaign(SHIPPED)  # typed into the Caf's 2025/2026 form or with its labels
def test_render_writes_the_project_title_after_a_paragraph_label(
    caf_form: Path, tmp_path: Path
) -> None:
    root = document_root(caf_form)
    _title_as_paragraph(root)
    modele = rewrite(caf_form, tmp_path / "copie_faite_main.docx", root)
    output, example = tmp_path / "bilan.docx", campaigns.current().example
    result = runner.invoke(
        app, ["render", str(example), "--modele", str(modele), "-o", str(output)]
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Intitulé du projet" not in said  # not named as missing
    title = yaml.safe_load(example.read_text("utf-8"))["intitule_projet"]
    label = Typist(document_root(output)).label("Intitulé du projet")
    assert _plain(label) == " ".join(f"Intitulé du projet : {title}".split())
    assert extract(output).answers.intitule_projet == title
