"""Read an answers file: bytes, text, YAML nodes with their lines, then the pydantic models.

Every problem found here becomes a :class:`~clas_bilan.report.Finding` with the YAML
line and the form's label, except file problems (missing, too big, binary), which
raise :class:`~clas_bilan.errors.UsageError` (exit 2).

Encodings: UTF-8 with or without BOM, UTF-16 with BOM (or without, when the NUL
byte pattern is plain). A file that is not valid UTF-8 is read as Windows-1252
(what Windows calls « ANSI ») with a warning telling how to re-save it as UTF-8.
"""

from __future__ import annotations

import difflib
import functools
import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from clas_bilan import campaigns, form, models, scaffold, slips
from clas_bilan.errors import UsageError
from clas_bilan.keys import is_index
from clas_bilan.models import LEVEL_SPELLINGS, Reponses
from clas_bilan.report import Finding
from clas_bilan.values import format_size

MAX_BYTES = 2_000_000
"""Largest answers file read (a real one is a few tens of kilobytes)."""

MAX_NODES = 20_000
"""Most YAML values built, aliases expanded: stops « billion laughs » bombs."""

MAX_DEPTH = 30
"""Deepest nesting accepted (the format needs six levels)."""

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SHOWN_WIDTH = 40


@dataclass
class Loaded:
    """The outcome of loading: the answers (None if unreadable), key lines and findings."""

    answers: Reponses | None
    lines: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)
    """Keys whose faulty values were left out so the other answers could still be checked."""
    set_aside: dict[str, Any] = field(default_factory=dict)
    """The faulty values left out, as typed, by key."""


# Bytes to text ----------------------------------------------------------------


def read_text(path: Path) -> tuple[str, list[Finding]]:
    """Read a file's text, refusing early what cannot be an answers file."""
    name = path.name
    try:
        if path.is_dir():
            raise UsageError(f"« {path} » est un dossier, pas un fichier de réponses.")
        if path.exists() and not path.is_file():  # a pipe or a device would block the reading
            raise UsageError(f"« {path} » n'est pas un fichier ordinaire (tube, périphérique).")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _too_big(name, size)
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(
            f"le fichier « {path} » est introuvable.",
            hint="vérifiez le nom et le dossier, ou créez-le avec : clas-bilan init " + name,
        ) from None
    except PermissionError:
        raise UsageError(f"le fichier « {path} » ne peut pas être lu (accès refusé).") from None
    except OSError as error:
        raise UsageError(f"le fichier « {path} » ne peut pas être lu ({error.strerror}).") from None
    if len(data) > MAX_BYTES:
        raise _too_big(name, len(data))
    return decode(data, name)


def _too_big(name: str, size: int) -> UsageError:
    return UsageError(
        f"le fichier « {name} » est trop gros ({format_size(size)} ; "
        f"limite : {format_size(MAX_BYTES)}) pour être un fichier de réponses.",
        hint="vérifiez que vous avez donné le bon fichier (un fichier de réponses fait "
        "quelques dizaines de Ko).",
    )


_SIGNATURES = {
    b"PK\x03\x04": "un document Word (.docx) ou une archive .zip",
    b"\xd0\xcf\x11\xe0": "un ancien document Word ou Excel (.doc, .xls)",
    b"%PDF": "un document PDF",
    b"{\\rtf": "un document RTF",
}


