"""The Word bilan's commands: ``render`` fills it from the answers, ``extract`` reads it back."""

# No ``from __future__ import annotations`` here: typer would then compile and evaluate
# every parameter annotation at each start; evaluated once at import, start-up is faster.

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from clas_bilan.cli.common import app, force_option, handled, modele_option, sortie_option, state
from clas_bilan.cli.output import err, escape, out, print_report, progress_bar, quoted
from clas_bilan.errors import WouldOverwrite
from clas_bilan.files import check_new

_NEXT_STEPS = (
    "Prochaines étapes :\n"
    "  1. Ouvrez le bilan dans Word ou LibreOffice, relisez-le, puis datez et signez-le.\n"
    "  2. Envoyez-le par courriel à {email} avant le {deadline} :\n"
    "     clas-bilan email {bilan}\n"
    "  3. Déposez aussi le bilan sur AFAS / ESPADA."
)


@app.command(
    "render",
    help=(
        "Produit le bilan Word (.docx) rempli à partir du fichier de réponses. Le fichier est "
        "d'abord contrôlé : s'il contient des erreurs, aucun bilan n'est écrit.\n\n"
        "Exemple : clas-bilan render reponses.yaml -o bilan.docx\n\n"
        "Plusieurs bilans d'un coup : clas-bilan render dossier_reponses/ -o bilans/"
    ),
)
def render_command(
    fichiers: Annotated[
        list[Path],
        typer.Argument(
            help="Le fichier de réponses (.yaml) ; ou plusieurs fichiers, ou un dossier, pour "
            "produire un bilan par fichier de réponses.",
            show_default=False,
            metavar="FICHIER",
        ),
    ],
    sortie: Annotated[
        Path | None,
        sortie_option(
            "Bilan .docx à écrire (par défaut : bilan_clas_{campagne}_<équipement>.docx, "
            "à côté du fichier de réponses). Avec plusieurs fichiers ou un dossier : le "
            "dossier où écrire les bilans (créé s'il n'existe pas)."
        ),
    ] = None,
    modele: Annotated[
        Path | None,
        modele_option(
            "Autre exemplaire du formulaire (.docx) à remplir à la place du modèle fourni."
        ),
    ] = None,
    force: Annotated[
        bool, force_option("Remplace le bilan (et le PDF) s'ils existent déjà.")
    ] = False,
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Produit aussi une copie PDF (LibreOffice doit être installé)."),
    ] = False,
) -> None:
    """Validate the answers, then write the filled bilan (one per file for several files)."""
    from clas_bilan import campaigns, form
    from clas_bilan import render as render_module
    from clas_bilan.checks import validate_file
    from clas_bilan.pdf import copy_beside, refresh_copy

    fichier = fichiers[0]
    if len(fichiers) > 1 or fichier.is_dir() or (sortie is not None and sortie.is_dir()):
        _render_many(fichiers, sortie, modele, force=force, pdf=pdf)
    with handled():
        report = validate_file(fichier)
        print_report(report, ready=False)
        if report.answers is None or report.errors:
            err.print("[bold red]Le bilan n'a pas été produit :[/] corrigez d'abord les erreurs.")
            raise typer.Exit(1)
        target = sortie or fichier.parent / render_module.default_name(report.answers)
        pdf_target = target.with_suffix(".pdf")
        check_new(target, force=force, inputs=(fichier, modele))
        if pdf and pdf_target.exists() and not force:
            raise WouldOverwrite(
                f"le fichier « {pdf_target} » existe déjà.",
                advice="ajoutez --force pour le remplacer.",
            )
        replaced = target.exists()
        notes: list[str] = []
        render_module.render(
            report.answers,
            target,
            template=modele,
            force=force,
            base=fichier.parent,
            warnings=notes,
        )
        for note in notes:
            err.print(f"[yellow]Avertissement :[/] {escape(note)}")
        out.print(f"[bold green]Bilan écrit :[/] {escape(str(target))}")
        if pdf:
            copy_beside(target, pdf_target)
            out.print(f"[green]Copie PDF :[/] {escape(str(pdf_target))}")
        elif replaced:
            said = refresh_copy(target, pdf_target)
            if said:
                out.print(f"[yellow]{escape(said)}[/]")
        out.print(
            escape(
                _NEXT_STEPS.format(
                    email=form.CAF_EMAIL,
                    deadline=campaigns.current().deadline_text,
                    bilan=quoted(target),
                )
            )
        )


