"""Answers-file commands: ``init`` writes one, ``validate`` checks it, ``schema`` describes it."""

# No ``from __future__ import annotations`` here: typer would then compile and evaluate
# every parameter annotation at each start; evaluated once at import, start-up is faster.

import sys
from pathlib import Path
from typing import Annotated

import typer

from clas_bilan import SCHEMA_FILE
from clas_bilan.cli.common import app, force_option, handled, sortie_option
from clas_bilan.cli.output import err, escape, out, print_report
from clas_bilan.errors import OutputError, UsageError, WouldOverwrite
from clas_bilan.files import check_new


@app.command(
    "init",
    help=(
        "Crée un fichier de réponses à remplir : chaque question du formulaire y figure en "
        "commentaire, devant sa clé. Avec --exemple, écrit à la place un exemple complet et "
        "réaliste. Ne remplace jamais un fichier existant sans --force.\n\n"
        f"La première ligne du fichier pointe vers {SCHEMA_FILE} : créez-le dans le "
        f"même dossier avec « clas-bilan schema -o {SCHEMA_FILE} » pour que VS Code "
        "(extension YAML) complète et vérifie les clés pendant la saisie.\n\n"
        "Exemple : clas-bilan init reponses.yaml\n\n"
        "Exemple : clas-bilan init exemple.yaml --exemple\n\n"
        "Avec --depuis, repart du bilan (ou du fichier de réponses) de l'an dernier : ce qui "
        "ne change pas d'une année à l'autre est repris, les réponses de l'année sont à "
        "remplir.\n\n"
        "Exemple : clas-bilan init reponses.yaml --depuis bilan_an_dernier.docx"
    ),
)
def init_command(
    fichier: Annotated[
        Path, typer.Argument(help="Fichier de réponses à créer.", metavar="FICHIER")
    ] = Path("reponses.yaml"),
    exemple: Annotated[
        bool, typer.Option("--exemple", help="Écrit un exemple complet au lieu d'un fichier vide.")
    ] = False,
    force: Annotated[bool, force_option("Remplace le fichier s'il existe déjà.")] = False,
    depuis: Annotated[
        Path | None,
        typer.Option(
            "--depuis",
            metavar="ANCIEN",
            help="Bilan Word (.docx) ou fichier de réponses d'une campagne précédente : "
            "gestionnaire, équipement, intitulé, coordination, territoires et établissements "
            "sont repris ; les réponses de l'année restent à remplir.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a commented answers file, the complete example, or one started from last year's."""
    from clas_bilan import scaffold

    with handled():
        try:
            if depuis is not None:
                _init_from(fichier, depuis, exemple=exemple, force=force)
                return
            scaffold.write_new(fichier, scaffold.init_text(example=exemple), force)
        except WouldOverwrite as error:
            error.hint = (
                "ajoutez --force pour le remplacer (vos réponses seraient perdues), ou "
                "donnez un autre nom : clas-bilan init autre_nom.yaml"
            )
            raise
        except OutputError as error:
            # init names its file as an argument: it has no -o option to suggest
            error.name_elsewhere("en donnant le chemin du fichier : clas-bilan init CHEMIN.yaml")
            raise
        what = "Exemple complet écrit" if exemple else "Fichier de réponses créé"
        out.print(f"{what} : {escape(str(fichier))}")
        out.print(
            f"Remplissez-le, puis vérifiez-le avec : clas-bilan validate {escape(str(fichier))}"
        )


def _init_from(fichier: Path, depuis: Path, *, exemple: bool, force: bool) -> None:
    """``init --depuis``: a new answers file carrying over what stays true from an older one."""
    from clas_bilan import campaigns, carryover, scaffold

    if exemple:
        raise UsageError(
            "--exemple et --depuis ne vont pas ensemble.",
            hint="choisissez l'un des deux : l'exemple complet, ou la reprise d'un bilan.",
        )
    check_new(fichier, force=force, inputs=(depuis,))
    text, carried = carryover.init_text(depuis)
    scaffold.write_new(fichier, text, force)
    for problem in carried.problems:
        err.print(f"[yellow]Réponse non reprise :[/] {escape(problem)}")
    out.print(f"Fichier de réponses créé : {escape(str(fichier))}")
    out.print(
        f"Repris du bilan CLAS {carried.source.label} « {escape(depuis.name)} » : "
        f"{carryover.CARRIED_TEXT}. Les réponses de l'année {campaigns.current().label} sont à "
        "remplir."
    )
    out.print(f"Remplissez-le, puis vérifiez-le avec : clas-bilan validate {escape(str(fichier))}")


@app.command(
    "validate",
    help=(
        "Vérifie un fichier de réponses et affiche tous les problèmes d'un coup, chacun avec "
        "sa ligne et la question du formulaire, puis un résumé : questions renseignées, ETP "
        "calculés, sous-totaux et total des inscrits, critères des bonus.\n\n"
        "Code de sortie : 0 si aucune erreur (avertissements possibles), 1 si les réponses "
        "ont des erreurs, 2 si le fichier est introuvable ou illisible.\n\n"
        "Le fichier doit être du texte UTF-8 (ou UTF-16 avec BOM) ; un fichier enregistré en "
        "« ANSI » (Windows-1252) est lu quand même, avec un avertissement. Limite : 2 Mo.\n\n"
        "Exemple : clas-bilan validate reponses.yaml"
    ),
)
def validate_command(
    fichier: Annotated[
        Path,
        typer.Argument(
            help="Fichier de réponses (.yaml) à vérifier.", show_default=False, metavar="FICHIER"
        ),
    ],
) -> None:
    """Validate an answers file and print every finding and the summary."""
    from clas_bilan import checks

    with handled():
        report = checks.validate_file(fichier)
        print_report(report)
    raise typer.Exit(report.exit_code)


@app.command(
    "schema",
    help=(
        "Affiche le schéma JSON du fichier de réponses (ou l'écrit avec -o), pour que "
        "l'éditeur (VS Code avec l'extension YAML) propose les clés et signale les fautes "
        "pendant la saisie. Les fichiers créés par « clas-bilan init » commencent par la "
        f"ligne « # yaml-language-server: $schema={SCHEMA_FILE} » : écrivez le "
        "schéma sous ce nom, dans le même dossier.\n\n"
        f"Exemple : clas-bilan schema -o {SCHEMA_FILE}"
    ),
)
def schema_command(
    sortie: Annotated[
        Path | None,
        sortie_option("Fichier où écrire le schéma (sinon : affiché)."),
    ] = None,
    force: Annotated[bool, force_option("Remplace le fichier s'il existe déjà.")] = False,
) -> None:
    """Print or write the JSON Schema of the answers file."""
    from clas_bilan import scaffold

    with handled():
        text = scaffold.json_schema()
        if sortie is None:
            sys.stdout.write(text)
            return
        scaffold.write_new(sortie, text, force)
        out.print(f"Schéma écrit : {escape(str(sortie))}")