def decode(data: bytes, name: str = "fichier") -> tuple[str, list[Finding]]:
    """Decode an answers file's bytes; a non-UTF-8 file is read as Windows-1252 with a warning."""
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            raise UsageError(
                f"« {name} » est {kind}, pas un fichier de réponses YAML.",
                hint="donnez le fichier .yaml de réponses (créé par clas-bilan init). "
                "Pour relire un bilan Word : clas-bilan extract BILAN.docx -o reponses.yaml",
            )
    findings: list[Finding] = []
    encoding = _utf16(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise _binary(name) from None
    elif b"\x00" in data:
        raise _binary(name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            text = data.decode("cp1252", errors="replace")
            line = data[: error.start].count(b"\n") + 1
            findings.append(
                Finding(
                    "avertissement",
                    None,
                    line,
                    "",
                    "le fichier n’est pas enregistré en UTF-8 ; il a été lu comme du "
                    "Windows-1252 (« ANSI »). Vérifiez les accents dans le bilan.",
                    hint="Réenregistrez-le en UTF-8 : Bloc-notes → Fichier → Enregistrer "
                    "sous → Encodage : UTF-8.",
                )
            )
    text = text.removeprefix("\ufeff")
    controls = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\t\n\r")
    if controls > 8:
        raise _binary(name)
    return text, findings


def _utf16(data: bytes) -> str | None:
    """Name the UTF-16 flavour of data, from its BOM or its NUL bytes pattern."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[: 400 - 400 % 2] if len(data) >= 400 else data[: len(data) - len(data) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.7 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.7 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _binary(name: str) -> UsageError:
    return UsageError(
        f"« {name} » n’est pas un fichier texte (il contient des caractères binaires).",
        hint="donnez le fichier .yaml de réponses, enregistré en texte (UTF-8).",
    )


# Text to plain values, with the line of each key ----------------------------------


class _Refused(Exception):
    """A YAML construct refused while building values; ``message`` is French."""

    def __init__(self, message: str, line: int | None, key: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.key = key


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, stopping as soon as the document holds too many nodes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nodes = 0
        self.anchor_names: dict[int, str] = {}
        """Anchor names (« &nom »), by id of the node they mark."""
        self.tags: dict[int, str] = {}
        """Tags written in the file (« !secret »), by id of the node they mark."""
        self.aliases: list[tuple[int, str]] = []
        """(line, name) of every alias « *nom »."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.nodes += 1
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if self.nodes > MAX_NODES:
            raise _Refused(_TOO_MANY, line, None)
        if isinstance(event, yaml.AliasEvent):
            self.aliases.append((line or 0, str(event.anchor)))
        node = super().compose_node(parent, index)
        anchor, tag = getattr(event, "anchor", None), getattr(event, "tag", None)
        if node is not None and anchor and not isinstance(event, yaml.AliasEvent):
            self.anchor_names[id(node)] = str(anchor)
        if node is not None and tag and tag != "!":
            self.tags[id(node)] = str(tag)
        return node


_TOO_MANY = (
    f"le fichier contient trop de valeurs (plus de {MAX_NODES:_}) ".replace("_", "\u202f")
    + "pour un fichier de réponses ; écrivez chaque réponse en entier, sans ancre « & » "
    "ni alias « * »."
)


class _Builder:
    """Build plain values from YAML nodes, recording lines, duplicate keys and comments."""

    def __init__(self, loader: _Loader, text: str, firsts: Mapping[int, str]) -> None:
        self.loader = loader
        self.firsts = firsts
        self.source = text
        self.text = text.splitlines()
        self.lines: dict[str, int] = {}
        self.comments: dict[str, str] = {}
        """Unquoted text values followed by « # … » on their line: the comment, by key."""
        self.dotted: dict[str, str] = {}
        """Numbers written like « 1.250 », a French thousands separator read as a decimal."""
        self.findings: list[Finding] = []
        self.nodes = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, path: str, depth: int) -> Any:
        line = node.start_mark.line + 1
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(_TOO_MANY, line, path or None)
        if depth > MAX_DEPTH or id(node) in self.active:
            raise _Refused(
                "imbrication trop profonde (ou alias YAML qui se contient lui-même) ; "
                "suivez la structure du fichier créé par clas-bilan init.",
                line,
                path or None,
            )
        self.marked(node, path)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path, depth)
            assert isinstance(node, yaml.SequenceNode)
            return self.sequence(node, path, depth)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        """A scalar as the characters typed: YAML 1.1's implicit types never apply.

        A plain scalar over several lines keeps its lines (each a paragraph), as a
        ``|`` block would; an empty one is no answer, and so are ``~`` and ``null``
        outside text answers.
        """
        end = node.end_mark
        if node.style is None and node.value and end.line < len(self.text):
            rest = self.text[end.line][end.column :]
            if rest.lstrip().startswith("#") and rest[:1].isspace():
                self.comments[path] = rest.strip()
            if _THOUSANDS_DOT.fullmatch(node.value):
                self.dotted[path] = node.value
        first = self.firsts.get(node.start_mark.line + 1)
        if first is not None and node.style == "|":
            return f"{first}\n{node.value}" if node.value else first
        if node.style is not None:
            return node.value
        typed = self.source[node.start_mark.index : node.end_mark.index]
        if not typed.strip():
            self.comment_only(node, path)
            return None
        if not _is_text(path) and typed in _NULLS:
            return None
        if node.start_mark.line != node.end_mark.line:
            return "\n".join(line.strip() for line in typed.splitlines())
        return typed

    def comment_only(self, node: yaml.ScalarNode, path: str) -> None:
        """Report a text answer that is only a comment: « intitule_projet: #1 » is empty."""
        mark = node.start_mark
        if not _is_text(path) or mark.line >= len(self.text):
            return
        rest = self.text[mark.line][mark.column :].strip()
        if not rest.startswith("#"):
            return
        name = path.rsplit(".", 1)[-1]
        self.findings.append(
            Finding(
                "erreur",
                path,
                mark.line + 1,
                describe(path),
                f"« {shown(rest)} » est lu comme un commentaire (après « # ») : la réponse "
                "resterait vide.",
                "Si c’est la réponse, mettez-la entre guillemets : "
                f"{name}: {scaffold.quoted(rest)}",
            )
        )

    def marked(self, node: yaml.Node, path: str) -> None:
        """Report an anchor or a tag written on ``node``: never applied silently."""
        line = node.start_mark.line + 1
        key = path or None
        anchor = self.loader.anchor_names.get(id(node))
        tag = self.loader.tags.get(id(node))
        if anchor is None and tag is None:
            return
        typed = ""
        if isinstance(node, yaml.ScalarNode) and node.style is None:
            typed = self.source[node.start_mark.index : node.end_mark.index]
        name = key.rsplit(".", 1)[-1] if key else ""
        hint = "Écrivez chaque réponse en entier, sans « & », « * » ni « ! » devant."
        if typed and "\n" not in typed and name:
            hint = (
                "Si ces caractères font partie de la réponse, mettez-la entre guillemets : "
                f"{name}: {scaffold.quoted(typed)}"
            )
        if anchor is not None:
            self.findings.append(
                Finding(
                    "erreur",
                    key,
                    line,
                    describe(key),
                    f"« &{shown(anchor)} » est lu comme une ancre YAML, pas comme du texte : "
                    f"« &{shown(anchor)} » n’apparaîtrait pas dans le bilan.",
                    hint,
                )
            )
        if tag is not None:
            self.findings.append(
                Finding("erreur", key, line, describe(key), _tag_message(tag), hint)
            )

    def mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(
                    "une clé doit être un simple mot suivi de « : », pas une liste ni un bloc.",
                    line,
                    path or None,
                )
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in result:
                self.findings.append(
                    Finding(
                        "erreur",
                        child,
                        line,
                        describe(child),
                        f"la clé « {shown(key)} » apparaît deux fois (lignes "
                        f"{self.lines.get(child)} et {line}) ; la seconde effacerait la première.",
                        hint="Gardez une seule des deux et regroupez-y les réponses.",
                    )
                )
                continue
            self.lines[child] = line
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def sequence(self, node: yaml.SequenceNode, path: str, depth: int) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            child = f"{path}.{index}" if path else str(index)
            self.lines.setdefault(child, item.start_mark.line + 1)
            items.append(self.build(item, child, depth + 1))
        return items


