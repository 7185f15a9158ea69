"""The kinds of blocks a Bilan CLAS form is made of, and what can be asked of a form.

Each campaign (``clas_bilan.campaigns``) lists its form as these blocks: its text in
order and where each answer lives. That list is the single source for three things:

* ``scripts/build_template.py`` builds the campaign's Word template from it;
* ``render`` writes each answer at the place named there;
* ``extract`` reads each answer back from the same place.

A key is a dotted path in the answers file (``moyens_humains.salaries.nombre``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

CAF_EMAIL = "parentalite@caf01.caf.fr"

Layout = Literal["inline", "below", "field"]
"""Where a question's answer goes.

* ``inline``: in the label's own paragraph, after the label (short answers);
* ``below``: in new paragraphs right after the label's paragraph;
* ``field``: in the legacy text form field (FORMTEXT) of the paragraph after the label.
"""

Codec = Literal["text", "lines", "integer", "etp", "coordination", "place_date"]
"""How the answer's values become text and back.

* ``text``: one free-text value, one paragraph a line;
* ``lines``: several one-line values, one paragraph each, the last taking the rest;
* ``integer``: a count;
* ``etp``: ``keys`` = (etp, hours worked or hours, [hours paid]); written as
  ``1,50`` when given, ``1,50 (calculé : 2 410 heures travaillées / 1 607)`` when computed;
* ``coordination``: ``keys`` = (nom, prénom, e-mail), written ``Nom, Prénom, e-mail``;
* ``place_date``: ``keys`` = (lieu, date), written ``Fait à Lieu, le 30/06/2026``.
"""


@dataclass(frozen=True)
class Cover:
    """A line of the cover page; ``lines`` are joined by line breaks in one paragraph."""

    lines: tuple[str, ...]
    size: int = 20


@dataclass(frozen=True)
class Heading:
    """A section title, as a real Word heading (level 1 or 2)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Note:
    """Static text of the form, with no answer."""

    text: str
    style: Literal["normal", "strong", "link", "bullet", "centered"] = "normal"


@dataclass(frozen=True)
class Box:
    """A framed one-cell table holding a line of text, and maybe an inline answer."""

    text: str
    key: str | None = None
    shaded: bool = False


@dataclass(frozen=True)
class Question:
    """A question of the form and the answer values that go with it."""

    label: str
    keys: tuple[str, ...]
    layout: Layout = "below"
    codec: Codec = "text"
    optional: bool = False
    """True when leaving it empty is a legitimate answer ("S'il existe des écarts…")."""
    space: int = 2
    """Empty paragraphs left under the question in the blank template."""


@dataclass(frozen=True)
class Choice:
    """A Oui/Non question answered by ticking one of two legacy check boxes."""

    label: str
    key: str
    options: tuple[str, str] = ("Oui", "Non")


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (one paragraph an item), spans, and the answer it holds."""

    text: tuple[str, ...] = ()
    span: int = 1
    """Columns of the grid this cell covers (w:gridSpan)."""
    vmerge: Literal["restart", "continue"] | None = None
    key: str | None = None
    """Answer key written in this cell (a count, or "oui"/"non")."""
    computed: str | None = None
    """Name of a computed value written here, never read back as an answer."""
    header: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the form.

    Fixed tables name their answers cell by cell. List tables (``items_key`` set)
    print ``blank_rows`` empty rows, filled one list item a row, and grow by
    copying the last row when there are more items.
    """

    name: str
    widths: tuple[float, ...]
    """Grid column widths in centimetres."""
    rows: tuple[tuple[Cell, ...], ...]
    items_key: str | None = None
    item_keys: tuple[str, ...] = ()
    """For list tables: the key, inside one item, of each grid column."""
    item_lists: tuple[str, ...] = ()
    """Those of ``item_keys`` holding a list of établissements: one paragraph an entry."""
    blank_rows: int = 0


Block = Cover | Heading | Note | Box | Question | Choice | Table


def holds_answer(block: Block) -> bool:
    """True for the blocks that carry answer keys, which a usable form must contain."""
    if isinstance(block, Box):
        return block.key is not None
    if isinstance(block, Table):
        return block.items_key is not None or any(c.key for row in block.rows for c in row)
    return isinstance(block, (Question, Choice))


def title(block: Block) -> str:
    """The text a user would recognise a block by."""
    text = block.label if isinstance(block, Question) else mark(block).text
    return " ".join(text.split())


@dataclass(frozen=True)
class Mark:
    """How a block is recognised in a document: the form's text that stands for it."""

    text: str
    whole: bool
    """True: the text is all there is; False: the text is what it starts with."""
    where: Literal["paragraph", "table", "either"]
    """A paragraph, the first cell of a table, or either (a box typed as a paragraph)."""
    dated: bool = False
    """The place-and-date line: its text up to « … », then « , le » further on."""


