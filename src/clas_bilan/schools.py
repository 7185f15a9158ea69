"""The établissements of a territoire, as typed in the cell « NOM ADRESSE, MAIL » and back.

People type that cell in many ways: one paragraph a line, line breaks (Shift+Enter), one
line with separators (« nom – adresse – mail »), a blank line between schools, the e-mail
anywhere. Lines are grouped into établissements by blank lines and by what they look like:
an e-mail; an address (a number and a street word, or a postal code and a commune); else
a name; a line typed « Nom : », « Adresse : » or « Mail : » is that part, whole. What cannot
be told apart is kept whole in ``nom`` and reported, never split or merged silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

School = tuple[str | None, str | None, str | None]
"""(nom, adresse, email) of one établissement."""

Kind = Literal["nom", "adresse", "email"]

_EMAIL = re.compile(r"[^\s@<>(),;:\"'\[\]]+@[^\s@<>(),;:\"'\[\]]+\.[A-Za-z]{2,}")
_EMAIL_LABEL = re.compile(
    r"^(?:adresse\s+)?(?:(?:e-?\s?)?mail|m[ée]l|courriel)\s*:?\s*$|^[\s:\-–—()<>]*$", re.IGNORECASE
)
_TRAILING_LABEL = re.compile(
    r"[\s(:–—-]*(?:adresse\s+)?(?:(?:e-?\s?)?mail|m[ée]l|courriel)\s*:?\s*$", re.IGNORECASE
)
_STREET_WORDS = (
    r"rue|avenue|av|bd|boulevard|bld|place|pl|chemin|ch|chem|all[ée]e|impasse|imp|route|rte"
    r"|quai|cours|square|sq|passage|sentier|faubourg|fbg|lotissement|lot|r[ée]sidence|cit[ée]"
    r"|hameau|lieu-dit|lieudit|mont[ée]e|voie|esplanade|parvis|promenade|rond-point|clos"
    r"|domaine|zone|za|zi|zac|traverse|ruelle|chauss[ée]e|grande?[\s-]rue|grand'rue"
)
_NUMBERED_STREET = re.compile(
    rf"^\d+\s*(?:bis|ter|[a-d])?\b[\s,]*(?:{_STREET_WORDS})\b\.?", re.IGNORECASE
)
_STREET = re.compile(
    r"^(?:rue|avenue|boulevard|chemin|all[ée]e|impasse|route|quai|place)\s+\S", re.IGNORECASE
)
_POSTAL = re.compile(r"(?:^|[\s,])\d{5}\s+[^\W\d]", re.UNICODE)
_LABELS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("email", re.compile(r"^\s*(?:adresse\s+)?(?:(?:e-?\s?)?mail|m[ée]l|courriel)\s*:\s*", re.I)),
    ("adresse", re.compile(r"^\s*adresse(?:\s+postale)?\s*:\s*", re.I)),
    ("nom", re.compile(r"^\s*nom\s*:\s*", re.I)),
)
"""A line typed « Nom : … », « Adresse : … » or « Mail : … » is that part, read whole."""
_LABEL_WORDS: dict[Kind, str] = {"nom": "Nom", "adresse": "Adresse", "email": "Mail"}
_SEPARATOR = re.compile(r"\s+[–—-]\s+|\s*[;,]\s+|\s*;\s*")
_JOIN = ", "
"""How lines kept whole in ``nom`` are joined (a one-line value)."""


@dataclass(frozen=True)
class Reading:
    """The établissements read from a cell, and the texts kept whole because unclear."""

    schools: list[School]
    unclear: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Piece:
    text: str
    kind: Kind


@dataclass
class _Draft:
    nom: list[str] = field(default_factory=list)
    adresse: list[str] = field(default_factory=list)
    email: str | None = None

    def empty(self) -> bool:
        return not self.nom and not self.adresse and self.email is None


def looks_like_email(text: str) -> bool:
    """True when the text holds an e-mail address."""
    return _EMAIL.search(text) is not None


def looks_like_address(text: str) -> bool:
    """True for « 1 rue Pasteur », « rue Pasteur … » or « 01100 Oyonnax »."""
    stripped = text.strip()
    return bool(
        _NUMBERED_STREET.match(stripped) or _STREET.match(stripped) or _POSTAL.search(stripped)
    )


def _kind(text: str) -> Kind:
    if looks_like_email(text):
        return "email"
    return "adresse" if looks_like_address(text) else "nom"


def _tokens(line: str) -> list[tuple[int, int]]:
    """Spans of the parts of a line between separators, e-mails cut out as their own part."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SEPARATOR.finditer(line):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(line)))
    cut: list[tuple[int, int]] = []
    for begin, end in spans:
        for email in _EMAIL.finditer(line, begin, end):
            cut.append((begin, email.start()))
            cut.append((email.start(), email.end()))
            begin = email.end()
        cut.append((begin, end))
    return [(b, e) for b, e in cut if line[b:e].strip()]


