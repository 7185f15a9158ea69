"""The Caf's reminders: one e-mail draft per project whose bilan is missing or incomplete.

A project is chased when its bilan was not received, could not be read, is not signed,
was signed after the deadline, has errors, or leaves questions unanswered. The draft goes
to the project's coordination address (the expected list's, else the bilan's, else the
sender of the e-mail that brought it) and says in plain French what is missing and by when.
Drafts are written as ``clas-bilan email`` writes its own (:func:`mailing.write_draft`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from clas_bilan import campaigns, mailing
from clas_bilan.errors import UsageError
from clas_bilan.expected import Matching, gaps_by_project
from clas_bilan.files import check_new
from clas_bilan.synthese import NO_BILAN_ATTACHED, Bilan, Synthese, Unread, folded, local_time
from clas_bilan.values import format_date, format_long_date, is_email

_MISSING = "nous n'avons pas reçu votre bilan."
_SHOWN_QUESTIONS = 8
"""Unanswered questions named one by one in a reminder; the others counted."""


@dataclass
class Reminder:
    """One project to chase: who, to whom, why (French sentences), and the draft's file."""

    equipement: str
    structure: str | None
    commune: str | None
    to: str | None
    reasons: list[str] = field(default_factory=list)
    draft: str | None = None
    """The .eml file name, once written."""
    unread: bool = False
    """What the project sent could not be read: its bilan is asked again, not corrected."""


def reminders(synthese: Synthese, matching: Matching | None = None) -> list[Reminder]:
    """Every project to chase, the missing ones first, then by équipement."""
    chased: list[Reminder] = []
    address_of: dict[str, str] = {}
    if matching is not None:
        for project, gap in gaps_by_project(matching):
            reminder = Reminder(
                project.equipement,
                project.structure,
                project.commune,
                gap.email,
                unread=gap.situation != "non reçu",
            )
            if gap.situation == "non reçu":
                reminder.reasons.append(_MISSING)
            else:
                item = next(
                    (u for u in synthese.unread if gap.source and u.source in gap.source), None
                )
                reminder.reasons.append(
                    _not_read(item)
                    if item
                    else f"le fichier reçu ({_file_names(gap.source)}) n'a pas pu être lu : "
                    f"{gap.detail}"
                )
            if reminder.to is None:
                reminder.to = next(
                    (
                        u.origin.address
                        for u in synthese.unread
                        if u.origin.address and gap.source and u.source in gap.source
                    ),
                    None,
                )
            chased.append(reminder)
        for index, bilan in matching.received.items():
            email = matching.projects[index].email
            if email:
                address_of[bilan.source] = email
        claimed = {gap.source for gap in matching.gaps if gap.source}
    else:
        claimed = set()
    chased.extend(_unread(synthese.unread, claimed))
    for bilan in synthese.counted:
        reasons = _reasons(bilan)
        if reasons:
            values = bilan.values
            chased.append(
                Reminder(
                    (values.get("equipement.nom") or "").strip() or Path(bilan.source).name,
                    values.get("gestionnaire.nom"),
                    values.get("equipement.commune"),
                    address_of.get(bilan.source)
                    or _address(values.get("moyens_humains.coordination.email"))
                    or bilan.origin.address,
                    reasons,
                )
            )
    return chased


def _unread(unread: Sequence[Unread], claimed: set[str]) -> list[Reminder]:
    """An unreadable input sent by e-mail, not already a project's: its sender is chased."""
    chased = []
    for item in unread:
        if not item.origin.address or any(item.source in source for source in claimed):
            continue
        chased.append(
            Reminder(
                item.origin.subject or Path(item.source).name,
                None,
                None,
                item.origin.address,
                [_not_read(item)],
                unread=True,
            )
        )
    return chased


def _not_read(item: Unread) -> str:
    """Why an input sent by the project could not be read, said to the project."""
    if item.reason.startswith(NO_BILAN_ATTACHED):
        origin, when = item.origin, local_time(item.origin.sent)
        sent = f" du {format_date(when.date())}" if when else ""
        subject = f" (« {origin.subject} »)" if origin.subject else ""
        attached = re.search(r"\((pièces jointes : .*)\)\.$", item.reason)
        also = f" ({attached.group(1)})" if attached else ""
        return f"votre courriel{sent}{subject} ne contenait pas de bilan au format Word{also}."
    name = Path(item.source.split(" › ")[-1]).name
    if item.reason.startswith(("PDF", "image")):
        return (
            f"nous avons bien reçu « {name} », mais un scan ou un PDF ne peut pas être lu : il "
            "nous faut le bilan au format Word (.docx), rempli dans le formulaire de la Caf (le "
            "scan signé peut l'accompagner)."
        )
    why = item.reason.replace(f"le bilan « {name} » ", "il ").replace(" : c'est ", " ; c'est ")
    return f"nous n'avons pas pu lire le fichier « {name} » : {why}"


def _file_names(sources: str | None) -> str:
    if not sources:
        return "?"
    return ", ".join(f"« {Path(s.split(' › ')[-1]).name} »" for s in sources.split(" ; "))


