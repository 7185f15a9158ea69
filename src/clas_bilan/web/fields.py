"""The browser form's fields, read from the form description and the answer models.

Nothing here is copied by hand from the Caf's form: the blocks come from the current
campaign, each input's kind and label from the pydantic field it fills. A field's
``name`` is the answer's dotted key; inside a list it holds ``#`` where the item's index
goes (``formations.sessions.#.organisme``), numbered from 0 by the page.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BeforeValidator
from pydantic.fields import FieldInfo

from clas_bilan import campaigns, form, keys, models, signature_image
from clas_bilan.campaigns import Campaign
from clas_bilan.keys import inner_model, is_index
from clas_bilan.models import Count, Date, Decimal, Line, Text, YesNo
from clas_bilan.values import format_date, format_typed, format_yes_no

Kind = Literal["yesno", "date", "decimal", "count", "text", "line"]

_KINDS: tuple[tuple[Kind, Any], ...] = (
    ("yesno", YesNo),
    ("date", Date),
    ("decimal", Decimal),
    ("count", Count),
    ("text", Text),
    ("line", Line),
)

ITEM_NOUNS = {
    "formations.sessions": "Session de formation",
    "territoires": "Territoire",
    "territoires.#.etablissements": "Établissement scolaire",
}
"""What one item of each list is called on the page (« Ajouter une session de formation »)."""

MAX_ITEMS = 500
"""Most items a list of the page may hold: beyond it, a request is refused."""

WIDE = frozenset({"adresse"})
"""Answers shown across the whole row of their group: an address needs the room."""


@dataclass(frozen=True)
class Input:
    """One answer's input: its dotted key (``#`` for list indices), label and kind."""

    name: str
    label: str
    kind: Kind
    mandatory: bool = False

    @property
    def wide(self) -> bool:
        """True for an answer given the whole row (an address)."""
        return keys.name(self.name) in WIDE

    def filled(self, indices: tuple[int, ...]) -> str:
        """The key with the list indices put in place of the ``#`` marks."""
        return fill(self.name, indices)


@dataclass(frozen=True)
class ItemList:
    """A list of the answers shown as rows to add, remove and reorder."""

    key: str
    noun: str
    inputs: tuple[Input, ...]
    inner: ItemList | None = None


def fill(pattern: str, indices: tuple[int, ...]) -> str:
    """Put ``indices`` in place of the ``#`` marks of a key, in order."""
    parts = iter(indices)
    return re.sub("#", lambda _: str(next(parts)), pattern)


def field_info(key: str) -> FieldInfo:
    """The current campaign's pydantic field of a dotted key (list indices or ``#`` skipped)."""
    parts = tuple(part for part in keys.split(key) if part != "#" and not is_index(part))
    steps = list(keys.walk(parts, campaigns.current().answers))
    if not parts or len(steps) != len(parts):
        raise KeyError(key)
    return steps[-1][1]


def kind(key: str) -> Kind:
    """What is typed in a key's input, from the type its model field was declared with."""
    metadata = field_info(key).metadata
    for name, declared in _KINDS:
        validator = next(m for m in typing.get_args(declared) if isinstance(m, BeforeValidator))
        if validator in metadata:
            return name
    raise KeyError(key)


def _input(key: str, label: str | None = None) -> Input:
    info = field_info(key)
    text = label or models.description(info, campaigns.current()) or key
    return Input(key, clean(text), kind(key), key in form.MANDATORY_CHOICES)


def clean(text: str) -> str:
    """A form text on one line, without its trailing colon or runs of dots to write on."""
    text = re.sub("…+", "…", text)
    return " ".join(text.replace("\u00a0", " ").split()).rstrip(" :").strip()


def question_inputs(question: form.Question) -> tuple[Input, ...]:
    """The inputs of a question: one labelled by the question, or one per value."""
    if len(question.keys) == 1:
        return (_input(question.keys[0], question.label),)
    inputs = []
    for key in question.keys:
        info = field_info(key)
        label = models.description(info, campaigns.current()) or key
        if clean(label) == clean(question.label):
            label = "ETP donné (facultatif : calculé à partir des heures)"
        inputs.append(_input(key, label))
    return tuple(inputs)


def signature_input() -> Input:
    """The scanned signature's image, chosen in the page and kept beside the answers file."""
    return _input(signature_image.KEY, "Signature scannée et tampon (facultatif)")


