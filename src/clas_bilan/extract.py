"""Read a filled bilan (made by ``render`` or typed in Word) back into answers.

The document's form is recognised among the known campaigns (``recognise.located``); every
answer is looked for where that form says it lives, found by the form's own text.
What cannot be read is reported in French in ``Extracted.problems``, never dropped
silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clas_bilan import (
    campaigns,
    codec,
    files,
    form,
    keys,
    scaffold,
    schools,
    typography,
    validation,
)
from clas_bilan.campaigns import Campaign
from clas_bilan.docx import locate, read, signature
from clas_bilan.models import Reponses
from clas_bilan.recognise import absent_warning, located, open_document
from clas_bilan.report import shown

_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


@dataclass
class Extracted:
    """Answers read from a document, what could not be read (French sentences), and its form.

    ``warnings`` name the parts of the form the document lacks and the answers kept whole
    because they could not be told apart: read, but to look at.
    """

    answers: Reponses
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signature_image: bool = False
    """True when a picture (scanned signature, stamp) sits in the signature block."""
    campaign: Campaign = field(default_factory=campaigns.current)
    """The campaign whose form the document is."""


def extract(path: Path, *, template: Path | None = None) -> Extracted:
    """Read the answers of a filled bilan; ``template`` is checked to be a form we know."""
    campaign = None
    if template is not None:
        copy = open_document(template, role="modèle")
        campaign = located(copy.element.body, template.name, role="modèle").campaign
    document = open_document(path)
    return read_document(document, path.name, campaign)


def read_document(
    document: Any, name: str = "document", campaign: Campaign | None = None
) -> Extracted:
    """Read the answers of an opened filled bilan, whichever known campaign's form it is.

    The French no-break spaces ``render`` added to the answers are taken off again.
    """
    as_typed = typography.marked(document)
    return read_body(document.element.body, name, campaign, as_typed=as_typed)


def read_body(
    body: Any,
    name: str = "document",
    campaign: Campaign | None = None,
    *,
    as_typed: Sequence[str] | None = None,
) -> Extracted:
    """Read the answers of a filled bilan's body (``w:body``) with a campaign's form.

    Without ``campaign``, the form is recognised among the known campaigns. ``as_typed``
    (from ``typography.marked``) says render typeset the answers but those keys: the
    no-break spaces it added are taken off; None leaves every answer as read.
    """
    found = located(body, name, campaign)
    campaign = found.campaign
    raw: dict[str, Any] = {"campagne": campaign.code}
    problems: list[str] = []
    warnings: list[str] = []
    if found.absent:
        warnings.append(absent_warning(found.absent, name, campaign))
    for block, place in zip(campaign.blocks, found.places, strict=False):
        if place is None:
            continue
        try:
            _read_block(block, place, raw, problems, warnings)
        except ValueError as error:
            problems.append(f"« {form.title(block)[:80]} » : {error} ; réponse non reprise.")
    answers = _validate(raw, problems, campaign)
    if as_typed is not None:
        typography.untypeset(answers, as_typed)
    return Extracted(answers, problems, warnings, _signed(found.places), campaign)


def _signed(places: Sequence[locate.Place | None]) -> bool:
    """True when a picture sits after « Signature : » (or after the last question found)."""
    spot = next((p for p in reversed(places) if p is not None), None)
    return spot is not None and signature.has_image([spot.element, *spot.after])


def _read_block(
    block: form.Block,
    place: locate.Place,
    raw: dict[str, Any],
    problems: list[str],
    warnings: list[str],
) -> None:
    if isinstance(block, form.Question):
        if block.codec == "lines":
            typed = read.paragraphs_below(place.element, place.after, block.label)
            decoded_parts, whole = codec.decode_parts(block.keys, typed)
            if whole:
                warnings.append(_kept_whole(block, decoded_parts[block.keys[0]]))
            for key, decoded in decoded_parts.items():
                keys.put_in(raw, key, decoded)
            return
        if block.codec == "place_date":
            value = locate.text(place.element)
        elif block.layout == "inline":
            value = read.inline(place.element, place.after, block.label)
        else:
            value = read.below(place.element, place.after, block.label)
        for key, decoded in codec.decode(block.codec, block.keys, value).items():
            keys.put_in(raw, key, decoded)
    elif isinstance(block, form.Choice):
        states = read.boxes(place.element)[:2]
        if states == [True, True]:
            problems.append(
                f"« {form.title(block)[:80]} » : les deux cases « Oui » et « Non » sont "
                "cochées ; réponse non reprise."
            )
        elif True in states:
            keys.put_in(raw, block.key, states[0])
    elif isinstance(block, form.Box) and block.key:
        if place.element.tag == _P:  # the box's text typed as a paragraph
            keys.put_in(raw, block.key, read.inline(place.element, place.after, block.text))
        else:
            keys.put_in(raw, block.key, read.box(place.element, block.text))
    elif isinstance(block, form.Table):
        _read_table(block, place.element, raw, warnings)


def _read_table(table: form.Table, tbl: Any, raw: dict[str, Any], warnings: list[str]) -> None:
    trs = locate.rows(tbl)
    if table.items_key is None:
        for spec, tr in zip(table.rows, trs, strict=False):
            for cell, tc in zip(spec, locate.cells(tr), strict=False):
                if cell.key:
                    keys.put_in(raw, cell.key, _plain(read.cell_lines(tc)))
        return
    items: list[dict[str, Any]] = []
    for tr in trs[len(table.rows) :]:
        item: dict[str, Any] = {}
        for key, tc in zip(table.item_keys, locate.cells(tr), strict=False):
            lines = read.cell_lines(tc)
            if key in table.item_lists:
                reading = schools.read_cell(lines)
                value: Any = [
                    dict(zip(("nom", "adresse", "email"), s, strict=False)) for s in reading.schools
                ]
                warnings.extend(_unclear(item, table, reading.unclear))
            else:
                value = _plain(lines)
            if value:
                keys.put_in(item, key, value)
        if item:
            items.append(item)
    keys.put_in(raw, table.items_key, items)


def _kept_whole(question: form.Question, text: str) -> str:
    """The warning for a multi-part answer kept whole in its first part."""
    first = keys.name(question.keys[0])
    return (
        f"« {form.title(question)[:80]} » : « {text[:120]} » n'a pas pu être séparé "
        f"sans doute possible ; repris tel quel dans « {first} » : vérifiez-le."
    )


def _unclear(item: dict[str, Any], table: form.Table, texts: Sequence[str]) -> list[str]:
    """Warnings for établissements kept whole in « nom », naming their territoire."""
    where = " ".join(str(item.get(table.item_keys[0]) or "").split())
    named = f"territoire « {where[:60]} »" if where else "territoire sans nom"
    return [
        f"{named} : « {text[:120]} » n'a pas pu être séparé en établissements (nom, adresse, "
        "mail) ; repris tel quel dans « nom » : vérifiez-le."
        for text in texts
    ]


def _plain(lines: list[str]) -> str | None:
    """A cell's text, None when empty."""
    return read.trim(lines) or None


