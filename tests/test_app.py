"""The built application: made in a fresh environment, run where no Python is to be found.

``pip install ".[app]"`` then ``python scripts/build_app.py`` in a new virtual
environment; the program folder is copied out of the repository and run with a PATH
holding no Python: it renders the example, extracts it, reads a folder of bilans with
``synthese`` (its workers started the spawn way, through ``freeze_support``), and with no
argument serves the form on ``Bilan CLAS/reponses.yaml`` in the user's Documents.

It builds for a few minutes: it runs when ``CLAS_BILAN_TEST_APP=1`` (``.ci/run`` runs it
once, on its own), and is skipped otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from clas_bilan import campaigns
from helpers_formulaire import served

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = "2025-2026"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.campaign(SHIPPED),
    pytest.mark.skipif(
        os.environ.get("CLAS_BILAN_TEST_APP") != "1",
        reason="builds the application for minutes: set CLAS_BILAN_TEST_APP=1",
    ),
]


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built program, copied outside the repository."""
    work = tmp_path_factory.mktemp("construction")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"{ROOT}[app]"], check=True, cwd=work
    )
    built = subprocess.run(
        [
            str(python),
            str(ROOT / "scripts" / "build_app.py"),
            "--dist",
            str(work / "dist"),
            "--work",
            str(work / "build"),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=work,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    elsewhere = tmp_path_factory.mktemp("ailleurs") / "clas-bilan"
    shutil.copytree(work / "dist" / "clas-bilan", elsewhere, symlinks=True)
    shutil.rmtree(work)
    name = "clas-bilan.exe" if os.name == "nt" else "clas-bilan"
    return elsewhere / name


def _environment(home: Path) -> dict[str, str]:
    """No Python reachable: an empty PATH, no virtual environment, a fresh home folder."""
    empty = home / "bin-vide"
    empty.mkdir(parents=True, exist_ok=True)
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "CLAS_BILAN"))
    }
    kept.update(
        PATH=str(empty),
        HOME=str(home),
        USERPROFILE=str(home),
        PYTHONUTF8="1",
        COLUMNS="200",
        XDG_CONFIG_HOME=str(home / ".config"),
    )
    return kept


def _run(program: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=folder,
        env=_environment(folder / "maison"),
        timeout=300,
    )


def test_the_program_renders_extracts_and_reads_a_folder(program: Path, tmp_path: Path) -> None:
    assert shutil.which("python3", path=_environment(tmp_path / "maison")["PATH"]) is None
    made = _run(program, tmp_path, "init", "--exemple", "reponses.yaml")
    assert made.returncode == 0, made.stdout + made.stderr
    rendered = _run(program, tmp_path, "render", "reponses.yaml", "-o", "bilan.docx")
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    assert "Bilan écrit" in rendered.stdout
    extracted = _run(program, tmp_path, "extract", "bilan.docx", "-o", "relu.yaml")
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    example = campaigns.current().example.read_text(encoding="utf-8")
    name = re.search(r'^  nom: "?([^"\n]+)', example, re.MULTILINE)
    assert name is not None and name.group(1) in (tmp_path / "relu.yaml").read_text("utf-8")

    received = tmp_path / "recus"
    received.mkdir()
    for number in range(12):  # more than one worker's share: workers are started
        shutil.copyfile(tmp_path / "bilan.docx", received / f"bilan_{number}.docx")
    read = _run(program, tmp_path, "synthese", "recus", "-o", "synthese.xlsx")
    assert read.returncode == 0, read.stdout + read.stderr
    assert "12 bilan(s) lu(s)" in " ".join(read.stdout.split())
    assert (tmp_path / "synthese.xlsx").stat().st_size > 0
    assert "Usage" not in read.stderr  # a worker never re-runs the command line


def test_started_with_no_argument_it_serves_the_form_on_the_documents_file(
    program: Path, tmp_path: Path
) -> None:
    home = tmp_path / "maison"
    environment = {**_environment(home), "PYTHONUNBUFFERED": "1"}
    with served([str(program)], env=environment, cwd=tmp_path, wait=120) as server:
        said = re.search(r"Votre bilan CLAS est dans le fichier : (.+)", server.printed)
        assert said is not None, server.printed
        answers = Path(said.group(1).strip())
        assert answers.parts[-2:] == ("Bilan CLAS", "reponses.yaml") and answers.is_file()
        if os.name != "nt":  # Windows asks its known folder, wherever the runner's is
            assert answers == home / "Documents" / "Bilan CLAS" / "reponses.yaml"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with browser.open(server.url, timeout=30) as response:  # token traded for a cookie
            page = response.read().decode("utf-8")
        assert "reponses.yaml" in page
