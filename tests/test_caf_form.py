"""``render --modele`` and ``extract`` on a copy of the Caf's own form, which has no signature."""

from __future__ import annotations

import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree
from typer.testing import CliRunner

import caf_form_builder
from clas_bilan.cli import app
from clas_bilan.extract import extract
from clas_bilan.models import Reponses
from clas_bilan.render import readable
from helpers_answers import answers_yaml
from helpers_campaign import SHIPPED
from helpers_docx import NS, body, cell_texts, checkbox_states, french, paragraph_text, w

# The Caf's own 2025/2026 document (caf_form_builder) and its wording.
pytestmark = pytest.mark.campaign(SHIPPED)

runner = CliRunner()
EXAMPLE = Path(__file__).parents[1] / "examples" / "bilan_exemple.yaml"
CORPUS = sorted((Path(__file__).parents[2] / "shared" / "docx-corpus").glob("*.docx")) or sorted(
    Path("/work/shared/docx-corpus").glob("*.docx")
)
Convert = Callable[[Path, str, Path], Path]


@pytest.fixture(scope="module")
def caf_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return caf_form_builder.build(tmp_path_factory.mktemp("caf") / "formulaire_caf.docx")


def png(width: int = 600, height: int = 300) -> bytes:
    """A whole PNG: a grey frame on white (a stand-in for a scanned signature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x80" * 8 + b"\xff" * (width - 16) + b"\x80" * 8
    pixels = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _big_answers() -> dict[str, Any]:
    """The shipped example grown to 7 formations and 11 territoires of several schools each."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["formations"]["sessions"] = [
        {
            "organisme": f"Organisme de formation n°{i}",
            "intitule": f"Formation {i} : posture et méthodes",
            "dates": f"{i + 1} mars 2026",
            "personnes_formees": {"salaries": i % 4, "volontaires": i % 2, "benevoles": i % 5},
        }
        for i in range(1, 8)
    ]
    data["territoires"] = [
        {
            "territoire": f"Quartier n°{i} — salle {i}, {i} place du Marché, Bourg-en-Bresse",
            "etablissements": [
                {
                    "nom": f"École élémentaire n°{i}",
                    "adresse": f"{i} rue des Écoles, 01000 Bourg-en-Bresse",
                    "email": f"ce.00100{i:02d}a@ac-lyon.fr",
                },
                {
                    "nom": f"Collège n°{i}",
                    "adresse": f"{i + 10} avenue de la Paix, 01000 Bourg-en-Bresse",
                    "email": f"ce.00200{i:02d}b@ac-lyon.fr",
                },
                {"nom": f"Lycée n°{i}", "adresse": None, "email": f"ce.00300{i:02d}c@ac-lyon.fr"},
            ],
        }
        for i in range(1, 12)
    ]
    return data


