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
        "Feuilles : Synthèse (totaux en formules, graphiques), Bilans (une ligne par bilan), "
        "À vérifier (fichiers non lus et anomalies, avec ce qu'il faut demander au projet), "
        "Bonifications, Réponses libres, Formations, Territoires ; avec --attendus, "
        "Manquants ; avec --relances, Relances ; avec --precedente, Évolution. Un équipement "
        "reçu plusieurs fois est signalé ; seule sa dernière version compte (date de "
        "signature, puis du courriel, puis du fichier).\n\n"
        "CSV : première colonne « compte » (oui pour les bilans comptés : filtrez dessus), "
        "puis les clés du fichier de réponses (equipement.nom, public.inscrits.CP…) et les "
        "colonnes calculées ; séparateur « ; », virgule décimale, UTF-8 avec BOM.\n\n"
        "Code de sortie : 0 si toutes les entrées ont été lues ; 1 si certaines n'ont pas pu "
        "l'être (le classeur est écrit quand même, elles sont dans « À vérifier ») ; 2 si "
        "rien n'a été écrit (entrée introuvable, fichier de sortie existant…).\n\n"
        "Exemple : clas-bilan synthese bilans_recus/ -o synthese.xlsx\n\n"
        "Exemple : clas-bilan synthese bilans_recus/ --attendus projets.xlsx --relances "
        "relances/ --de clas@caf.example --montant-collectif 150"
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
    force: Annotated[
        bool,
        force_option(
            "Remplace le fichier de sortie (et les brouillons de relance) s'ils existent."
        ),
    ] = False,
    attendus: Annotated[
        Path | None,
        typer.Option(
            "--attendus",
            help="Liste des projets financés (.csv ou .xlsx : Structure, Équipement, Commune, "
            "Mail de la coordination), ou le classeur de synthèse de l'an dernier : la "
            "feuille « Manquants » dit qui n'a pas envoyé son bilan.",
            metavar="FICHIER",
            show_default=False,
        ),
    ] = None,
    relances: Annotated[
        Path | None,
        typer.Option(
            "--relances",
            help="Dossier où écrire un brouillon de courriel (.eml) par projet à relancer "
            "(bilan manquant, illisible, non signé, en retard, avec des erreurs ou des "
            "questions sans réponse) ; demande --de.",
            metavar="DOSSIER",
            show_default=False,
        ),
    ] = None,
    de: Annotated[
        str | None,
        typer.Option(
            "--de",
            help="Adresse mail de la Caf, expéditrice des relances.",
            metavar="ADRESSE",
            show_default=False,
        ),
    ] = None,
    avant: Annotated[
        str | None,
        typer.Option(
            "--avant",
            help="Date limite donnée dans les relances (par défaut : dans 15 jours).",
            metavar="JJ/MM/AAAA",
            show_default=False,
        ),
    ] = None,
    montant_collectif: Annotated[
        str | None,
        typer.Option(
            "--montant-collectif",
            help="Montant d'un bonus par collectif concerné, en euros (les deux bonus) : "
            "la feuille « Bonifications » donne le montant par projet et le total.",
            metavar="EUROS",
            show_default=False,
        ),
    ] = None,
    montant_enfants: Annotated[
        str | None,
        typer.Option(
            "--montant-enfants",
            help="Montant du bonus enfants par collectif concerné, en euros.",
            metavar="EUROS",
            show_default=False,
        ),
    ] = None,
    montant_parents: Annotated[
        str | None,
        typer.Option(
            "--montant-parents",
            help="Montant du bonus parents par collectif concerné, en euros.",
            metavar="EUROS",
            show_default=False,
        ),
    ] = None,
    precedente: Annotated[
        Path | None,
        typer.Option(
            "--precedente",
            help="Classeur de synthèse de l'an dernier : la feuille « Évolution » compare "
            "chaque équipement d'une année à l'autre.",
            metavar="FICHIER",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Read every bilan given into one workbook (or CSV file)."""
    from clas_bilan import desk, synthese, workbook

    with handled():
        if sortie.suffix.lower() not in {".xlsx", ".csv"}:
            raise UsageError(
                f"« {sortie.name} » : le fichier de sortie doit finir par .xlsx (classeur) "
                "ou .csv.",
                hint="par exemple : -o synthese.xlsx",
            )
        check_new(sortie, force=force, inputs=entrees)
        options = desk.prepare(
            attendus=attendus,
            relances=relances,
            de=de,
            avant=avant,
            precedente=precedente,
            montant_collectif=montant_collectif,
            montant_enfants=montant_enfants,
            montant_parents=montant_parents,
            sheets=sortie.suffix.lower() == ".xlsx",
        )
        with progress_bar("Lecture") as progress:
            task = progress.add_task("lecture", total=None)
            result = synthese.synthesize(
                entrees,
                on_total=lambda total: progress.update(task, total=total),
                on_progress=lambda done: progress.advance(task, done),
            )
        with out.status(f"Écriture de {escape(sortie.name)}…"):
            extras = desk.extras(result, options, force=force)
            workbook.write(result, sortie, force=force, extras=extras)
    with_errors = sum(1 for bilan in result.bilans if bilan.values["erreurs"])
    doubles = len(result.bilans) - len(result.counted)
    out.print(f"[bold green]Synthèse écrite :[/] {escape(str(sortie))}")
    out.print(
        f"{len(result.bilans)} bilan(s) lu(s), dont {with_errors} avec des erreurs"
        + (f", {doubles} version(s) antérieure(s) d'un même équipement" if doubles else "")
        + "."
    )
    tied = len(result.undecided)
    if tied:
        out.print(
            f"[bold yellow]{tied} équipement(s) reçu(s) en versions indiscernables[/] : "
            "à départager (feuille « À vérifier »)."
        )
    if extras.matching is not None:
        missing = sum(1 for gap in extras.matching.gaps if gap.situation != "reçu, non attendu")
        out.print(f"Projets attendus sans bilan compté : {missing} (feuille « Manquants »).")
    if relances is not None:
        out.print(
            f"Brouillons de relance écrits dans « {escape(str(relances))} » : "
            f"{len(options.drafts)} (ouvrez-les dans votre messagerie, relisez-les, envoyez-les)."
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