def _validate(raw: dict[str, Any], problems: list[str], campaign: Campaign) -> Reponses:
    """Build the answers; each value the models refuse is reported and left out."""
    model = campaign.answers
    answers, refusals = validation.validate(model, raw)
    for refusal in refusals:
        label = campaigns.label(refusal.key, campaign) or refusal.key
        problems.append(
            f"« {label[:80]} » : « {shown(refusal.value)} » illisible ({refusal.reason}) ; "
            "réponse non reprise."
        )
    if answers is None:
        problems.append("les réponses n'ont pas pu être reprises : vérifiez le document.")
        return model(campagne=raw["campagne"])
    return answers


# Answers to YAML --------------------------------------------------------------


def _plain_values(value: Any) -> Any:
    """Answers as plain values; a text of several lines ends with its line break (« | »)."""
    if isinstance(value, str) and "\n" in value and not value.endswith("\n"):
        return value + "\n"
    if isinstance(value, dict):
        return {key: _plain_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_values(item) for item in value]
    return value


def to_yaml(answers: Reponses, *, source: str | None = None, problems: Sequence[str] = ()) -> str:
    """The answers in ``init``'s commented layout: each question above its key, ready to edit.

    Long answers are ``|`` blocks, one paragraph a line; dates as the form writes them.
    """
    notes = [f"Relu depuis « {source} » par clas-bilan extract." if source else ""]
    notes.extend("À REVOIR : " + " ".join(problem.split()) for problem in problems)
    values = _plain_values(answers.model_dump(by_alias=True))
    return scaffold.answers_text(values, origin="\n".join(note for note in notes if note))


def save_yaml(text: str, path: Path, *, force: bool = False) -> Path:
    """Write an answers file atomically; never replace an existing one without ``force``."""
    return files.write_atomic(path, text.encode("utf-8"), force=force)
