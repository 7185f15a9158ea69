"""French typography in the answers written into the bilan, taken off again when read back.

French puts a non-breaking space inside « guillemets » and before « : ; ! ? », so that a
sign never stands alone at the start or end of a line. ``render`` turns the ordinary space
typed there into the usual one (a narrow no-break space U+202F inside guillemets and before
« ; ! ? », a no-break space U+00A0 before « : »); ``extract`` turns them back, so the answer
comes back as typed.

An answer already holding a no-break space at one of those places (pasted from Word, say)
is written exactly as typed, and its key is recorded in the document (``mark``, a custom
property): ``extract`` leaves it alone, so its own no-break spaces are never taken for the
tool's. A document without the mark (typed in Word, made by an older clas-bilan) is read as
it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from clas_bilan import keys
from clas_bilan.docx import custom

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
_BEFORE = frozenset(":;!?»")
_NO_BREAK = frozenset((NBSP, NARROW_NBSP))
_MARK = "clas-bilan typographie"
_MARK_TEXT = "espaces insécables ajoutés, sauf aux réponses :"
_LEFT_ALONE = frozenset({"campagne", "signature.image"})
"""Keys whose text is not prose: the campaign code, a file path."""


def _spot(text: str, index: int) -> str | None:
    """The no-break space French wants at ``index`` of ``text``, or None for no such place."""
    if index + 1 < len(text) and text[index + 1] in _BEFORE:
        return NBSP if text[index + 1] == ":" else NARROW_NBSP
    if index > 0 and text[index - 1] == "«":
        return NARROW_NBSP
    return None


def has_own(text: str) -> bool:
    """True when ``text`` already holds a no-break space where French typography puts one."""
    return any(char in _NO_BREAK and _spot(text, i) for i, char in enumerate(text))


def french(text: str) -> str:
    """``text`` with each ordinary space inside « » and before « : ; ! ? » made non-breaking."""
    return "".join((_spot(text, i) or char) if char == " " else char for i, char in enumerate(text))


def plain(text: str) -> str:
    """What ``french`` made of a text, given back as typed: its no-break spaces made ordinary."""
    return "".join(
        " " if char in _NO_BREAK and _spot(text, i) == char else char for i, char in enumerate(text)
    )


def typeset(answers: BaseModel) -> list[str]:
    """Put French spaces in every text of ``answers`` (in place); return the keys left as typed."""
    as_typed: list[str] = []

    def change(key: str, text: str) -> str:
        if has_own(text):
            as_typed.append(key)
            return text
        return french(text)

    _walk(answers, "", change)
    return as_typed


def untypeset(answers: BaseModel, as_typed: Iterable[str]) -> None:
    """Turn back, in place, the spaces ``typeset`` added to the texts of ``answers``."""
    kept = frozenset(as_typed)
    _walk(answers, "", lambda key, text: text if key in kept else plain(text))


def mark(document: Any, as_typed: Iterable[str]) -> None:
    """Note in an opened Document that its answers were typeset, except those of ``as_typed``."""
    custom.put(document, _MARK, " ".join([_MARK_TEXT, *as_typed]))


def marked(document: Any) -> list[str] | None:
    """The keys ``mark`` noted as typed, or None when the document was not typeset."""
    note = custom.get(document, _MARK)
    if note is None or not note.startswith(_MARK_TEXT):
        return None
    return note[len(_MARK_TEXT) :].split()


def _walk(node: object, key: str, change: Callable[[str, str], str]) -> None:
    if isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            value = getattr(node, name)
            inner = keys.child(key, info.alias or name)
            if not isinstance(value, str):
                _walk(value, inner, change)
            elif inner not in _LEFT_ALONE:
                object.__setattr__(node, name, change(inner, value))  # a str stays a str
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _walk(item, keys.child(key, index), change)
