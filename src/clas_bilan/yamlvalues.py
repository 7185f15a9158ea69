"""YAML text to plain values, with the line of each dotted key.

Values are read as the characters typed (YAML 1.1's implicit types never apply);
anchors, aliases, tags, duplicate keys and answers cut by « # » are reported, never
applied silently. Syntax errors are explained by :mod:`clas_bilan.syntax`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from clas_bilan import campaigns, keys, models, scaffold, signature_image, slips, syntax
from clas_bilan.report import Finding, shown
from clas_bilan.values import LEVEL_SPELLINGS

MAX_NODES = 20_000
"""Most YAML values built, aliases expanded: stops « billion laughs » bombs."""

MAX_DEPTH = 30
"""Deepest nesting accepted (the format needs six levels)."""


class _Refused(Exception):
    """A YAML construct refused while building values; ``message`` is French."""

    def __init__(self, message: str, line: int | None, key: str | None, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.key = key
        self.code = code


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
            raise _Refused(_TOO_MANY, line, None, code="too-many-values")
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
            raise _Refused(_TOO_MANY, line, path or None, code="too-many-values")
        if depth > MAX_DEPTH or id(node) in self.active:
            raise _Refused(
                "imbrication trop profonde (ou alias YAML qui se contient lui-même) ; "
                "suivez la structure du fichier créé par clas-bilan init.",
                line,
                path or None,
                "too-deep",
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
        if node.style == '"':
            self.escaped(node, path)
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

    def escaped(self, node: yaml.ScalarNode, path: str) -> None:
        r"""Report a Windows path whose « \n », « \t »… double quotes made special characters.

        « image: "C:\new\tampon.png" » reads as « C: », a new line, « ew », a tab…: the
        path would be looked for, or written in the bilan, changed in silence.
        """
        start, end = node.start_mark, node.end_mark
        typed = self.source[start.index + 1 : end.index - 1]
        if start.line != end.line or not _ESCAPED_CONTROL.search(node.value):
            return
        if path != signature_image.KEY and not _WINDOWS_PATH.match(typed):
            return
        self.findings.append(
            Finding(
                "erreur",
                path,
                start.line + 1,
                campaigns.label(path),
                f"« {shown(typed)} » : entre guillemets droits, les « \\ » ont été lus comme "
                "des caractères spéciaux (« \\n » devient un retour à la ligne, « \\t » une "
                "tabulation…) : ce chemin ne serait pas celui écrit.",
                "Écrivez le chemin entre apostrophes, où chaque « \\ » reste tel quel : "
                f"{keys.name(path)}: {scaffold.quoted(typed)}",
                code="backslash-escape",
            )
        )

    def comment_only(self, node: yaml.ScalarNode, path: str) -> None:
        """Report a text answer that is only a comment: « intitule_projet: #1 » is empty."""
        mark = node.start_mark
        if not _is_text(path) or mark.line >= len(self.text):
            return
        rest = self.text[mark.line][mark.column :].strip()
        if not rest.startswith("#"):
            return
        name = keys.name(path)
        self.findings.append(
            Finding(
                "erreur",
                path,
                mark.line + 1,
                campaigns.label(path),
                f"« {shown(rest)} » est lu comme un commentaire (après « # ») : la réponse "
                "resterait vide.",
                "Si c’est la réponse, mettez-la entre guillemets : "
                f"{name}: {scaffold.quoted(rest)}",
                code="comment-only-answer",
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
        name = keys.name(key) if key else ""
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
                    campaigns.label(key),
                    f"« &{shown(anchor)} » est lu comme une ancre YAML, pas comme du texte : "
                    f"« &{shown(anchor)} » n’apparaîtrait pas dans le bilan.",
                    hint,
                    code="yaml-anchor",
                )
            )
        if tag is not None:
            self.findings.append(
                Finding(
                    "erreur",
                    key,
                    line,
                    campaigns.label(key),
                    _tag_message(tag),
                    hint,
                    code="yaml-tag",
                )
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
                    code="key-not-text",
                )
            key = str(key_node.value)
            child = keys.child(path, key)
            if key in result:
                self.findings.append(
                    Finding(
                        "erreur",
                        child,
                        line,
                        campaigns.label(child),
                        f"la clé « {shown(key)} » apparaît deux fois (lignes "
                        f"{self.lines.get(child)} et {line}) ; la seconde effacerait la première.",
                        hint="Gardez une seule des deux et regroupez-y les réponses.",
                        code="duplicate-key",
                    )
                )
                continue
            self.lines[child] = line
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def sequence(self, node: yaml.SequenceNode, path: str, depth: int) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            child = keys.child(path, index)
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
_ESCAPED_CONTROL = re.compile(r"[\x00\x07-\x0d\x1b]")
"""What « \\0 », « \\a », « \\b », « \\t », « \\n », « \\v », « \\f », « \\r », « \\e » make
between double quotes."""
_WINDOWS_PATH = re.compile(r"[A-Za-z]:\\|\\\\")
"""A Windows path as typed: « C:\\… » or a shared folder « \\\\serveur\\… »."""