def _tag_message(tag: str) -> str:
    tag = tag.replace("tag:yaml.org,2002:", "!!")
    return (
        f"étiquette YAML « {shown(tag, 60)} » refusée : ce fichier ne contient que du texte, "
        "des nombres, des dates et oui/non."
    )


_NULLS = {"~", "null", "Null", "NULL"}
"""Plain values YAML reads as « nothing »: no answer, except where a text is expected."""


def _is_text(path: str) -> bool:
    """True when the dotted key is a text answer (``Text`` or ``Line`` in models.py)."""
    plain = ".".join(part for part in path.split(".") if not is_index(part))
    return _is_text_key(plain, campaigns.current().answers)


@functools.cache
def _is_text_key(path: str, answers: type[BaseModel]) -> bool:
    model: type[BaseModel] | None = answers
    parts = [part for part in path.split(".") if part]
    for index, part in enumerate(parts):
        if model is None:
            return False
        info = next(
            (
                info
                for name, info in model.model_fields.items()
                if LEVEL_SPELLINGS.get(part, part) in (name, info.alias)
            ),
            None,
        )
        if info is None:
            return False
        if index == len(parts) - 1:
            return any(
                getattr(meta, "func", None) in (models.text_answer, models.line_answer)
                for meta in info.metadata
            )
        model = slips.inner_model(info.annotation)
    return False


_YAML_PROBLEMS = (
    ("mapping values are not allowed", "deux-points « : » inattendu"),
    ("found character '\\t'", "tabulation interdite : indentez avec des espaces"),
    ("could not find expected ':'", "il manque « : » après une clé"),
    ("expected <block end>", "indentation incohérente"),
    ("did not find expected key", "indentation incohérente"),
    ("did not find expected '-' indicator", "indentation incohérente dans une liste"),
    ("found undefined alias", "alias « * » sans ancre « & » correspondante"),
    ("expected a single document", "un seul document attendu (pas de deuxième « --- »)"),
    ("found unexpected end of stream", "fin de fichier inattendue (guillemet non fermé ?)"),
    ("found unknown escape character", "caractère d’échappement « \\ » inconnu"),
    ("special characters are not allowed", "caractère de contrôle interdit"),
    ("found duplicate anchor", "ancre « & » définie deux fois"),
)