def _pieces(line: str) -> list[_Piece]:
    """One typed line as name, address and e-mail pieces (the line whole when it is a name)."""
    text = line.strip()
    if not text:
        return []
    for kind, label in _LABELS:
        found = label.match(text)
        if found:
            rest = text[found.end() :].strip()
            return [_Piece(rest, kind)] if rest else []
    spans = [(b, e, _kind(text[b:e])) for b, e in _tokens(text)]
    spans = [
        (b, e, kind)
        for b, e, kind in spans
        if kind == "email" or not _EMAIL_LABEL.match(text[b:e].strip())
    ]
    if all(kind == "nom" for _, _, kind in spans):
        return [_Piece(text, "nom")]
    pieces: list[_Piece] = []
    run_start, run_end, run_kind = spans[0]
    for begin, end, kind in [*spans[1:], (len(text), len(text), "email")]:
        if kind == run_kind and kind != "email":
            run_end = end
            continue
        piece = text[run_start:run_end].strip(" ,;–—-")
        if run_kind != "email":
            piece = _TRAILING_LABEL.sub("", piece).strip(" ,;–—-(")
        else:
            found = _EMAIL.search(piece)
            piece = found.group(0) if found else piece
        if piece:
            pieces.append(_Piece(piece, run_kind))
        run_start, run_end, run_kind = begin, end, kind
    return pieces


def _segment(pieces: Sequence[_Piece]) -> list[_Draft]:
    """Group pieces into établissements by what each looks like."""
    drafts = [_Draft()]
    previous: Kind | None = None
    for piece in pieces:
        current = drafts[-1]
        if piece.kind == "nom":
            joins = current.empty() or previous == "nom" or not current.nom
        elif piece.kind == "adresse":
            joins = not current.adresse or previous == "adresse"
        else:
            joins = current.email is None
        if not joins:
            current = _Draft()
            drafts.append(current)
        if piece.kind == "nom":
            current.nom.append(piece.text)
        elif piece.kind == "adresse":
            current.adresse.append(piece.text)
        else:
            current.email = piece.text
        previous = piece.kind
    return [draft for draft in drafts if not draft.empty()]


Mode = Literal["flat", "blank", "paragraph"]


def _groups(paragraphs: Sequence[str]) -> tuple[list[list[str]], Mode]:
    """Lines grouped for reading, and how the cell was laid out.

    * ``blank``: a blank line (an empty paragraph, or an empty line between two lines of a
      paragraph) separates schools: each group is one school, or more when it shows so;
    * ``paragraph``: some paragraph holds line breaks (Shift+Enter within a school, Enter
      between schools): each paragraph is a school, or more when it shows so;
    * ``flat``: one paragraph a line, no line break: the whole cell is one list of lines.
    """
    per_paragraph = [[line.strip() for line in p.split("\n")] for p in paragraphs]
    inner_blank = any("" in _inner(lines) for lines in per_paragraph)
    filled = [lines for lines in per_paragraph if any(lines)]
    empty_between = any(
        not any(lines) and before and after for before, lines, after in _around(per_paragraph)
    )
    if inner_blank or empty_between:
        groups: list[list[str]] = [[]]
        for line in (line for lines in per_paragraph for line in _inner(lines) or [""]):
            if line:
                groups[-1].append(line)
            elif groups[-1]:
                groups.append([])
        return [group for group in groups if group], "blank"
    if any(len(lines) > 1 for lines in filled):
        return filled, "paragraph"
    return [[line for lines in filled for line in lines if line]], "flat"