def _is_text(path: str) -> bool:
    """True when the dotted key is a text answer (``Text`` or ``Line`` in models.py)."""
    return _is_text_key(keys.plain(path), campaigns.current().answers)


@functools.cache
def _is_text_key(path: str, answers: type[BaseModel]) -> bool:
    parts = tuple(part for part in keys.split(path) if part)
    steps = list(keys.walk(parts, answers))
    if not parts or len(steps) != len(parts):
        return False
    return any(
        getattr(meta, "func", None) in (models.text_answer, models.line_answer)
        for meta in steps[-1][1].metadata
    )


_THOUSANDS_DOT = re.compile(r"[1-9]\d{0,2}(\.\d{3})+")


@dataclass(frozen=True)
class Parsed:
    """YAML text read: plain values, each dotted key's line, findings, comments, unread keys."""

    data: Any
    lines: dict[str, int]
    findings: list[Finding]
    comments: dict[str, str]
    """Comments after an unquoted value on its line, by key (words meant as the answer?)."""
    unread: dict[str, int] = field(default_factory=dict)
    """Keys written on lines set aside after a syntax error, with their lines: not read."""


def parse(text: str) -> tuple[Any, dict[str, int], list[Finding], dict[str, str]]:
    """Parse YAML text safely: plain values, each dotted key's line, findings, comments."""
    parsed = read(text)
    return parsed.data, parsed.lines, parsed.findings, parsed.comments


def read(text: str) -> Parsed:
    """Parse YAML text safely into plain values, with every problem as a finding.

    The comments are those after an unquoted value on its line, by key: for a text
    answer, they are words the user may have meant as part of it. Slips found line by
    line (slips.py) are repaired in memory; then each YAML syntax error is repaired
    (a one-line answer quoted) or set aside (:func:`syntax.settle`), so that every
    other answer is still read and checked.
    """
    scanned = slips.scan(text)
    text = scanned.text
    early = [
        Finding(
            "avertissement" if slip.severity == "avertissement" else "erreur",
            slip.key,
            slip.line,
            campaigns.label(slip.key),
            slip.message,
            slip.hint,
            code=slip.code,
        )
        for slip in scanned.slips
    ]
    unread: dict[str, int] = {}
    for settled_already in (False, True):
        try:
            loader, node = _compose(text)
            break
        except yaml.YAMLError as error:
            if settled_already:  # each part reads alone, not the whole: said as it is
                early = syntax.unique(early, syntax.finding(error, text))
                return Parsed(None, {}, early, {}, unread)
            settled = syntax.settle(text, early)
            early, unread, text = [*early, *settled.findings], settled.unread, settled.text
            if not settled.readable:
                return Parsed(None, {}, early, {}, unread)
        except _Refused as refused:
            finding = Finding("erreur", None, refused.line, "", refused.message, code=refused.code)
            return Parsed(None, {}, [*early, finding], {}, unread)
        except RecursionError:
            return Parsed(None, {}, [*early, _too_deep()], {}, unread)
    if node is None:
        return Parsed(None, {}, early, {}, unread)
    builder = _Builder(loader, text, scanned.firsts)
    builder.findings.extend(early)
    try:
        data = builder.build(node, "", 0)
    except _Refused as refused:
        key = keys.join(keys.split(refused.key or "")[:3]) or None
        finding = Finding(
            "erreur", key, refused.line, campaigns.label(key), refused.message, code=refused.code
        )
        return Parsed(None, builder.lines, [*builder.findings, finding], {}, unread)
    except RecursionError:
        return Parsed(None, builder.lines, [*builder.findings, _too_deep()], {}, unread)
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
                code="yaml-alias",
            )
        )
    for spelled, key in LEVEL_SPELLINGS.items():
        line = builder.lines.get(f"public.inscrits.{spelled}")
        if line is not None:
            builder.lines.setdefault(f"public.inscrits.{key}", line)
    for key, raw in builder.dotted.items():
        if "heures" in keys.name(key):
            builder.findings.append(_thousands_dot(key, raw, builder.lines))
    return Parsed(data, builder.lines, builder.findings, builder.comments, unread)


def _compose(text: str) -> tuple[_Loader, yaml.Node | None]:
    """The YAML node tree of ``text`` and the loader that read it (anchors, tags, aliases)."""
    loader = _Loader(text)
    try:
        return loader, loader.get_single_node()
    finally:
        loader.dispose()


def _thousands_dot(key: str, raw: str, lines: Mapping[str, int]) -> Finding:
    """Warn that « 1.250 » hours are read as 1,25: a dot is a decimal point here."""
    read = raw.rstrip("0").rstrip(".").replace(".", ",")
    return Finding(
        "avertissement",
        key,
        keys.line_of(lines, key),
        campaigns.label(key),
        f"« {raw} » est lu comme {read} heure(s) : le point marque les décimales.",
        hint=f"Pour {raw.replace('.', ' ')} heures, écrivez {raw.replace('.', '')}.",
        code="thousands-dot",
    )


def _too_deep() -> Finding:
    return Finding(
        "erreur",
        None,
        None,
        "",
        "imbrication trop profonde : le fichier ne suit pas la structure attendue.",
        hint="Repartez du fichier créé par clas-bilan init.",
        code="too-deep",
    )
