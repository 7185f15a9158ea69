"""Shared fixtures, and the campaign the suite runs under (see helpers_campaign)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import helpers_campaign

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""Debian's chromium, as the browser tests of the form drive it (through Playwright)."""

_made_up: Path | None = None
"""Where the made-up campaign's files are written, when the suite runs under one."""


def pytest_configure(config: pytest.Config) -> None:
    """Declare the campaign marker; install the made-up campaign the environment names."""
    global _made_up
    # Child Pythons print UTF-8, as the tests read them, on Windows too (not cp1252).
    os.environ.setdefault("PYTHONUTF8", "1")
    config.addinivalue_line(
        "markers",
        "campaign(code): about that campaign's own form; runs with it as the current one",
    )
    code = os.environ.get(helpers_campaign.VARIABLE)
    if code and _made_up is None:
        _made_up = Path(tempfile.mkdtemp(prefix="clas-bilan-campagne-"))
        helpers_campaign.install(code, _made_up)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the made-up campaign's files."""
    if _made_up is not None:
        shutil.rmtree(_made_up, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    """Say which campaign the suite runs under."""
    from clas_bilan import campaigns

    return f"clas-bilan: campagne {campaigns.current().code}"


def _pin(request: pytest.FixtureRequest) -> contextlib.AbstractContextManager[None]:
    marker = request.node.get_closest_marker("campaign")
    return helpers_campaign.pinned(marker.args[0]) if marker else contextlib.nullcontext()


@pytest.fixture(scope="module", autouse=True)
def _module_campaign(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module marked ``campaign(CODE)`` runs, module fixtures included, under that campaign."""
    with _pin(request):
        yield


@pytest.fixture(autouse=True)
def _test_campaign(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test marked ``campaign(CODE)`` runs under that campaign."""
    with _pin(request):
        yield


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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium; skipped where absent, except in CI where it must be installed."""
    if not Path(CHROMIUM).is_file() and shutil.which("chromium") is None:
        if os.environ.get("CLAS_BILAN_REQUIRE_CHROMIUM"):
            pytest.fail("chromium est requis en CI mais introuvable.")
        pytest.skip("chromium n'est pas installé")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium"),
            args=ARGS,
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new tab at 1280×800, in French, in a context of its own."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    opened = context.new_page()
    yield opened
    context.close()
