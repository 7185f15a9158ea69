"""Syntax advice: a YAML syntax error turned into a French finding with its line and a fix.

A one-line answer that YAML cannot read without quotes is quoted in memory
(:func:`requote`), so that the rest of the file is still read; anything else is
explained (:func:`finding`) with the most precise fix the faulty line allows.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from clas_bilan import campaigns, keys, scaffold, slips
from clas_bilan.report import Finding

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


def finding(error: yaml.YAMLError, text: str | None = None) -> Finding:
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
        "erreur",
        None,
        line,
        "",
        f"le fichier YAML ne se lit pas{where} : {french}.",
        hint,
        code="yaml-syntax",
    )


_AT_START = ("while scanning a simple key", "while scanning a quoted scalar")
"""YAML errors better shown at the line where the key or text started."""

_KEY_LINE = re.compile(
    r"^(?P<indent> *)(?P<dash>-\s+)?(?P<key>[^\s#:\"'\-][^:#]*?):(?:\s+(?P<value>.*?))?\s*$"
)
_BLOCK = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")
_START_QUOTE = "[{@`*&%"


def unique(early: list[Finding], error: Finding) -> list[Finding]:
    """Add a YAML error unless a slip is already reported on its line: the slip says more."""
    if error.line in {finding.line for finding in early}:
        return early
    return [*early, error]


def requote(error: yaml.YAMLError, text: str) -> tuple[str, Finding] | None:
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
            code="needs-quotes",
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
    if quote == '"' and closed and "\\" in inner:
        return (
            "« \\ » entre guillemets droits annonce un caractère spécial (\\U, \\n…)",
            "Un chemin Windows se met entre apostrophes",
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


MAX_STEPS = 200
"""Most repairs and set-asides in one file before giving up on reading the rest."""

_MAX_NESTING = 12
"""Deepest level at which a failing part is split further to find its errors."""

_ITEM = re.compile(r"^(?P<indent> *)-(?: +|$)")


@dataclass
class _Aside:
    """A syntax error left unrepaired: its finding, the lines set aside, the keys on them."""

    finding: Finding
    start: int
    end: int
    indent: int
    """How far the block's first line was indented before it was blanked."""
    keys: dict[str, int] = field(default_factory=dict)
    """The dotted keys written on the lines set aside, with their lines."""


@dataclass(frozen=True)
class Settled:
    """An answers text made readable: each syntax error repaired in memory or set aside."""

    text: str
    findings: list[Finding]
    unread: dict[str, int]
    """Dotted keys written on lines set aside, with their lines: their answers were not read."""
    readable: bool
    """False when the file holds more errors than :data:`MAX_STEPS`: the rest is not read."""


def settle(text: str, early: list[Finding]) -> Settled:
    """Repair or set aside every syntax error of ``text`` so that the rest of it can be read.

    A one-line answer is quoted (:func:`requote`); any other error is reported at its
    line and the smallest block around it (the line, then with the lines it holds, then
    its section) is blanked, line numbers kept. A failing text is cut where its keys or
    list items start and each part read alone, so an error costs a new reading of its
    part only, not of the whole file.
    """
    settler = _Settler(text.split("\n"), {finding.line for finding in early})
    settler.printable()
    settler.settle(0, len(settler.lines), None, 0, failing=True)
    readable = settler.repair(0, len(settler.lines), None)
    findings = [*settler.findings]
    unread: dict[str, int] = {}
    for aside in settler.asides:
        unread.update(aside.keys)
        if aside.finding.line not in settler.slipped:
            findings.append(_told(aside))
    findings.sort(key=lambda finding: finding.line or 0)
    if not readable:
        findings.append(
            Finding(
                "erreur",
                None,
                None,
                "",
                f"trop d’erreurs de syntaxe (plus de {MAX_STEPS}) : la lecture s’arrête là et "
                "les réponses ne sont pas vérifiées.",
                "Corrigez les erreurs signalées, puis relancez la vérification.",
                code="too-many-syntax-errors",
            )
        )
    return Settled("\n".join(settler.lines), findings, unread, readable)


