"""Command-line interface: parse arguments, call one core function, print in French."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clas_bilan import __version__
from clas_bilan.errors import UserError
from clas_bilan.report import Report

app = typer.Typer(
    name="clas-bilan",
    help=(
        "Remplit le bilan CLAS 2025/2026 de la Caf de l'Ain à partir d'un fichier de "
        "réponses YAML.\n\n"
        "Exemple : clas-bilan init reponses.yaml, puis clas-bilan validate reponses.yaml, "
        "puis clas-bilan render reponses.yaml -o bilan.docx"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        out.print(f"clas-bilan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Affiche la version et quitte."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Affiche le détail technique (traceback) en cas d'erreur."),
    ] = False,
) -> None:
    """Remplit le bilan CLAS 2025/2026 de la Caf de l'Ain."""
    _state["debug"] = debug


def fail(error: UserError) -> NoReturn:
    """Print a user error in French on stderr and exit with its code."""
    err.print(f"[bold red]Erreur :[/] {escape(error.message)}")
    if error.hint:
        err.print(f"[yellow]Conseil :[/] {escape(error.hint)}")
    raise typer.Exit(error.exit_code)


@contextmanager
def handled() -> Iterator[None]:
    """Turn any error of a command into a French message and an exit code, not a traceback."""
    try:
        yield
    except UserError as error:
        if _state["debug"]:
            raise
        fail(error)
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except MemoryError:
        if _state["debug"]:
            raise
        fail(UserError("mémoire insuffisante pour traiter ce fichier."))
    except Exception as error:
        if _state["debug"]:
            raise
        fail(
            UserError(
                f"erreur inattendue ({type(error).__name__}).",
                hint="relancez la commande avec --debug et signalez-nous le message affiché.",
            )
        )


# Report printing (validate, render) ------------------------------------------


def _number(value: float | None, digits: int = 2) -> str:
    """French number: decimal comma, or « — » when unknown."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",")


def print_report(report: Report) -> None:
    """Print every finding in a table (errors red, warnings yellow), then the summary."""
    if report.findings:
        table = Table(title=f"Contrôle de {report.path.name}", title_justify="left")
        table.add_column("Ligne", justify="right", no_wrap=True)
        table.add_column("Question du formulaire")
        table.add_column("Problème")
        for finding in report.findings:
            colour = "red" if finding.is_error else "yellow"
            question = escape(finding.short_label)
            if finding.key:
                question = f"{question}\n[dim]{escape(finding.key)}[/]".lstrip("\n")
            problem = finding.message + (f" {finding.hint}" if finding.hint else "")
            kind = "Erreur" if finding.is_error else "Avertissement"
            table.add_row(
                str(finding.line) if finding.line else "—",
                question,
                f"[{colour}]{kind} :[/] {escape(problem)}",
            )
        out.print(table)
    summary = report.summary
    if summary is not None:
        out.print(f"Questions renseignées : {summary.answered} / {summary.questions}")
        out.print(
            f"ETP salariés : {_number(summary.etp_salaries)} — "
            f"ETP bénévoles : {_number(summary.etp_benevoles)}"
        )
        sub = summary.subtotals
        out.print(
            "Inscrits : Elémentaire "
            + " — ".join(
                [
                    _number(sub.get("elementaire"), 0),
                    f"Collège {_number(sub.get('college'), 0)}",
                    f"Lycée {_number(sub.get('lycee'), 0)}",
                    f"Autre {_number(sub.get('autre'), 0)}",
                    f"TOTAL {_number(summary.total, 0)}",
                ]
            )
        )
        out.print(f"Moyenne par collectif : {_number(summary.average_per_collectif, 1)} enfant(s)")
        for name, bonus in (("enfants", summary.bonus_enfants), ("parents", summary.bonus_parents)):
            verdict = (
                "[green]critères remplis[/]"
                if bonus.eligible
                else "[yellow]critères non remplis[/]"
            )
            out.print(f"Bonus {name} : {verdict} — {escape(bonus.reason)}")
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        out.print(
            f"[bold red]{errors} erreur(s)[/], {warnings} avertissement(s) : "
            "corrigez les erreurs avant de produire le bilan."
        )
    elif warnings:
        out.print(f"[green]Aucune erreur[/], [yellow]{warnings} avertissement(s)[/] à relire.")
    else:
        out.print("[bold green]Aucune erreur, aucun avertissement : le fichier est prêt.[/]")


# Commands are added below, one section each; each calls one core function.


def main() -> None:
    """Entry point of the ``clas-bilan`` console script."""
    try:
        app()
    except UserError as error:  # raised outside a command (should not happen)
        if _state["debug"]:
            raise
        err.print(f"Erreur : {error.message}")
        sys.exit(error.exit_code)


__all__ = ["Path", "app", "main"]
