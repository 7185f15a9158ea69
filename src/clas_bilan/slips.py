"""Slips of an answers file found line by line before YAML parsing, each repaired in memory.

Tabs, a missing « : » or a missing space after it, an answer written after init's
comment, keys not indented under their section, a list item without « - », text under
« key: | » indented like its key: each is reported at its line
with the fix that keeps every answer, and repaired in the text handed to the YAML
parser (same lines, so every other line keeps its number), so that every other answer
is still read and checked in the same run. A repaired file is never rendered: each
slip is an error.
"""

from __future__ import annotations

import difflib
import functools
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from clas_bilan import campaigns, scaffold
from clas_bilan import keys as dotted
from clas_bilan.keys import inner_model
from clas_bilan.models import text_answer
from clas_bilan.values import LEVEL_SPELLINGS


@dataclass(frozen=True)
class Slip:
    """One slip: its line, the dotted key when known, what is wrong and how to fix it."""

    line: int
    key: str | None
    message: str
    hint: str
    severity: str = "erreur"
    code: str = field(kw_only=True)
    """The stable name of the kind of slip (``Finding.code``)."""


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """The fields of a model by their answers-file key (« 6e », not « sixieme »)."""
    found = {info.alias or name: info.annotation for name, info in model.model_fields.items()}
    if "1ere" in found:
        found.update({spelled: found[key] for spelled, key in LEVEL_SPELLINGS.items()})
    return found


def _all_keys(model: type[BaseModel], into: set[str]) -> set[str]:
    for key, annotation in _fields(model).items():
        into.add(key)
        inner = inner_model(annotation)
        if inner is not None:
            _all_keys(inner, into)
    return into


@functools.cache
def keys(model: type[BaseModel]) -> frozenset[str]:
    """Every key name of an answers file of ``model``, at any level."""
    return frozenset(_all_keys(model, set()))


