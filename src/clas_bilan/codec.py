"""A form question's answer values as its text, and back: ETP with hours, names, place and date.

``encode`` turns the values of one form question (see ``form.Codec``) into the text a
person would type; ``decode`` reads such text back, typed by ``render`` or by hand.
Both directions live here so they cannot drift apart; each single value (count, hours,
date…) is read and written by ``values``, as the answers file reads it. ``decode``
raises ``ValueError`` with a French message when the text cannot be read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from clas_bilan import campaigns, form, schools
from clas_bilan.keys import name as key_name
from clas_bilan.values import (
    format_count,
    format_date,
    format_etp,
    format_number,
    parse_count,
    parse_date,
    parse_decimal,
)
from clas_bilan.values import plain as _plain

_NUMBER = r"\d(?:[\d\u00a0\u202f\u2007\u2009 ]*\d)?(?:[.,]\d+)?"
_LEADING_NUMBER = re.compile(rf"\s*({_NUMBER})")
_HOURS = re.compile(rf"({_NUMBER})\s*heures?(\s+(?:travaill|pay)\w*)?", re.IGNORECASE)
_UNITS = {
    "heures_travaillees": ("heures travaillées", "worked_hours"),
    "heures_payees": ("heures payées", "paid_hours"),
    "heures": ("heures", "worked_hours"),
}
"""How each hours key is written, and the campaign's base it is divided by."""
_COMPUTED = "calculé\u00a0: "
_DOTS = "…"


def encode(codec: form.Codec, keys: Sequence[str], values: Sequence[Any]) -> str:
    """Text of a question's answer values; lines separated by newlines; "" when unanswered."""
    if codec == "integer":
        return "" if values[0] is None else str(values[0])
    if codec == "etp":
        return _encode_etp(keys, values)
    if codec == "coordination":
        return _encode_coordination(*values)
    if codec == "place_date":
        return _encode_place_date(*values)
    if codec == "lines":
        return "\n".join(encode_parts(values))
    return values[0] or ""


def encode_parts(values: Sequence[str | None]) -> list[str]:
    """The paragraphs of a multi-part answer (« nom », then « adresse »…), one a value.

    A value's own lines stay in its paragraph (line breaks); a missing value before a given
    one is written « … », so each value keeps its place when read back by ``decode_parts``.
    """
    parts = [value or EMPTY_PART for value in values]
    while parts and parts[-1] == EMPTY_PART:
        parts.pop()
    return parts


def decode_parts(keys: Sequence[str], paragraphs: Sequence[str]) -> tuple[dict[str, Any], bool]:
    """Values of a multi-part answer typed one paragraph a value; True when kept whole.

    Blank paragraphs are not parts (a skipped line). One paragraph typed with line breaks
    (Shift+Enter) is read line by line. One part a key is read in order; more parts than
    keys go to the last key when it can hold several lines and the second part looks like
    an address; otherwise they are kept whole in the first key, to be checked (True).
    """
    parts = [p for p in paragraphs if p.strip()]
    if len(parts) == 1 and "\n" in parts[0]:
        parts = [line for line in parts[0].split("\n") if line.strip()]
    values: dict[str, Any] = dict.fromkeys(keys)
    whole = len(parts) > len(keys) and not (
        keys[-1] in _MULTILINE_KEYS and schools.looks_like_address(parts[len(keys) - 1])
    )
    if whole:
        values[keys[0]] = ", ".join(" ".join(part.split()) for part in parts)
        return values, True
    head, rest = parts[: len(keys) - 1], parts[len(keys) - 1 :]
    for key, part in zip(keys, [*head, "\n".join(rest)], strict=False):
        values[key] = None if not part.strip().strip(EMPTY_PART) else part
    return values, False


EMPTY_PART = "…"
"""What stands for a missing part before a given one (« … » then the address)."""
_MULTILINE_KEYS = frozenset({"gestionnaire.adresse"})
"""Last parts of a multi-part answer that may span several lines."""


