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

PAGE: dict[str, str] = {}
"""Finding code → the fix as a gesture in the browser form (never a YAML key or an option).

``{label}`` is replaced by the question's label.
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
    return text.format(label=finding.label) if text is not None else None
