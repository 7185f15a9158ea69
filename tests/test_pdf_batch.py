"""PDF copies of many bilans by one start of LibreOffice: ``render DOSSIER --pdf``, ``pdf A B…``.

Every bilan is accounted for: a broken one, or a PDF that exists without ``--force``, gets
its own message and the others are still converted. The stand-in for LibreOffice counts
its starts; the real one is used where installed, its PDFs read back with pdftotext.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns
from clas_bilan.cli import app
from helpers_soffice import stand_in

runner = CliRunner()
EXAMPLE = campaigns.current().example
posix_only = pytest.mark.skipif(
    os.name != "posix", reason="the stand-in for LibreOffice is a shell script"
)


def _answers(folder: Path, names: list[str]) -> Path:
    folder.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("\nequipement:\n  nom: ") + len("\nequipement:\n")
    end = text.index("\n", start)
    for name in names:
        (folder / f"{name}.yaml").write_text(
            f'{text[:start]}  nom: "Centre {name}"{text[end:]}', encoding="utf-8"
        )
    return folder


@posix_only
def test_render_folder_with_pdf_starts_libreoffice_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts = stand_in(tmp_path, monkeypatch)
    folder = _answers(tmp_path / "reponses", ["lilas", "tilleuls", "ouest"])
    out = tmp_path / "bilans"
    result = runner.invoke(app, ["render", str(folder), "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    docx = sorted(path.name for path in out.glob("*.docx"))
    assert len(docx) == 3
    assert sorted(path.name for path in out.glob("*.pdf")) == [
        name.replace(".docx", ".pdf") for name in docx
    ]
    assert starts.read_text().split() == ["start"]
    assert "3 copie(s) PDF écrite(s), 0 échec(s)." in result.output


@posix_only
def test_pdf_of_several_bilans_goes_on_past_a_broken_one_and_an_existing_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts = stand_in(tmp_path, monkeypatch)
    folder = _answers(tmp_path / "reponses", ["lilas", "tilleuls"])
    result = runner.invoke(app, ["render", str(folder)])
    assert result.exit_code == 0, result.output
    good = sorted(folder.glob("*.docx"))
    broken = tmp_path / "abime.docx"
    broken.write_bytes(b"PK\x03\x04 pas un document")
    kept = good[1].with_suffix(".pdf")
    kept.write_bytes(b"%PDF-1.4 mon scan")
    result = runner.invoke(app, ["pdf", str(good[0]), str(broken), str(good[1])])
    assert result.exit_code == 1, result.output
    shown = " ".join(result.output.split())
    assert f"Copie PDF {good[0].with_suffix('.pdf')}" in shown
    assert f"Échec PDF {broken}" in shown and "abime.docx" in shown
    assert f"Échec PDF {good[1]}" in shown and "existe déjà" in shown
    assert "1 copie(s) PDF écrite(s), 2 échec(s)." in shown
    assert kept.read_bytes() == b"%PDF-1.4 mon scan"
    assert starts.read_text().split() == ["start"]
    result = runner.invoke(app, ["pdf", str(good[0]), str(good[1]), "-o", "x.pdf"])
    assert result.exit_code == 2
    assert "-o ne s'utilise qu'avec un seul bilan" in result.output


@pytest.mark.slow
@pytest.mark.usefixtures("soffice")
def test_many_bilans_converted_by_libreoffice_each_hold_their_own_text(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is needed to read the PDF back")
    folder = _answers(tmp_path / "reponses", ["Lilas", "Tilleuls", "Ouest"])
    result = runner.invoke(app, ["render", str(folder), "--pdf"])
    assert result.exit_code == 0, result.output
    for name in ("Lilas", "Tilleuls", "Ouest"):
        [copy] = [path for path in folder.glob("*.pdf") if name.lower() in path.name]
        text = subprocess.run(
            ["pdftotext", str(copy), "-"], capture_output=True, text=True, encoding="utf-8"
        ).stdout
        assert f"Centre {name}" in text
