"""Read an answers file: the entry point of loading, from a path or a text to the answers.

The jobs live in their own modules: bytes to text (:mod:`~clas_bilan.textfile`), YAML to
plain values with their lines (:mod:`~clas_bilan.yamlvalues`, syntax advice in
:mod:`~clas_bilan.syntax`), plain values to the models with every refusal explained in
French (:mod:`~clas_bilan.validation`). Every problem found becomes a
:class:`~clas_bilan.report.Finding` with the YAML line and the form's label, except file
problems (missing, too big, binary), which raise :class:`~clas_bilan.errors.UsageError`.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from clas_bilan import campaigns, keys, scaffold, textfile, validation, yamlvalues
from clas_bilan.models import Reponses
from clas_bilan.report import Finding, shown


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


def load(text: str) -> Loaded:
    """Parse and validate answers text; data problems become findings, never exceptions."""
    parsed = yamlvalues.read(text)
    data, lines, findings, comments = parsed.data, parsed.lines, parsed.findings, parsed.comments
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
                code="empty-file",
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
                code="not-a-mapping",
            )
        )
        return Loaded(None, lines, findings)
    _fill_empty(data, campaigns.current().answers)
    answers, errors, dropped, set_aside = _validate(data, lines)
    findings += _cut_texts(answers, comments, lines)
    for key, line in parsed.unread.items():  # set aside after a syntax error: not read at all
        lines.setdefault(key, line)
        set_aside.setdefault(key, None)
    return Loaded(answers, lines, findings + errors, dropped | set(parsed.unread), set_aside)


def _cut_texts(
    answers: Reponses, comments: Mapping[str, str], lines: Mapping[str, int]
) -> list[Finding]:
    """Warn where « # » cut a text answer short: YAML reads the rest of the line as a comment."""
    found = []
    dumped = answers.model_dump(by_alias=True)
    for key, comment in comments.items():
        value = keys.get_in(dumped, key)
        if not isinstance(value, str):
            continue  # a number, date or oui/non: the comment is only a note
        name = keys.name(key)
        found.append(
            Finding(
                "erreur",
                key,
                keys.line_of(lines, key),
                campaigns.label(key),
                f"« {shown(comment)} » est lu comme un commentaire (après « # ») : il "
                "n’apparaîtrait pas dans le bilan.",
                hint="S’il fait partie de la réponse, mettez toute la réponse entre "
                f"guillemets : {name}: {scaffold.quoted(f'{value} {comment}')} ; sinon, "
                "mettez le commentaire sur la ligne du dessus.",
                code="text-cut-by-comment",
            )
        )
    return found


def _validate(
    data: dict[str, Any], lines: Mapping[str, int]
) -> tuple[Reponses, list[Finding], set[str], dict[str, Any]]:
    """Validate; each faulty value is reported and left out, so the rest can still be checked.

    Also return the keys whose answers are missing because of an error: the faulty
    keys, and the key a misspelt key was meant to be (its answers sit under the typo).
    """
    model = campaigns.current().answers
    answers, refusals = validation.validate(model, data)
    findings: list[Finding] = []
    dropped: set[str] = set()
    set_aside: dict[str, Any] = {}
    for refusal in refusals:
        key = refusal.key
        findings.append(
            Finding(
                "erreur",
                key or None,
                keys.line_of(lines, key),
                campaigns.label(key),
                refusal.message,
                refusal.hint,
                code=refusal.code,
            )
        )
        dropped.add(key)
        set_aside[key] = refusal.value
        if refusal.meant:
            dropped.add(refusal.meant)
    built = answers or model()
    if answers is None or "campagne" not in data:  # absent or refused: the current campaign's
        built.campagne = campaigns.current().code
    return built, findings, dropped, set_aside


def _fill_empty(data: dict[str, Any], model: type[BaseModel]) -> None:
    """Read an empty section (``signature:`` with nothing under it) as an empty one."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in data:
            continue
        inner = keys.inner_model(info.annotation)
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


def load_file(path: Path) -> Loaded:
    """Read and load an answers file (UsageError for file problems)."""
    text, findings = textfile.read_text(path)
    loaded = load(text)
    loaded.findings[:0] = findings
    return loaded
