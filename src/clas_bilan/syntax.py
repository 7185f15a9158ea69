"""Syntax advice: a YAML syntax error turned into a French finding with its line and a fix.

A one-line answer that YAML cannot read without quotes is quoted in memory
(:func:`requote`), so that the rest of the file is still read; anything else is
explained (:func:`finding`) with the most precise fix the faulty line allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from clas_bilan import scaffold
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
