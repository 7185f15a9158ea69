"""``synthese``: every bilan received read into one workbook (or CSV), checked cell by cell.

The corpus is made here: bilans rendered from varied answers, a copy of the form typed
by hand, answers files (one with errors), an e-mail with a bilan attached, a broken
file, a letter, an e-mail without a bilan, and two bilans of the same équipement. The
expected rows and totals are computed in the test from the answers, independently of
the code under test; the workbook is read back with openpyxl.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from lxml import etree
from typer.testing import CliRunner

from clas_bilan import campaigns
from clas_bilan.cli import app
from clas_bilan.docx.template import template_path
from clas_bilan.mailing import build_draft, write_draft
from clas_bilan.render import render
from helpers_answers import Reponses, answers_yaml, reference
from helpers_hostile import repack, with_doctype
from test_hostile_docx import CASES as HOSTILE

runner = CliRunner()
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LEVELS = ["CP", "CE1", "CE2", "CM1", "CM2", "6e", "5e", "4e", "3e", "2de", "1ere", "T", "autre"]


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# The corpus ---------------------------------------------------------------------------


@dataclass
class Expected:
    """What one bilan holds, as the test knows it from what it wrote."""

    file: str
    equipement: str
    commune: str
    inscrits: dict[str, int]
    collectifs: int | None
    salaries: int | None
    etp_salaries: float | None
    etp_benevoles: float | None
    trained: int | None  # bénévoles trained, summed over sessions
    bonus_enfants: bool
    bonus_parents: bool
    sessions: int
    schools: int
    signed: dt.date | None
    errors: int = 0
    counted: bool = True


def _answers(**changes: Any) -> dict[str, Any]:
    """The contract's reference answers with some changed, as the data of an answers file."""
    data: dict[str, Any] = reference(**changes).model_dump(by_alias=True)
    return data


def _inscrits(seed: int) -> dict[str, int]:
    return {level: (seed * (index + 3)) % 11 for index, level in enumerate(LEVELS)}


def _expected(file: str, data: dict[str, Any], **overrides: Any) -> Expected:
    """The expected row of a bilan from its answers, computed by hand (hours / the ETP base)."""
    staff = data["moyens_humains"]["salaries"]
    base = campaigns.current().worked_hours
    enfants = data["axe_enfants"]["criteres_bonus"]
    parents = data["axe_parents"]["criteres_bonus"]
    yes = {True, "oui"}
    bonus_enfants = bool(enfants["collectifs_ouverture_culturelle"]) and any(
        enfants[key] in yes for key in enfants if key.startswith("surcout")
    )
    bonus_parents = bool(parents["collectifs_accompagnement_parents"]) and any(
        parents[key] in yes for key in parents if key.startswith("surcout")
    )
    return Expected(
        file=file,
        equipement=data["equipement"]["nom"],
        commune=data["equipement"]["commune"],
        inscrits={k: v for k, v in data["public"]["inscrits"].items() if v is not None},
        collectifs=data["public"]["nombre_collectifs"],
        salaries=staff["nombre"],
        etp_salaries=round(staff["heures_travaillees"] / base, 2),
        etp_benevoles=round(
            data["moyens_humains"]["benevoles"]["heures"] / campaigns.current().worked_hours, 2
        ),
        trained=sum(s["personnes_formees"]["benevoles"] for s in data["formations"]["sessions"])
        if data["formations"]["sessions"]
        else None,
        bonus_enfants=bonus_enfants,
        bonus_parents=bonus_parents,
        sessions=len(data["formations"]["sessions"]),
        schools=sum(len(t["etablissements"]) for t in data["territoires"]),
        signed=data["signature"]["date"],
        **overrides,
    )


def _type(p: etree._Element, *pieces: str) -> None:
    """Type at the end of a paragraph, one run a piece, as Word stores typing."""
    for piece in pieces:
        r = etree.SubElement(p, w("r"))
        t = etree.SubElement(r, w("t"))
        t.text = piece
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).replace("\u00a0", " ").split())


