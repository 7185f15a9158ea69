"""How the program starts: the built application's double-click, and a path's stray quote.

Started with no argument from the built application (a double-click), the program opens
the browser form on ``Bilan CLAS/reponses.yaml`` in the user's Documents; with
arguments it is the command line. Worker processes of a frozen build (``synthese``)
start through here too, and ``freeze_support`` lets them run their work, not the command.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

from clas_bilan.cli.output import err, escape, out


def begin() -> None:
    """Before the command line is read: a worker's start, a stray quote, a double-click."""
    multiprocessing.freeze_support()
    arguments = sys.argv[1:]
    stray = next((arg for arg in arguments if _stray_quote(arg)), None)
    if stray is not None:
        err.print(
            f"[bold red]Erreur :[/] le chemin « {escape(stray)} » se termine par un "
            'guillemet « " » : il est introuvable.'
        )
        err.print(
            "[yellow]Conseil :[/] Windows lit « \\\" » à la fin d'un chemin entre guillemets "
            "comme un guillemet (PowerShell l'écrit ainsi en complétant un nom de dossier) : "
            "retirez le « \\ » final, par exemple "
            f'« "{escape(stray[:-1].rstrip(chr(92)))}" ».'
        )
        sys.exit(2)
    if not arguments and getattr(sys, "frozen", False):
        sys.argv[1:] = _documents_form()


def _stray_quote(argument: str) -> bool:
    """True for a path that ends in a stray quote: Windows read a final backslash-quote."""
    return argument.endswith('"') and argument.count('"') == 1 and not Path(argument).exists()


def _documents_form() -> list[str]:
    """The arguments of a double-click: the form on the answers file in Documents."""
    from clas_bilan import places

    answers = places.default_answers()
    try:
        answers.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        err.print(
            "[bold red]Erreur :[/] impossible de créer le dossier "
            f"« {escape(str(answers.parent))} » ({escape(error.strerror or str(error))})."
        )
        sys.exit(2)
    out.print(f"[bold]Votre bilan CLAS est dans le fichier :[/] {escape(str(answers))}")
    out.print("Gardez cette fenêtre ouverte pendant que vous remplissez le formulaire.")
    return ["formulaire", str(answers)]
