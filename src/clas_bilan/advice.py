"""What to do about a finding, said for the place where a person reads it.

A finding's ``message`` says what is wrong in words true everywhere; its ``hint`` is the
fix in the answers file (the YAML line to write). The browser form and the Caf's workbook
need the same fix said for their reader: « Cochez Oui ou Non » in the page, « demandez au
projet… » for the Caf's agent. Those texts live here, keyed by the finding's stable code,
so that each finding keeps one source of wording with a fix per medium.
"""

from __future__ import annotations

from typing import Literal

from clas_bilan.report import Finding

Medium = Literal["fichier", "page", "caf"]
"""Who reads the fix: the answers file's author, the browser form's user, the Caf's agent."""

HINT = "{hint}"
"""A fix that reads the same everywhere: the finding's own ``hint``, shown as it is."""

PAGE: dict[str, str] = {
    # The answers' checks (checks.py)
    "campaign-mismatch": "Ce fichier de réponses a été préparé pour une autre campagne : "
    "arrêtez le formulaire et partez d’un fichier créé pour celle-ci (les réponses de l’an "
    "dernier peuvent y être reprises).",
    "mandatory-missing": "Cochez Oui ou Non.",
    "training-sessions-mismatch": "Cochez Oui et décrivez chaque session avec « + Ajouter : "
    "session de formation » (organisme, intitulé, dates, personnes formées), ou cochez Non et "
    "retirez les sessions avec « ✕ Supprimer ».",
    "trained-above-headcount": HINT,
    "total-mismatch": HINT,
    "total-unchecked": "Corrigez d’abord ce nombre dans le tableau des inscrits.",
    "too-many-per-collectif": HINT,
    "etp-hours-mismatch": HINT,
    "etp-above-headcount": HINT,
    "bonus-collectifs-above-total": HINT,
    "surcout-without-collectif": "Indiquez le nombre de collectifs concernés, ou cochez Non.",
    "invisible-character": HINT,
    "email-invalid": HINT,
    "signature-missing": "Remplissez sous « Signature » le lieu, la date, le nom et la qualité "
    "du signataire.",
    "question-unanswered": HINT,
    "signature-image-unusable": "Choisissez une autre image (PNG ou JPEG) avec « Choisir une "
    "image… », ou retirez celle-ci avec « Retirer l’image ».",
    # A value of the wrong kind typed in a field (validation.py, values.py)
    "wrong-type": HINT,
    "number-too-big": HINT,
}
"""Finding code → the fix as a gesture in the browser form (never a YAML key or an option).

``{label}`` is replaced by the question's label, ``{hint}`` (:data:`HINT`) by the finding's
own fix when that one is true in the page too. A code without an entry shows no fix in
the page rather than the answers file's.
"""

CAF: dict[str, str] = {}
"""Finding code → what the Caf's agent should check or ask the project for.

``{label}`` is replaced by the question's label.
"""


def advice(finding: Finding, medium: Medium) -> str | None:
    """The fix of ``finding`` said for ``medium``'s reader, or None when there is none."""
    if medium == "fichier":
        return finding.hint
    table = PAGE if medium == "page" else CAF
    text = table.get(finding.code)
    if text is None or (text == HINT and not finding.hint):
        return None
    return text.format(label=finding.label, hint=finding.hint or "")