def _inner(lines: list[str]) -> list[str]:
    """The lines of a paragraph without its leading and trailing empty lines."""
    start = next((i for i, line in enumerate(lines) if line), len(lines))
    end = max((i + 1 for i, line in enumerate(lines) if line), default=start)
    return lines[start:end]


def _around(
    per_paragraph: list[list[str]],
) -> list[tuple[bool, list[str], bool]]:
    """Each paragraph with whether some text stands before it and after it in the cell."""
    texts = [any(lines) for lines in per_paragraph]
    return [(any(texts[:i]), lines, any(texts[i + 1 :])) for i, lines in enumerate(per_paragraph)]


def read_cell(paragraphs: Sequence[str]) -> Reading:
    """The établissements typed in a cell, given its paragraphs' texts (line breaks as newlines)."""
    groups, mode = _groups(paragraphs)
    schools: list[School] = []
    unclear: list[str] = []
    for lines in groups:
        pieces = [piece for line in lines if line for piece in _pieces(line)]
        if mode == "flat" and all(piece.kind == "nom" for piece in pieces):
            schools += [(piece.text, None, None) for piece in pieces]  # a list of names
            continue
        for draft in _segment(pieces):
            if len(draft.nom) > 1:
                unclear.append(_JOIN.join(draft.nom))
            schools.append(
                (_JOIN.join(draft.nom) or None, _JOIN.join(draft.adresse) or None, draft.email)
            )
    return Reading(schools, unclear)


def write_school(nom: str | None, adresse: str | None, email: str | None) -> str:
    """One établissement as its lines (nom, adresse, e-mail), line breaks between."""
    return "\n".join(part for part in (nom, adresse, email) if part)


def write_cell(schools: Sequence[School]) -> list[str]:
    """The paragraphs of a cell holding ``schools``, laid out so ``read_cell`` gives them back.

    One paragraph a school, its lines nom, adresse, e-mail, and a blank paragraph between
    two schools (easier to read; ``read_cell`` takes a blank line as the end of a school).
    A school that would not read back exactly and without doubt alone (an address that
    does not look like one, say) has its lines labelled « Nom : », « Adresse : »,
    « Mail : »; when the cell as a whole still does not read back, every school is labelled.
    """
    plain = [write_school(*school) for school in schools]
    wanted = Reading(list(schools))
    if read_cell(_spaced(plain)) == wanted:
        return _spaced(plain)
    mixed = [
        text if read_cell([text]) == Reading([school]) else _labelled(*school)
        for text, school in zip(plain, schools, strict=True)
    ]
    if read_cell(_spaced(mixed)) == wanted:
        return _spaced(mixed)
    return _spaced([_labelled(*school) for school in schools])


def _spaced(paragraphs: Sequence[str]) -> list[str]:
    """The paragraphs with an empty one between each two."""
    spaced: list[str] = []
    for text in paragraphs:
        spaced += ["", text] if spaced else [text]
    return spaced


def _labelled(nom: str | None, adresse: str | None, email: str | None) -> str:
    parts: list[tuple[Kind, str | None]] = [("nom", nom), ("adresse", adresse), ("email", email)]
    lines = [f"{_LABEL_WORDS[kind]}\u00a0: {value}" for kind, value in parts if value]
    if len(lines) == 1:
        lines.append("")  # a line break: the paragraph is one school, not a line of a list
    return "\n".join(lines)