def _yaml_finding(error: yaml.YAMLError, text: str | None = None) -> Finding:
    """Turn a YAML syntax error into a French finding with its line, column and a fix."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    context = getattr(error, "context", None)
    problem = f"{context} {getattr(error, 'problem', None) or error}"
    context_mark = getattr(error, "context_mark", None)
    if context in _AT_START and context_mark is not None:
        mark = context_mark  # where the faulty key or text starts, not where YAML gave up
    french = next((fr for en, fr in _YAML_PROBLEMS if en in problem), "syntaxe YAML non valide")
    line = mark.line + 1 if mark is not None else None
    hint = (
        "Vérifiez l’indentation (espaces), les « : » après chaque clé, et mettez entre "
        "guillemets un texte qui contient « : » ou « # »."
    )
    if isinstance(error, yaml.reader.ReaderError):
        code = error.character if isinstance(error.character, int) else ord(error.character)
        french = f"caractère invisible interdit (U+{code:04X})"
        line = text[: error.position].count("\n") + 1 if text is not None else None
        mark = None
        hint = "Supprimez-le (il vient souvent d’un copier-coller depuis un PDF ou un tableur)."
    elif text is not None and line is not None:
        better = _syntax_fix(text.splitlines(), line, problem)
        if better is not None:
            french, hint = better[0] or french, better[1]
    where = f" (colonne {mark.column + 1})" if mark is not None else ""
    return Finding(
        "erreur", None, line, "", f"le fichier YAML ne se lit pas{where} : {french}.", hint
    )


_THOUSANDS_DOT = re.compile(r"[1-9]\d{0,2}(\.\d{3})+")

_AT_START = ("while scanning a simple key", "while scanning a quoted scalar")
"""YAML errors better shown at the line where the key or text started."""

_KEY_LINE = re.compile(
    r"^(?P<indent> *)(?P<dash>-\s+)?(?P<key>[^\s#:\"'\-][^:#]*?):(?:\s+(?P<value>.*?))?\s*$"
)
_BLOCK = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")
_START_QUOTE = "[{@`*&%"


_MAX_REPAIRS = 200
"""Most one-line answers put between quotes in memory before giving up on the file."""


def _unique(findings: list[Finding]) -> list[Finding]:
    """Drop a YAML error on a line where a slip is already reported: the slip says more."""
    slipped = {finding.line for finding in findings[:-1]}
    last = findings[-1]
    if last.line in slipped and last.message.startswith("le fichier YAML ne se lit pas"):
        return findings[:-1]
    return findings


def _requote(error: yaml.YAMLError, text: str) -> tuple[str, Finding] | None:
    """Quote the one-line answer a YAML error stopped at, if quoting alone makes it readable."""
    lines = text.split("\n")
    marks = [getattr(error, "context_mark", None), getattr(error, "problem_mark", None)]
    for mark in marks:
        if mark is None or not 0 <= mark.line < len(lines):
            continue
        line = lines[mark.line].rstrip("\r")
        match = _KEY_LINE.match(line)
        value = (match.group("value") or "") if match else ""
        if not match or not value or value.startswith(("#", "|", ">")):
            continue
        if value[0] in "'\"" and value.count(value[0]) == 1:
            continue  # a quote opened and never closed: said as such below
        if _reads_alone(value):
            continue
        problem = _quoted_fix(value)
        why, how, fixed = _NEEDS_QUOTES, _KEEPS, scaffold.quoted(value)
        if problem:
            why, how, fixed = problem
        key = f"{match.group('dash') or ''}{match.group('key')}"
        lines[mark.line] = line[: match.start("value")] + fixed + lines[mark.line][len(line) :]
        finding = Finding(
            "erreur",
            None,
            mark.line + 1,
            "",
            f"le fichier YAML ne se lit pas : {why}.",
            f"{how} : {key}: {fixed}",
        )
        return "\n".join(lines), finding
    return None


_NEEDS_QUOTES = "ce texte ne se lit pas tel quel sans guillemets"
_KEEPS = "Mettez toute la réponse entre guillemets, elle restera telle quelle"


def _reads_alone(value: str) -> bool:
    """True when ``k: value`` alone is read by YAML as one value (anchors and tags aside)."""
    try:
        node = yaml.compose(f"k: {value}\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    return isinstance(node, yaml.MappingNode) and len(node.value) == 1


def _syntax_fix(lines: list[str], line: int, problem: str) -> tuple[str | None, str] | None:
    """A precise French problem (None: keep PyYAML's) and fix for a YAML syntax error's line."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "while scanning a quoted scalar" in problem and "end of stream" in problem:
        return "guillemet ouvert mais jamais fermé", (
            f"Ajoutez le guillemet fermant à la fin du texte qui commence ligne {line}."
        )
    if "found character '\\t'" in problem:
        return None, (
            f"Remplacez la tabulation de la ligne {line} par des espaces, avec le même retrait "
            "que les lignes voisines."
        )
    match = _KEY_LINE.match(text)
    value = (match.group("value") or "") if match else ""
    if match and re.match(r"[|>][-+0-9]*\s*[^\s#]", value):
        return "texte écrit sur la même ligne que « | »", (
            "Après « | », allez à la ligne : le texte commence à la ligne suivante, décalé de "
            f"deux espaces de plus que « {match.group('key')}: » (ou retirez « | » pour une "
            "réponse d’une seule ligne)."
        )
    header = _block_above(lines, line)
    if header is not None:
        number, key = header
        return "ligne de texte pas assez décalée", (
            f"Si cette ligne fait partie de la réponse « {key}: | » (ligne {number}), décalez-la "
            f"de deux espaces de plus que « {key}: », comme les lignes de texte au-dessus."
        )
    if match and value and not _BLOCK.match(value):
        quoted = _quoted_fix(value)
        if quoted is not None:
            problem_fr, how, fixed = quoted
            key = f"{match.group('dash') or ''}{match.group('key')}"
            return problem_fr, f"{how} : {key}: {fixed}"
    if match:
        sibling = _key_above(lines, line)
        if sibling is not None and sibling[2] != _key_column(match):
            number, key, _ = sibling
            return "indentation incohérente", (
                f"Alignez « {match.group('key')}: » sur « {key}: » de la ligne {number} (même "
                "nombre d’espaces en début de ligne)."
            )
    return None


def _key_column(match: re.Match[str]) -> int:
    """Column where a key line's key starts (after « - » for a list item)."""
    return len(match.group("indent")) + len(match.group("dash") or "")


def _significant(lines: list[str], line: int) -> Iterator[tuple[int, str]]:
    """(number, text) of the non-blank, non-comment lines above ``line``, nearest first."""
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if text.strip() and not text.lstrip().startswith("#"):
            yield number, text


def _block_above(lines: list[str], line: int) -> tuple[int, str] | None:
    """The « key: | » line whose text ``line`` seems to continue without enough indentation."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if not text.strip() or _KEY_LINE.match(text):
        return None
    indent = len(text) - len(text.lstrip(" "))
    for number, above in _significant(lines, line):
        if len(above) - len(above.lstrip(" ")) > indent:
            continue  # a line of the block's text, indented as it should be
        match = _KEY_LINE.match(above)
        if match and _BLOCK.match(match.group("value") or ""):
            return number, match.group("key")
        return None
    return None


def _key_above(lines: list[str], line: int) -> tuple[int, str, int] | None:
    """(number, key, column) of the nearest key line above that holds a value (a sibling)."""
    for number, above in _significant(lines, line):
        match = _KEY_LINE.match(above)
        if match is None:
            return None
        value = match.group("value") or ""
        if not value or value.startswith("#"):
            return None  # a section: the next line is its child, more indented
        return number, match.group("key"), _key_column(match)
    return None


def _quoted_fix(value: str) -> tuple[str, str, str] | None:
    """(problem, how to fix, the value as it should be written) for a value needing quotes.

    The value written keeps every character typed; quotes at both ends are taken as
    the user's own quotes around the text.
    """
    quote = value[0]
    closed = len(value) > 1 and value.endswith(quote)
    inner = value[1:-1] if closed else value[1:]
    fixed = scaffold.quoted(inner if closed else value)
    if quote == "'" and "'" in inner:
        return (
            "apostrophe à l’intérieur d’un texte entre apostrophes",
            "Mettez le texte entre guillemets droits",
            fixed,
        )
    if quote == '"' and '"' in inner:
        return (
            'guillemets droits « " » à l’intérieur d’un texte entre guillemets',
            "Mettez le texte entre apostrophes",
            fixed,
        )
    if value[0] in "'\"":
        return None
    if ": " in value:
        return (
            "deux-points « : » inattendu",
            "Un texte qui contient « : » se met entre guillemets",
            fixed,
        )
    if value[0] in _START_QUOTE or value.startswith(("- ", "? ")) or value in ("-", "?"):
        return (
            f"un texte ne peut pas commencer par « {value[0]} » sans guillemets",
            "Mettez-le entre guillemets",
            fixed,
        )
    return None


def parse(text: str) -> tuple[Any, dict[str, int], list[Finding], dict[str, str]]:
    """Parse YAML text safely: plain values, each dotted key's line, findings, comments.

    The comments are those after an unquoted value on its line, by key: for a text
    answer, they are words the user may have meant as part of it. Slips found line by
    line (slips.py), and one-line answers that YAML cannot read without quotes, are
    reported and repaired in memory, so that every other answer is still read.
    """
    scanned = slips.scan(text)
    text = scanned.text
    early = [
        Finding(
            "avertissement" if slip.severity == "avertissement" else "erreur",
            slip.key,
            slip.line,
            describe(slip.key),
            slip.message,
            slip.hint,
        )
        for slip in scanned.slips
    ]
    for _ in range(_MAX_REPAIRS):
        try:
            loader = _Loader(text)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
        except yaml.YAMLError as error:
            repaired = _requote(error, text)
            if repaired is None:
                return None, {}, _unique([*early, _yaml_finding(error, text)]), {}
            text, finding = repaired
            early.append(finding)
            continue
        except _Refused as refused:
            finding = Finding("erreur", None, refused.line, "", refused.message)
            return None, {}, [*early, finding], {}
        except RecursionError:
            return None, {}, [*early, _too_deep()], {}
        break
    else:
        return None, {}, early, {}
    if node is None:
        return None, {}, early, {}
    builder = _Builder(loader, text, scanned.firsts)
    builder.findings.extend(early)
    try:
        data = builder.build(node, "", 0)
    except _Refused as refused:
        key = ".".join((refused.key or "").split(".")[:3]) or None
        finding = Finding("erreur", key, refused.line, describe(key), refused.message)
        return None, builder.lines, [*builder.findings, finding], {}
    except RecursionError:
        return None, builder.lines, [*builder.findings, _too_deep()], {}
    for alias_line, name in loader.aliases:
        builder.findings.append(
            Finding(
                "erreur",
                None,
                alias_line,
                "",
                f"« *{shown(name)} » est lu comme un alias YAML (la copie d’une autre réponse), "
                "pas comme du texte.",
                hint="Écrivez la réponse en entier ; si « * » en fait partie, mettez toute la "
                "réponse entre guillemets.",
            )
        )
    for spelled, key in LEVEL_SPELLINGS.items():
        line = builder.lines.get(f"public.inscrits.{spelled}")
        if line is not None:
            builder.lines.setdefault(f"public.inscrits.{key}", line)
    for key, raw in builder.dotted.items():
        if "heures" in key.rsplit(".", 1)[-1]:
            builder.findings.append(_thousands_dot(key, raw, builder.lines))
    return data, builder.lines, builder.findings, builder.comments


def _thousands_dot(key: str, raw: str, lines: Mapping[str, int]) -> Finding:
    """Warn that « 1.250 » hours are read as 1,25: a dot is a decimal point here."""
    read = raw.rstrip("0").rstrip(".").replace(".", ",")
    return Finding(
        "avertissement",
        key,
        line_of(lines, key),
        describe(key),
        f"« {raw} » est lu comme {read} heure(s) : le point marque les décimales.",
        hint=f"Pour {raw.replace('.', ' ')} heures, écrivez {raw.replace('.', '')}.",
    )


def _too_deep() -> Finding:
    return Finding(
        "erreur",
        None,
        None,
        "",
        "imbrication trop profonde : le fichier ne suit pas la structure attendue.",
        hint="Repartez du fichier créé par clas-bilan init.",
    )


# Plain values to models ------------------------------------------------------------


def load(text: str) -> Loaded:
    """Parse and validate answers text; data problems become findings, never exceptions."""
    data, lines, findings, comments = parse(text)
    if data is None and any(finding.is_error for finding in findings):
        return Loaded(None, lines, findings)
    if data is None:
        findings.append(
            Finding(
                "erreur",
                None,
                None,
                "",
                "le fichier est vide : aucune réponse.",
                hint="Créez un fichier à remplir avec : clas-bilan init reponses.yaml",
            )
        )
        return Loaded(None, lines, findings)
    if not isinstance(data, dict):
        kind = "une liste" if isinstance(data, list) else f"la valeur « {shown(data)} »"
        findings.append(
            Finding(
                "erreur",
                None,
                1,
                "",
                f"le fichier contient {kind} au lieu de réponses rangées par clés "
                "(campagne:, gestionnaire:, …).",
                hint="Repartez du fichier créé par clas-bilan init.",
            )
        )
        return Loaded(None, lines, findings)
    _fill_empty(data, campaigns.current().answers)
    answers, errors, dropped, set_aside = _validate(data, lines)
    findings += _cut_texts(answers, comments, lines)
    return Loaded(answers, lines, findings + errors, dropped, set_aside)


def _cut_texts(
    answers: Reponses, comments: Mapping[str, str], lines: Mapping[str, int]
) -> list[Finding]:
    """Warn where « # » cut a text answer short: YAML reads the rest of the line as a comment."""
    found = []
    dumped = answers.model_dump(by_alias=True)
    for key, comment in comments.items():
        value: Any = dumped
        for part in key.split("."):
            if isinstance(value, dict):
                value = value.get(LEVEL_SPELLINGS.get(part, part))
            elif isinstance(value, list) and is_index(part) and int(part) < len(value):
                value = value[int(part)]
            else:
                value = None
        if not isinstance(value, str):
            continue  # a number, date or oui/non: the comment is only a note
        name = key.rsplit(".", 1)[-1]
        found.append(
            Finding(
                "erreur",
                key,
                line_of(lines, key),
                describe(key),
                f"« {shown(comment)} » est lu comme un commentaire (après « # ») : il "
                "n’apparaîtrait pas dans le bilan.",
                hint="S’il fait partie de la réponse, mettez toute la réponse entre "
                f"guillemets : {name}: {scaffold.quoted(f'{value} {comment}')} ; sinon, "
                "mettez le commentaire sur la ligne du dessus.",
            )
        )
    return found


def _validate(
    data: dict[str, Any], lines: Mapping[str, int]
) -> tuple[Reponses, list[Finding], set[str], dict[str, Any]]:
    """Validate; drop each faulty value and retry, so the rest can still be checked.

    Also return the keys whose answers are missing because of an error: the faulty
    keys, and the key a misspelt key was meant to be (its answers sit under the typo).
    """
    findings: list[Finding] = []
    dropped: set[str] = set()
    set_aside: dict[str, Any] = {}
    for _ in range(5):
        try:
            return campaigns.current().answers.model_validate(data), findings, dropped, set_aside
        except ValidationError as error:
            details = error.errors()
            for detail in details:
                finding = _finding(detail, lines)
                findings.append(finding)
                dropped.add(finding.key or "")
                set_aside[finding.key or ""] = detail.get("input")
                if detail["type"] == "extra_forbidden":
                    meant = _suggestion(detail["loc"])
                    if meant:
                        dropped.add(".".join([*map(str, detail["loc"][:-1]), meant]))
            if not all(_drop(data, detail["loc"]) for detail in details):
                break
    return campaigns.current().answers(), findings, dropped, set_aside


def _drop(data: Any, loc: tuple[int | str, ...]) -> bool:
    """Remove the value at ``loc`` from nested plain data; False when it cannot be found."""
    if not loc:
        return False
    target = data
    for part in loc[:-1]:
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, dict) and part == "1ere":
            spelled = [k for k, v in LEVEL_SPELLINGS.items() if v == part and k in target]
            if not spelled:
                return False
            target = target[spelled[0]]
        elif isinstance(target, list) and isinstance(part, int) and part < len(target):
            target = target[part]
        else:
            return False
    last = loc[-1]
    if isinstance(target, dict):
        for key in (last, *(k for k, v in LEVEL_SPELLINGS.items() if v == last)):
            if key in target:
                del target[key]
                return True
    if isinstance(target, list) and isinstance(last, int) and last < len(target):
        target[last] = {}
        return True
    return False