@functools.cache
def mark(block: Block) -> Mark:
    """What text stands for ``block`` in a document, and where."""
    if isinstance(block, Table):
        return Mark(" ".join(block.rows[0][0].text), whole=True, where="table")
    if isinstance(block, Box):
        return Mark(block.text, whole=False, where="either")
    if isinstance(block, Question) and block.codec == "place_date":
        return Mark(block.label.split("…")[0], whole=False, where="paragraph", dated=True)
    if isinstance(block, (Question, Choice)):
        return Mark(block.label, whole=False, where="paragraph")
    if isinstance(block, Cover):
        return Mark(" ".join(block.lines), whole=True, where="paragraph")
    return Mark(block.text, whole=True, where="paragraph")


def cell(*text: str, **kwargs: object) -> Cell:
    """A table cell holding ``text``, one paragraph an item."""
    return Cell(text=tuple(text), **kwargs)  # type: ignore[arg-type]


def head(*text: str, **kwargs: object) -> Cell:
    """A header cell (shaded, repeated on each page) holding ``text``."""
    return Cell(text=tuple(text), header=True, **kwargs)  # type: ignore[arg-type]


LEVELS: tuple[tuple[str, str], ...] = (
    ("CP", "CP"),
    ("CE1", "CE1"),
    ("CE2", "CE2"),
    ("CM1", "CM1"),
    ("CM2", "CM2"),
    ("6e", "6e"),
    ("5e", "5e"),
    ("4e", "4e"),
    ("3e", "3e"),
    ("2de", "2de"),
    ("1ere", "1ère"),
    ("T", "T"),
)
"""School levels: (answers-file key, form label)."""

CYCLES: dict[str, tuple[str, ...]] = {
    "elementaire": ("CP", "CE1", "CE2", "CM1", "CM2"),
    "college": ("6e", "5e", "4e", "3e"),
    "lycee": ("2de", "1ere", "T"),
}
"""The subtotals of the public table, by answers-file level key."""

MANDATORY_CHOICES = (
    "formations.suivie",
    "axe_enfants.criteres_bonus.surcout_materiel_pedagogique",
    "axe_enfants.criteres_bonus.surcout_intervenants_exterieurs",
    "axe_enfants.criteres_bonus.surcout_sorties_culturelles",
    "axe_parents.criteres_bonus.surcout_intervenants_exterieurs",
    "axe_parents.criteres_bonus.surcout_sorties_parents_enfants",
)
"""Oui/Non answers the form marks mandatory: missing is an error, not a warning."""


@dataclass(frozen=True)
class AnswerSpot:
    """One answer key and the form text a user would recognise it by."""

    key: str
    label: str
    block: Block = field(compare=False)


def answer_spots(blocks: Sequence[Block]) -> Iterator[AnswerSpot]:
    """Yield every answer key of a form, in form order, with its label."""
    for block in blocks:
        if isinstance(block, Question):
            for key in block.keys:
                yield AnswerSpot(key, _clean(block.label), block)
        elif isinstance(block, Choice):
            yield AnswerSpot(block.key, _clean(block.label), block)
        elif isinstance(block, Box) and block.key:
            yield AnswerSpot(block.key, _clean(block.text), block)
        elif isinstance(block, Table):
            if block.items_key:
                yield AnswerSpot(block.items_key, _table_label(block), block)
            for row in block.rows:
                for index, cell in enumerate(row):
                    if cell.key:
                        yield AnswerSpot(cell.key, _cell_label(block, row, index), block)


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).rstrip(" :").strip()


def _table_label(table: Table) -> str:
    return " / ".join(_clean(" ".join(cell.text)) for cell in table.rows[0] if cell.text)


def _cell_label(table: Table, row: tuple[Cell, ...], index: int) -> str:
    if table.name == "public":
        return _public_label(row, index)
    texts = [_clean(" ".join(cell.text)) for cell in row[:index] if cell.text]
    return texts[-1] if texts else _table_label(table)


def _public_label(row: tuple[Cell, ...], index: int) -> str:
    if row[index].key == "public.total":
        return "TOTAL"
    if index < len(LEVELS):
        return f"Nombre d’enfants inscrits en {LEVELS[index][1]}"
    return "Nombre d’enfants inscrits : Autre"


def labels(blocks: Sequence[Block]) -> Mapping[str, str]:
    """Map each answer key of a form to the form's label for it (``Campaign.labels`` keeps it)."""
    return MappingProxyType({spot.key: spot.label for spot in answer_spots(blocks)})
