"""Dotted answer keys (« formations.sessions.0.organisme »): their pieces, and what they name.

A key is the answers file's path to a value: section names and field keys as the file
spells them (« public.inscrits.6e », aliases not attribute names), list positions as
ASCII digits. Pydantic's ``loc`` tuples are the same path as a tuple.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from clas_bilan.values import LEVEL_SPELLINGS, level_key

Loc = tuple[int | str, ...]
"""A key as a tuple of parts, the way pydantic's errors give it."""


def is_index(part: str) -> bool:
    """True for a list position in a dotted key: ASCII digits only (« ² » is a key's text)."""
    return part.isascii() and part.isdigit()


def split(key: str) -> list[str]:
    """The parts of a dotted key (« public.inscrits.6e » → public, inscrits, 6e)."""
    return key.split(".") if key else []


def join(parts: Iterable[int | str]) -> str:
    """A dotted key from its parts (a pydantic ``loc`` included)."""
    return ".".join(str(part) for part in parts)


def child(key: str, part: int | str) -> str:
    """The key of a part under ``key`` (the file's top when ``key`` is empty)."""
    return f"{key}.{part}" if key else str(part)


def name(key: str) -> str:
    """The last part of a dotted key: the name written before « : » in the file."""
    return key.rsplit(".", 1)[-1]


def plain(key: str) -> str:
    """A key without its list positions: the same key for every item of a list."""
    return join(part for part in split(key) if not is_index(part))


def parents(key: str) -> Iterator[str]:
    """The key itself, then each parent key, up to the first part."""
    parts = split(key)
    while parts:
        yield join(parts)
        parts.pop()


# Walking plain nested data (what YAML gives) -----------------------------------------


def _spellings(part: int | str) -> tuple[int | str, ...]:
    """The ways a part may be written in the file (« 1ere » is also « 1ère », « 1re »)."""
    if not isinstance(part, str):
        return (part,)
    meant = level_key(part)
    return (part, *{meant, *(spelled for spelled, key in LEVEL_SPELLINGS.items() if key == meant)})


def _child(data: Any, part: int | str) -> tuple[bool, Any]:
    """(found, value) of one step down plain data, by a key's part."""
    if isinstance(data, dict):
        for spelled in _spellings(part):
            if spelled in data:
                return True, data[spelled]
        return False, None
    if isinstance(data, list):
        position = part if isinstance(part, int) else int(part) if is_index(part) else None
        if position is not None and position < len(data):
            return True, data[position]
    return False, None


def get_in(data: Any, key: str | Loc) -> Any:
    """The value at a key in plain nested data (dicts and lists), None when absent."""
    for part in split(key) if isinstance(key, str) else key:
        found, data = _child(data, part)
        if not found:
            return None
    return data


def put_in(data: dict[str, Any], key: str | Loc, value: Any) -> None:
    """Set the value at a key in plain nested data, making the missing sections on the way."""
    *heads, last = split(key) if isinstance(key, str) else key
    target: Any = data
    for part in heads:
        found, inner = _child(target, part)
        target = inner if found else target.setdefault(part, {})
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def drop_in(data: Any, loc: Loc) -> bool:
    """Take out the value at ``loc`` from plain nested data; False when it cannot be found.

    A list item is emptied rather than removed, so the positions of the others stay.
    """
    if not loc:
        return False
    found, target = True, data
    for part in loc[:-1]:
        found, target = _child(target, part)
        if not found:
            return False
    last = loc[-1]
    if isinstance(target, dict):
        for spelled in _spellings(last):
            if spelled in target:
                del target[spelled]
                return True
    if isinstance(target, list) and isinstance(last, int) and last < len(target):
        target[last] = {}
        return True
    return False


# Walking a model by key -------------------------------------------------------------


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside an annotation (``list[Session]``, ``Annotated[Inscrits, …]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = inner_model(arg)
        if found is not None:
            return found
    return None


def field(model: type[BaseModel], part: int | str) -> FieldInfo | None:
    """The field a key's part names in a model (by alias or name, any accepted spelling)."""
    spellings = _spellings(part)
    return next(
        (
            info
            for name, info in model.model_fields.items()
            if name in spellings or info.alias in spellings
        ),
        None,
    )


def walk(loc: Loc, model: type[BaseModel]) -> Iterator[tuple[str, FieldInfo]]:
    """Yield (part, field) down a key from the answers model, list positions skipped.

    Stops at the first part the models do not know.
    """
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or is_index(part):
            continue
        info = field(current, part) if current is not None else None
        if info is None:
            return
        yield str(part), info
        current = inner_model(info.annotation)


def names(loc: Loc, model: type[BaseModel]) -> list[str]:
    """The keys accepted under ``loc``, as the answers file spells them."""
    steps = [part for part in loc if not (isinstance(part, int) or is_index(part))]
    found = list(walk(loc, model))
    if len(found) != len(steps):
        return []
    inner = inner_model(found[-1][1].annotation) if found else model
    if inner is None:
        return []
    return [info.alias or name for name, info in inner.model_fields.items()]


def line_of(lines: Mapping[str, int], key: str | None) -> int | None:
    """Line of a dotted key in the file, else of its nearest written parent."""
    if not key:
        return None
    return next((lines[parent] for parent in parents(key) if parent in lines), None)
