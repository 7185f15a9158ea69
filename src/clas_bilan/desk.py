"""What ``synthese``'s options add for the Caf's agent, checked before anything is read.

The expected list (``--attendus``), the reminders (``--relances`` from ``--de`` before
``--avant``), last year's workbook (``--precedente``) and the bonus amounts
(``--montant-*``) become the workbook's :class:`workbook.Extras`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from clas_bilan import expected, reminders
from clas_bilan.errors import UsageError
from clas_bilan.synthese import Synthese
from clas_bilan.values import Refused, parse_date, parse_decimal
from clas_bilan.workbook import Extras, Rates

REMINDER_DAYS = 15
"""Days a project is given to answer a reminder, unless --avant says otherwise."""


@dataclass
class Desk:
    """The options, checked: the list read, the sender's address, the amounts."""

    attendus: Path | None = None
    relances: Path | None = None
    sender: str | None = None
    by: dt.date = field(default_factory=lambda: dt.date.today() + dt.timedelta(REMINDER_DAYS))
    previous: expected.Previous | None = None
    rates: Rates = field(default_factory=Rates)
    projects: list[expected.Project] | None = None
    drafts: list[Path] = field(default_factory=list)


def prepare(
    *,
    attendus: Path | None = None,
    relances: Path | None = None,
    de: str | None = None,
    avant: str | None = None,
    precedente: Path | None = None,
    montant_collectif: str | None = None,
    montant_enfants: str | None = None,
    montant_parents: str | None = None,
    sheets: bool = True,
) -> Desk:
    """Check every option and read the expected list, before any bilan is read.

    ``sheets`` is False for a CSV output: the options that only add sheets are refused.
    """
    given = {
        "--attendus": attendus,
        "--precedente": precedente,
        "--montant-collectif": montant_collectif,
        "--montant-enfants": montant_enfants,
        "--montant-parents": montant_parents,
    }
    used = [option for option, value in given.items() if value is not None]
    if used and not sheets:
        raise UsageError(
            f"{', '.join(used)} remplit des feuilles du classeur, que le fichier CSV n'a pas.",
            hint="écrivez un classeur : -o synthese.xlsx",
        )
    desk = Desk(attendus=attendus, relances=relances)
    if relances is not None:
        desk.sender = reminders.check_sender(de)
        if relances.exists() and not relances.is_dir():
            raise UsageError(
                f"« {relances} » n'est pas un dossier : --relances attend le dossier où "
                "écrire les brouillons."
            )
    if avant is not None:
        try:
            by = parse_date(avant)
        except Refused:
            by = None
        if by is None:
            raise UsageError(
                f"--avant « {avant} » n'est pas une date.", hint="par exemple : --avant 15/09/2026"
            )
        if by < dt.date.today():
            raise UsageError(
                f"la date de --avant (« {avant} ») est déjà passée : les relances donneraient "
                "aux projets une date limite dépassée.",
                hint="donnez une date à venir, ou omettez --avant (dans 15 jours).",
            )
        desk.by = by
    if precedente is not None:
        desk.previous = expected.read_previous(precedente)
    every = _rate(montant_collectif, "--montant-collectif")
    desk.rates = Rates(
        _rate(montant_enfants, "--montant-enfants") if montant_enfants else every,
        _rate(montant_parents, "--montant-parents") if montant_parents else every,
    )
    if attendus is not None:
        desk.projects = expected.read_projects(attendus)
    return desk


def _rate(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    try:
        value = parse_decimal(text.replace("€", "").strip())
    except Refused:
        value = None
    if value is None or value < 0:
        raise UsageError(
            f"{option} « {text} » n'est pas un montant en euros.",
            hint=f"par exemple : {option} 150 (ou 150,50).",
        )
    return value


def extras(synthese: Synthese, desk: Desk, *, force: bool = False) -> Extras:
    """Match the list, write the reminders, compare with last year: the workbook's extras."""
    matching = expected.match(synthese, desk.projects) if desk.projects is not None else None
    chased = None
    if desk.relances is not None and desk.sender is not None:
        chased = reminders.reminders(synthese, matching)
        desk.drafts = reminders.write(chased, desk.relances, desk.sender, desk.by, force=force)
    changes = expected.evolution(synthese, desk.previous) if desk.previous else None
    return Extras(matching=matching, reminders=chased, changes=changes, rates=desk.rates)