def choice_input(choice: form.Choice) -> Input:
    """The Oui/Non pair of a choice."""
    return _input(choice.key, choice.label)


def cell_input(table: form.Table, row: tuple[form.Cell, ...], cell: form.Cell) -> Input:
    """A fixed table's answer cell, labelled by the row's question (or the form's label)."""
    assert cell.key is not None
    texts = [clean(" ".join(other.text)) for other in row if other.text and not other.header]
    label = texts[0] if texts else campaigns.current().labels[cell.key]
    return _input(cell.key, label)


def item_list(table: form.Table) -> ItemList:
    """A list table (formations, territoires) as rows of inputs."""
    assert table.items_key is not None
    key = table.items_key
    inputs = []
    inner = None
    for item_key in table.item_keys:
        pattern = f"{key}.#.{item_key}"
        if item_key in table.item_lists:
            inner = _nested_list(pattern)
        else:
            inputs.append(_input(pattern))
    return ItemList(key, ITEM_NOUNS[key], tuple(inputs), inner)


def _nested_list(pattern: str) -> ItemList:
    model = inner_model(field_info(pattern).annotation)
    assert model is not None
    inputs = tuple(
        _input(f"{pattern}.#.{info.alias or name}") for name, info in model.model_fields.items()
    )
    return ItemList(pattern, ITEM_NOUNS[pattern], inputs)


def all_patterns() -> frozenset[str]:
    """Every key the page may send, ``#`` marking list indices."""
    return _patterns(campaigns.current())


@functools.cache
def _patterns(campaign: Campaign) -> frozenset[str]:
    found = {"campagne", signature_image.KEY}
    for block in campaign.blocks:
        if isinstance(block, form.Question):
            found.update(i.name for i in question_inputs(block))
        elif isinstance(block, (form.Choice, form.Box)) and block.key:
            found.add(block.key)
        elif isinstance(block, form.Table) and block.items_key:
            found.update(_list_patterns(item_list(block)))
        elif isinstance(block, form.Table):
            found.update(cell.key for row in block.rows for cell in row if cell.key)
    return frozenset(found)


def _list_patterns(items: ItemList) -> Iterator[str]:
    yield from (i.name for i in items.inputs)
    if items.inner is not None:
        yield from _list_patterns(items.inner)


# Values: the page's flat strings and the answers' nested values -------------------


def pattern_of(name: str) -> str:
    """A sent key with its list indices replaced by ``#``."""
    return keys.join("#" if is_index(part) else part for part in keys.split(name))


def nest(flat: Mapping[str, str]) -> dict[str, Any]:
    """Nested answers (dicts, lists in index order) from the page's dotted keys."""
    root: dict[str, Any] = {}
    for name, value in flat.items():
        target = root
        *parents, last = keys.split(name)
        for part in parents:
            target = target.setdefault(f"\0{int(part):08d}" if is_index(part) else part, {})
        target[last] = value
    return dict(_lists(root))


def _lists(value: Any) -> Any:
    """Turn the index-keyed dicts made by ``_put`` into lists, in index order."""
    if not isinstance(value, dict):
        return value
    if value and all(key.startswith("\0") for key in value):
        return [_lists(value[key]) for key in sorted(value)]
    return {key: _lists(inner) for key, inner in value.items()}


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """The page's dotted keys and texts from answers read from a file (plain YAML values)."""
    if isinstance(data, dict):
        found: dict[str, str] = {}
        for key, value in data.items():
            found.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(data, list):
        found = {}
        for index, value in enumerate(data):
            found.update(flatten(value, f"{prefix}.{index}"))
        return found
    return {prefix: as_typed(data)}


def as_typed(value: Any) -> str:
    """A value read from the file as the user would type it in the page."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return format_yes_no(value).lower()
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, float):
        return format_typed(value)
    return str(value)


def list_lengths(values: Mapping[str, str], key: str, indices: tuple[int, ...] = ()) -> int:
    """How many items the list at ``key`` (``#`` filled with ``indices``) has in ``values``."""
    prefix = fill(key, indices) + "."
    seen = {name[len(prefix) :].split(".", 1)[0] for name in values if name.startswith(prefix)}
    numbers = [int(part) for part in seen if is_index(part)]
    return max(numbers) + 1 if numbers else 0
