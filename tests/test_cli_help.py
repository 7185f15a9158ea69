"""Every command explains itself in French, with an example."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from clas_bilan import __version__
from clas_bilan.cli import app

runner = CliRunner()
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
ENGLISH = ("Show this message", "Install completion", "Show completion", "Commands ")


def test_every_contract_command_exists() -> None:
    assert {"init", "validate", "render", "extract", "email", "schema"} <= set(COMMANDS)


def test_top_level_help_is_french_with_an_example() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Exemple" in result.output
    assert "Affiche ce message" in result.output
    for english in ENGLISH:
        assert english not in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_is_french_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"Exemple : clas-bilan {command}" in " ".join(result.output.split())
    for english in ENGLISH:
        assert english not in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"clas-bilan {__version__}"


def test_unknown_command_is_a_french_usage_error() -> None:
    result = runner.invoke(app, ["rendre"])
    assert result.exit_code == 2
