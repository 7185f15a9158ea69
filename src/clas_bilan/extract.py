"""Read a filled bilan (made by ``render`` or typed in Word) back into answers.

Every answer is looked for where ``form.FORM`` says it lives, found by the form's
own text. What cannot be read is reported in French in ``Extracted.problems``,
never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from clas_bilan import codec, files, form, loading, scaffold
from clas_bilan.docx import locate, package, read
from clas_bilan.errors import UsageError
from clas_bilan.models import Reponses

_NUMBER_WITH_SPACES = re.compile(r"\s*\d[\d\s]*\d\s*")


@dataclass
class Extracted:
    """Answers read from a document, and what could not be read (French sentences)."""

    answers: Reponses
    problems: list[str] = field(default_factory=list)


def open_document(path: Path, *, role: str = "document") -> Any:
    """Open a .docx with python-docx; a French UsageError when it is missing, broken or hostile."""
    return package.open_docx(path, role=role)


def places(document: Any, name: str) -> list[locate.Place | None]:
    """Locate every block of the form in a document; UsageError naming what is missing."""
    return body_places(document.element.body, name)


def body_places(body: Any, name: str) -> list[locate.Place | None]:
    """Locate every block of the form in a document body (``w:body``), as ``places`` does."""
    found = locate.locate(body)
    absent = locate.missing(form.FORM, found)
    if absent:
        listed = "\n".join(f"  - « {title[:120]} »" for title in absent[:5])
        more = f"\n  … et {len(absent) - 5} autres." if len(absent) > 5 else ""
        raise UsageError(
            f"« {name} » ne contient pas cette question du formulaire "
            f"{form.TITLE} :\n{listed}{more}",
            hint="utilisez le formulaire officiel de la campagne 2025/2026 sans modifier le "
            "texte des questions (ou n'utilisez pas --template).",
        )
    return found


def extract(path: Path, *, template: Path | None = None) -> Extracted:
    """Read the answers of a filled bilan; ``template`` is checked to be the same form."""
    if template is not None:
        places(open_document(template, role="modèle"), template.name)
    document = open_document(path)
    return read_document(document, path.name)


def read_document(document: Any, name: str = "document") -> Extracted:
    """Read the answers of an opened filled bilan."""
    return read_body(document.element.body, name)


def read_body(body: Any, name: str = "document") -> Extracted:
    """Read the answers of a filled bilan's body (``w:body``)."""
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for block, place in zip(form.FORM, body_places(body, name), strict=False):
        if place is None:
            continue
        try:
            _read_block(block, place, raw, problems)
        except ValueError as error:
            problems.append(f"« {locate.title(block)[:80]} » : {error} ; réponse non reprise.")
    answers = _validate(raw, problems)
    return Extracted(answers, problems)


def _read_block(
    block: form.Block, place: locate.Place, raw: dict[str, Any], problems: list[str]
) -> None:
    if isinstance(block, form.Question):
        if block.codec == "place_date":
            value = locate.text(place.element)
        elif block.layout == "inline":
            value = read.inline(place.element, place.after, block.label)
        else:
            value = read.below(
                place.element, place.after, block.label, keep_leading=block.codec == "lines"
            )
        for key, decoded in codec.decode(block.codec, block.keys, value).items():
            _put(raw, key, decoded)
    elif isinstance(block, form.Choice):
        states = read.boxes(place.element)[:2]
        if states == [True, True]:
            problems.append(
                f"« {locate.title(block)[:80]} » : les deux cases « Oui » et « Non » sont "
                "cochées ; réponse non reprise."
            )
        elif True in states:
            _put(raw, block.key, states[0])
    elif isinstance(block, form.Box) and block.key:
        _put(raw, block.key, read.box(place.element, block.text))
    elif isinstance(block, form.Table):
        _read_table(block, place.element, raw)


def _read_table(table: form.Table, tbl: Any, raw: dict[str, Any]) -> None:
    trs = locate.rows(tbl)
    if table.items_key is None:
        for spec, tr in zip(table.rows, trs, strict=False):
            for cell, tc in zip(spec, locate.cells(tr), strict=False):
                if cell.key:
                    _put(raw, cell.key, _plain(read.cell_lines(tc)))
        return
    items: list[dict[str, Any]] = []
    for tr in trs[len(table.rows) :]:
        item: dict[str, Any] = {}
        for key, tc in zip(table.item_keys, locate.cells(tr), strict=False):
            lines = read.cell_lines(tc)
            if key in table.item_lists:
                schools = [codec.decode_school(line) for line in lines if line.strip()]
                value: Any = [
                    dict(zip(("nom", "adresse", "email"), s, strict=False)) for s in schools
                ]
            else:
                value = _plain(lines)
            if value:
                _put(item, key, value)
        if item:
            items.append(item)
    _put(raw, table.items_key, items)


def _plain(lines: list[str]) -> str | None:
    """A cell's text, None when empty."""
    return read.trim(lines) or None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _validate(raw: dict[str, Any], problems: list[str]) -> Reponses:
    """Build the answers; each value the models refuse is reported and left out."""
    for _ in range(10):
        try:
            return Reponses.model_validate(raw)
        except ValidationError as error:
            for detail in error.errors():
                typed = detail.get("input")
                compact = re.sub(r"\s", "", typed) if isinstance(typed, str) else typed
                if compact != typed and _NUMBER_WITH_SPACES.fullmatch(typed):
                    _set(raw, detail["loc"], compact)  # "1 200" typed in Word
                    continue
                key = ".".join(str(part) for part in detail["loc"])
                label = loading.describe(key) or key
                problems.append(
                    f"« {label[:80]} » : « {loading.shown(detail.get('input'))} » "
                    f"illisible ({_why(detail)}) ; réponse non reprise."
                )
                _drop(raw, detail["loc"])
    problems.append("les réponses n'ont pas pu être reprises : vérifiez le document.")
    return Reponses()


def _why(detail: ErrorDetails) -> str:
    """A French reason for a value the models refuse."""
    kind = detail["type"]
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    reasons = {
        "int": "nombre entier attendu",
        "bool": "« Oui » ou « Non » attendu",
        "date": "date attendue, par exemple 30/06/2026",
        "float": "nombre attendu, par exemple 1,5",
        "greater": "nombre positif attendu",
    }
    return next((why for start, why in reasons.items() if kind.startswith(start)), "valeur refusée")


def _set(data: Any, loc: tuple[int | str, ...], value: Any) -> None:
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value


def _drop(data: Any, loc: tuple[int | str, ...]) -> None:
    target = data
    for part in loc[:-1]:
        try:
            target = target[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(target, dict):
        target.pop(loc[-1], None)


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
