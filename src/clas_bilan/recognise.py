"""Which known campaign's form a Word document is, and where each block of it stands.

``render`` (filling the template, or the Caf's own copy given with ``--modele``) and
``extract`` (reading a filled bilan) both start here: the form is recognised among the
known campaigns, the one that fits best; what the document lacks is named in a warning; a
document that is not the form at all is refused in French (exit 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clas_bilan import campaigns, form
from clas_bilan.campaigns import Campaign
from clas_bilan.docx import locate, package, signature
from clas_bilan.errors import UsageError

_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


@dataclass
class Located:
    """Where each block of a campaign's form stands in a document, and the answers it lacks."""

    campaign: Campaign
    places: list[locate.Place | None]
    absent: list[form.Block]


def open_document(path: Path, *, role: str = "document") -> Any:
    """Open a .docx with python-docx; a French UsageError when it is missing, broken or hostile."""
    return package.open_docx(path, role=role)


def located(
    body: Any, name: str, campaign: Campaign | None = None, *, role: str = "document"
) -> Located:
    """Locate a campaign's form (by default, recognised among the known ones) in a ``w:body``.

    A user's copy of the form may lack parts of our template (the signature block first of
    all): those are returned in ``absent``, to be named in a warning. UsageError (exit 2)
    when fewer than half of the form's questions are there: it is not the form.
    """
    known = [campaign] if campaign is not None else campaigns.known()
    candidates = [_located(body, one) for one in known]
    # The form that fits best (fewest answers missing); on a tie, the newest campaign's.
    found = min(candidates, key=lambda candidate: len(candidate.absent))
    if len(found.absent) * 2 > _answer_count(found.campaign):
        raise _not_the_form(body, name, candidates[0], role)
    return found


def _answer_count(campaign: Campaign) -> int:
    """How many blocks of a campaign's form hold an answer."""
    return sum(1 for block in campaign.blocks if form.holds_answer(block))


def _located(body: Any, campaign: Campaign) -> Located:
    """Where a campaign's blocks stand in ``body``, and its answer blocks not found there."""
    found = locate.locate(body, campaign.blocks)
    absent = [
        block
        for block, place in zip(campaign.blocks, found, strict=True)
        if place is None and form.holds_answer(block)
    ]
    return Located(campaign, found, absent)


def _not_the_form(body: Any, name: str, found: Located, role: str) -> UsageError:
    """The refusal of a document that is not the form, saying what it seems to be."""
    title = found.campaign.title
    first = next((line for line in _lines(body) if line), "")
    if not first:
        what = "il ne contient aucun texte"
    else:
        shown = first if len(first) <= 80 else first[:79].rstrip() + "…"
        what = f"c'est un autre document, qui commence par « {shown} »"
    if role == "modèle":
        hint = f"donnez à --modele le formulaire {title} envoyé par la Caf, ou retirez --modele."
    else:
        hint = f"donnez le bilan rempli à partir du formulaire {title}."
    total = _answer_count(found.campaign)
    present = total - len(found.absent)
    where = (
        f"aucune de ses {total} questions ne s'y trouve"
        if not present
        else f"seules {present} de ses {total} questions s'y trouvent"
    )
    return UsageError(
        f"« {name} » ne contient pas le formulaire {title} : {where} ; {what}.", hint=hint
    )


def _lines(body: Any) -> list[str]:
    """The first lines of text of a body, paragraphs and table cells alike."""
    lines: list[str] = []
    for p in body.iter(_P):
        lines.append(" ".join(locate.text(p).split()))
        if len(lines) > 200:
            break
    return lines


def absent_warning(
    absent: Sequence[form.Block],
    name: str,
    campaign: Campaign,
    *,
    consequence: str = "elles ne sont pas reprises",
) -> str:
    """A French warning naming the parts of the form a document lacks."""
    signature_part = signature_blocks(campaign)
    listed = [f"« {form.title(b)[:80]} »" for b in absent if b not in signature_part]
    if any(block in signature_part for block in absent):
        listed.append("le bloc de signature (« Fait à …, le … », nom et qualité du signataire)")
    shown = "\n".join(f"  - {title}" for title in listed)
    return f"« {name} » ne contient pas ces parties du formulaire ; {consequence} :\n{shown}"


def signature_blocks(campaign: Campaign) -> tuple[form.Block, ...]:
    """The blocks of the signature block, which the Caf's own form does not have."""
    return tuple(campaign.blocks[signature.start(campaign.blocks) :])
