"""The form page: the current campaign's form as HTML, filled with the file's answers."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import jinja2

from clas_bilan import campaigns, form
from clas_bilan.errors import OutputError, UserError
from clas_bilan.web import fields

TEMPLATES = Path(__file__).parent / "templates"

_COMPUTED_ETP = {
    "moyens_humains.salaries.etp": "etp_salaries",
    "moyens_humains.benevoles.etp": "etp_benevoles",
}
"""The computed ETP shown under each ETP question, by the question's first key."""

_environment: jinja2.Environment | None = None

FOR_FILE = re.compile(
    r"(?<![\w-])--?[^\W\d]"  # an option: « -o », « --force »
    r"|clas-bilan\s+[a-z]"  # a command: « clas-bilan validate … »
    r"|(?<![\w/.@-])[^\W\d]\w*:(?=[\s»\"]|$)"  # a YAML key: « signature: » (French: « a : »)
)
"""A fix said for the command line or the answers file: the page's user has neither."""

ELSEWHERE = "en plaçant le fichier de réponses dans un autre dossier"
"""How the page's user writes elsewhere: the page writes beside the answers file."""


def _env() -> jinja2.Environment:
    global _environment
    if _environment is None:
        _environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
    return _environment


def render(
    name: str,
    page_id: str,
    values: Mapping[str, str],
    draft: Mapping[str, str] | None,
    *,
    version: str | None = None,
    folder: str = "",
) -> str:
    """The whole page for the answers file ``name``, built from its version ``version``.

    ``folder`` is the answers file's whole folder, as the user's file manager shows it:
    where the page writes the bilan and the e-mail too.

    ``page_id`` names the answers file in the page's calls and its journal (not a secret).
    """
    campaign = campaigns.current()
    return (
        _env()
        .get_template("formulaire.html")
        .render(
            title=campaign.title,
            campaign=campaign.code,
            deadline=campaign.deadline_text,
            caf_email=form.CAF_EMAIL,
            file_name=name,
            folder=folder,
            page_id=page_id,
            blocks=campaign.blocks,
            form=form,
            fields=fields,
            values=values,
            computed_etp=_COMPUTED_ETP,
            kind_of=lambda block: type(block).__name__,
            grid=grid,
            draft_json=_script_json(draft) if draft is not None else "",
            version=version or "",
        )
    )


def _script_json(data: object) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def grid(table: form.Table) -> list[list[tuple[form.Cell, int, fields.Input | None]]]:
    """A fixed table's rows as HTML cells: each cell, its row span, the input of its answer."""
    rows: list[list[tuple[form.Cell, int, fields.Input | None]]] = []
    restarts: dict[int, tuple[int, int]] = {}
    for row in table.rows:
        cells: list[tuple[form.Cell, int, fields.Input | None]] = []
        column = 0
        for cell in row:
            if cell.vmerge == "continue":
                at_row, at_cell = restarts[column]
                above, span, answer = rows[at_row][at_cell]
                rows[at_row][at_cell] = (above, span + 1, answer)
            else:
                if cell.vmerge == "restart":
                    restarts[column] = (len(rows), len(cells))
                answer = fields.cell_input(table, row, cell) if cell.key else None
                cells.append((cell, 1, answer))
            column += cell.span
        rows.append(cells)
    return rows


def error_json(error: UserError) -> dict[str, str | None]:
    """A user error as the page shows it: its message, and its fix said for the page.

    The page's own fix when the error has one, else its fix unless said for the command
    line or the answers file (none rather than a command or a YAML key).
    """
    if isinstance(error, OutputError):
        error.name_elsewhere(ELSEWHERE)
    hint = error.page_hint or error.hint
    if hint and error.page_hint is None and FOR_FILE.search(hint):
        hint = None
    return {"erreur": error.message, "conseil": hint[:1].upper() + hint[1:] if hint else None}
