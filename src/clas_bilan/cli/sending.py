"""Sending the bilan: ``email`` drafts (or sends) the e-mail, ``pdf`` makes a copy to print."""

# No ``from __future__ import annotations`` here: typer would then compile and evaluate
# every parameter annotation at each start; evaluated once at import, start-up is faster.

import os
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clas_bilan.cli.common import app, force_option, handled, port_option, sortie_option
from clas_bilan.cli.output import err, escape, out, quoted
from clas_bilan.errors import UsageError
from clas_bilan.files import check_new


class Securite(str, Enum):
    """How the SMTP connection is secured."""

    starttls = "starttls"
    ssl = "ssl"
    aucune = "aucune"


PASSWORD_VARIABLE = "CLAS_BILAN_SMTP_MOT_DE_PASSE"


@app.command(
    "email",
    help=(
        "Prépare le courriel de retour du bilan à parentalite@caf01.caf.fr, bilan joint : "
        "un brouillon .eml à ouvrir (double-clic) dans Outlook ou Thunderbird, à vérifier "
        "puis envoyer. Avec --envoyer, l'envoie directement par votre serveur d'envoi (SMTP).\n\n"
        "Exemple : clas-bilan email bilan.docx\n\n"
        "Avec le bilan signé et scanné : clas-bilan email bilan.docx --joindre bilan_signe.pdf\n\n"
        "Exemple : clas-bilan email bilan.docx --envoyer --serveur smtp.exemple.fr "
        "--utilisateur moi@exemple.fr\n\n"
        f"Le mot de passe est lu dans la variable {PASSWORD_VARIABLE}, sinon demandé "
        "(sans s'afficher) ; il n'est jamais écrit dans le brouillon."
    ),
)
def email_command(
    bilan: Annotated[
        Path,
        typer.Argument(
            help="Le bilan rempli (.docx) à joindre.", show_default=False, metavar="BILAN"
        ),
    ],
    sortie: Annotated[
        Path | None,
        sortie_option(
            "Brouillon .eml à écrire (par défaut : le nom du bilan en .eml ; "
            "avec --envoyer, aucun brouillon sauf si -o est donné)."
        ),
    ] = None,
    de: Annotated[
        str | None,
        typer.Option(
            "--de",
            metavar="ADRESSE",
            help="Votre adresse mail d'expéditeur (par défaut : celle de la coordination, "
            "lue dans le bilan).",
            show_default=False,
        ),
    ] = None,
    joindre: Annotated[
        list[Path] | None,
        typer.Option(
            "--joindre",
            metavar="FICHIER",
            help="Autre pièce jointe : la copie PDF du bilan (bilan.pdf à côté de bilan.docx, "
            "jointe sous le nom du bilan) ou le bilan signé et scanné en PDF (option à répéter "
            "pour plusieurs fichiers).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, force_option("Remplace le brouillon s'il existe déjà.")] = False,
    envoyer: Annotated[
        bool, typer.Option("--envoyer", help="Envoie le courriel au lieu d'écrire un brouillon.")
    ] = False,
    serveur: Annotated[
        str | None,
        typer.Option(
            "--serveur",
            metavar="SERVEUR",
            help="Serveur d'envoi SMTP (avec --envoyer).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int | None,
        port_option(
            "Port du serveur, de 1 à 65535 (par défaut : 587 en starttls, 465 en ssl, 25 sans)."
        ),
    ] = None,
    securite: Annotated[
        Securite, typer.Option("--securite", help="Chiffrement de la connexion.")
    ] = Securite.starttls,
    utilisateur: Annotated[
        str | None,
        typer.Option(
            "--utilisateur",
            metavar="IDENTIFIANT",
            help="Identifiant du compte d'envoi (souvent votre adresse mail).",
            show_default=False,
        ),
    ] = None,
    delai: Annotated[
        float,
        typer.Option(
            "--delai",
            min=1,
            metavar="SECONDES",
            help="Délai d'attente du serveur, en secondes (au moins 1).",
        ),
    ] = 30,
) -> None:
    """Write the e-mail draft to the Caf, or send it through SMTP."""
    from clas_bilan import form, mailing
    from clas_bilan.pdf import made_from, older

    with handled():
        if not envoyer and (serveur or utilisateur or port is not None):
            raise UsageError(
                "--serveur, --port et --utilisateur ne servent qu'avec --envoyer.",
                hint="ajoutez --envoyer pour envoyer le courriel, ou retirez ces options.",
            )
        if envoyer and not serveur:
            raise UsageError(
                "indiquez le serveur d'envoi avec --serveur pour utiliser --envoyer.",
                hint="par exemple --serveur smtp.exemple.fr (voir les réglages de votre "
                "messagerie), ou retirez --envoyer pour obtenir un brouillon à envoyer vous-même.",
            )
        for attached in joindre or ():
            if older(attached, bilan) and made_from(bilan, attached):
                raise UsageError(
                    f"« {attached.name} » a été produit avant la dernière version de "
                    f"« {bilan.name} » : il ne correspond plus au bilan.",
                    hint=f"refaites la copie PDF avec : clas-bilan pdf {quoted(bilan)} --force, "
                    "puis relancez cette commande.",
                )
            if older(attached, bilan) and attached.suffix.lower() == ".pdf":
                err.print(
                    f"[yellow]Attention :[/] « {escape(attached.name)} » est plus ancien que "
                    f"« {escape(bilan.name)} » : vérifiez qu'il correspond à la dernière version "
                    "du bilan."
                )
        answers, problem = mailing.answers_of(bilan)
        message = mailing.build_draft(bilan, sender=de, answers=answers, extra=joindre or ())
        if not envoyer or sortie is not None:
            check_new(
                sortie or bilan.with_suffix(".eml"), force=force, inputs=(bilan, *(joindre or ()))
            )
        if problem:
            err.print(
                f"[yellow]Attention :[/] {escape(problem)} L'objet du courriel ne nommera pas "
                "l'équipement."
            )
        name = mailing.attachment_name(bilan, answers)
        if not envoyer or sortie is not None:
            draft = mailing.write_draft(message, sortie or bilan.with_suffix(".eml"), force)
            out.print(f"[green]Brouillon écrit :[/] {escape(str(draft))}")
        if not envoyer:
            out.print(
                f"Ouvrez-le (double-clic) dans Outlook ou Thunderbird : il est adressé à "
                f"{form.CAF_EMAIL}, le bilan est joint sous le nom « {escape(name)} ». "
                "Relisez-le puis envoyez-le."
            )
            _offer_pdf_copy(bilan, joindre or ())
            if not message["From"]:
                err.print(
                    "[yellow]Attention :[/] adresse d'expéditeur inconnue (ni --de, ni adresse "
                    "de coordination dans le bilan) : votre messagerie utilisera la vôtre."
                )
            return
        assert serveur is not None
        settings = mailing.SmtpSettings(
            serveur, port, securite.value, utilisateur or None, timeout=delai
        )
        password = ""
        if settings.user:
            password = os.environ.get(PASSWORD_VARIABLE) or _ask_password(settings.user, serveur)
        mailing.send(message, settings, password)
        out.print(
            f"[bold green]Courriel envoyé[/] à {form.CAF_EMAIL} par "
            f"{escape(serveur)}, bilan « {escape(name)} » joint."
        )
        out.print("N'oubliez pas de déposer aussi le bilan sur AFAS / ESPADA.")


def _offer_pdf_copy(bilan: Path, attached: Sequence[Path]) -> None:
    """Say so when the bilan's PDF copy lies beside it and was not attached."""
    from clas_bilan import mailing
    from clas_bilan.pdf import older

    copy = mailing.pdf_copy(bilan)
    if copy is None or any(path.resolve() == copy.resolve() for path in attached):
        return
    if older(copy, bilan):
        out.print(
            f"La copie PDF « {escape(copy.name)} » est plus ancienne que le bilan : elle n'a "
            f"pas été jointe. Pour la refaire : clas-bilan pdf {escape(quoted(bilan))} --force"
        )
        return
    out.print(
        f"Une copie PDF du bilan est à côté : « {escape(copy.name)} ». Pour la joindre aussi, "
        f"relancez : clas-bilan email {escape(quoted(bilan))} --joindre {escape(quoted(copy))} "
        "--force"
    )


def _ask_password(user: str, server: str) -> str:
    """Ask for the SMTP password without echoing it; a French error if nothing can be read."""
    try:
        password: str = typer.prompt(f"Mot de passe de {user} sur {server}", hide_input=True)
    except typer.Abort:
        raise UsageError(
            "aucun mot de passe saisi : rien n'a été envoyé.",
            hint=f"lancez la commande dans un terminal, ou mettez le mot de passe dans la "
            f"variable d'environnement {PASSWORD_VARIABLE}.",
        ) from None
    return password


# pdf -------------------------------------------------------------------------


@app.command(
    "pdf",
    help=(
        "Produit une copie PDF d'un bilan .docx (pour vérifier la mise en page ou l'imprimer "
        "et le signer), avec LibreOffice, qui doit être installé. Plusieurs bilans : une "
        "copie PDF à côté de chacun, LibreOffice n'étant lancé qu'une fois.\n\n"
        "Exemple : clas-bilan pdf bilan.docx (écrit bilan.pdf)"
    ),
)
def pdf_command(
    bilans: Annotated[
        list[Path],
        typer.Argument(
            help="Le bilan (.docx) à convertir, ou plusieurs bilans.",
            show_default=False,
            metavar="BILAN",
        ),
    ],
    sortie: Annotated[
        Path | None,
        sortie_option("PDF à écrire (par défaut : le nom du bilan en .pdf ; un seul bilan)."),
    ] = None,
    force: Annotated[bool, force_option("Remplace le PDF s'il existe déjà.")] = False,
) -> None:
    """Convert one bilan, or several with one start of LibreOffice, to PDF."""
    from clas_bilan.pdf import to_pdf

    if len(bilans) > 1:
        with handled():
            if sortie is not None:
                raise UsageError(
                    "-o ne s'utilise qu'avec un seul bilan.",
                    hint="retirez -o : chaque copie PDF est écrite à côté de son bilan.",
                )
        raise typer.Exit(0 if pdf_copies(bilans, force=force) else 1)
    with handled():
        bilan = bilans[0]
        target = sortie or bilan.with_suffix(".pdf")
        check_new(target, force=force, inputs=(bilan,))
        to_pdf(bilan, target)
        out.print(f"[green]PDF écrit :[/] {escape(str(target))}")


def pdf_copies(bilans: list[Path], *, force: bool) -> bool:
    """A PDF copy beside each bilan, one start of LibreOffice; say each; True when all made."""
    from clas_bilan.pdf import copies

    with handled(), out.status(f"Copies PDF de {len(bilans)} bilan(s) avec LibreOffice…"):
        done = copies(bilans, force=force)
    for conversion in done:
        if conversion.error is None:
            out.print(f"[green]Copie PDF[/] {escape(str(conversion.pdf))}")
            continue
        hint = f" Conseil : {conversion.error.hint}" if conversion.error.hint else ""
        err.print(
            f"[bold red]Échec PDF[/] {escape(str(conversion.docx))} : "
            f"{escape(conversion.error.message)}{escape(hint)}"
        )
    made = sum(1 for conversion in done if conversion.ok)
    out.print(f"[bold]{made} copie(s) PDF écrite(s), {len(done) - made} échec(s).[/]")
    return made == len(done)
