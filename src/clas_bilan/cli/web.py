"""The browser form's command: ``formulaire`` serves the answers file as a page to fill."""

# No ``from __future__ import annotations`` here: typer would then compile and evaluate
# every parameter annotation at each start; evaluated once at import, start-up is faster.

from pathlib import Path
from typing import Annotated

import typer

from clas_bilan.cli.common import app, handled, port_option
from clas_bilan.cli.output import escape, out, print_report


@app.command(
    "formulaire",
    help=(
        "Ouvre le bilan dans votre navigateur, comme un formulaire à remplir : chaque "
        "réponse est vérifiée pendant la saisie (les mêmes vérifications que validate) et "
        "enregistrée automatiquement dans le fichier de réponses, créé s'il n'existe pas. "
        "Le bouton « Produire le bilan » écrit le bilan Word à côté du fichier.\n\n"
        "Le formulaire n'est accessible que depuis cet ordinateur ; il s'arrête avec Ctrl+C "
        "dans le terminal.\n\n"
        "Exemple : clas-bilan formulaire reponses.yaml"
    ),
)
def formulaire_command(
    fichier: Annotated[
        Path,
        typer.Argument(
            help="Fichier de réponses à remplir (créé s'il n'existe pas).", metavar="FICHIER"
        ),
    ] = Path("reponses.yaml"),
    port: Annotated[
        int | None, port_option("Port du formulaire, de 1 à 65535 (par défaut : un port libre).")
    ] = None,
    sans_navigateur: Annotated[
        bool,
        typer.Option("--sans-navigateur", help="N'ouvre pas le navigateur : affiche l'adresse."),
    ] = False,
) -> None:
    """Serve the answers file as a form in the browser, checked as the user types."""
    from clas_bilan.web import server
    from clas_bilan.web.session import UnreadableFile

    with handled():
        try:
            session, created = server.prepare(fichier)
        except UnreadableFile as error:
            print_report(error.report)
            raise
        access = server.remember(session, Path(typer.get_app_dir("clas-bilan")))
        sock = server.bind(port, access)
    if created:
        out.print(f"Fichier de réponses créé : {escape(str(fichier))}")

    def ready(url: str) -> None:
        out.print(f"[bold green]Formulaire ouvert[/] à l'adresse : {url}")
        if sans_navigateur:
            out.print("Ouvrez cette adresse dans votre navigateur.")
        else:
            out.print("Si le navigateur ne s'est pas ouvert, ouvrez-y cette adresse.")
        out.print(
            f"Les réponses sont enregistrées dans {escape(str(fichier))}. "
            "Pour arrêter le formulaire : Ctrl+C dans ce terminal."
        )

    try:
        with handled():
            server.serve(session, sock, browser=not sans_navigateur, ready=ready)
    except KeyboardInterrupt:
        pass
    out.print("Formulaire arrêté.")