def _type_answers(body: etree._Element) -> None:
    paragraphs = list(body.iterchildren(w("p")))

    def label(start: str) -> etree._Element:
        return next(p for p in paragraphs if _text(p).startswith(start))

    def table(start: str) -> list[list[etree._Element]]:
        tbl = next(
            t for t in body.iterchildren(w("tbl")) if _text(t.find(w("tr"))).startswith(start)
        )
        return [tr.findall(w("tc")) for tr in tbl.findall(w("tr"))]

    def cell(tc: etree._Element, value: str) -> None:
        _type(tc.find(w("p")), value[: len(value) // 2], value[len(value) // 2 :])

    _type(label("Nom du gestionnaire").getnext(), "Mairie ", "d’Ambérieu")
    _type(label("Nom et commune de l’équipement"), "Maison de quartier ", "Les Ormes")
    _type(label("Nom et commune de l’équipement").getnext(), "Ambérieu-en-Bugey")
    _type(label("Nombre de salariés"), "2")
    _type(label("Soit en ETP (un Etp"), "0,8")
    public = table("Elémentaire")
    cell(public[3][0], "5")
    cell(public[3][1], "7")
    _type(label("Nombre de collectifs"), "2")
    enfants = [row[2] for row in table("Nature des critères")[1:]]
    for tc, value in zip(enfants, ["1", "OUI", "non", "Non"], strict=True):
        cell(tc, value)
    parents = [row[2] for row in table("NATURE CRITERE")[1:]]
    for tc, value in zip(parents, ["0", "non", "non"], strict=True):
        cell(tc, value)
    place = label("Fait à")
    for r in place.findall(w("r")):
        place.remove(r)
    _type(place, "Fait à Ambé", "rieu, le 20/07/2026")


def _edited(source_path: Path, target: Path, edit: Any) -> Path:
    """A copy of a .docx whose main part ``edit`` changed (given its ``w:body``)."""
    with zipfile.ZipFile(source_path) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                edit(root.find(w("body")))
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            copy.writestr(item, data)
    return target


def _corrected_in_word(body: etree._Element) -> None:
    """A rendered bilan reopened in Word: the CP count retyped, in two runs, as « 1 » « 5 »."""
    tbl = next(t for t in body.iterchildren(w("tbl")) if "Elémentaire" in _text(t))
    p = tbl.findall(w("tr"))[3].findall(w("tc"))[0].find(w("p"))
    for r in p.findall(w("r")):
        p.remove(r)
    _type(p, "1", "5")


def _hand_typed(target: Path) -> Expected:
    """The blank form typed in as a coordinator would: split runs, OUI/non, a retyped line."""
    _edited(template_path(), target, _type_answers)
    return Expected(
        file=target.name,
        equipement="Maison de quartier Les Ormes",
        commune="Ambérieu-en-Bugey",
        inscrits={"CP": 5, "CE1": 7},
        collectifs=2,
        salaries=2,
        etp_salaries=0.8,
        etp_benevoles=None,
        trained=None,
        bonus_enfants=True,
        bonus_parents=False,
        sessions=0,
        schools=0,
        signed=dt.date(2026, 7, 20),
        errors=1,  # « Une formation a-t-elle été suivie ? » left unticked: mandatory
    )


@dataclass
class Corpus:
    folder: Path
    bilans: list[Expected]
    broken: list[str]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("recus")
    (folder / "courriels").mkdir()
    expected: list[Expected] = []

    tilleuls = _answers()
    render(Reponses.model_validate(tilleuls), folder / "tilleuls.docx")
    expected.append(_expected("tilleuls.docx", tilleuls, counted=False))

    ouest = _answers(
        equipement__nom="Centre social Ouest",
        equipement__commune="Oyonnax",
        public__inscrits=_inscrits(3),
        public__total=None,
        public__nombre_collectifs=6,
        axe_parents__criteres_bonus__collectifs_accompagnement_parents=0,
        axe_parents__criteres_bonus__surcout_intervenants_exterieurs="non",
        moyens_humains__salaries__heures_travaillees=3214,
        signature__date=dt.date(2026, 6, 12),
    )
    render(Reponses.model_validate(ouest), folder / "ouest.docx")
    email = build_draft(folder / "ouest.docx", sender=None, answers=None)
    write_draft(email, folder / "courriels" / "bilan_ouest.eml", False)
    (folder / "ouest.docx").unlink()  # received by e-mail only
    expected.append(_expected("bilan_ouest.eml › ouest.docx", ouest))

    gex = _answers(
        equipement__nom="EVS du Pays de Gex",
        equipement__commune="Gex",
        public__inscrits=_inscrits(5),
        public__total=None,
        public__nombre_collectifs=5,
        territoires=[],
        formations__suivie="non",
        formations__sessions=[],
        signature__date=dt.date(2026, 7, 2),
    )
    (folder / "gex.yaml").write_text(answers_yaml(gex), encoding="utf-8")
    expected.append(_expected("gex.yaml", gex))

    faux = _answers(
        equipement__nom="Centre social Sud",
        equipement__commune="Belley",
        public__inscrits=_inscrits(7),
        public__total=999,  # error: not the sum
        public__nombre_collectifs=7,
        signature__date=dt.date(2026, 6, 1),
    )
    (folder / "sud.yaml").write_text(answers_yaml(faux), encoding="utf-8")
    expected.append(_expected("sud.yaml", faux, errors=1))

    # The corrected version of the Tilleuls bilan, signed later: counted, the other not.
    corrige = _answers(public__inscrits=_inscrits(2), public__total=None)
    corrige["signature"]["date"] = dt.date(2026, 7, 10)
    corrige["equipement"]["nom"] = "Espace de vie sociale les Tilleuls "  # other spelling
    (folder / "tilleuls_corrige.yaml").write_text(answers_yaml(corrige), encoding="utf-8")
    expected.append(_expected("tilleuls_corrige.yaml", corrige))

    expected.append(_hand_typed(folder / "saisi_a_la_main.docx"))

    est = _answers(
        equipement__nom="Centre social Est",
        equipement__commune="Montluel",
        signature__date=dt.date(2026, 6, 20),
    )
    render(Reponses.model_validate(est), folder / "est_avant.docx")
    _edited(folder / "est_avant.docx", folder / "est_corrige_dans_word.docx", _corrected_in_word)
    (folder / "est_avant.docx").unlink()
    est["public"]["inscrits"]["CP"] = 15
    # The TOTAL cell still says the old sum: validate's check finds it.
    expected.append(_expected("est_corrige_dans_word.docx", est, errors=1))

    broken = folder / "abime.docx"
    broken.write_bytes((folder / "tilleuls.docx").read_bytes()[:700])
    letter = docx.Document()
    letter.add_paragraph("Madame, Monsieur, veuillez trouver ci-joint notre rapport d’activité.")
    letter.save(str(folder / "lettre.docx"))
    empty = build_draft(folder / "tilleuls.docx", sender=None, answers=None)
    empty.clear_content()
    empty.set_content("Le bilan suit demain.")
    write_draft(empty, folder / "courriels" / "sans_bilan.eml", False)
    (folder / "notes.txt").write_text("pas un bilan", encoding="utf-8")  # listed, not read
    (folder / "courriels" / "outlook.msg").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(600))
    return Corpus(
        folder,
        expected,
        ["abime.docx", "lettre.docx", "sans_bilan.eml", "outlook.msg", "notes.txt"],
    )


def _sheet(book: Any, name: str) -> list[dict[str, Any]]:
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _find(rows: list[dict[str, Any]], expected: Expected) -> dict[str, Any]:
    found = [row for row in rows if str(row["Fichier"]).endswith(expected.file)]
    assert len(found) == 1, expected.file
    return found[0]


@pytest.fixture(scope="module")
def workbook(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Any]:
    target = tmp_path_factory.mktemp("sortie") / "synthese.xlsx"
    result = runner.invoke(app, ["synthese", str(corpus.folder), "-o", str(target)])
    return target, result, openpyxl.load_workbook(target)


# The workbook -------------------------------------------------------------------------


def test_every_bilan_is_a_row_with_its_own_values(
    corpus: Corpus, workbook: tuple[Path, Any, Any]
) -> None:
    _, _, book = workbook
    assert book.sheetnames == [
        "Synthèse",
        "Bilans",
        "À vérifier",
        "Bonifications",
        "Réponses libres",
        "Formations",
        "Territoires",
    ]
    rows = _sheet(book, "Bilans")
    assert len(rows) == len(corpus.bilans)
    for expected in corpus.bilans:
        row = _find(rows, expected)
        assert row["Équipement"].strip() == expected.equipement.strip()
        assert row["Commune"] == expected.commune
        for key, label in zip(LEVELS, [*LEVELS[:10], "1ère", "T", "Autre"], strict=True):
            assert row[label] == expected.inscrits.get(key), (expected.file, key)
        counts = expected.inscrits
        elementary = sum(counts.get(key, 0) for key in LEVELS[:5])
        college = sum(counts.get(key, 0) for key in LEVELS[5:9])
        assert row["Sous-total élémentaire"] == elementary
        assert row["Sous-total collège"] == (
            college if any(k in counts for k in LEVELS[5:9]) else None
        )
        assert row["Total inscrits"] == sum(counts.values())
        assert row["Collectifs"] == expected.collectifs
        assert row["Salariés"] == expected.salaries
        assert row["ETP salariés"] == pytest.approx(expected.etp_salaries)
        assert row["ETP bénévoles"] == pytest.approx(expected.etp_benevoles)
        assert row["Bénévoles formés"] == expected.trained
        assert row["Bonus enfants : critères remplis"] == (
            "Oui" if expected.bonus_enfants else "Non"
        )
        assert row["Bonus parents : critères remplis"] == (
            "Oui" if expected.bonus_parents else "Non"
        )
        assert row["Sessions de formation"] == expected.sessions
        assert row["Établissements scolaires"] == expected.schools
        signed = row["Signé le"]
        assert (signed.date() if signed else None) == expected.signed  # a real date
        assert row["Erreurs"] == expected.errors, expected.file
        assert row["Compté dans la synthèse"] == ("Oui" if expected.counted else "Non")


def test_the_same_equipement_twice_is_flagged_latest_first(
    corpus: Corpus, workbook: tuple[Path, Any, Any]
) -> None:
    _, _, book = workbook
    rows = _sheet(book, "Bilans")
    twice = [row for row in rows if row["Même équipement"]]
    assert [Path(row["Fichier"]).name for row in twice] == [
        "tilleuls_corrige.yaml",
        "tilleuls.docx",
    ]
    assert twice[0]["Même équipement"] == "1 sur 2 : compté (date de signature)"
    assert twice[1]["Même équipement"] == "2 sur 2 : non compté"
    assert rows.index(twice[1]) == rows.index(twice[0]) + 1


@pytest.fixture(scope="module")
def recalculated(workbook: tuple[Path, Any, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The workbook as LibreOffice computes its formulas (it saves their values)."""
    path, _, _ = workbook
    return openpyxl.load_workbook(recalculate(path, tmp_path_factory.mktemp("lo")), data_only=True)


def recalculate(path: Path, folder: Path) -> Path:
    """A copy of a workbook saved by LibreOffice, formulas computed; skipped without it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CLAS_BILAN_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice est requis en CI mais introuvable (soffice).")
        pytest.skip("LibreOffice n'est pas installé")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profil').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder / "calcule"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = folder / "calcule" / path.name
    if not converted.exists():  # LibreOffice without Calc cannot open a workbook
        if os.environ.get("CLAS_BILAN_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice Calc est requis en CI (libreoffice-calc-nogui).")
        pytest.skip("LibreOffice Calc n'est pas installé")
    return converted


@pytest.mark.slow
def test_the_summary_totals_are_the_sums_of_the_bilans_counted(
    corpus: Corpus, recalculated: Any
) -> None:
    book = recalculated
    counted = [expected for expected in corpus.bilans if expected.counted]
    sheet = list(book["Synthèse"].iter_rows(values_only=True))
    values = {row[0]: row[1] for row in sheet if row and row[0]}
    assert values["Bilans lus"] == len(corpus.bilans)
    assert values["Équipements (bilans comptés)"] == len(counted)
    assert values["Entrées non lues (voir « À vérifier »)"] == len(corpus.broken)
    assert values["Enfants et jeunes inscrits"] == sum(sum(e.inscrits.values()) for e in counted)
    assert values["Collectifs"] == sum(e.collectifs or 0 for e in counted)
    assert values["Salariés"] == sum(e.salaries or 0 for e in counted)
    assert values["ETP salariés"] == pytest.approx(sum(e.etp_salaries or 0 for e in counted))
    assert values["ETP bénévoles"] == pytest.approx(sum(e.etp_benevoles or 0 for e in counted))
    assert values["Bénévoles formés"] == sum(e.trained or 0 for e in counted)
    assert values["Sessions de formation"] == sum(e.sessions for e in counted)
    assert values["Établissements scolaires"] == sum(e.schools for e in counted)
    assert values["Bonus enfants : critères remplis"] == sum(e.bonus_enfants for e in counted)
    assert values["Bonus parents : critères remplis"] == sum(e.bonus_parents for e in counted)
    for level, label in zip(LEVELS, [*LEVELS[:10], "1ère", "T", "Autre"], strict=True):
        assert values[label] == sum(e.inscrits.get(level, 0) for e in counted), level
    assert values["Bonus enfants"] == sum(e.bonus_enfants for e in counted)
    levels_chart, bonus_chart = book["Synthèse"]._charts
    plotted = _plotted(book, levels_chart.series[0].val.numRef.f)
    assert plotted == [sum(e.inscrits.get(level, 0) for e in counted) for level in LEVELS]
    met = _plotted(book, bonus_chart.series[0].val.numRef.f)
    assert met == [sum(e.bonus_enfants for e in counted), sum(e.bonus_parents for e in counted)]


def _plotted(book: Any, reference: str) -> list[Any]:
    """The values of the cells a chart series points to (« 'Synthèse'!$B$30:$B$42 »)."""
    sheet, cells = reference.rsplit("!", 1)
    return [row[0].value for row in book[sheet.strip("'")][cells.replace("$", "")]]


def test_the_workbook_has_charts_filters_and_frozen_headers(
    workbook: tuple[Path, Any, Any],
) -> None:
    path, _, book = workbook
    with zipfile.ZipFile(path) as package:
        charts = [name for name in package.namelist() if name.startswith("xl/charts/chart")]
        text = " ".join(package.read(name).decode() for name in charts)
    assert len(charts) == 2
    assert "Enfants et jeunes inscrits par niveau scolaire" in text
    assert "Critères de bonification remplis" in text
    for name in ("Bilans", "Formations", "Territoires", "À vérifier", "Réponses libres"):
        sheet = book[name]
        assert sheet.freeze_panes == ("C2" if name in {"Bilans", "Réponses libres"} else "A2")
        assert (
            sheet.auto_filter.ref
            == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        )
        assert sheet.column_dimensions["A"].width >= 12
    for sheet in book.worksheets:  # printed landscape, as wide as the page, titles repeated
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
        assert _printed_scale(sheet) >= 0.6, sheet.title  # about 7 pt at least: readable
        if sheet.title in {"Synthèse", "À vérifier", "Formations", "Territoires"}:
            assert sheet.page_setup.fitToWidth == 1, sheet.title  # the pages an agent prints
        elif sheet.page_setup.fitToWidth > 1:
            assert sheet.print_title_cols == "$A:$B", sheet.title
        if sheet.title != "Synthèse":
            assert sheet.print_title_rows == "$1:$1", sheet.title
    levels, bonus = book["Synthèse"]._charts
    assert levels.dataLabels.showVal and bonus.dataLabels.showVal


_PAGE = 130
"""Characters of Calibri 11 across an A4 landscape page inside its margins, at full size."""


def _printed_scale(sheet: Any) -> float:
    """About how much a sheet printed N pages across is shrunk, its title columns repeated."""
    widths = [dimension.width for dimension in sheet.column_dimensions.values()]
    titles = 0.0
    if sheet.print_title_cols:
        titles = sum(sheet.column_dimensions[letter].width for letter in "AB")
    across = sheet.page_setup.fitToWidth
    return min(1.0, _PAGE * across / (sum(widths) + (across - 1) * titles))


def test_trainings_and_schools_are_a_row_each(
    corpus: Corpus, workbook: tuple[Path, Any, Any]
) -> None:
    _, _, book = workbook
    sessions = _sheet(book, "Formations")
    assert len(sessions) == sum(e.sessions for e in corpus.bilans)
    schools = _sheet(book, "Territoires")
    assert len([row for row in schools if row["Établissement scolaire"]]) == sum(
        e.schools for e in corpus.bilans
    )
    assert {row["Équipement"].strip() for row in sessions} >= {"Centre social Ouest"}
    first = next(row for row in sessions if row["Équipement"] == "Centre social Ouest")
    assert first["Organisme de formation"] == "Fédération des centres sociaux de l'Ain"
    assert first["Bénévoles formés"] == 3


def test_a_verifier_names_each_unread_input_and_each_finding(
    corpus: Corpus, workbook: tuple[Path, Any, Any]
) -> None:
    _, result, book = workbook
    assert result.exit_code == 1, result.output
    rows = _sheet(book, "À vérifier")
    unread = [row for row in rows if row["Gravité"] == "Illisible"]
    assert sorted(row["Fichier"] for row in unread) == sorted(corpus.broken)  # names, no path
    assert rows[: len(unread)] == unread  # inputs not read come first
    why = {Path(row["Fichier"]).name: row["Ce qui ne va pas"] for row in unread}
    assert "n'est pas un document Word .docx valide" in why["abime.docx"]
    assert "ne contient pas le formulaire Bilan CLAS" in why["lettre.docx"]
    ask = {row["Fichier"]: row["Que faire (quoi demander au projet)"] for row in unread}
    assert ask["abime.docx"].startswith("Demandez au projet de renvoyer son bilan")
    assert ask["lettre.docx"].startswith("Demandez au projet son bilan")
    for text in ask.values():  # said to the Caf's agent, not to a coordinator at the command line
        assert not re.search(r"\bdonnez\b|--|clas-bilan", text), text
    assert "Aucun bilan .docx joint" in why["sans_bilan.eml"]
    assert "Outlook (.msg)" in why["outlook.msg"]
    assert "ce n'est pas un bilan" in why["notes.txt"]
    gravities = [row["Gravité"] for row in rows]
    order = ["Illisible", "Erreur", "À départager", "Avertissement"]
    assert gravities == sorted(gravities, key=order.index)  # gravest first
    sud = [row for row in rows if str(row["Fichier"]).endswith("sud.yaml")]
    where = sud[0]["Question du formulaire (où la trouver)"]
    assert sud[0]["Gravité"] == "Erreur" and where.startswith("« TOTAL »\n")
    assert "999" in sud[0]["Ce qui ne va pas"]
    assert "ligne " in where and "rubrique « 3. Le public »" in where
    assert "demandez au projet" in sud[0]["Que faire (quoi demander au projet)"]
    for expected in corpus.bilans:
        mine = [row for row in rows if str(row["Fichier"]).endswith(expected.file)]
        assert all(row["Compté"] == ("Oui" if expected.counted else "Non") for row in mine)
        if expected.counted:
            assert [row["Gravité"] for row in mine].count("Erreur") == expected.errors
        else:  # an older version: its own findings are not anomalies of the synthesis
            assert mine == []
    hand = [row for row in rows if str(row["Fichier"]).endswith("saisi_a_la_main.docx")]
    errors = [row for row in hand if row["Gravité"] == "Erreur"]
    assert len(errors) == 1
    where = errors[0]["Question du formulaire (où la trouver)"]
    assert where.startswith("« Une formation a-t-elle été suivie")
    assert where.endswith("\nrubrique « 2. Les formations réalisées »")
    assert "Question sans réponse." in [row["Ce qui ne va pas"] for row in hand]
    est = [row for row in rows if str(row["Fichier"]).endswith("est_corrige_dans_word.docx")]
    assert est[0]["Question du formulaire (où la trouver)"].startswith("« TOTAL »")
    assert "ne correspond pas" in est[0]["Ce qui ne va pas"]
    assert not [row for row in rows if "critères du bonus" in row["Ce qui ne va pas"]]
    for row in rows:  # written for the Caf's agent: never an answers-file key or YAML
        for text in (row["Ce qui ne va pas"], row["Que faire (quoi demander au projet)"]):
            assert "public.total" not in str(text) and "« suivie:" not in str(text)
        assert row["Que faire (quoi demander au projet)"], row
    for name in corpus.broken:
        assert name in result.output  # told on the terminal as well


def test_the_csv_has_the_answers_keys_and_the_same_values(
    corpus: Corpus, workbook: tuple[Path, Any, Any], tmp_path: Path
) -> None:
    _, _, book = workbook
    target = tmp_path / "synthese.csv"
    result = runner.invoke(app, ["synthese", str(corpus.folder), "-o", str(target)])
    assert result.exit_code == 1
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = list(rows[0])
    assert header[:4] == ["compte", "gestionnaire.nom", "equipement.nom", "equipement.commune"]
    assert "public.inscrits.1ère" in header  # the key as the answers file writes it
    for key in ("public.inscrits.CP", "etp_salaries", "etp_benevoles", "total_inscrits"):
        assert key in header
    assert header[-1] == "fichier" and "bonus_enfants" in header and "bonus_parents" in header
    sheet = _sheet(book, "Bilans")
    assert len(rows) == len(sheet) == len(corpus.bilans)
    for expected in corpus.bilans:
        row = next(r for r in rows if r["fichier"].endswith(expected.file))
        assert row["public.inscrits.CP"] == str(expected.inscrits.get("CP", ""))
        assert row["total_inscrits"] == str(sum(expected.inscrits.values()))
        assert row["etp_salaries"] == f"{expected.etp_salaries:g}".replace(".", ",")
        assert row["bonus_enfants"] == ("oui" if expected.bonus_enfants else "non")
        assert row["signature.date"] == (expected.signed.isoformat() if expected.signed else "")
    for csv_row, sheet_row in zip(rows, sheet, strict=True):
        assert csv_row["fichier"] == sheet_row["Fichier"]  # same order as the workbook


def test_output_is_never_overwritten_without_force(corpus: Corpus, tmp_path: Path) -> None:
    target = tmp_path / "synthese.xlsx"
    target.write_bytes(b"ancien")
    result = runner.invoke(app, ["synthese", str(corpus.folder), "-o", str(target)])
    assert result.exit_code == 2
    assert "existe déjà" in result.output and target.read_bytes() == b"ancien"
    result = runner.invoke(app, ["synthese", str(corpus.folder), "-o", str(target), "--force"])
    assert result.exit_code == 1 and target.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["absent/"], "introuvable"),
        (["{folder}", "-o", "synthese.ods"], "doit finir par .xlsx"),
    ],
)
def test_usage_problems_write_nothing(
    corpus: Corpus, tmp_path: Path, arguments: list[str], message: str
) -> None:
    args = [a.format(folder=corpus.folder) for a in arguments]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "s.xlsx")]
    result = runner.invoke(app, ["synthese", *args])
    assert result.exit_code == 2 and message in result.output
    assert list(tmp_path.iterdir()) == []


