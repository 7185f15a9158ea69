"""A file of the wrong kind, or an extra attachment: the next step is named, nothing is lost."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan.cli import app
from clas_bilan.loading import load
from clas_bilan.render import default_name
from clas_bilan.scaffold import example_text

runner = CliRunner()


def _said(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "reponses.yaml"
    path.write_text(example_text(), encoding="utf-8")
    return path


@pytest.fixture
def bilan(answers: Path, tmp_path: Path) -> Path:
    result = runner.invoke(app, ["render", str(answers), "-o", str(tmp_path / "bilan.docx")])
    assert result.exit_code == 0, result.output
    return tmp_path / "bilan.docx"


@pytest.mark.parametrize("command", [["extract"], ["pdf"], ["email"]])
def test_an_answers_file_given_for_a_bilan_points_to_render(
    command: list[str], answers: Path
) -> None:
    before = sorted(answers.parent.iterdir())
    result = runner.invoke(app, [*command, str(answers)])
    assert result.exit_code == 2
    said = _said(result.output)
    assert "n'est pas un document Word" in said
    if command != ["email"]:
        assert "c'est un fichier de réponses" in said and "clas-bilan render reponses.yaml" in said
    assert sorted(answers.parent.iterdir()) == before


def test_render_to_a_pdf_name_suggests_the_pdf_option(answers: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(answers), "-o", str(tmp_path / "bilan.pdf")])
    assert result.exit_code == 2
    assert "ajoutez --pdf" in _said(result.output)
    assert not (tmp_path / "bilan.pdf").exists()


def test_email_of_a_pdf_suggests_attaching_it_beside_the_bilan(tmp_path: Path) -> None:
    scan = tmp_path / "bilan_signe.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    (tmp_path / "bilan_signe.eml").write_bytes(b"old draft")
    result = runner.invoke(app, ["email", str(scan)])
    assert result.exit_code == 2
    said = _said(result.output)
    assert "--joindre bilan_signe.pdf" in said and "existe déjà" not in said
    assert (tmp_path / "bilan_signe.eml").read_bytes() == b"old draft"


def test_email_attaches_the_signed_scan_beside_the_bilan(bilan: Path, tmp_path: Path) -> None:
    scan = tmp_path / "bilan signé.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    result = runner.invoke(app, ["email", str(bilan), "--joindre", str(scan)])
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes((tmp_path / "bilan.eml").read_bytes(), policy=policy.default)
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    named = default_name(load(example_text()).answers)  # as render names it, not « bilan.docx »
    assert set(parts) == {named, "bilan signé.pdf"}
    assert parts["bilan signé.pdf"].get_content_type() == "application/pdf"
    assert parts["bilan signé.pdf"].get_content() == b"%PDF-1.4 scan"
    assert parts[named].get_content() == bilan.read_bytes()
    assert "« bilan signé.pdf »" in message.get_body().get_content()


def test_email_refuses_a_missing_extra_attachment(bilan: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["email", str(bilan), "--joindre", str(tmp_path / "absent.pdf")])
    assert result.exit_code == 2
    assert "absent.pdf" in result.output and "introuvable" in result.output
    assert not (tmp_path / "bilan.eml").exists()