def decode(codec: form.Codec, keys: Sequence[str], text: str) -> dict[str, Any]:
    """Answer values (by key) read from a question's text; None for what is not there."""
    if codec == "integer":
        return {keys[0]: parse_count(text)}
    if codec == "etp":
        return _decode_etp(keys, text)
    if codec == "coordination":
        return dict(zip(keys, _decode_coordination(text), strict=False))
    if codec == "place_date":
        return dict(zip(keys, _decode_place_date(text), strict=False))
    if codec == "lines":
        return decode_parts(keys, text.split("\n"))[0]
    return {keys[0]: text or None}


def _encode_etp(keys: Sequence[str], values: Sequence[Any]) -> str:
    etp, *hours = values
    given = [
        (amount, *_UNITS[key_name(key)])
        for key, amount in zip(keys[1:], hours, strict=False)
        if amount is not None
    ]
    parts = [f"{format_number(amount)} {unit}" for amount, unit, _ in given]
    if etp is not None:
        return format_etp(etp) + (f" ({', '.join(parts)})" if parts else "")
    if not given:
        return ""
    amount, _, base = given[0]
    divisor: int = getattr(campaigns.current(), base)
    parts[0] += f" / {format_count(divisor)}"
    computed = format_etp(round(amount / divisor, 2))
    return f"{computed} ({_COMPUTED}{', '.join(parts)})"


def _decode_etp(keys: Sequence[str], text: str) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(keys)
    if not text.strip():
        return values
    match = _LEADING_NUMBER.match(text)
    if match is None:
        raise ValueError(f"« {text.strip()} » : ETP illisible (attendu par exemple « 1,50 »)")
    rest = text[match.end() :]
    detail = rest[rest.find("(") + 1 : rest.rfind(")")] if "(" in rest and ")" in rest else ""
    if not _plain(detail).strip().startswith("calcule"):
        values[keys[0]] = parse_decimal(match.group(1))
    hours_keys = list(keys[1:])
    for found in _HOURS.finditer(detail):
        kind = _plain(found.group(2) or "")
        wanted = "travaill" if "travaill" in kind else "pay" if "pay" in kind else ""
        key = next(
            (k for k in hours_keys if wanted and wanted in key_name(k)),
            hours_keys[0] if hours_keys else None,
        )
        if key is not None:
            values[key] = parse_decimal(found.group(1))
    return values


def _encode_coordination(nom: str | None, prenom: str | None, email: str | None) -> str:
    names = f"{nom or ''}, {prenom}" if prenom else nom or ""
    if email:
        return f"{names}, {email}" if names else email
    return names


def _decode_coordination(text: str) -> tuple[str | None, str | None, str | None]:
    parts = [part.strip() for part in text.split(",")]
    if parts == [""]:
        return None, None, None
    email = parts.pop() if "@" in parts[-1] else None
    if len(parts) >= 2:
        return ", ".join(parts[:-1]) or None, parts[-1] or None, email
    return (parts[0] or None) if parts else None, None, email


def place_date_pieces(place: str | None, date: dt.date | None) -> list[tuple[str, bool]]:
    """« Fait à …, le … » as pieces of text, each flagged True when it is an answer."""
    when = format_date(date) if date else _DOTS * 8
    return [
        ("Fait à ", False),
        (place or _DOTS * 10, place is not None),
        (", le ", False),
        (when, date is not None),
    ]


def _encode_place_date(place: str | None, date: dt.date | None) -> str:
    return "".join(piece for piece, _ in place_date_pieces(place, date))


def _decode_place_date(text: str) -> tuple[str | None, dt.date | None]:
    body = re.sub(r"^\s*fait\s+[àa]\s*", "", text, flags=re.IGNORECASE)
    place, separator, when = body.rpartition(", le")
    if not separator:
        place, separator, when = body.rpartition(" le ")
    if not separator:
        place, when = body, ""
    place = _strip_dots(place)
    return place or None, parse_date(_strip_dots(when))


def _strip_dots(text: str) -> str:
    return re.sub(r"…+|\.{3,}", "", text).strip()


def encode_school(nom: str | None, adresse: str | None, email: str | None) -> str:
    """One établissement as lines nom, adresse, e-mail (``schools`` reads a whole cell back)."""
    return schools.write_school(nom, adresse, email)
