"""What the commands print, and what a command's process loads to print it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import cli
from clas_bilan.cli import app
from clas_bilan.scaffold import example_text
from helpers_campaign import SHIPPED

runner = CliRunner()

# The commands run in processes of their own, which know only the shipped campaigns.
pytestmark = pytest.mark.campaign(SHIPPED)

# Runs one command as the console script does, then lists the modules it loaded.
LOADED = """
import sys
from clas_bilan.cli import main
sys.argv = ["clas-bilan", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("LOADED", " ".join(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED, *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in result.stderr, result.stderr
    line = next(line for line in result.stderr.splitlines() if line.startswith("LOADED "))
    return set(line.split()[1:])


def test_an_emoji_code_typed_in_the_file_is_printed_as_typed(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text('":tada:": 1\n', encoding="utf-8")
    result = runner.invoke(app, ["validate", str(answers)])
    assert result.exit_code == 1
    assert "clé inconnue « :tada: »" in result.output
    assert "🎉" not in result.output


def test_the_summary_puts_each_value_after_its_label_and_its_lines_under_it(
    tmp_path: Path,
) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(example_text(), encoding="utf-8")
    width = cli.out.width
    cli.out.width = 50
    try:
        result = runner.invoke(app, ["validate", str(answers)])
    finally:
        cli.out.width = width
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("Bonus enfants "))
    assert lines[first].index("critères remplis") == len("Moyenne par collectif  ")
    assert lines[first + 1].startswith(" " * len("Moyenne par collectif  ") + "collectif")
    assert all(line == line.rstrip() for line in lines)


def _rich_own() -> set[str]:
    """The modules ``rich.console`` loads by itself (rich 13.8 loads its tables with it)."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys, rich.console; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    return set(result.stdout.split())


def test_validate_loads_neither_python_docx_nor_rich_tables(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(example_text(), encoding="utf-8")
    loaded = _loaded("validate", str(answers))
    assert "clas_bilan.checks" in loaded
    assert not {"docx", "typer.rich_utils", "importlib.metadata"} & loaded
    assert "rich.table" not in loaded - _rich_own()


def test_a_plugin_setting_of_the_user_is_left_to_pydantic(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(example_text(), encoding="utf-8")
    loaded = _loaded("validate", str(answers), env={"PYDANTIC_DISABLE_PLUGINS": "un_plugin"})
    assert "clas_bilan.checks" in loaded
    assert "importlib.metadata" in loaded


def test_render_loads_no_network_modules(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(example_text(), encoding="utf-8")
    loaded = _loaded("render", str(answers), "-o", str(tmp_path / "bilan.docx"))
    assert (tmp_path / "bilan.docx").is_file()
    assert not {"urllib.request", "http.client", "ssl"} & loaded
    assert "rich.table" not in loaded - _rich_own()


def test_anything_else_asked_of_the_plugin_stand_in_comes_from_pydantic() -> None:
    """A later pydantic asking its plugin loader for more than ``get_plugins`` still works."""
    code = (
        "import sys\n"
        "from clas_bilan import cli\n"
        "cli._no_pydantic_plugins()\n"
        "from pydantic.plugin import _loader\n"
        "assert list(_loader.get_plugins()) == []\n"
        "from pydantic.plugin._loader import _plugins\n"
        "assert sys.modules['pydantic.plugin._loader'] is not _loader\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"},
    )
    assert result.stdout.strip() == "ok", result.stderr