def _fill_empty(data: dict[str, Any], model: type[BaseModel]) -> None:
    """Read an empty section (``signature:`` with nothing under it) as an empty one."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in data:
            continue
        inner = slips.inner_model(info.annotation)
        is_list = typing.get_origin(info.annotation) is list
        value = data[key]
        if value is None and inner is not None:
            data[key] = [] if is_list else {}
        elif isinstance(value, dict) and inner is not None and not is_list:
            _fill_empty(value, inner)
        elif isinstance(value, list) and inner is not None and is_list:
            for item in value:
                if isinstance(item, dict):
                    _fill_empty(item, inner)


def _finding(detail: ErrorDetails, lines: Mapping[str, int]) -> Finding:
    """Turn one pydantic error into a French finding naming the key, line and label."""
    loc = detail["loc"]
    key = ".".join(str(part) for part in loc)
    kind = detail["type"]
    value = detail.get("input")
    message, hint = _message(kind, value, detail, loc)
    return Finding("erreur", key or None, line_of(lines, key), describe(key), message, hint)


def _message(
    kind: str, value: Any, detail: ErrorDetails, loc: tuple[int | str, ...]
) -> tuple[str, str | None]:
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"nombre entier attendu, pas « {shown(value)} ».", "Écrivez par exemple 12."
    if kind in {"greater_than_equal", "greater_than"}:
        return f"le nombre doit être positif ou nul (ici {shown(value)}).", None
    if kind in {"less_than_equal", "less_than", "float_parsing_size"}:
        return f"nombre bien trop grand (« {shown(value)} »).", "Vérifiez la saisie."
    if kind in {"float_type", "float_parsing", "finite_number"}:
        return f"nombre attendu, pas « {shown(value)} ».", "Écrivez par exemple 1,5."
    if kind in {"bool_type", "bool_parsing"}:
        return f"répondez par « oui » ou « non », pas « {shown(value)} ».", None
    if kind == "string_type":
        what = "une liste" if isinstance(value, list) else "un bloc de clés"
        if not isinstance(value, (list, dict)):
            what = f"« {shown(value)} »"
        return f"texte attendu, pas {what}.", "Écrivez la réponse sur la même ligne que la clé."
    if kind == "list_type":
        return (
            "liste attendue : un élément par ligne, commençant par « - ».",
            "Voyez l’exemple : clas-bilan init --exemple exemple.yaml",
        )
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        valid = _valid_keys(loc)
        keys = ", ".join(valid[:6])
        hint = None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and valid:
            hint = (
                f"Écrivez la réponse sous une de ces clés, à la ligne et décalée de deux espaces, "
                f"par exemple « {valid[0]}: {shown(value)} »."
            )
            if loc and isinstance(loc[-1], int):
                hint = f"Nommez chaque élément de la liste : « - {valid[0]}: {shown(value)} »."
        return (
            f"cette rubrique doit contenir des clés en retrait dessous ({keys}…), "
            f"pas « {shown(value)} ».",
            hint,
        )
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"date attendue, pas « {shown(value)} ».", "Écrivez par exemple 30/06/2026."
    if kind in {"value_error", "assertion_error"}:
        error = str(detail.get("ctx", {}).get("error") or "valeur non valide")
        if isinstance(value, (str, int, float)) and shown(value) not in error:
            error = f"{error} (ici « {shown(value)} »)"
        return f"{error}.", None
    return f"valeur non valide (« {shown(value)} »).", None


def _unknown_key(loc: tuple[int | str, ...]) -> tuple[str, str | None]:
    """Name the unknown key and suggest the nearest valid one (difflib)."""
    name = str(loc[-1])
    valid = _valid_keys(loc[:-1])
    meant = _suggestion(loc)
    hint = "Sinon cette réponse serait perdue."
    if meant:
        return (
            f"clé inconnue « {shown(name)} » : vouliez-vous dire « {meant} » ?",
            f"Corrigez le nom de la clé. {hint}",
        )
    return (
        f"clé inconnue « {shown(name)} ». Clés possibles ici : {', '.join(valid)}.",
        f"Corrigez le nom de la clé ou supprimez-la. {hint}",
    )


def _suggestion(loc: tuple[int | str, ...]) -> str | None:
    """The valid key nearest to the unknown key at ``loc`` (difflib), if any is close."""
    lowered = {key.lower(): key for key in _valid_keys(loc[:-1])}
    close = difflib.get_close_matches(str(loc[-1]).lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


# Keys, models and labels ------------------------------------------------------------


def _walk(loc: tuple[int | str, ...]) -> Iterator[tuple[str, Any]]:
    """Yield (key, field description) down ``loc``, from the root model."""
    model: type[BaseModel] | None = campaigns.current().answers
    for part in loc:
        if isinstance(part, int) or (isinstance(part, str) and is_index(part)):
            continue
        if model is None:
            return
        info = next(
            (
                info
                for name, info in model.model_fields.items()
                if LEVEL_SPELLINGS.get(str(part), part) in (name, info.alias)
            ),
            None,
        )
        if info is None:
            return
        yield str(part), info.description
        model = slips.inner_model(info.annotation)


def _valid_keys(loc: tuple[int | str, ...]) -> list[str]:
    """Keys accepted at ``loc`` (by their answers-file spelling)."""
    model: type[BaseModel] | None = campaigns.current().answers
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        found = None
        for name, info in model.model_fields.items():
            if part in (name, info.alias):
                found = slips.inner_model(info.annotation)
        model = found
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def describe(key: str | None) -> str:
    """The form's label for a dotted key, else the model's description, else a parent's."""
    if not key:
        return ""
    parts = key.split(".")
    while parts:
        plain = ".".join(part for part in parts if not is_index(part))
        if plain in form.labels() and not is_index(parts[-1]):
            return form.labels()[plain]
        steps = list(_walk(tuple(parts)))
        if len(steps) == len([p for p in parts if not is_index(p)]) and steps and steps[-1][1]:
            return str(steps[-1][1])
        parts.pop()
    return ""


def line_of(lines: Mapping[str, int], key: str | None) -> int | None:
    """Line of a dotted key in the file, else of its nearest written parent."""
    if not key:
        return None
    parts = key.split(".")
    while parts:
        line = lines.get(".".join(parts))
        if line is not None:
            return line
        parts.pop()
    return None


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def shown(value: Any, width: int = _SHOWN_WIDTH) -> str:
    """A user value made safe to print in a message: short, control characters escaped."""
    text = value if isinstance(value, str) else repr(value) if value is not None else "vide"
    if isinstance(value, bool):
        text = "oui" if value else "non"
    text = _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text


def load_file(path: Path) -> Loaded:
    """Read and load an answers file (UsageError for file problems)."""
    text, findings = read_text(path)
    loaded = load(text)
    loaded.findings[:0] = findings
    return loaded
