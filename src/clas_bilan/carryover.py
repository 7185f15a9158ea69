"""This year's answers file started from last year's: what stays true is carried over.

``init --depuis`` reads a bilan (.docx, any known campaign's form) or an answers file
(any known campaign), keeps the answers that do not change from one school year to the
next and leaves the year's answers empty, for the current campaign.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clas_bilan import campaigns, extract, keys, scaffold, textfile, yamlvalues
from clas_bilan.campaigns import Campaign
from clas_bilan.errors import UsageError
from clas_bilan.models import Reponses
from clas_bilan.report import shown

CARRIED = (
    "gestionnaire",
    "equipement",
    "intitule_projet",
    "moyens_humains.coordination",
    "territoires",
)
"""Answers that stay true from one year to the next (dotted keys of whole sections)."""

CARRIED_TEXT = (
    "gestionnaire, équipement, intitulé du projet, coordination, territoires et établissements"
)


@dataclass
class Carried:
    """The new answers, the campaign of the file they came from, and what could not be read."""

    answers: Reponses
    source: Campaign
    problems: list[str]


def carry_over(path: Path, campaign: Campaign | None = None) -> Carried:
    """Answers for ``campaign`` (by default the current one) carried over from an older file."""
    target = campaign or campaigns.current()
    if path.suffix.lower() == ".docx":
        found = extract.extract(path)
        old, source, problems = found.answers, found.campaign, found.problems
    else:
        old, source = _answers_file(path)
        problems = []
    values = {"campagne": target.code, **_pick(old.model_dump(by_alias=True))}
    return Carried(target.answers.model_validate(values), source, problems)


def _pick(data: dict[str, Any]) -> dict[str, Any]:
    """The ``CARRIED`` parts of nested answers data, nested the same way."""
    picked: dict[str, Any] = {}
    for key in CARRIED:
        keys.put_in(picked, key, keys.get_in(data, key))
    return picked


def _answers_file(path: Path) -> tuple[Reponses, Campaign]:
    """The carried sections of an answers file, read with the model of the campaign it names."""
    text, _ = textfile.read_text(path)
    data, _, findings, _ = yamlvalues.parse(text)
    unreadable = UsageError(
        f"« {path.name} » n'est pas un fichier de réponses lisible : rien n'a été repris.",
        hint=f"vérifiez-le d'abord avec : clas-bilan validate {path}",
    )
    if any(finding.is_error for finding in findings) or not isinstance(data, dict):
        raise unreadable
    code = data.get("campagne")
    source = campaigns.get(str(code)) if code else campaigns.current()
    if source is None:
        raise UsageError(
            f"« {path.name} » est un fichier de réponses de la campagne « {shown(code)} », "
            "que clas-bilan ne connaît pas.",
            hint="campagnes connues : " + ", ".join(campaigns.codes()) + ".",
        )
    try:
        return source.answers.model_validate(_pick(data)), source
    except ValidationError:
        raise unreadable from None


def init_text(path: Path) -> tuple[str, Carried]:
    """The text of ``init --depuis``'s new answers file, and what was carried over."""
    carried = carry_over(path)
    values = carried.answers.model_dump(by_alias=True)
    return scaffold.answers_text(values, origin=origin(path, carried)), carried


def origin(path: Path, carried: Carried) -> str:
    """The comment saying where the answers came from, for the top of the new file."""
    text = (
        f"Réponses reprises de « {path.name} » (bilan CLAS {carried.source.label}) par "
        f"clas-bilan init --depuis : {CARRIED_TEXT}. Les autres réponses sont à remplir pour "
        f"le bilan CLAS {campaigns.of(carried.answers.campagne).label}."
    )
    return "\n".join(textwrap.wrap(text, width=88))
