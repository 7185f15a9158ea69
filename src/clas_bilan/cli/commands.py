"""The commands: each parses its arguments, calls one core function, prints in French.

What they print is in ``output``, typer's own texts in French in ``typer_fr``.
"""

# No ``from __future__ import annotations`` here: typer would then compile and evaluate
# every parameter annotation at each start; evaluated once at import, start-up is faster.

import importlib
import io
import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from clas_bilan import SCHEMA_FILE, __version__
from clas_bilan.cli.output import err, escape, out, print_report, progress_bar, quoted
from clas_bilan.cli.typer_fr import FrenchGroup
from clas_bilan.errors import OutputError, UsageError, UserError, WouldOverwrite
from clas_bilan.files import check_new

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


_state = {"debug": False}


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
    _state["debug"] = debug


def _sortie(help: str, *, metavar: str = "FICHIER") -> Any:
    """The ``-o/--sortie`` option, described for one command."""
    return typer.Option("-o", "--sortie", metavar=metavar, help=help, show_default=False)


def _modele(help: str) -> Any:
    """The ``--template/--modele`` option: another copy of the form, described for one command."""
    return typer.Option("--template", "--modele", metavar="MODELE", help=help, show_default=False)


def _port(help: str) -> Any:
    """The ``--port`` option (1 to 65535), described for one command."""
    return typer.Option("--port", metavar="PORT", min=1, max=65535, help=help, show_default=False)


def _force(help: str) -> Any:
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


# init, validate, schema ------------------------------------------------------


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
    force: Annotated[bool, _force("Remplace le fichier s'il existe déjà.")] = False,
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
        _sortie("Fichier où écrire le schéma (sinon : affiché)."),
    ] = None,
    force: Annotated[bool, _force("Remplace le fichier s'il existe déjà.")] = False,
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


# render ----------------------------------------------------------------------


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
        _sortie(
            "Bilan .docx à écrire (par défaut : bilan_clas_{campagne}_<équipement>.docx, "
            "à côté du fichier de réponses). Avec plusieurs fichiers ou un dossier : le "
            "dossier où écrire les bilans (créé s'il n'existe pas)."
        ),
    ] = None,
    modele: Annotated[
        Path | None,
        _modele("Autre exemplaire du formulaire (.docx) à remplir à la place du modèle fourni."),
    ] = None,
    force: Annotated[bool, _force("Remplace le bilan (et le PDF) s'ils existent déjà.")] = False,
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Produit aussi une copie PDF (LibreOffice doit être installé)."),
    ] = False,
) -> None:
    """Validate the answers, then write the filled bilan (one per file for several files)."""
    from clas_bilan import campaigns, form
    from clas_bilan import render as render_module
    from clas_bilan.checks import validate_file
    from clas_bilan.pdf import refresh_copy, to_pdf

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
            to_pdf(target, pdf_target)
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
    """Batch ``render``: a progress bar, then what became of each file; exit 1 if any failed."""
    from clas_bilan import batch, campaigns, form

    with handled():
        if pdf:
            raise UsageError(
                "--pdf ne s'utilise qu'avec un seul fichier de réponses.",
                hint="produisez les PDF ensuite, un par bilan, avec : clas-bilan pdf BILAN.docx",
            )
        sources = batch.collect(inputs)
        with progress_bar("Bilans") as progress:
            task = progress.add_task("bilans", total=len(sources))
            result = batch.render_batch(
                sources,
                folder,
                template=template,
                force=force,
                on_progress=lambda outcome: progress.advance(task),
                debug=_state["debug"],
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
    raise typer.Exit(result.exit_code)


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
        _sortie("Fichier de réponses à écrire (par défaut : le nom du bilan en .yaml)."),
    ] = None,
    modele: Annotated[
        Path | None, _modele("Exemplaire du formulaire (.docx) dont le bilan a été rempli.")
    ] = None,
    force: Annotated[bool, _force("Remplace le fichier de réponses s'il existe déjà.")] = False,
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


