"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def soffice() -> str:
    """Path to LibreOffice; skipped where absent, except in CI where it must be installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CLAS_BILAN_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice est requis en CI mais introuvable (soffice).")
        pytest.skip("LibreOffice n'est pas installé")
    return found


@pytest.fixture
def pdftotext() -> str:
    """Path to poppler's pdftotext; skipped where absent, except in CI."""
    found = shutil.which("pdftotext")
    if found is None:
        if os.environ.get("CLAS_BILAN_REQUIRE_LIBREOFFICE"):
            pytest.fail("pdftotext (poppler-utils) est requis en CI mais introuvable.")
        pytest.skip("pdftotext n'est pas installé")
    return found


@pytest.fixture
def wide_console() -> Iterator[None]:
    """Print rich tables wide enough that a message never wraps inside a cell."""
    from clas_bilan import cli

    width = cli.out.width
    cli.out.width = 400
    yield
    cli.out.width = width


@pytest.fixture
def libreoffice(soffice: str, tmp_path: Path) -> Callable[[Path, str, Path], Path]:
    """Convert a file with headless LibreOffice (own profile); returns the converted file."""

    def convert(source: Path, to: str, outdir: Path) -> Path:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
                "--headless",
                "--convert-to",
                to,
                "--outdir",
                str(outdir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return outdir / f"{source.stem}.{to.split(':')[0]}"

    return convert