def _render_many(
    inputs: list[Path], folder: Path | None, template: Path | None, *, force: bool, pdf: bool
) -> NoReturn:
    """Batch ``render``: a progress bar, then what became of each file; exit 1 if any failed.

    With ``pdf``, the PDF copies of the bilans written are made by one start of LibreOffice.
    """
    from clas_bilan import batch, campaigns, form
    from clas_bilan.cli.sending import pdf_copies

    with handled():
        sources = batch.collect(inputs)
        with progress_bar("Bilans") as progress:
            task = progress.add_task("bilans", total=len(sources))
            result = batch.render_batch(
                sources,
                folder,
                template=template,
                force=force,
                on_progress=lambda outcome: progress.advance(task),
                debug=state["debug"],
            )
    for outcome in result.outcomes:
        name = escape(str(outcome.source))
        if outcome.output is None:
            err.print(f"[bold red]Échec[/] {name} : {escape(outcome.problem or '')}")
            continue
        warned = f" [yellow]({outcome.warnings} avertissement(s))[/]" if outcome.warnings else ""
        out.print(f"[green]Bilan écrit[/] {name} → {escape(str(outcome.output))}{warned}")
        for note in outcome.notes:
            err.print(f"  [yellow]Avertissement :[/] {escape(note)}")
    written, failed = len(result.written), len(result.failed)
    out.print(f"[bold]{written} bilan(s) écrit(s), {failed} échec(s).[/]")
    pdf_failed = (
        pdf
        and result.written
        and not pdf_copies(
            [outcome.output for outcome in result.written if outcome.output], force=force
        )
    )
    if failed:
        err.print(
            "Corrigez les fichiers en échec (détail avec : clas-bilan validate FICHIER), puis "
            "relancez la commande sur eux."
        )
    if written:
        out.print(
            f"Relisez, datez et signez chaque bilan, puis envoyez-le à {form.CAF_EMAIL} avant "
            f"le {campaigns.current().deadline_text} (clas-bilan email BILAN.docx) et déposez-le "
            "aussi sur "
            "AFAS / ESPADA."
        )
        if any(outcome.warnings for outcome in result.written):
            out.print("Avertissements à relire : clas-bilan validate FICHIER.")
    raise typer.Exit(1 if pdf_failed else result.exit_code)


# extract ---------------------------------------------------------------------


@app.command(
    "extract",
    help=(
        "Relit un bilan Word rempli (produit par clas-bilan ou rempli à la main dans Word) "
        "et en fait un fichier de réponses, pour ne rien ressaisir.\n\n"
        "Exemple : clas-bilan extract bilan.docx -o reponses.yaml"
    ),
)
def extract_command(
    bilan: Annotated[
        Path,
        typer.Argument(
            help="Le bilan rempli (.docx) à relire.", show_default=False, metavar="BILAN"
        ),
    ],
    sortie: Annotated[
        Path | None,
        sortie_option("Fichier de réponses à écrire (par défaut : le nom du bilan en .yaml)."),
    ] = None,
    modele: Annotated[
        Path | None, modele_option("Exemplaire du formulaire (.docx) dont le bilan a été rempli.")
    ] = None,
    force: Annotated[
        bool, force_option("Remplace le fichier de réponses s'il existe déjà.")
    ] = False,
) -> None:
    """Read a filled bilan back into an answers file."""
    from clas_bilan import extract as extract_module
    from clas_bilan.checks import validate_file

    with handled():
        target = sortie or bilan.with_suffix(".yaml")
        found = extract_module.extract(bilan, template=modele)  # first: is it a bilan at all?
        check_new(target, force=force, inputs=(bilan, modele))
        text = extract_module.to_yaml(
            found.answers, source=bilan.name, problems=[*found.problems, *found.warnings]
        )
        extract_module.save_yaml(text, target, force=force)
        for problem in found.problems:
            err.print(f"[yellow]Réponse non reprise :[/] {escape(problem)}")
        for warning in found.warnings:
            err.print(f"[yellow]À vérifier :[/] {escape(warning)}")
        if found.signature_image:
            out.print(
                "Le bilan porte une image de signature (signature scannée ou tampon) : elle "
                "n'est pas reprise dans le fichier de réponses (ajoutez « image: » sous "
                "« signature: » pour la remettre)."
            )
        out.print(f"[bold green]Fichier de réponses écrit :[/] {escape(str(target))}")
        print_report(validate_file(target))
        out.print(f"Vérifiez-le, puis : clas-bilan validate {escape(quoted(target))}")
