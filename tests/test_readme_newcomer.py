"""The newcomer path: the README's commands, followed literally in a fresh copy of the project."""

from __future__ import annotations

import os
import shutil
from fnmatch import fnmatch
from pathlib import Path

import pytest

from helpers_campaign import SHIPPED
from helpers_docs import ROOT, bash, blocks, steps

README = ROOT / "README.md"

# Installs and runs the tool as the README says: the shipped campaigns only.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.campaign(SHIPPED),
    pytest.mark.skipif(
        shutil.which("bash") is None or os.name != "posix",
        reason="the README ```bash blocks are run by bash (on Windows: docs/installation.md)",
    ),
]

# Command 2 runs the suite: here one quick test file stands for it (the whole suite inside
# one of its own tests would run this test again, and take many minutes).
QUICK_TESTS = " -q -p no:cacheprovider tests/test_cli_help.py"


_TOOLS = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*.egg-info", ".*_cache", "build", "dist"
)


def _tracked(folder: str, names: list[str]) -> set[str]:
    """What not to copy: tools' folders, and what a user's own runs left at the top.

    The latter are the top-level patterns of .gitignore (« /[!.]*.docx »…), read from it.
    """
    ignored = set(_TOOLS(folder, names))
    if Path(folder) == ROOT:
        lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
        patterns = [line[1:].rstrip("/") for line in lines if line.startswith("/")]
        ignored |= {name for name in names if any(fnmatch(name, p) for p in patterns)}
    return ignored


def copy_project(destination: Path) -> Path:
    """The project as a newcomer downloads it."""
    shutil.copytree(ROOT, destination, ignore=_tracked)
    return destination


def test_the_two_commands_run_in_order_twice_in_one_folder(tmp_path: Path) -> None:
    """Command 1 then command 2, and both again: a user who runs them twice sees no failure."""
    project = copy_project(tmp_path / "clas-bilan")
    install, develop = blocks(README, "bash")[:2]
    assert install.startswith("python3 -m venv .venv") and "render" in install
    assert develop.endswith("python -m pytest")
    for round_ in (1, 2):
        done = bash(install, project)
        assert done.returncode == 0, f"tour {round_}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        assert (project / "bilan_exemple.docx").is_file()
        done = bash(develop + QUICK_TESTS, project)
        assert done.returncode == 0, f"tour {round_}: {done.stdout[-3000:]}{done.stderr[-2000:]}"
        assert " passed" in done.stdout


def test_the_readme_reaches_a_bilan_and_its_email_in_a_fresh_folder(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "clas-bilan")
    path = steps(README)
    install = path[0].script
    assert install.startswith("python3 -m venv .venv")
    done = bash(install, project)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (project / "bilan_exemple.docx").is_file()

    bare = bash("clas-bilan --version", project)
    assert bare.returncode != 0  # what the README warns about: not found before activating

    activate = "source .venv/bin/activate"
    assert activate in blocks(README, "bash")
    # Every later block, in order, in the one terminal the README has the user activate.
    scripts = [step.script for step in path]
    rest = scripts[scripts.index(activate) :]
    for command in (
        "clas-bilan init reponses.yaml",
        "clas-bilan validate reponses.yaml",
        "clas-bilan render reponses.yaml -o bilan.docx",
        "clas-bilan email bilan.docx",
    ):
        assert command in rest, command
    done = bash("\n".join(rest), project)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Aucune erreur, aucun avertissement" in done.stdout
    assert (project / "bilan.docx").is_file()
    assert (project / "bilan.eml").is_file()

    full_path = bash(".venv/bin/clas-bilan init autre.yaml", project)
    assert full_path.returncode == 0, full_path.stderr
    assert ".venv/bin/clas-bilan init reponses.yaml" in README.read_text(encoding="utf-8")


def test_the_readme_says_which_command_a_user_needs() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "seule la première commande est utile" in text
    assert "elle sert à ceux qui modifient l’outil" in text


def test_the_windows_commands_name_the_activation_script_and_the_full_path() -> None:
    shell = blocks(README, "powershell")
    text = README.read_text(encoding="utf-8")
    assert ".venv\\Scripts\\Activate.ps1" in shell
    assert ".venv\\Scripts\\clas-bilan init reponses.yaml" in text
    assert "Set-ExecutionPolicy -Scope CurrentUser RemoteSigned" in text
