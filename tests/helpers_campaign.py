"""The campaign the suite runs under: the shipped current one, or a made-up next one.

``CLAS_BILAN_TEST_CAMPAIGN=2026-2027 python -m pytest`` runs the whole suite as if the
campaign of ``tests/campaign_2026_2027.py`` were the current one: ``tests/conftest.py``
calls :func:`install`, which builds its template (as ``scripts/build_template.py`` does),
writes its example answers and a copy of ``tests/examples/`` carried to it (the campaign
module's ``example`` and ``carry``), and registers it.
Generic tests ask ``campaigns.current()`` for the template and example, and
:func:`fixtures` for the answers files of ``tests/examples/``. Tests about one campaign's
own form carry ``pytest.mark.campaign(CODE)``: they run with that campaign as the current one.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import importlib
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from clas_bilan import campaigns
from clas_bilan.docx.template import build

VARIABLE = "CLAS_BILAN_TEST_CAMPAIGN"
"""Environment variable naming the made-up campaign to run the suite under."""
SHIPPED = "2025-2026"
"""The campaign shipped in ``src/``, whose form the Caf printed (tests/data, caf_form_builder)."""

_TESTS = Path(__file__).resolve().parent
_fixtures = _TESTS / "examples"


def fixtures() -> Path:
    """The folder of answers files (``valid/``, ``invalid/``, ``hostile/``) for the current run."""
    return _fixtures


def install(code: str, folder: Path) -> campaigns.Campaign:
    """Make the made-up campaign ``code`` the current one, its files written in ``folder``."""
    module, campaign = _made_up(code, folder)
    shipped = campaigns.get(SHIPPED)
    assert shipped is not None
    campaign.template.parent.mkdir(parents=True)
    build(campaign.template, campaign)
    campaign.example.parent.mkdir(parents=True)
    campaign.example.write_text(module.example(shipped.example.read_text("utf-8")), "utf-8")
    _carry(_TESTS / "examples", folder / "fixtures", module.carry)
    return attach(code, folder)


def attach(code: str, folder: Path) -> campaigns.Campaign:
    """Register the made-up campaign ``code`` that :func:`install` wrote in ``folder``."""
    global _fixtures
    _, campaign = _made_up(code, folder)
    campaigns.register(campaign)
    _fixtures = folder / "fixtures"
    return campaign


def _made_up(code: str, folder: Path) -> tuple[Any, campaigns.Campaign]:
    """The made-up campaign's module, and its campaign with its files in ``folder``."""
    module = importlib.import_module(f"campaign_{code.replace('-', '_')}")
    return module, dataclasses.replace(module.CAMPAIGN, home=folder)


def command() -> list[str]:
    """How to run ``clas-bilan`` in another process that knows the current campaign."""
    current = campaigns.current()
    if current.home is not None:
        return [sys.executable, str(_TESTS / "campaign_main.py"), current.code, str(current.home)]
    return [sys.executable, "-m", "clas_bilan"]


def _carry(source: Path, target: Path, carry: Callable[[str], str]) -> None:
    """Copy the answers files, each carried to the campaign in its own encoding."""
    shutil.copytree(source, target)
    for path in target.rglob("*.yaml"):
        data = path.read_bytes()
        encoding = _encoding(data)
        path.write_bytes(carry(data.decode(encoding)).encode(encoding))


def _encoding(data: bytes) -> str:
    """The encoding of one of the test files (UTF-8, UTF-16 with or without BOM, cp1252)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(data) > 1 and data[1::2].count(0) > len(data) // 4:
        return "utf-16-le"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def shipped_case(path: Path) -> Any:
    """A case of ``fixtures()`` whose expectations hold the shipped form's own figures.

    It runs with the shipped campaign as the current one, on its file as committed.
    """
    original = _TESTS / "examples" / path.relative_to(_fixtures)
    return pytest.param(original, marks=pytest.mark.campaign(SHIPPED))


@contextlib.contextmanager
def pinned(code: str) -> Iterator[None]:
    """Run with the campaign ``code`` as the current one: newer ones are set aside meanwhile."""
    campaign = campaigns.get(code)
    assert campaign is not None, code
    newer = [known for known in campaigns.known() if known.deadline > campaign.deadline]
    for known in newer:
        campaigns.unregister(known.code)
    try:
        yield
    finally:
        for known in newer:
            campaigns.register(known)
