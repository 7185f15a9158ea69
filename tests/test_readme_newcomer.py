"""The newcomer path: the README's commands, followed literally in a fresh copy of the project."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from helpers_campaign import SHIPPED

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Installs and runs the tool as the README says: the shipped campaigns only.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.campaign(SHIPPED),
    pytest.mark.skipif(
        os.name != "posix" or shutil.which("bash") is None,
        reason="the README's ```bash blocks are run by bash (Windows: docs/installation.md)",
    ),
]


def blocks(language: str) -> list[str]:
    """The README's code blocks in one language, in order, as a user would copy them."""
    found = re.findall(rf"^([ \t]*)```{language}\n(.*?)^[ \t]*```", README, re.S | re.M)
    return [textwrap.dedent(indent + body).strip() for indent, body in found]


def block(language: str, text: str) -> str:
    """The one code block that is exactly ``text``: the README must show it as such."""
    assert text in blocks(language), text
    return text


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    # A new user's PATH: no virtualenv holding the tool (CI puts its own venv on PATH).
    env["PATH"] = os.pathsep.join(
        part
        for part in env.get("PATH", "").split(os.pathsep)
        if ".venv" not in part and not (Path(part) / "clas-bilan").exists()
    )
    return subprocess.run(
        ["bash", "-c", "set -e\n" + script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
    )


def test_the_readme_reaches_a_bilan_and_its_email_in_a_fresh_folder(tmp_path: Path) -> None:
    project = tmp_path / "clas-bilan"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "__pycache__", "*.egg-info", ".*_cache", "build", "dist"
        ),
    )
    install = blocks("bash")[0]
    assert install.startswith("python3 -m venv .venv")
    done = bash(install, project)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (project / "bilan_exemple.docx").is_file()

    bare = bash("clas-bilan --version", project)
    assert bare.returncode != 0  # what the README warns about: not found before activating

    activate = block("bash", "source .venv/bin/activate")
    steps = [
        activate,
        block("bash", "clas-bilan init reponses.yaml"),
        # The user fills the file in their editor; here, with the complete example's answers.
        "cp examples/bilan_exemple.yaml reponses.yaml",
        block("bash", "clas-bilan validate reponses.yaml"),
        block("bash", "clas-bilan render reponses.yaml -o bilan.docx"),
        block("bash", "clas-bilan email bilan.docx"),
    ]
    done = bash("\n".join(steps), project)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Aucune erreur, aucun avertissement" in done.stdout
    assert (project / "bilan.docx").is_file()
    assert (project / "bilan.eml").is_file()

    full_path = bash(".venv/bin/clas-bilan init autre.yaml", project)
    assert full_path.returncode == 0, full_path.stderr
    assert ".venv/bin/clas-bilan init reponses.yaml" in README


def test_the_windows_commands_name_the_activation_script_and_the_full_path() -> None:
    shell = blocks("powershell")
    assert ".venv\\Scripts\\Activate.ps1" in shell
    assert ".venv\\Scripts\\clas-bilan init reponses.yaml" in README
    assert "Set-ExecutionPolicy -Scope CurrentUser RemoteSigned" in README