# email -----------------------------------------------------------------------


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
        _sortie(
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
            help="Autre pièce jointe, par exemple le bilan signé et scanné en PDF "
            "(option à répéter pour plusieurs fichiers).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, _force("Remplace le brouillon s'il existe déjà.")] = False,
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
        _port("Port du serveur, de 1 à 65535 (par défaut : 587 en starttls, 465 en ssl, 25 sans)."),
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
        if not envoyer or sortie is not None:
            draft = mailing.write_draft(message, sortie or bilan.with_suffix(".eml"), force)
            out.print(f"[green]Brouillon écrit :[/] {escape(str(draft))}")
        if not envoyer:
            out.print(
                f"Ouvrez-le (double-clic) dans Outlook ou Thunderbird : il est adressé à "
                f"{form.CAF_EMAIL}, le bilan est joint. Relisez-le puis envoyez-le."
            )
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
            f"{escape(serveur)}, bilan « {escape(bilan.name)} » joint."
        )
        out.print("N'oubliez pas de déposer aussi le bilan sur AFAS / ESPADA.")


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
        "et le signer), avec LibreOffice, qui doit être installé.\n\n"
        "Exemple : clas-bilan pdf bilan.docx (écrit bilan.pdf)"
    ),
)
def pdf_command(
    bilan: Annotated[
        Path,
        typer.Argument(help="Le bilan (.docx) à convertir.", show_default=False, metavar="BILAN"),
    ],
    sortie: Annotated[
        Path | None,
        _sortie("PDF à écrire (par défaut : le nom du bilan en .pdf)."),
    ] = None,
    force: Annotated[bool, _force("Remplace le PDF s'il existe déjà.")] = False,
) -> None:
    """Convert a bilan to PDF with LibreOffice."""
    from clas_bilan.pdf import to_pdf

    with handled():
        target = sortie or bilan.with_suffix(".pdf")
        check_new(target, force=force, inputs=(bilan,))
        to_pdf(bilan, target)
        out.print(f"[green]PDF écrit :[/] {escape(str(target))}")


# synthese --------------------------------------------------------------------


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
        _sortie("Classeur .xlsx ou fichier .csv à écrire (par défaut : synthese.xlsx)."),
    ] = Path("synthese.xlsx"),
    force: Annotated[bool, _force("Remplace le fichier de sortie s'il existe déjà.")] = False,
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


# formulaire ------------------------------------------------------------------


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
        int | None, _port("Port du formulaire, de 1 à 65535 (par défaut : un port libre).")
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


def _no_pydantic_plugins() -> None:
    """Pydantic looks for no plugin: the tool uses none, and looking costs start-up time.

    Pydantic looks for plugins in every installed package's metadata when the first model
    is built. Told not to, it still imports its plugin loader, and with it
    ``importlib.metadata`` (email, csv, socket…): about a tenth of a ``validate`` process.
    With plugins off, that loader would find none: a loader finding none stands in for it.
    Anything else asked of it (a later pydantic may ask more) loads pydantic's own loader.
    A user's own setting wins (pydantic then loads its own loader as usual).
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] != "__all__":
        return
    name = "pydantic.plugin._loader"
    loader = types.ModuleType(name, "No pydantic plugin (clas-bilan).")

    def pydantic_own(attribute: str) -> Any:
        if attribute.startswith("__"):  # the import system asks (« __path__ »): not a package
            raise AttributeError(attribute)
        if sys.modules.get(name) is loader:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attribute)

    loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
    loader.__getattr__ = pydantic_own  # type: ignore[method-assign]
    sys.modules.setdefault(name, loader)


def main() -> None:
    """Entry point of the ``clas-bilan`` console script."""
    _no_pydantic_plugins()
    for stream in (sys.stdout, sys.stderr):
        # A console or pipe in cp850/cp1252 cannot show every character: degrade, never crash.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        app()
    except UserError as error:  # raised outside a command (should not happen)
        if _state["debug"]:
            raise
        err.print(f"Erreur : {error.message}")
        sys.exit(error.exit_code)
