"""The signature block: written into a copy of the form that lacks it, its scanned image.

The Caf's own form ends with its last question: ``render --modele`` adds « Fait à …, le … »,
the signatory's name and role and « Signature : » after it, in the look of the document's
own last heading and question labels, so the bilan is complete and can be signed.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from typing import Any

from docx.oxml.ns import qn
from docx.shared import Cm, Emu
from docx.text.paragraph import Paragraph

from clas_bilan import form
from clas_bilan.docx import fields
from clas_bilan.docx.locate import Element, Place, text

IMAGE_WIDTH = Cm(6)
IMAGE_HEIGHT = Cm(3.5)
"""The largest a signature image is shown: a signature and a stamp side by side."""

_P, _R, _PPR, _RPR = qn("w:p"), qn("w:r"), qn("w:pPr"), qn("w:rPr")
_PICTURES = (qn("w:drawing"), qn("w:pict"), qn("w:object"))
_DROPPED = (qn("w:pageBreakBefore"), qn("w:numPr"), qn("w:sectPr"), qn("w:pPrChange"))


def start(blocks: Sequence[form.Block]) -> int:
    """Index in a form's ``blocks`` of the signature block's first block (its heading)."""
    first = next(
        index
        for index, block in enumerate(blocks)
        if isinstance(block, form.Question) and block.keys[0].startswith("signature.")
    )
    return first - 1 if isinstance(blocks[first - 1], form.Heading) else first


def absent(places: Sequence[Place | None], blocks: Sequence[form.Block]) -> bool:
    """True when none of the signature block's answers was found in the document."""
    return all(
        places[index] is None
        for index in range(start(blocks), len(blocks))
        if form.holds_answer(blocks[index])
    )


def add_block(places: Sequence[Place | None], blocks: Sequence[form.Block]) -> None:
    """Write the signature block after the last question found, in the document's own look."""
    first = start(blocks)
    last = max(
        (i for i in range(first) if places[i] is not None and form.holds_answer(blocks[i])),
        default=None,
    )
    if last is None:
        return
    place = places[last]
    assert place is not None
    label = _label_paragraph(last, places, blocks)
    heading = next(
        (
            places[i].element  # type: ignore[union-attr]
            for i in range(last, -1, -1)
            if isinstance(blocks[i], form.Heading) and places[i] is not None
        ),
        label,
    )
    anchor = place.after[-1] if place.after else place.element
    made: list[Element] = []
    for block in blocks[first:]:
        model = heading if isinstance(block, form.Heading) else label
        wording = block.label if isinstance(block, form.Question) else getattr(block, "text", "")
        made.append(_like(model, wording))
    made.extend(_like(label, "") for _ in range(3))  # room to sign
    for p in made[:-1]:
        p.get_or_add_pPr().keepNext_val = True  # the block stays on one page
    for p in made:
        anchor.addnext(p)
        anchor = p


def _label_paragraph(
    last: int, places: Sequence[Place | None], blocks: Sequence[form.Block]
) -> Element:
    """The paragraph of the last question label found (a Oui/Non question counts too)."""
    for index in range(last, -1, -1):
        block, place = blocks[index], places[index]
        if isinstance(block, (form.Question, form.Choice)) and place is not None:
            return place.element
    return places[last].element  # type: ignore[union-attr]


def _like(model: Element, wording: str) -> Element:
    """A new paragraph holding ``wording``, with the paragraph and run format of ``model``."""
    p = fields.element("w:p")
    pPr = model.find(_PPR)
    if pPr is not None:
        pPr = copy.deepcopy(pPr)
        for child in list(pPr):
            if child.tag in _DROPPED:
                pPr.remove(child)
        p.append(pPr)
    first = next((r for r in model.iter(_R) if text(r).strip()), None)
    rPr = None if first is None else first.find(_RPR)
    if wording:
        p.append(fields.text_run(wording, None if rPr is None else copy.deepcopy(rPr)))
    return p


def add_image(document: Any, after: Element, data: bytes) -> None:
    """Put the signature image in a new paragraph after ``after``, at most 6 × 3.5 cm."""
    p = fields.element("w:p")
    after.addnext(p)
    shape = Paragraph(p, document).add_run().add_picture(io.BytesIO(data), width=IMAGE_WIDTH)
    if shape.height > IMAGE_HEIGHT:
        shape.width = Emu(int(shape.width * IMAGE_HEIGHT / shape.height))
        shape.height = IMAGE_HEIGHT


def has_image(elements: Sequence[Element]) -> bool:
    """True when one of the elements holds a picture (a pasted signature or stamp)."""
    return any(next(element.iter(*_PICTURES), None) is not None for element in elements)
