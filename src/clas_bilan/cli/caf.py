"""The Caf's command: ``synthese`` gathers the bilans received into one workbook."""

# No ``from __future__ import annotations`` here: typer would then compile and evaluate
# every parameter annotation at each start; evaluated once at import, start-up is faster.

from pathlib import Path
from typing import Annotated

import typer

from clas_bilan.cli.common import app, force_option, handled, sortie_option
from clas_bilan.cli.output import err, escape, out, progress_bar
from clas_bilan.errors import UsageError
from clas_bilan.files import check_new


@app.command(
    "synthese",
    help=(
        "Pour la Caf ou une fédération : rassemble les bilans reçus dans un seul classeur "
        "Excel (.xlsx), une ligne par bilan, avec les totaux du département et des "
        "graphiques ; ou dans un fichier CSV (-o synthese.csv) pour un traitement "
        "automatique.\n\n"
        "Entrées : bilans Word (.docx, produits par clas-bilan ou remplis à la main), "
        "fichiers de réponses (.yaml), courriels enregistrés (.eml, les bilans joints sont "
        "lus), ou dossiers qui en contiennent (sous-dossiers compris).\n\n"
        "Feuilles : Synthèse (totaux, graphiques), Bilans (une ligne par bilan), Formations, "
        "Territoires, À vérifier (erreurs et avertissements de chaque bilan, fichiers "
        "illisibles et pourquoi). Un équipement reçu deux fois est signalé ; seul son bilan "
        "le plus récent compte dans les totaux.\n\n"
        "CSV : en-têtes = clés du fichier de réponses (equipement.nom, public.inscrits.CP…) "
        "et colonnes calculées ; séparateur « ; », virgule décimale, UTF-8 avec BOM.\n\n"
        "Code de sortie : 0 si toutes les entrées ont été lues ; 1 si certaines n'ont pas pu "
        "l'être (le classeur est écrit quand même, elles sont dans « À vérifier ») ; 2 si "
        "rien n'a été écrit (entrée introuvable, fichier de sortie existant…).\n\n"
        "Exemple : clas-bilan synthese bilans_recus/ -o synthese.xlsx"
    ),
)
def synthese_command(
    entrees: Annotated[
        list[Path],
        typer.Argument(
            help="Bilans (.docx), fichiers de réponses (.yaml), courriels (.eml) ou dossiers.",
            show_default=False,
            metavar="ENTRÉES",
        ),
    ],
    sortie: Annotated[
        Path,
        sortie_option("Classeur .xlsx ou fichier .csv à écrire (par défaut : synthese.xlsx)."),
    ] = Path("synthese.xlsx"),
    force: Annotated[bool, force_option("Remplace le fichier de sortie s'il existe déjà.")] = False,
) -> None:
    """Read every bilan given into one workbook (or CSV file)."""
    from clas_bilan import synthese, workbook

    with handled():
        if sortie.suffix.lower() not in {".xlsx", ".csv"}:
            raise UsageError(
                f"« {sortie.name} » : le fichier de sortie doit finir par .xlsx (classeur) "
                "ou .csv.",
                hint="par exemple : -o synthese.xlsx",
            )
        check_new(sortie, force=force, inputs=entrees)
        with progress_bar("Lecture") as progress:
            task = progress.add_task("lecture", total=None)
            result = synthese.synthesize(
                entrees,
                on_total=lambda total: progress.update(task, total=total),
                on_progress=lambda done: progress.advance(task, done),
            )
        with out.status(f"Écriture de {escape(sortie.name)}…"):
            workbook.write(result, sortie, force=force)
    with_errors = sum(1 for bilan in result.bilans if bilan.values["erreurs"])
    doubles = len(result.bilans) - len(result.counted)
    out.print(f"[bold green]Synthèse écrite :[/] {escape(str(sortie))}")
    out.print(
        f"{len(result.bilans)} bilan(s) lu(s), dont {with_errors} avec des erreurs"
        + (f", {doubles} version(s) antérieure(s) d'un même équipement" if doubles else "")
        + "."
    )
    for unread in result.unread:
        err.print(f"[bold red]Non lu[/] {escape(unread.source)} : {escape(unread.reason)}")
    if result.unread:
        err.print(
            f"[bold red]{len(result.unread)} entrée(s) n'ont pas pu être lues[/] : elles sont "
            "listées dans la feuille « À vérifier »."
            if sortie.suffix.lower() == ".xlsx"
            else f"[bold red]{len(result.unread)} entrée(s) n'ont pas pu être lues[/] "
            "(listées ci-dessus)."
        )
    raise typer.Exit(result.exit_code)