def test_all_read_is_exit_0_and_a_formula_stays_text(tmp_path: Path) -> None:
    data = _answers(intitule_projet='=HYPERLINK("http://exemple.invalid")')
    source = tmp_path / "formule.yaml"
    source.write_text(answers_yaml(data), encoding="utf-8")
    target = tmp_path / "s.xlsx"
    result = runner.invoke(app, ["synthese", str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    cell = openpyxl.load_workbook(target)["Bilans"]["D2"]
    assert cell.value == data["intitule_projet"] and cell.data_type == "s"
    result = runner.invoke(app, ["synthese", str(source), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 0
    text = (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert row["intitule_projet"] == "'" + data["intitule_projet"]  # Excel shows it as typed


def test_read_in_parallel_gives_the_same_rows_as_one_by_one(corpus: Corpus) -> None:
    from clas_bilan.synthese import synthesize

    parallel = synthesize([corpus.folder], workers=2)
    alone = synthesize([corpus.folder], workers=1)
    assert [b.values for b in parallel.bilans] == [b.values for b in alone.bilans]
    assert parallel.unread == alone.unread


@pytest.mark.slow
def test_libreoffice_opens_the_workbook_with_its_charts(
    workbook: tuple[Path, Any, Any], libreoffice: Any, pdftotext: str, tmp_path: Path
) -> None:
    path, _, _ = workbook
    pdf = libreoffice(path, "pdf", tmp_path)
    if not pdf.exists():  # LibreOffice without Calc cannot open a workbook
        if os.environ.get("CLAS_BILAN_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice Calc est requis en CI (libreoffice-calc-nogui).")
        pytest.skip("LibreOffice Calc n'est pas installé")
    text = subprocess.run(
        [pdftotext, "-l", "1", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    ).stdout
    text = " ".join(text.split())  # a chart title may wrap
    assert "Synthèse des bilans CLAS" in text
    assert "Enfants et jeunes inscrits par niveau scolaire" in text  # the chart's title
    assert "Critères de bonification remplis" in text


def test_other_commands_do_not_load_openpyxl() -> None:
    code = "import sys, clas_bilan.cli, clas_bilan.synthese; print('openpyxl' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, encoding="utf-8"
    )
    assert done.stdout.strip() == "False"


READ_ANYWAY = {"sans_content_types", "sans_rels", "modele_dotx"}
"""Packages python-docx refuses but whose main part is the bilan: synthese reads it alone."""


@pytest.mark.parametrize("case", sorted(set(HOSTILE) - {"absent", "dossier"}))
def test_a_hostile_docx_is_listed_as_unread_and_never_stops_the_others(
    case: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from clas_bilan.synthese import synthesize

    bilan = tmp_path_factory.getbasetemp() / "hostile_source.docx"
    if not bilan.exists():
        render(reference(), bilan)
    build, expected = HOSTILE[case]
    path = build(bilan, tmp_path / "recu.docx")
    result = synthesize([path, bilan], workers=1)
    if case in READ_ANYWAY:
        assert len(result.bilans) == 2 and not result.unread
        return
    assert [b.source for b in result.bilans] == [str(bilan)]
    assert [unread.source for unread in result.unread] == [str(path)]
    assert expected in result.unread[0].reason
    assert "inattendue" not in result.unread[0].reason


def test_an_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    from clas_bilan.synthese import synthesize

    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-ne-doit-pas-sortir", encoding="utf-8")
    bilan = render(reference(), tmp_path / "bilan.docx")
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    path = repack(
        bilan,
        tmp_path / "xxe.docx",
        lambda name, data: (
            with_doctype(data, doctype).replace(b"<w:t>", b"<w:t>&xxe;", 1)
            if name == "word/document.xml"
            else data
        ),
    )
    result = synthesize([path], workers=1)
    assert "DOCTYPE" in result.unread[0].reason and not result.bilans


@pytest.mark.slow
def test_a_row_marked_not_counted_leaves_the_totals(
    corpus: Corpus, workbook: tuple[Path, Any, Any], tmp_path: Path
) -> None:
    """The agent writes « Non » in a row's « Compté » cell: the summary's formulas follow."""
    path, _, _ = workbook
    book = openpyxl.load_workbook(path)
    sheet = book["Bilans"]
    header = [cell.value for cell in sheet[1]]
    counted_at = header.index("Compté dans la synthèse") + 1
    file_at = header.index("Fichier") + 1
    gex = next(
        row for row in range(2, sheet.max_row + 1) if "gex" in sheet.cell(row, file_at).value
    )
    sheet.cell(gex, counted_at).value = "Non"
    edited = tmp_path / "modifie.xlsx"
    book.save(edited)
    values = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(recalculate(edited, tmp_path), data_only=True)[
            "Synthèse"
        ].iter_rows(values_only=True)
        if row and row[0]
    }
    counted = [e for e in corpus.bilans if e.counted and e.file != "gex.yaml"]
    assert values["Équipements (bilans comptés)"] == len(counted)
    assert values["Enfants et jeunes inscrits"] == sum(sum(e.inscrits.values()) for e in counted)
    elementary = sum(e.inscrits.get(level, 0) for e in counted for level in LEVELS[:5])
    assert values["dont élémentaire"] == elementary
    college = sum(e.inscrits.get(level, 0) for e in counted for level in LEVELS[5:9])
    assert values["dont collège"] == college
    lycee = sum(e.inscrits.get(level, 0) for e in counted for level in LEVELS[9:12])
    assert values["dont lycée"] == lycee
    children = sum(sum(e.inscrits.values()) for e in counted)
    groups = sum(e.collectifs or 0 for e in counted)
    assert values["Enfants par collectif (moyenne)"] == pytest.approx(children / groups)
    both = sum(e.bonus_enfants and e.bonus_parents for e in counted)
    assert values["Projets remplissant les critères des deux bonus"] == both