def _told(aside: _Aside) -> Finding:
    """A syntax error's finding, its fix followed by the lines set aside and the keys unread."""
    first, last = aside.start + 1, aside.end + 1
    lines = f"les lignes {first} à {last} sont laissées"
    if first == last:
        lines = f"la ligne {first} est laissée"
    tops = [
        key for key in aside.keys if not any(key.startswith(f"{other}.") for other in aside.keys)
    ]
    unread = ""
    if tops:
        named = ", ".join(f"« {keys.name(key)} »" for key in tops[:4])
        more = f" et {len(tops) - 4} autre(s)" if len(tops) > 4 else ""
        unread = f" ; réponse(s) non lue(s) : {named}{more}"
    note = f"Pour lire la suite, {lines} de côté{unread}."
    hint = f"{aside.finding.hint} {note}" if aside.finding.hint else note
    return dataclasses.replace(aside.finding, hint=hint)


class _Settler:
    """The lines of an answers text, repaired or blanked part by part until YAML reads them."""

    def __init__(self, lines: list[str], slipped: set[int | None]) -> None:
        self.lines = lines
        self.slipped = slipped
        """Lines where a slip is already reported: a YAML error there would say less."""
        self.findings: list[Finding] = []
        self.asides: list[_Aside] = []
        self.steps = 0
        self.keys = _keys_by_line(lines)
        """The dotted key written on each key line, as the file was before any was blanked."""

    def printable(self) -> None:
        """Take out, in memory, each invisible character YAML refuses; one finding a line."""
        while self.steps < MAX_STEPS:
            text = "\n".join(self.lines)
            try:
                yaml.reader.Reader(text)
                return
            except yaml.reader.ReaderError as error:
                found = finding(error, text)
                if found.line not in {seen.line for seen in self.findings}:
                    self.findings.append(found)
                position = error.position
                text = text[:position] + text[position + 1 :]
                self.lines = text.split("\n")
                self.steps += 1

    def view(self, number: int, undash: int | None) -> str:
        """Line ``number`` as read in a part: a list item's dash blanked when it heads it."""
        line = self.lines[number]
        if number == undash:
            return _ITEM.sub(lambda item: " " * len(item[0]), line, count=1)
        return line

    def error(self, start: int, end: int, undash: int | None) -> yaml.YAMLError | None:
        """The first YAML error of lines ``start`` to ``end`` read alone, marks at file lines."""
        text = "\n".join(self.view(number, undash) for number in range(start, end))
        loader = None
        try:
            loader = yaml.SafeLoader(text)
            loader.get_single_node()
        except yaml.YAMLError as error:
            marks = {id(mark): mark for mark in _marks(error)}
            for mark in marks.values():
                mark.line += start
            return error
        except RecursionError:
            return None  # too deep for a syntax check: the loading says so
        finally:
            if loader is not None:
                loader.dispose()
        return None

    def settle(self, start: int, end: int, undash: int | None, depth: int, failing: bool) -> None:
        """Repair or set aside the errors of lines ``start`` to ``end``, part by part.

        A part that fails is cut into smaller parts, down to the parts that cannot be
        cut, whose errors are repaired one by one; an error only the whole part shows
        (parts that read alone but not together) is left to :meth:`repair` of the file.
        """
        if not failing and self.error(start, end, undash) is None:
            return
        parts = self.parts(start, end, undash) if depth < _MAX_NESTING else []
        if not parts:
            self.repair(start, end, undash)
        for first, last, dash in parts:
            self.settle(first, last, dash, depth + 1, failing=len(parts) == 1)

    def parts(self, start: int, end: int, undash: int | None) -> list[tuple[int, int, int | None]]:
        """Cut lines where a key or a list item starts at their least indentation."""
        meaningful = [n for n in range(start, end) if _meaningful(self.view(n, undash))]
        if not meaningful or any(
            self.lines[n].startswith(("---", "...", "%")) for n in range(start, end)
        ):
            return []
        least = min(_indent(self.view(n, undash)) for n in meaningful)
        cuts = [
            n
            for n in meaningful
            if _indent(self.view(n, undash)) == least and _starts(self.view(n, undash))
        ]
        if len(cuts) > 1:
            bounds = [start, *cuts[1:], end]
            return [(bounds[k], bounds[k + 1], undash) for k in range(len(cuts))]
        head = meaningful[0]
        line = self.view(head, undash)
        if _ITEM.match(line):
            return [(start, end, head)]  # a list item alone: read as the keys it holds
        match = _KEY_LINE.match(line)
        value = (match.group("value") or "") if match else ""
        body = meaningful[1:]
        held = body and all(_indent(self.lines[n]) > least for n in body)
        if match and (not value or value.startswith("#")) and held:
            return [(head + 1, end, None)]
        return []

    def repair(self, start: int, end: int, undash: int | None) -> bool:
        """Quote or set aside, error after error, until lines ``start`` to ``end`` read."""
        aside: _Aside | None = None
        while self.steps < MAX_STEPS:
            error = self.error(start, end, undash)
            if error is None:
                return True
            self.steps += 1
            text = "\n".join(self.lines)
            repaired = requote(error, text)
            if repaired is not None:
                self.lines = repaired[0].split("\n")
                self.findings.append(repaired[1])
                continue
            found = finding(error, text)
            realigned = self.realign(found)
            if realigned is not None:
                self.findings.append(realigned)
                continue
            line = self.nearest((found.line or end) - 1, start, end)
            if line is None:
                return False
            if aside is None or line > self.reach(aside.start, aside.end, aside.indent, end):
                indent = _indent(self.lines[line])
                last = self.reach(line, line, indent, end) if _holds(self.lines[line]) else line
                aside = _Aside(found, line, last, indent)
                self.asides.append(aside)
            elif not self.widen(aside, line, start, end):
                return False
            self.blank(aside)
        return False

    def realign(self, found: Finding) -> Finding | None:
        """Align a « key: value » line on the key above it, when only its indentation is off."""
        number = (found.line or 0) - 1
        text = self.lines[number].rstrip("\r") if 0 <= number < len(self.lines) else ""
        match = _KEY_LINE.match(text)
        if match is None or match.group("dash") or _holds(text):
            return None
        sibling = _key_above(self.lines, number + 1)
        above = self.keys.get(sibling[0] - 1) if sibling is not None else None
        if sibling is None or above is None or sibling[2] == _key_column(match):
            return None
        parent = above.rsplit(".", 1)[0] if "." in above else ""
        key = keys.child(parent, match.group("key"))
        if not _in_model(keys.split(key)):
            return None  # not a question of the section above: set aside, said as such
        self.lines[number] = " " * sibling[2] + self.lines[number].lstrip(" ")
        return dataclasses.replace(
            found, key=key, label=campaigns.label(key), code="key-misaligned"
        )

    def nearest(self, line: int, start: int, end: int) -> int | None:
        """The meaningful line at or above ``line`` in the part, else the first below it."""
        line = min(max(line, start), end - 1)
        order = itertools.chain(range(line, start - 1, -1), range(line + 1, end))
        return next((number for number in order if _meaningful(self.lines[number])), None)

    def reach(self, first: int, last: int, indent: int, end: int) -> int:
        """The last line held by line ``first`` (more indented below it), at least ``last``."""
        for number in range(first + 1, end):
            text = self.lines[number]
            if not _meaningful(text):
                continue
            if _indent(text) <= indent:
                break
            last = max(last, number)
        return last

    def widen(self, aside: _Aside, line: int, start: int, end: int) -> bool:
        """Grow the set-aside block until it holds ``line`` and something left to blank."""
        first, last, indent = aside.start, aside.end, aside.indent
        while True:
            held = self.reach(first, last, indent, end)
            if held > last:
                last = held
            else:
                parent = self.parent(first, indent, start)
                if parent is None:
                    if (first, last) == (start, end - 1):
                        return False
                    first, last, indent = start, end - 1, -1
                else:
                    indent = _indent(self.lines[parent])
                    first, last = parent, self.reach(parent, parent, indent, end)
            if first <= line and any(
                self.lines[number].strip() for number in range(first, last + 1)
            ):
                aside.start, aside.end, aside.indent = first, last, indent
                return True

    def parent(self, number: int, indent: int, start: int) -> int | None:
        """The nearest line above ``number`` (in the part) less indented than ``indent``."""
        for above in range(number - 1, start - 1, -1):
            text = self.lines[above]
            if _meaningful(text) and _indent(text) < indent:
                return above
        return None

    def blank(self, aside: _Aside) -> None:
        """Blank the block's lines (numbers kept), noting the keys written on them."""
        for number in range(aside.start, aside.end + 1):
            key = self.keys.get(number)
            if key is not None:
                aside.keys.setdefault(_known(key), number + 1)
        for number in range(aside.start, aside.end + 1):
            self.lines[number] = ""


