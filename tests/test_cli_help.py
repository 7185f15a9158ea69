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


@pytest.mark.parametrize(
    ("args", "french"),
    [
        (["rendre"], "Commande inconnue « rendre ». Vouliez-vous dire « render » ?"),
        (["render"], "Argument manquant : FICHIER"),
        (["validate", "--nope"], "Option inconnue : --nope"),
        (["validate", "a.yaml", "b.yaml"], "Argument en trop : b.yaml"),
        (["email", "b.docx", "--port", "abc"], "« --port » : nombre entier attendu."),
        (["email", "b.docx", "--port", "0"], "« --port » : la valeur doit être au moins 1."),
        (["email", "b.docx", "--securite", "tls"], "« tls » n'est pas une des valeurs"),
        (["email", "b.docx", "--de"], "L'option « --de » attend une valeur."),
    ],
)
def test_usage_errors_are_french(args: list[str], french: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    shown = " ".join(result.output.replace("│", " ").split())
    assert french in shown
    assert "Try " not in shown and "Error" not in shown


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_no_python_type_names(command: str) -> None:
    result = runner.invoke(app, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0
    for jargon in ("<bool>", "<path>", "<str>", "list[", "range>", "<=x", "x>="):
        assert jargon not in result.output, (command, jargon)
