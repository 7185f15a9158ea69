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

from clas_bilan import __version__
from clas_bilan.errors import UserError

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