def _address(text: str | None) -> str | None:
    return text.strip() if text and is_email(text.strip()) else None


def _reasons(bilan: Bilan) -> list[str]:
    """What a counted bilan lacks, said to the project."""
    values = bilan.values
    reasons = []
    if values.get("signature.date") is None:
        reasons.append("le bilan n'est pas daté et signé.")
    elif values["signature.date"] > campaigns.current().deadline:
        reasons.append(
            f"le bilan a été signé le {format_date(values['signature.date'])}, après la date "
            f"limite du {campaigns.current().deadline_text}."
        )
    for finding in bilan.findings:
        if finding.is_error:
            reasons.append(f"« {finding.short_label} » : {finding.message}")
    unanswered = [f.short_label for f in bilan.findings if f.code == "question-unanswered"]
    if unanswered:
        listed = " ; ".join(f"« {label} »" for label in unanswered[:_SHOWN_QUESTIONS])
        more = len(unanswered) - _SHOWN_QUESTIONS
        reasons.append(
            "questions sans réponse : "
            + listed
            + (f" et {more} autre(s)" if more > 0 else "")
            + "."
        )
    return reasons


# The drafts ----------------------------------------------------------------------------


def body(reminder: Reminder, by: dt.date) -> str:
    """The reminder's plain French text."""
    campaign = campaigns.current()
    place = f"de l'équipement {reminder.equipement}" + (
        f" ({reminder.commune})" if reminder.commune else ""
    )
    if reminder.structure:
        place += f", géré par {reminder.structure}"
    deadline = format_long_date(by)
    if _missing(reminder):
        lines = [
            "Bonjour,",
            "",
            f"Sauf erreur de notre part, nous n'avons pas reçu votre bilan CLAS {campaign.label} "
            f"{place}.",
            "",
            f"Merci de nous l'envoyer, complété, daté et signé, avant le {deadline}, au format "
            "Word (.docx), en réponse à ce message.",
        ]
    else:
        again = (
            "envoyer votre bilan, complété" if reminder.unread else "renvoyer votre bilan corrigé"
        )
        lines = [
            "Bonjour,",
            "",
            f"Nous avons bien reçu votre envoi pour le bilan CLAS {campaign.label} {place}, "
            "et nous vous en remercions. Pour que nous puissions le prendre en compte, "
            "voici ce qui reste à régler :",
            "",
            *(f"- {reason[0].upper()}{reason[1:]}" for reason in reminder.reasons),
            "",
            f"Merci de nous {again}, daté et signé, avant le {deadline}, au format Word "
            "(.docx), en réponse à ce message.",
        ]
    lines += [
        "",
        "Nous restons à votre disposition pour toute question.",
        "",
        "Bien cordialement,",
    ]
    return "\n".join(lines) + "\n"


def _missing(reminder: Reminder) -> bool:
    return reminder.reasons == [_MISSING]


def draft(reminder: Reminder, sender: str, by: dt.date) -> EmailMessage:
    """The reminder as an unsent e-mail from the Caf's ``sender`` address, with no attachment."""
    msg = EmailMessage(policy=policy.default)
    if reminder.to:
        msg["To"] = reminder.to
    local, domain = sender.split("@")
    msg["From"] = Address(username=local, domain=domain)
    what = "à nous envoyer" if _missing(reminder) else "à compléter"
    msg["Subject"] = (
        f"Bilan CLAS {campaigns.current().label} — {reminder.equipement} : "
        f"{what} avant le {format_long_date(by)}"
    )
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["X-Unsent"] = "1"
    msg.set_content(body(reminder, by), cte="quoted-printable")
    return msg


def check_sender(sender: str | None) -> str:
    """The Caf's address given with --de, checked; a French error when absent or wrong."""
    if not sender:
        raise UsageError(
            "les relances partent de l'adresse de la Caf : indiquez-la avec --de.",
            hint="par exemple : --relances relances/ --de clas@caf01.example",
        )
    sender = sender.strip()
    if not (is_email(sender) and sender.isascii()):
        raise UsageError(
            f"l'adresse mail de l'option --de (« {sender} ») n'en est pas une.",
            hint="écrivez-la sous la forme prenom.nom@exemple.fr.",
        )
    return sender


def write(
    chased: Sequence[Reminder], folder: Path, sender: str, by: dt.date, *, force: bool
) -> list[Path]:
    """Write one .eml draft per reminder in ``folder`` (created if need be); nothing if one exists.

    Every name is checked before the first is written, so that a refusal writes nothing.
    """
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"« {folder} » n'est pas un dossier : donnez un dossier à --relances.")
    names: list[str] = []
    for reminder in chased:
        stem = "_".join(folded(reminder.equipement).split())[:60] or "projet"
        name, number = f"relance_{stem}.eml", 2
        while name in names:
            name, number = f"relance_{stem}_{number}.eml", number + 1
        names.append(name)
    if folder.is_dir():
        for name in names:
            check_new(folder / name, force=force)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for reminder, name in zip(chased, names, strict=True):
        written.append(mailing.write_draft(draft(reminder, sender, by), folder / name, force))
        reminder.draft = name
    return written
