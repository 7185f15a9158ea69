"""The built wheel works from a fresh virtualenv far from the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from helpers_campaign import SHIPPED

ROOT = Path(__file__).resolve().parents[1]

# Builds and installs the wheel: it carries the shipped campaigns only.
pytestmark = [pytest.mark.slow, pytest.mark.campaign(SHIPPED)]


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel without the repository on the path and install it in a new venv."""
    dist = tmp_path_factory.mktemp("dist")
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        dist,
        ROOT,
        cwd=dist,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("clas_bilan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "clas_bilan/templates/bilan_2025_2026.docx" in names
    assert "clas_bilan/examples/bilan_exemple.yaml" in names
    for asset in ("templates/formulaire.html", "static/formulaire.js", "static/formulaire.css"):
        assert f"clas_bilan/web/{asset}" in names
    env_dir = tmp_path_factory.mktemp("venv") / "v"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    pip = _run(bindir / "python", "-m", "pip", "install", "-q", wheel, cwd=dist)
    assert pip.returncode == 0, pip.stderr
    return bindir


def test_wheel_runs_init_validate_render_outside_the_repository(
    installed: Path, tmp_path: Path
) -> None:
    exe = installed / "clas-bilan"
    version = _run(installed / "python", "-m", "clas_bilan", "--version", cwd=tmp_path)
    assert version.returncode == 0 and "clas-bilan" in version.stdout

    init = _run(exe, "init", "--exemple", "reponses.yaml", cwd=tmp_path)
    assert init.returncode == 0, init.stdout + init.stderr
    assert (tmp_path / "reponses.yaml").is_file()

    check = _run(exe, "validate", "reponses.yaml", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr

    render = _run(exe, "render", "reponses.yaml", "-o", "bilan.docx", cwd=tmp_path)
    assert render.returncode == 0, render.stdout + render.stderr
    assert "parentalite@caf01.caf.fr" in render.stdout
    with zipfile.ZipFile(tmp_path / "bilan.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "Bilan CLAS 2025/2026" in body

    blank = _run(exe, "init", "vierge.yaml", cwd=tmp_path)
    assert blank.returncode == 0
    # A blank file only lacks answers: warnings, plus the Oui/Non the form makes mandatory.
    blank_check = _run(exe, "validate", "vierge.yaml", cwd=tmp_path)
    assert blank_check.returncode == 1, blank_check.stdout + blank_check.stderr
    assert "obligatoire" in blank_check.stdout
    assert "Traceback" not in blank_check.stdout + blank_check.stderr


def test_wheel_serves_the_browser_form_with_its_own_assets(installed: Path, tmp_path: Path) -> None:
    import urllib.request

    from helpers_formulaire import running

    with running(tmp_path / "reponses.yaml", program=installed / "clas-bilan") as server:
        for path, expected in (
            ("", b"formulaire.js"),
            ("static/formulaire.js", b"/api/verifier"),
            ("static/formulaire.css", b"system-ui"),
        ):
            request = urllib.request.Request(server.base + path, headers=server.signed)
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200
                assert expected in response.read()