def _marks(error: yaml.YAMLError) -> list[yaml.Mark]:
    return [
        mark
        for mark in (getattr(error, "context_mark", None), getattr(error, "problem_mark", None))
        if mark is not None
    ]


def _meaningful(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _holds(text: str) -> bool:
    """True when a line may hold the more indented lines below it (not « key: value »)."""
    match = _KEY_LINE.match(text.rstrip("\r"))
    value = (match.group("value") or "") if match else ""
    return not value or value.startswith("#") or bool(_BLOCK.match(value))


def _starts(text: str) -> bool:
    """True when a line starts a key or a list item (a place to cut a failing part)."""
    return bool(_ITEM.match(text) or _KEY_LINE.match(text))


@dataclass
class _Open:
    """A key or list item still open while the lines are read: its column and dotted key."""

    col: int
    parts: list[str | int]
    item: bool = False
    items: dict[int, int] = field(default_factory=dict)
    """How many list items it holds so far, by the column of their « - »."""


def _keys_by_line(lines: list[str]) -> dict[int, str]:
    """The dotted key written on each key line (by index), read in one pass down the file."""
    found: dict[int, str] = {}
    stack = [_Open(-1, [])]
    for number, text in enumerate(lines):
        if not _meaningful(text):
            continue
        item = _ITEM.match(text)
        if item is not None:
            dash = len(item.group("indent"))
            while stack[-1].col > dash or (stack[-1].col == dash and stack[-1].item):
                stack.pop()
            owner = stack[-1]
            index = owner.items.get(dash, 0)
            owner.items[dash] = index + 1
            stack.append(_Open(dash, [*owner.parts, index], item=True))
        key = _key_of(text)
        if key is None:
            continue
        name, col = key
        while stack[-1].col >= col:
            stack.pop()
        parts = [*stack[-1].parts, name]
        found[number] = keys.join(parts)
        stack.append(_Open(col, parts))
    return found


_WORD = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[^\s#:'\"\-][^\s:#]*)(?P<rest>.*)$")
"""A line starting with a word: a known key whose « : » may be missing."""


def _known(key: str) -> str:
    """The key as the model has it: one too far right, under the section above, moved up.

    A key the model does not know at any level is returned as it is.
    """
    parts = keys.split(key)
    for start in range(len(parts)):
        if not keys.is_index(parts[start]) and _in_model(parts[start:]):
            return keys.join(parts[start:])
    return key


def _in_model(parts: list[str]) -> bool:
    """True when the answers model has the key of these parts, from its top."""
    named = [part for part in parts if not keys.is_index(part)]
    return len(list(keys.walk(tuple(parts), campaigns.current().answers))) == len(named)


def _key_of(text: str) -> tuple[str, int] | None:
    """The key written on a line and its column, with « : » forgotten after a known key."""
    text = text.rstrip("\r")
    match = _KEY_LINE.match(text)
    if match is None:
        match = _WORD.match(text)
        if match is None or match.group("key") not in slips.keys(campaigns.current().answers):
            return None
    return match.group("key").strip(), _key_column(match)