def _answers_file(folder: Path, data: dict[str, Any] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "reponses.yaml"
    if data is None:
        shutil.copyfile(EXAMPLE, target)
    else:
        target.write_text(answers_yaml(data), "utf-8")
    return target


def _paragraphs(path: Path) -> list[etree._Element]:
    return list(body(path).iter(w("p")))


def _following(path: Path, start: str, count: int = 1) -> list[str]:
    """Texts of the ``count`` paragraphs after the body paragraph starting with ``start``."""
    found = [p for p in body(path).iterchildren(w("p"))]
    for index, p in enumerate(found):
        if " ".join(paragraph_text(p).split()).startswith(start):
            return [paragraph_text(q) for q in found[index + 1 : index + 1 + count]]
    raise AssertionError(start)


def _line(path: Path, start: str) -> str:
    for p in body(path).iterchildren(w("p")):
        text = " ".join(paragraph_text(p).replace("\u00a0", " ").split())
        if text.startswith(start):
            return text
    raise AssertionError(start)


def _table(path: Path, start: str) -> list[list[list[str]]]:
    for tbl in body(path).iterchildren(w("tbl")):
        rows = [[cell_texts(tc) for tc in tr.findall(w("tc"))] for tr in tbl.findall(w("tr"))]
        if " ".join(" ".join(rows[0][0]).split()).startswith(start):
            return rows
    raise AssertionError(start)


@pytest.mark.parametrize("size", ["exemple", "grand"])
def test_render_fills_the_caf_form_and_adds_the_signature_block(
    caf_form: Path, tmp_path: Path, size: str
) -> None:
    data = None if size == "exemple" else _big_answers()
    answers_file = _answers_file(tmp_path / "in", data)
    output = tmp_path / "bilan.docx"
    result = runner.invoke(
        app, ["render", str(answers_file), "--modele", str(caf_form), "-o", str(output)]
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "« formulaire_caf.docx » n'a pas de bloc de signature : il a été ajouté" in said
    assert "prêt" not in said and "--template" not in said
    answers = Reponses.model_validate(yaml.safe_load(answers_file.read_text("utf-8")))
    # under its question, on its line, in its field
    assert _following(output, "Nom du gestionnaire et adresse", 2) == [
        "Association Savoirs en Partage",
        "14 avenue Alsace-Lorraine, 01000 Bourg-en-Bresse",
    ]
    assert _line(output, "Nombre de salariés :") == "Nombre de salariés : 4"
    assert _line(output, "Nom, prénom, adresse mail :").endswith(
        "Benali, Karima, clas@savoirs-en-partage.fr"
    )
    blank, ecarts = _following(output, "S’il existe des écarts entre le prévisionnel", 2)
    assert blank == "" and ecarts.startswith("Une animatrice est partie en congé maternité")
    assert _following(output, "Globalement, quelle conclusion", 1) == [
        french("Année positive : public stable, équipe formée, parents plus présents.")
    ]
    # boxes
    choice = next(
        p
        for p in body(output).iterchildren(w("p"))
        if paragraph_text(p).startswith("Une formation a-t-elle")
    )
    assert [ticked for _, ticked in checkbox_states(choice)] == [True, False]
    # tables: every session in a full row, spacer rows left empty
    sessions = [row for row in _table(output, "Nom de l’organisme")[2:] if len(row) == 6]
    filled = [row for row in sessions if row[0] != [""]]
    assert len(filled) == len(answers.formations.sessions)
    assert [row[0][0] for row in filled] == [s.organisme for s in answers.formations.sessions]
    spacers = [row for row in _table(output, "Nom de l’organisme")[2:] if len(row) == 1]
    assert spacers and all(row == [[""]] for row in spacers)
    territoires = _table(output, "TERRITOIRES")[1:]
    for territoire, row in zip(answers.territoires, territoires, strict=False):
        assert row[0] == [territoire.territoire]
        schools = "\n".join(row[1])
        for school in territoire.etablissements:
            for value in (school.nom, school.adresse, school.email):
                assert value is None or value in schools
    public = _table(output, "Elémentaire")
    assert public[1][-1] == ["48"] and public[3][0] == ["5"]
    bonus = _table(output, "Nature des critères")
    assert [row[2] for row in bonus[1:]] == [["3"], ["Oui"], ["Oui"], ["Non"]]
    # the signature block, after the last question, in the document's own look
    assert [t for t in _following(output, "Avez-vous des remarques", 12) if t] == [
        answers.conclusion.suggestions_caf,
        "Signature",
        "Fait à Bourg-en-Bresse, le 26/06/2026",
        "Nom et prénom du signataire\u00a0: Claire Dubois",
        "Qualité du signataire\u00a0: Présidente",
        "Signature\u00a0:",
    ]
    label = next(
        p for p in body(output).iterchildren(w("p")) if paragraph_text(p).startswith("Qualité")
    )
    assert label.find(".//w:r/w:rPr/w:b", NS) is not None  # bold, like the form's questions
    assert label.find("w:pPr/w:pStyle", NS) is None  # Normal style, like the form
    # and it reads back whole
    assert extract(output).answers == readable(answers)
    assert extract(output).warnings == []


def test_extract_of_the_blank_caf_form_names_the_missing_signature(
    caf_form: Path, tmp_path: Path
) -> None:
    target = tmp_path / "reponses.yaml"
    result = runner.invoke(app, ["extract", str(caf_form), "-o", str(target)])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "ne contient pas ces parties du formulaire" in said
    assert "le bloc de signature" in said
    assert "--template" not in said and "--modele" not in said
    assert target.exists()


def _letter(path: Path, lines: list[str]) -> Path:
    document = etree.Element(w("document"), nsmap={"w": caf_form_builder.W})
    root = etree.SubElement(document, w("body"))
    for line in lines:
        caf_form_builder.paragraph(root, line, caf_form_builder._Ids())
    caf_form_builder.write_package(path, document)
    return path


NOT_THE_FORM = {
    "lettre": [
        "Madame, Monsieur,",
        "Veuillez trouver ci-joint le bilan de notre action CLAS.",
        "Nom du gestionnaire et adresse :",
        "Cordialement,",
    ],
    "autre_formulaire_caf": [
        "Demande de subvention de fonctionnement — Caf de l’Ain",
        "Nom du gestionnaire et adresse :",
        "Nom et commune de l’équipement concerné: ",
        "Nombre de salariés : ",
        "Montant demandé : ",
    ],
}


@pytest.mark.parametrize("kind", sorted(NOT_THE_FORM))
def test_a_document_that_is_not_the_form_is_refused(kind: str, tmp_path: Path) -> None:
    document = _letter(tmp_path / f"{kind}.docx", NOT_THE_FORM[kind])
    first = NOT_THE_FORM[kind][0]
    result = runner.invoke(app, ["extract", str(document), "-o", str(tmp_path / "r.yaml")])
    said = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert f"« {kind}.docx » ne contient pas le formulaire Bilan CLAS 2025/2026" in said
    assert f"il commence par « {first} »" in said.replace("qui commence", "il commence")
    assert "--modele" not in said and "--template" not in said
    answers_file = _answers_file(tmp_path / "in")
    output = tmp_path / "bilan.docx"
    result = runner.invoke(
        app, ["render", str(answers_file), "--modele", str(document), "-o", str(output)]
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "ne contient pas le formulaire" in said and "--modele" in said
    assert "--template" not in said and "prêt" not in said
    assert not output.exists() and not (tmp_path / "r.yaml").exists()


@pytest.mark.parametrize("document", CORPUS, ids=[path.stem[-30:] for path in CORPUS])
def test_every_word_file_of_the_corpus_is_refused_cleanly(document: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(document), "-o", str(tmp_path / "r.yaml")])
    assert result.exit_code == 2, result.output
    assert "Erreur :" in result.output and "Traceback" not in result.output
    assert "inattendue" not in result.output
    answers_file = _answers_file(tmp_path / "in")
    result = runner.invoke(
        app,
        ["render", str(answers_file), "--modele", str(document), "-o", str(tmp_path / "b.docx")],
    )
    assert result.exit_code == 2, result.output
    assert "inattendue" not in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_the_corpus_is_there() -> None:
    assert len(CORPUS) == 46


# The signature image ----------------------------------------------------------------


def _with_image(folder: Path, image: str, data: bytes | None) -> Path:
    answers_file = _answers_file(folder)
    text = answers_file.read_text("utf-8").replace(
        '  qualite: "Présidente"', f'  qualite: "Présidente"\n  image: "{image}"'
    )
    answers_file.write_text(text, "utf-8")
    if data is not None:
        (folder / image).parent.mkdir(parents=True, exist_ok=True)
        (folder / image).write_bytes(data)
    return answers_file


def _drawings(path: Path) -> list[etree._Element]:
    return list(body(path).iter(w("drawing")))


@pytest.mark.parametrize("modele", [False, True], ids=["notre_modele", "formulaire_caf"])
def test_the_signature_image_goes_under_signature(
    caf_form: Path, tmp_path: Path, modele: bool
) -> None:
    answers_file = _with_image(tmp_path / "in", "scans/signature.png", png(1200, 600))
    output = tmp_path / "bilan.docx"
    options = ["--modele", str(caf_form)] if modele else []
    result = runner.invoke(app, ["render", str(answers_file), "-o", str(output), *options])
    assert result.exit_code == 0, result.output
    drawings = _drawings(output)
    assert len(drawings) == 1
    extent = drawings[0].find(".//{*}extent")
    width, height = int(extent.get("cx")), int(extent.get("cy"))
    assert width <= 6 * 360000 and height <= int(3.5 * 360000) and width == 2 * height
    texts = [paragraph_text(p) for p in body(output).iterchildren(w("p"))]
    holder = next(
        i
        for i, p in enumerate(body(output).iterchildren(w("p")))
        if p.find(".//w:drawing", NS) is not None
    )
    assert texts[holder - 1] == "Signature\u00a0:"
    with zipfile.ZipFile(output) as package:
        assert any(name.startswith("word/media/") for name in package.namelist())
    result = runner.invoke(app, ["extract", str(output), "-o", str(tmp_path / "r.yaml")])
    assert result.exit_code == 0, result.output
    assert "Le bilan porte une image de signature" in " ".join(result.output.split())


def _truncated() -> bytes:
    return png()[:200]


BAD_IMAGES: dict[str, tuple[bytes | None, str]] = {
    "absente": (None, "est introuvable"),
    "pas_une_image": (b"%PDF-1.7\nune signature en PDF\n", "n'est pas une image PNG ou JPEG"),
    "tronquee": (_truncated(), "est incomplète ou abîmée"),
    "trop_grande": (png(12000, 2), "est trop grande (12000 × 2 pixels"),
    "trop_grosse": (png() + b"\0" * (6 * 1024 * 1024), "est trop grosse"),
}


@pytest.mark.parametrize("case", sorted(BAD_IMAGES))
@pytest.mark.usefixtures("wide_console")
def test_a_wrong_signature_image_is_an_error_naming_its_line(case: str, tmp_path: Path) -> None:
    data, expected = BAD_IMAGES[case]
    answers_file = _with_image(tmp_path / "in", "signature.png", data)
    line = next(
        number
        for number, text in enumerate(answers_file.read_text("utf-8").splitlines(), start=1)
        if text.strip().startswith("image:")
    )
    output = tmp_path / "bilan.docx"
    result = runner.invoke(app, ["render", str(answers_file), "-o", str(output)])
    said = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert expected in said
    assert "signature.image" in said and f"ligne {line} —" in said
    assert not output.exists()
    assert runner.invoke(app, ["validate", str(answers_file)]).exit_code == 1


def test_the_signed_caf_bilan_converts_to_pdf(
    caf_form: Path, tmp_path: Path, libreoffice: Convert, pdftotext: str
) -> None:
    import subprocess

    answers_file = _with_image(tmp_path / "in", "signature.png", png(900, 450))
    output = tmp_path / "bilan.docx"
    result = runner.invoke(
        app, ["render", str(answers_file), "--modele", str(caf_form), "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    pdf = libreoffice(output, "pdf", tmp_path)
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    ).stdout
    last = text.split("\f")[-2] if text.endswith("\f") else text.split("\f")[-1]
    assert "Fait à Bourg-en-Bresse, le 26/06/2026" in text
    assert "Qualité du signataire : Présidente" in " ".join(last.replace("\u00a0", " ").split())
    pdfimages = shutil.which("pdfimages")
    assert pdfimages is not None  # poppler-utils, beside pdftotext
    listed = subprocess.run(
        [pdfimages, "-list", str(pdf)], check=True, capture_output=True, text=True, encoding="utf-8"
    ).stdout.splitlines()[2:]
    pages = int(text.count("\f")) or 1
    assert [line.split()[0] for line in listed] == [str(pages)]  # the signature, last page
    width, height = (int(value) for value in listed[0].split()[3:5])
    assert abs(width / height - 2) < 0.05  # the scan keeps its proportions


def test_batch_render_prints_what_it_says_of_the_copy_for_each_file(
    caf_form: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "dossier"
    folder.mkdir()
    for name in ("centre_a.yaml", "centre_b.yaml"):
        data = yaml.safe_load(EXAMPLE.read_text("utf-8"))
        data["equipement"]["nom"] = name.removesuffix(".yaml")
        (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = runner.invoke(
        app,
        ["render", str(folder), "--modele", str(caf_form), "-o", str(tmp_path / "bilans")],
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert said.count("« formulaire_caf.docx » n'a pas de bloc de signature : il a été ajouté") == 2
    first, second = said.split("centre_b.yaml →")
    assert "centre_a.yaml →" in first and "bloc de signature" in first.split("centre_a.yaml →")[1]
    assert "bloc de signature" in second


@pytest.mark.parametrize("spelling", ["--template", "--modele"])
def test_a_refused_copy_names_the_option_as_it_was_typed(spelling: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    letter = _letter(tmp_path / "lettre.docx", NOT_THE_FORM["lettre"])
    answers_file = _answers_file(tmp_path / "in")
    command = ["render", str(answers_file), spelling, str(letter), "-o", str(tmp_path / "b.docx")]
    run = subprocess.run(
        [sys.executable, "-m", "clas_bilan", *command],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "200"},
    )
    said = " ".join((run.stdout + run.stderr).split())
    assert run.returncode == 2, said
    other = "--modele" if spelling == "--template" else "--template"
    assert f"donnez à {spelling} le formulaire" in said and other not in said
