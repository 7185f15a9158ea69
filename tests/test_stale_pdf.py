"""No stale copy: a replaced bilan never leaves behind, or sends, a PDF of its old version."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns, pdf
from clas_bilan.cli import app

EXAMPLE = campaigns.current().example
runner = CliRunner()
LIBREOFFICE_PDF = (
    b"%PDF-1.7\n1 0 obj<</Producer<FEFF004C0069006200720065004F00660066006900630065>>>endobj\n"
    b"%%EOF\n"
)


def rendered(tmp_path: Path, volunteers: int = 11) -> Path:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("    nombre: 11", f"    nombre: {volunteers}"),
        encoding="utf-8",
    )
    bilan = tmp_path / "bilan.docx"
    result = runner.invoke(app, ["render", str(answers), "-o", str(bilan), "--force"])
    assert result.exit_code == 0, result.output
    return bilan


def aged(path: Path) -> None:
    """Make ``path`` look written a minute ago (no sleeping in tests)."""
    stamp = path.stat().st_mtime - 60
    os.utime(path, (stamp, stamp))


def test_render_force_removes_its_old_pdf_copy_when_libreoffice_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered(tmp_path, 12)
    copy = tmp_path / "bilan.pdf"
    copy.write_bytes(LIBREOFFICE_PDF)
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    rendered(tmp_path, 11)
    assert not copy.exists()


def test_render_force_leaves_a_pdf_it_did_not_make_and_says_so(tmp_path: Path) -> None:
    rendered(tmp_path, 12)
    scan = tmp_path / "bilan.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scanner\n%%EOF\n")
    answers = tmp_path / "reponses.yaml"
    result = runner.invoke(
        app, ["render", str(answers), "-o", str(tmp_path / "bilan.docx"), "--force"]
    )
    assert result.exit_code == 0
    assert "« bilan.pdf » n’a pas été produit par clas-bilan : il n’a pas été modifié." in " ".join(
        result.output.split()
    )
    assert scan.read_bytes() == b"%PDF-1.4\n% scanner\n%%EOF\n"


@pytest.mark.slow
def test_render_force_refreshes_its_old_pdf_copy(tmp_path: Path, soffice: str) -> None:
    bilan = rendered(tmp_path, 12)
    result = runner.invoke(app, ["pdf", str(bilan)])
    assert result.exit_code == 0, result.output
    copy = tmp_path / "bilan.pdf"
    aged(copy)
    before = copy.read_bytes()
    answers = tmp_path / "reponses.yaml"
    answers.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["render", str(answers), "-o", str(bilan), "--force"])
    assert result.exit_code == 0, result.output
    assert f"Copie PDF mise à jour : {copy}" in " ".join(result.output.split())
    assert copy.read_bytes() != before
    assert not pdf.older(copy, bilan)
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(
            ["pdftotext", "-layout", str(copy), "-"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        ).stdout
        assert "11" in text


def test_email_refuses_a_pdf_copy_older_than_the_bilan(tmp_path: Path) -> None:
    bilan = rendered(tmp_path)
    copy = tmp_path / "bilan.pdf"
    copy.write_bytes(LIBREOFFICE_PDF)
    aged(copy)
    result = runner.invoke(app, ["email", str(bilan), "--joindre", str(copy)])
    assert result.exit_code == 2
    shown = " ".join(result.output.split())
    assert "« bilan.pdf » a été produit avant la dernière version de « bilan.docx »" in shown
    assert f"clas-bilan pdf {bilan} --force" in shown
    assert not (tmp_path / "bilan.eml").exists()
    os.utime(copy)  # made again after the bilan: fine
    result = runner.invoke(app, ["email", str(bilan), "--joindre", str(copy)])
    assert result.exit_code == 0, result.output


def test_email_warns_about_an_older_scan_but_attaches_it(tmp_path: Path) -> None:
    bilan = rendered(tmp_path)
    scan = tmp_path / "bilan_signe.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scanner\n%%EOF\n")
    aged(scan)
    result = runner.invoke(app, ["email", str(bilan), "--joindre", str(scan)])
    assert result.exit_code == 0, result.output
    assert "est plus ancien que « bilan.docx »" in " ".join(result.output.split())
