"""What every command shares: the typer app, the options described per command, the error handler.

Each command family has its module (``answers``, ``document``, ``sending``, ``caf``, ``web``);
what they print is in ``output``, typer's own texts in French in ``typer_fr``.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer

from clas_bilan import __version__
from clas_bilan.cli.output import err, escape
from clas_bilan.cli.typer_fr import FrenchGroup
from clas_bilan.errors import UserError

# Start-up stays light (``--version``, ``--help``): rich, pydantic, yaml and python-docx
# are imported inside the functions that use them.

app = typer.Typer(
    cls=FrenchGroup,
    name="clas-bilan",
    help=(
        "Remplit le bilan CLAS {annee} de la Caf de l'Ain à partir d'un fichier de "
        "réponses YAML.\n\n"
        "Exemple : clas-bilan init reponses.yaml, puis clas-bilan validate reponses.yaml, "
        "puis clas-bilan render reponses.yaml -o bilan.docx"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clas-bilan {__version__}")
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
    """Fill the Caf de l'Ain's Bilan CLAS (typer shows the app's help, not this)."""
    state["debug"] = debug


def sortie_option(help: str, *, metavar: str = "FICHIER") -> Any:
    """The ``-o/--sortie`` option, described for one command."""
    return typer.Option("-o", "--sortie", metavar=metavar, help=help, show_default=False)


def modele_option(help: str) -> Any:
    """The ``--template/--modele`` option: another copy of the form, described for one command."""
    return typer.Option("--template", "--modele", metavar="MODELE", help=help, show_default=False)


def port_option(help: str) -> Any:
    """The ``--port`` option (1 to 65535), described for one command."""
    return typer.Option("--port", metavar="PORT", min=1, max=65535, help=help, show_default=False)


def force_option(help: str) -> Any:
    """The ``--force`` option, described for one command."""
    return typer.Option("--force", help=help)


def fail(error: UserError) -> NoReturn:
    """Print a user error in French on stderr and exit with its code."""
    err.print(f"[bold red]Erreur :[/] {escape(_as_typed(error.message))}")
    if error.hint:
        err.print(f"[yellow]Conseil :[/] {escape(_as_typed(error.hint))}")
    raise typer.Exit(error.exit_code)


def _as_typed(message: str) -> str:
    """The message naming the form option as the user spelled it (--template or --modele)."""
    typed = any(arg == "--template" or arg.startswith("--template=") for arg in sys.argv[1:])
    return message.replace("--modele", "--template") if typed else message


@contextmanager
def handled() -> Iterator[None]:
    """Turn any error of a command into a French message and an exit code, not a traceback."""
    try:
        yield
    except UserError as error:
        if state["debug"]:
            raise
        fail(error)
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except MemoryError:
        if state["debug"]:
            raise
        fail(UserError("mémoire insuffisante pour traiter ce fichier."))
    except Exception as error:
        if state["debug"]:
            raise
        fail(
            UserError(
                f"erreur inattendue ({type(error).__name__}).",
                hint="relancez la commande avec --debug et signalez-nous le message affiché.",
            )
        )
