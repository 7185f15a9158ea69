"""A made-up next campaign, « 2026/2027 », written as a maintainer would add next year's form.

In the real change-over this is ``src/clas_bilan/campaigns/bilan_2026_2027.py``: the
year's texts, one question renamed, one question added (with the answers model that
holds it), new hour bases. Tests register it (``campaigns.register``) instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from pydantic import Field

from clas_bilan.campaigns import bilan_2025_2026
from clas_bilan.campaigns.campaign import Campaign
from clas_bilan.form import Block, Question
from clas_bilan.models import AxeEnfants, Reponses, Text

RENAMED = "conclusion.suggestions_caf"
RENAMED_LABEL = "Quelles suggestions feriez-vous à la Caf pour la conduite du dispositif ?"
ADDED = "axe_enfants.outils_numeriques"
ADDED_LABEL = "Quels outils numériques avez-vous utilisés avec les enfants et les jeunes\u00a0?"
ADDED_AFTER = "axe_enfants.actions"

_YEARS = {
    "2026 – 2027": "2027 – 2028",
    "2025/2026": "2026/2027",
    "2025-2026": "2026-2027",
    "1er août 2026": "1er août 2027",
    "1820 heures payées ou de 1607 heures": "1810 heures payées ou de 1600 heures",
}


def _next_year(value: Any) -> Any:
    """A block (or any part of one) with the year's texts of the next campaign."""
    if isinstance(value, str):
        for old, new in _YEARS.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, tuple):
        return tuple(_next_year(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _next_year(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def _blocks() -> tuple[Block, ...]:
    blocks: list[Block] = []
    for block in bilan_2025_2026.BLOCKS:
        block = _next_year(block)
        if isinstance(block, Question) and block.keys == (RENAMED,):
            block = dataclasses.replace(block, label=RENAMED_LABEL)
        blocks.append(block)
        if isinstance(block, Question) and block.keys == (ADDED_AFTER,):
            blocks.append(Question(ADDED_LABEL, (ADDED,)))
    return tuple(blocks)


class AxeEnfants2027(AxeEnfants):
    """The children's axis, with the question added in 2026/2027."""

    outils_numeriques: Text = Field(None, description=ADDED_LABEL)


class Reponses2027(Reponses):
    """The answers of the 2026/2027 form."""

    axe_enfants: AxeEnfants2027 = Field(
        default_factory=AxeEnfants2027,
        description="Axe d’intervention auprès des enfants et des jeunes",
    )


CAMPAIGN = Campaign(
    code="2026-2027",
    label="2026/2027",
    deadline=dt.date(2027, 8, 1),
    blocks=_blocks(),
    worked_hours=1600,
    paid_hours=1810,
    model=Reponses2027,
)


ADDED_ANSWER = "Tablettes prêtées par la médiathèque"


def carry(text: str) -> str:
    """An answers file of the 2025/2026 form, carried to this campaign.

    The year's texts are moved on; where the file answers the children's axis, the added
    question is answered in place of the blank line closing that section, so every other
    answer keeps its line number (tests point at lines of their files).
    """
    lines = _next_year(text).split("\n")
    starts = [at for at, line in enumerate(lines) if line.rstrip("\r") == "axe_enfants:"]
    if not starts:
        return "\n".join(lines)
    section = starts[0]
    for at in range(section + 1, len(lines)):
        rest = [line for line in lines[at + 1 :] if line.strip("\r")]
        if lines[at].strip("\r") == "" and rest and not rest[0].startswith(" "):
            end = "\r" if lines[at].endswith("\r") else ""
            lines[at] = f'  {ADDED.rsplit(".", 1)[1]}: "{ADDED_ANSWER}"{end}'
            break
        if lines[at] and not lines[at].startswith((" ", "#", "\r")):
            break
    return "\n".join(lines)


def example(shipped: str) -> str:
    """The shipped example carried to this campaign, answering the added question."""
    text = carry(shipped)
    assert ADDED_ANSWER in text, "the example's layout moved: place the added answer anew"
    return text
