"""PDF copy through LibreOffice: pages and text read back with poppler, French errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from clas_bilan import campaigns, pdf
from clas_bilan.cli import app
from clas_bilan.docx.template import template_path
from clas_bilan.errors import UsageError
from clas_bilan.loading import load
from clas_bilan.render import render
from clas_bilan.scaffold import example_text

LABEL = campaigns.current().label

needs_soffice = pytest.mark.usefixtures("soffice", "pdftotext")
posix_only = pytest.mark.skipif(os.name != "posix", reason="fake soffice is a shell script")


def _docx(path: Path, pages: list[str]) -> Path:
    document = Document()
    for number, text in enumerate(pages):
        if number:
            document.add_page_break()
        document.add_paragraph(text)
    document.save(str(path))
    return path


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, encoding="utf-8", check=True
    )
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout


def _fake_soffice(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder.mkdir()
    program = folder / "soffice"
    program.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))


@needs_soffice
@pytest.mark.slow
def test_pdf_has_the_pages_and_the_text(tmp_path: Path) -> None:
    source = _docx(
        tmp_path / "bilan Léo Lagrange.docx",
        ["Équipement : Maison des Lilas, Bourg-en-Bresse", "Deuxième page", "Troisième page"],
    )
    target = tmp_path / "sortie" / "copie à signer.pdf"
    target.parent.mkdir()

    assert pdf.to_pdf(source, target) == target

    assert target.read_bytes().startswith(b"%PDF-")
    assert _pdf_pages(target) == 3
    text = _pdf_text(target)
    assert "Équipement : Maison des Lilas, Bourg-en-Bresse" in text
    assert "Troisième page" in text
    assert [p.name for p in target.parent.iterdir()] == ["copie à signer.pdf"]


@needs_soffice
@pytest.mark.slow
def test_pdf_replaces_an_existing_file(tmp_path: Path) -> None:
    source = _docx(tmp_path / "bilan.docx", ["Nouveau contenu"])
    target = tmp_path / "bilan.pdf"
    target.write_bytes(b"ancien")

    pdf.to_pdf(source, target)

    assert "Nouveau contenu" in _pdf_text(target)


def test_missing_libreoffice_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    source = _docx(tmp_path / "bilan.docx", ["x"])

    with pytest.raises(UsageError) as caught:
        pdf.to_pdf(source, tmp_path / "bilan.pdf")

    assert "LibreOffice est introuvable" in caught.value.message
    assert caught.value.hint and "installez LibreOffice" in caught.value.hint
    assert not (tmp_path / "bilan.pdf").exists()


def test_find_soffice_looks_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(pdf.OVERRIDE, raising=False)
    monkeypatch.setattr(pdf, "_usual_places", lambda: [tmp_path / "absent.exe"])
    assert pdf.find_soffice() is None
    program = tmp_path / ("libreoffice.exe" if sys.platform == "win32" else "libreoffice")
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    assert pdf.find_soffice() == str(program)


def test_missing_docx_is_explained(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="introuvable"):
        pdf.to_pdf(tmp_path / "absent.docx", tmp_path / "absent.pdf")


@posix_only
def test_libreoffice_timeout_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(tmp_path / "bin", f"exec {shutil.which('sleep')} 60\n", monkeypatch)
    source = _docx(tmp_path / "bilan.docx", ["x"])

    with pytest.raises(UsageError) as caught:
        pdf.to_pdf(source, tmp_path / "bilan.pdf", timeout=0.5)

    assert "n'a pas terminé la conversion de « bilan.docx » en PDF" in caught.value.message
    assert not (tmp_path / "bilan.pdf").exists()


@posix_only
def test_libreoffice_failure_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(
        tmp_path / "bin", "echo 'Error: source file could not be loaded'\nexit 1\n", monkeypatch
    )
    source = _docx(tmp_path / "bilan.docx", ["x"])

    with pytest.raises(UsageError) as caught:
        pdf.to_pdf(source, tmp_path / "bilan.pdf")

    assert "n'a pas pu convertir « bilan.docx » en PDF (code 1)" in caught.value.message
    assert caught.value.hint == "LibreOffice dit : Error: source file could not be loaded"


@posix_only
def test_libreoffice_silent_failure_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_soffice(tmp_path / "bin", "exit 0\n", monkeypatch)
    source = _docx(tmp_path / "bilan.docx", ["x"])

    with pytest.raises(UsageError, match="n'a pas pu convertir"):
        pdf.to_pdf(source, tmp_path / "bilan.pdf")
    assert not (tmp_path / "bilan.pdf").exists()


@needs_soffice
@pytest.mark.slow
def test_unwritable_folder_is_explained(tmp_path: Path) -> None:
    source = _docx(tmp_path / "bilan.docx", ["x"])

    with pytest.raises(UsageError, match=r"impossible d’écrire « bilan\.pdf » : le dossier"):
        pdf.to_pdf(source, tmp_path / "pas de dossier" / "bilan.pdf")


TEMPLATE = template_path()


@needs_soffice
@pytest.mark.slow
def test_blank_form_prints_on_five_numbered_pages(tmp_path: Path) -> None:
    target = pdf.to_pdf(TEMPLATE, tmp_path / "formulaire.pdf")

    pages = _pdf_pages(target)
    text = _pdf_text(target)
    assert pages == 5
    assert f"Page {pages} sur {pages}" in text  # Word's NUMPAGES field agrees with the PDF
    assert f"Bilan CLAS {LABEL}" in text
    assert "parentalite@caf01.caf.fr" in text
    assert "BONFICATION PARENTS" in text


runner = CliRunner()


@needs_soffice
@pytest.mark.slow
def test_pdf_command_writes_beside_the_bilan(tmp_path: Path) -> None:
    source = _docx(tmp_path / "bilan.docx", ["Maison des Lilas"])

    result = runner.invoke(app, ["pdf", str(source)])

    assert result.exit_code == 0, result.output
    assert "PDF écrit" in result.output
    assert "Maison des Lilas" in _pdf_text(tmp_path / "bilan.pdf")


def test_pdf_command_never_overwrites_without_force(tmp_path: Path) -> None:
    source = _docx(tmp_path / "bilan.docx", ["x"])
    (tmp_path / "bilan.pdf").write_bytes(b"ma copie signee")

    result = runner.invoke(app, ["pdf", str(source)])

    assert result.exit_code == 2
    assert "existe déjà" in result.output and "--force" in result.output
    assert (tmp_path / "bilan.pdf").read_bytes() == b"ma copie signee"


def test_pdf_command_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    source = _docx(tmp_path / "bilan.docx", ["x"])

    result = runner.invoke(app, ["pdf", str(source)])

    assert result.exit_code == 2
    assert "LibreOffice est introuvable" in result.output
    assert "installez LibreOffice" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "bilan.pdf").exists()


@needs_soffice
@pytest.mark.slow
def test_rendered_example_prints_with_its_answers(tmp_path: Path) -> None:
    loaded = load(example_text())
    assert loaded.answers is not None
    bilan = render(loaded.answers, tmp_path / "bilan.docx")

    result = runner.invoke(app, ["pdf", str(bilan), "-o", str(tmp_path / "à signer.pdf")])

    assert result.exit_code == 0, result.output
    target = tmp_path / "à signer.pdf"
    pages = _pdf_pages(target)
    text = " ".join(_pdf_text(target).split())
    assert pages == 6
    assert f"Page {pages} sur {pages}" in text
    for answer in (
        "Centre social de la Croix-Blanche",
        "Grandir et apprendre ensemble à la Croix-Blanche",
        "Benali, Karima, clas@savoirs-en-partage.fr",
        "École élémentaire de la Croix-Blanche",
    ):
        assert answer in text
