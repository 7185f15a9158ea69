"""Every ```bash block of docs/*.md runs, in order, in a fresh folder (see helpers_docs)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from helpers_campaign import SHIPPED
from helpers_docs import PAGES, ROOT, bash, blocks, steps

# The installed tool in another process: it knows the shipped campaigns only.
pytestmark = [pytest.mark.slow, pytest.mark.campaign(SHIPPED)]
needs_bash = pytest.mark.skipif(
    shutil.which("bash") is None or os.name != "posix",
    reason="the ```bash blocks are run by bash (on Windows: docs/installation.md)",
)

DOCS = [page for page in PAGES if page.parent.name == "docs"]
TOOL = Path(sys.executable).parent  # the virtualenv running the tests holds clas-bilan


@needs_bash
@pytest.mark.parametrize("page", DOCS, ids=lambda page: page.name)
def test_every_command_of_the_page_runs(page: Path, tmp_path: Path) -> None:
    if not steps(page):
        pytest.skip("pas de commande à lancer sur cette page")
    assert (TOOL / "clas-bilan").exists(), "clas-bilan is not installed beside the tests' Python"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for step in steps(page):
        done = bash(step.script, tmp_path, path=[TOOL])
        assert done.returncode == 0, f"{page.name}: {step.script}\n{done.stdout}{done.stderr}"


def test_the_pages_link_each_other_and_exist() -> None:
    """Every docs/ page the README links exists, and every page is linked from the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in DOCS:
        assert f"docs/{page.name}" in readme, page.name
    for name in ("verifications.md", "extraire-reprendre.md", "lot.md", "limites.md"):
        assert (ROOT / "docs" / name).is_file(), name


def test_commands_that_cannot_run_here_are_shown_but_not_run() -> None:
    """The browser form waits for Ctrl+C and --envoyer needs a mail server: ```console."""
    shown = [block for page in PAGES for block in blocks(page, "console")]
    assert any(block.startswith("clas-bilan formulaire") for block in shown)
    assert any("--envoyer" in block for block in shown)
    run = [step.script for page in PAGES for step in steps(page)]
    assert not any("formulaire" in script or "--envoyer" in script for script in run)