_KEY_LINE = re.compile(
    r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[^\s#:'\"\-][^:#]*?):(?:[ \t]+(?P<value>.*?))?[ \t]*$"
)
_NO_SPACE = re.compile(r"^(?P<head> *(?:- +)?)(?P<key>[^\s#:'\"\-][^\s:#]*):(?P<rest>[^\s:/].*)$")
_NO_COLON = re.compile(
    r"^(?P<head> *(?:- +)?)(?P<key>[^\s#:'\"\-][^\s:#]*)(?:[ \t]+(?P<rest>[^\s:#][^:]*?))?[ \t]*$"
)
_AFTER_NOTE = re.compile(
    r"^(?P<head> *(?:- +)?(?P<key>[^\s#:'\"\-][^:#]*?):)[ \t]+#[ \t]*(?P<comment>.*?)[ \t]*$"
)
_BLOCK = re.compile(r"^[|>][-+0-9]*[ \t]*(#.*)?$")


@dataclass
class _Level:
    """An open level of nesting: a key holding a section or a list, or a list item."""

    col: int
    model: type[BaseModel] | None
    name: str
    is_list: bool = False
    item: bool = False
    seen: set[str] = field(default_factory=set)
    line: int = 0


@dataclass
class _Scanner:
    lines: list[str]
    slips: list[Slip] = field(default_factory=list)
    firsts: dict[int, str] = field(default_factory=dict)
    """Text typed on a key's line before lines read as a « | » block, by line number."""

    def fix_line(self, number: int, text: str, path: str) -> str:
        stripped = text.lstrip(" ")
        if stripped.startswith("\t"):
            text = " " * self.expected_indent(number) + stripped.lstrip(" \t")
            self.slips.append(
                Slip(
                    number,
                    None,
                    "tabulation interdite en début de ligne : le décalage se fait avec des "
                    "espaces.",
                    "Remplacez la tabulation par des espaces, avec le même décalage que les "
                    "lignes voisines (deux espaces par niveau).",
                    code="tab-indent",
                )
            )
        match = _NO_SPACE.match(text)
        if match and match.group("key") in keys(campaigns.current().answers):
            head, key, rest = match.group("head", "key", "rest")
            text = f"{head}{key}: {rest}"
            self.slips.append(
                Slip(
                    number,
                    _join(path, key),
                    f"il manque une espace après « {key}: » : la ligne est lue comme un seul "
                    "texte, sans clé.",
                    f"Ajoutez une espace après les deux-points : {text.strip()}",
                    code="missing-space-after-colon",
                )
            )
        match = _NO_COLON.match(text)
        if (
            match
            and match.group("key") in keys(campaigns.current().answers)
            and len(match.group("head")) <= self.expected_indent(number)  # not a text's next line
        ):
            head, key, rest = match.group("head", "key", "rest")
            text = f"{head}{key}: {rest}" if rest else f"{head}{key}:"
            self.slips.append(
                Slip(
                    number,
                    _join(path, key),
                    f"il manque les deux-points « : » après « {key} » : la ligne ne se lit pas "
                    "comme une question et sa réponse.",
                    f"Ajoutez « : » après la clé : {text.strip()}",
                    code="colon-missing",
                )
            )
        match = _AFTER_NOTE.match(text)
        note, answer = _answer_in_note(match.group("comment")) if match else ("", "")
        if match and answer:
            head, key = match.group("head", "key")
            text = f"{head} {answer}   # {note}"
            self.slips.append(
                Slip(
                    number,
                    _join(path, key.strip()),
                    f"la réponse « {answer} » est écrite après « # » : tout ce qui suit « # » "
                    "est un commentaire, la question resterait sans réponse.",
                    f"Écrivez la réponse avant le « # » : {key.strip()}: {answer}",
                    code="answer-in-comment",
                )
            )
        match = _KEY_LINE.match(text)
        if match and match.group("value") and "\t" in match.group("value"):
            value = match.group("value")
            if not value.startswith(("'", '"', "#")) and not _BLOCK.match(value):
                quoted = scaffold.quoted(value)
                start = match.start("value")
                text = text[:start] + quoted
                self.slips.append(
                    Slip(
                        number,
                        _join(path, match.group("key")),
                        "tabulation dans une réponse d’une ligne : YAML ne la lit pas sans "
                        "guillemets.",
                        f"Mettez la réponse entre guillemets : {text.strip()}",
                        code="tab-in-answer",
                    )
                )
        return text

    # Slips of the structure ------------------------------------------------------

    def structure(self) -> None:
        """Walk the key lines with their nesting; repair misplaced keys and missing « - »."""
        stack: list[_Level] = [_Level(-1, campaigns.current().answers, "")]
        block: int | None = None
        previous: _Level | None = None
        number = 0
        while number < len(self.lines):
            number += 1
            text = self.lines[number - 1]
            bare = text.rstrip("\r")
            indent = len(bare) - len(bare.lstrip(" "))
            if block is not None:
                if not bare.strip() or indent > block:
                    continue
                tabbed = _KEY_LINE.match(bare.lstrip(" \t"))
                if bare[indent] == "\t" and not (
                    tabbed and tabbed.group("key") in keys(campaigns.current().answers)
                ):
                    self.lines[number - 1] = self.tab_in_block(number, bare, block) + _end(text)
                    continue
            block = None
            if not bare.strip() or bare.lstrip(" \t").startswith("#"):
                continue
            path = _path(_open_at(stack, bare))
            bare = self.fix_line(number, bare, path)
            self.lines[number - 1] = bare + _end(text)
            match = _KEY_LINE.match(bare)
            if match is None:
                continue
            if self.unclosed(number, match, path):
                bare = self.lines[number - 1].rstrip("\r")
                match = _KEY_LINE.match(bare)
                assert match is not None
            key, dash = match.group("key"), match.group("dash")
            col = len(match.group("indent")) + len(dash or "")
            value = match.group("value") or ""
            if dash:
                while stack[-1].col > len(match.group("indent")):
                    stack.pop()
            else:
                while stack[-1].col >= col:
                    stack.pop()
            parent = stack[-1]
            if not dash and parent.is_list and parent.model and key in _fields(parent.model):
                self.add_dash(number, parent, col, key)
                number -= 1
                continue  # the line is read again, now a list item
            if (
                not dash
                and parent.model is not None
                and key not in _fields(parent.model)
                and previous is not None
                and previous.model is not None
                and not previous.is_list
                and previous.col >= col
                and key in _fields(previous.model)
            ):
                self.indent_under(number, previous, col, parent)
                number -= 1
                stack.append(previous)
                previous = None
                continue  # the line is read again, now under its section
            if dash and parent.is_list:
                item = _Level(len(match.group("indent")) + 1, parent.model, "", item=True)
                stack.append(item)
                parent = item
            elif (
                not dash
                and parent.item
                and key in parent.seen
                and col == parent.col + 1
                and bare[: col - 2].strip() == ""
                and col >= 2
            ):
                self.split_item(number, key, col)
                number -= 1
                continue  # read again as a new list item
            parent.seen.add(key)
            annotation = _fields(parent.model).get(key) if parent.model else None
            inner = inner_model(annotation)
            is_list = typing.get_origin(annotation) is list
            level = _Level(col, inner, key, is_list=is_list, line=number)
            if _BLOCK.match(value):
                if not any(char.isdigit() for char in value.split("#")[0]):
                    self.under_block(number, col, _join(path, key))  # no explicit indentation
                block = col
            elif parent.model and _is_text(parent.model, key) and self.spans(number, col, value):
                self.as_block(number, match, _join(path, key), value)
                block = col
            elif (not value or value.startswith("#")) and (inner or annotation is None):
                stack.append(level)
                previous = level
                continue
            previous = None

    def under_block(self, number: int, col: int, key: str) -> None:
        """Indent the lines of a « key: | » answer's text written no further right than its key."""
        target: int | None = None
        under: list[int] = []
        for index in range(number, len(self.lines)):
            bare = self.lines[index].rstrip("\r")
            stripped = bare.lstrip(" ")
            if not stripped or stripped.startswith("\t"):
                continue  # a tab is said and repaired as such (tab_in_block)
            indent = len(bare) - len(stripped)
            if indent > col and (target is None or indent >= target):
                target = target or indent  # the text's own indentation, from its first line
            elif _is_text_line(stripped):
                under.append(index)
            else:
                break
        if not under:
            return
        name = dotted.name(key)
        how = f"comme le reste du texte de « {name}: »"
        if target is None:
            target, how = col + 2, f"deux de plus que « {name}: »"
        for index in under:
            self.lines[index] = " " * target + self.lines[index].lstrip(" ")
        lines = f"la ligne {under[0] + 1} pour qu’elle commence"
        if len(under) > 1:
            lines = f"les lignes {under[0] + 1} à {under[-1] + 1} pour qu’elles commencent"
        self.slips.append(
            Slip(
                under[0] + 1,
                key,
                f"le texte de la réponse « {name}: | » (ligne {number}) n’est pas assez décalé "
                "sous sa clé : il ne serait pas lu comme la réponse.",
                f"Décalez {lines} par {target} espaces, {how}, sans rien supprimer.",
                code="block-text-not-indented",
            )
        )

    def unclosed(self, number: int, match: re.Match[str], path: str) -> bool:
        """Close a quote opened on a key's line and never closed before the next key."""
        value = match.group("value") or ""
        quote = value[:1]
        if quote not in ("'", '"') or value.count(quote) != 1:
            return False
        col = len(match.group("indent")) + len(match.group("dash") or "")
        for text in self.lines[number:]:
            bare = text.rstrip("\r")
            if bare.strip() and not bare.lstrip().startswith("#"):
                # A line more indented than the key goes on with the quoted text (YAML allows
                # a quoted answer over several lines): only a key at the key's column or left
                # of it shows the quote was never closed.
                if not _KEY_LINE.match(bare) or len(bare) - len(bare.lstrip(" ")) > col:
                    return False
                break
        text = self.lines[number - 1]
        end = _end(text)
        fixed = text[: len(text) - len(end)].rstrip() + quote
        self.lines[number - 1] = fixed + end
        self.slips.append(
            Slip(
                number,
                _join(path, match.group("key")),
                "guillemet ouvert mais jamais fermé.",
                f"Ajoutez le guillemet fermant à la fin de la réponse : {fixed.strip()}",
                code="unclosed-quote",
            )
        )
        return True

    def expected_indent(self, number: int) -> int:
        """The indentation a line should have: its sibling's above, or under its section."""
        for above in reversed(self.lines[: number - 1]):
            bare = above.rstrip("\r")
            if not bare.strip() or bare.lstrip().startswith("#"):
                continue
            match = _KEY_LINE.match(bare)
            if match is None:
                return len(bare) - len(bare.lstrip(" "))
            col = len(match.group("indent")) + len(match.group("dash") or "")
            value = match.group("value") or ""
            return col + 2 if not value or value.startswith("#") else col
        return 0

    def spans(self, number: int, col: int, value: str) -> bool:
        """True when a text answer goes on below its key, more indented, without « | »."""
        if value.startswith(("'", '"', "#", "&", "*", "!", "[", "{")) and value:
            return False
        for text in self.lines[number:]:
            bare = text.rstrip("\r")
            if bare.strip():
                indent = len(bare) - len(bare.lstrip(" \t"))
                return indent > col and not (not value and bare.lstrip().startswith("#"))
        return False

    def as_block(self, number: int, match: re.Match[str], key: str, value: str) -> None:
        """Read a text written on several lines without « | » line for line, as a « | » block."""
        head = self.lines[number - 1][: match.start("key")] + match.group("key") + ":"
        self.lines[number - 1] = head + " |"
        if value:
            self.firsts[number] = value
        name = match.group("key")
        self.slips.append(
            Slip(
                number,
                key,
                "réponse écrite sur plusieurs lignes sans « | » : chaque ligne est gardée "
                "comme un paragraphe du bilan.",
                f"Ajoutez | après les deux-points pour garder vos paragraphes (« {name}: | », "
                "le texte à la ligne suivante).",
                "avertissement",
                code="text-without-pipe",
            )
        )

    def tab_in_block(self, number: int, text: str, block: int) -> str:
        stripped = text.lstrip(" ")
        tabs = len(stripped) - len(stripped.lstrip("\t"))
        self.slips.append(
            Slip(
                number,
                None,
                "tabulation interdite en début de ligne dans un texte après « | » : le "
                "décalage se fait avec des espaces.",
                f"Remplacez la tabulation du début de la ligne par {block + 2} espaces, comme "
                "les autres lignes du texte.",
                code="tab-indent",
            )
        )
        return " " * (block + 2) + stripped[tabs:]

    def indent_under(self, number: int, section: _Level, col: int, parent: _Level) -> None:
        """Indent the keys that belong to ``section`` but were written at its own level."""
        shift = section.col + 2 - col
        end = number
        model = section.model
        assert model is not None
        parent_keys = _fields(parent.model) if parent.model else {}
        for index in range(number - 1, len(self.lines)):
            bare = self.lines[index].rstrip("\r")
            indent = len(bare) - len(bare.lstrip(" "))
            match = _KEY_LINE.match(bare)
            if (
                bare.strip()
                and not bare.lstrip().startswith("#")
                and indent <= col
                and (
                    indent < col
                    or match is None
                    or match.group("dash")
                    or match.group("key") not in _fields(model)
                    or match.group("key") in parent_keys
                )
            ):
                break
            if bare.strip():
                self.lines[index] = " " * shift + self.lines[index]
                if not bare.lstrip().startswith("#"):
                    end = index + 1
        lines = f"la ligne {number}" if end == number else f"les lignes {number} à {end}"
        self.slips.append(
            Slip(
                number,
                None,
                f"« {self.key_at(number)}: » est une question de « {section.name}: » (ligne "
                f"{section.line}), mais elle n’est pas décalée sous cette rubrique.",
                f"Décalez {lines} de {shift} espace(s) vers la droite, sous « {section.name}: », "
                "sans rien supprimer.",
                code="key-not-indented",
            )
        )

    def add_dash(self, number: int, owner: _Level, col: int, key: str) -> None:
        """Start a list item written at the column of « - » without it; shift its lines."""
        for index in range(number - 1, len(self.lines)):
            bare = self.lines[index].rstrip("\r")
            indent = len(bare) - len(bare.lstrip(" "))
            if index > number - 1 and bare.strip() and not bare.lstrip().startswith("#"):
                match = _KEY_LINE.match(bare)
                if indent < col or (indent == col and (match is None or match.group("dash"))):
                    break
            if index == number - 1:
                self.lines[index] = bare[:col] + "- " + bare[col:] + _end(self.lines[index])
            elif bare.strip():
                self.lines[index] = "  " + self.lines[index]
        self.slips.append(
            Slip(
                number,
                owner.name,
                f"« {key}: » commence un élément de la liste « {owner.name}: » (ligne "
                f"{owner.line}) sans le tiret « - ».",
                f"Commencez la ligne par « - » : {' ' * col}- {self.lines[number - 1].strip()[2:]}"
                " (et décalez les lignes suivantes de cet élément de deux espaces).",
                code="list-dash-missing",
            )
        )

    def split_item(self, number: int, key: str, col: int) -> None:
        """A key given twice in one list item: the second starts a new item, « - » forgotten."""
        bare = self.lines[number - 1]
        self.lines[number - 1] = bare[: col - 2] + "- " + bare[col:]
        self.slips.append(
            Slip(
                number,
                None,
                f"« {key}: » apparaît deux fois dans le même élément de liste : il manque sans "
                "doute le tiret « - » qui commence l’élément suivant.",
                "Commencez la ligne par « - », aligné sur le tiret de l’élément au-dessus : "
                f"{self.lines[number - 1].strip()}",
                code="list-dash-missing",
            )
        )

    def key_at(self, number: int) -> str:
        match = _KEY_LINE.match(self.lines[number - 1].rstrip("\r"))
        return match.group("key") if match else ""


_ANSWER_KEY = re.compile(r"[a-z][a-z0-9_]*")


_QUOTED_KEY = re.compile(r"^([\"']).*\1[ \t]*:(\s|$)")


def _is_text_line(stripped: str) -> bool:
    """True when a line left of a « | » block's key reads as text, not as a key or item."""
    if stripped.startswith(("#", "- ", "---", "...")) or stripped == "-":
        return False
    if _QUOTED_KEY.match(stripped):
        return False
    match = _KEY_LINE.match(stripped)
    if match is None:
        return True
    key = match.group("key")
    known = keys(campaigns.current().answers)
    if key in known:
        return False
    return not _ANSWER_KEY.fullmatch(key) or not (
        "_" in key or difflib.get_close_matches(key, known, n=1, cutoff=0.8)
    )


def _answer_in_note(comment: str) -> tuple[str, str]:
    """(init's reminder, the answer written after it) in a comment, else empty strings."""
    for note in scaffold.NOTES:
        if comment.startswith(note) and comment[len(note) : len(note) + 1] in (" ", "\t"):
            return note, comment[len(note) :].strip()
        if comment == note:
            break
    return "", ""


@functools.cache
def _is_text(model: type[BaseModel], key: str) -> bool:
    """True when ``key`` of ``model`` is a free text answer (``Text`` in models.py)."""
    info = dotted.field(model, key)
    return info is not None and any(
        getattr(meta, "func", None) is text_answer for meta in info.metadata
    )


def _end(text: str) -> str:
    return "\r" if text.endswith("\r") else ""


def _open_at(stack: list[_Level], line: str) -> list[_Level]:
    """The levels still open at a line, by its indentation: its key belongs to the last one."""
    indent = len(line) - len(line.lstrip(" "))
    if line.lstrip(" ").startswith("- "):
        return [level for level in stack if level.col <= indent]
    return [level for level in stack if level.col < indent]


def _path(stack: list[_Level]) -> str:
    return dotted.join(level.name for level in stack if level.name and not level.item)


def _join(path: str, key: str | None) -> str:
    if not key:
        return path
    return dotted.child(path, key)


@dataclass(frozen=True)
class Scanned:
    """An answers file's text repaired line for line, its slips, texts moved off key lines."""

    text: str
    slips: list[Slip]
    firsts: dict[int, str]


def scan(text: str) -> Scanned:
    """Find the line-by-line slips of an answers file; return the repaired text and the slips."""
    scanner = _Scanner(text.split("\n"))
    scanner.structure()
    slips = sorted(scanner.slips, key=lambda slip: slip.line)
    return Scanned("\n".join(scanner.lines), slips, scanner.firsts)
