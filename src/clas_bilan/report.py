"""The result of validating an answers file: every finding at once, and a summary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from clas_bilan import keys
from clas_bilan.models import Reponses

Severity = Literal["erreur", "avertissement"]

_LABEL_WIDTH = 70
_SHOWN_WIDTH = 40
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_ITEMS = {"sessions": "formation", "territoires": "territoire", "etablissements": "établissement"}
"""What one item of each list of the answers file is, as the user counts them."""


@dataclass(frozen=True)
class Finding:
    """One problem of the answers file: where it is, which question, what to do."""

    severity: Severity
    key: str | None
    line: int | None
    label: str
    message: str
    hint: str | None = None
    code: str = field(kw_only=True)
    """A stable name of the kind of finding (« total-mismatch »): tests and tools match it,
    never the French wording, which may change."""

    @property
    def is_error(self) -> bool:
        """True for an error (blocks ``render``), False for a warning."""
        return self.severity == "erreur"

    @property
    def short_label(self) -> str:
        """The form's label, cut to fit on one line."""
        if len(self.label) <= _LABEL_WIDTH:
            return self.label
        cut = self.label[: _LABEL_WIDTH - 1]
        return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:(") + "…"

    @property
    def place(self) -> str:
        """The key as in the file, list items numbered from 1 as the user counts them.

        « formations.sessions.0.personnes_formees » reads « formations.sessions › formation
        n° 1 › personnes_formees ».
        """
        if not self.key:
            return ""
        pieces: list[str] = []
        names: list[str] = []
        parent = ""
        for part in keys.split(self.key):
            if keys.is_index(part):
                pieces.append(keys.join(names))
                pieces.append(f"{_ITEMS.get(parent, 'élément')} n° {int(part) + 1}")
                names = []
            else:
                names.append(part)
                parent = part
        if names:
            pieces.append(keys.join(names))
        return " › ".join(piece for piece in pieces if piece)

    def text(self) -> str:
        """One French line: « ligne 57 — public.total (TOTAL) : message. Conseil. »."""
        where = f"ligne {self.line}" if self.line else "fichier"
        field_name = self.place
        if self.label:
            field_name = f"{field_name} ({self.short_label})" if field_name else self.short_label
        head = f"{where} — {field_name}" if field_name else where
        tail = f" {self.hint}" if self.hint else ""
        return f"{head} : {self.message}{tail}"


@dataclass(frozen=True)
class Eligibility:
    """Whether a bonus's criteria are met, and why in French."""

    eligible: bool
    reason: str


@dataclass(frozen=True)
class Summary:
    """Computed values shown after the findings."""

    answered: int
    questions: int
    etp_salaries: float | None
    etp_benevoles: float | None
    subtotals: dict[str, int | None]
    total: int | None
    average_per_collectif: float | None
    bonus_enfants: Eligibility
    bonus_parents: Eligibility


@dataclass
class Report:
    """Every finding of one answers file, the answers when they could be read, a summary.

    ``answers`` is None when the file could not be read as answers at all (YAML syntax,
    empty file, a list…). With data errors it holds the other answers, the faulty values
    left out so they could still be checked: never render it unless ``exit_code`` is 0.
    """

    path: Path
    answers: Reponses | None = None
    findings: list[Finding] = field(default_factory=list)
    summary: Summary | None = None

    @property
    def errors(self) -> list[Finding]:
        """Findings that block ``render``."""
        return [finding for finding in self.findings if finding.is_error]

    @property
    def warnings(self) -> list[Finding]:
        """Findings that do not block."""
        return [finding for finding in self.findings if not finding.is_error]

    @property
    def exit_code(self) -> int:
        """0 when there is no error (warnings allowed), 1 otherwise."""
        return 1 if self.errors else 0


def shown(value: Any, width: int = _SHOWN_WIDTH) -> str:
    """A user value made safe to print in a message: short, control characters escaped."""
    text = value if isinstance(value, str) else repr(value) if value is not None else "vide"
    if isinstance(value, bool):
        text = "oui" if value else "non"
    text = _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text
