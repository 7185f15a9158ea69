"""Fill the form with the answers and write the bilan, checked by reading it back.

``extract(render(x))`` gives back ``readable(x)``: ``x`` with the TOTAL cell's value
(the given total, else the sum), without list items that hold nothing, and with
answers written on a label's line stripped of surrounding spaces.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from pydantic import BaseModel

from clas_bilan import campaigns, codec, files, form, models
from clas_bilan.docx import fill as write
from clas_bilan.docx import locate, read, save
from clas_bilan.docx.template import template_path
from clas_bilan.errors import AnswersError, UsageError
from clas_bilan.extract import open_document, places, read_body
from clas_bilan.models import Reponses

_SLUG_LENGTH = 60
_PROPERTY_LENGTH = 255


def default_name(answers: Reponses) -> str:
    """File name for the bilan, from the équipement: ASCII only, safe on Windows."""
    base = f"bilan_clas_{campaigns.current().code}"
    plain = unicodedata.normalize("NFKD", answers.equipement.nom or "")
    slug = re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode().lower())
    slug = slug.strip("-")[:_SLUG_LENGTH].strip("-")
    return f"{base}_{slug}.docx" if slug else f"{base}.docx"


def render(
    answers: Reponses, output: Path, *, template: Path | None = None, force: bool = False
) -> Path:
    """Write the filled bilan to ``output`` atomically, after checking it reads back whole."""
    _check_output(output, force=force)
    opened = open_template(template)
    return render_document(
        opened.document, answers, output, name=opened.name, kept=opened.kept, force=force
    )


@dataclass(frozen=True)
class OpenedTemplate:
    """The form opened to be filled, its file name, and the bytes of the parts filling keeps."""

    document: Any
    name: str
    kept: Mapping[str, bytes]


def open_template(template: Path | None = None) -> OpenedTemplate:
    """The form to fill: a user's copy checked as untrusted, else the shipped one."""
    if template is not None:
        document = open_document(template, role="modèle")
        return OpenedTemplate(document, template.name, save.kept(document))
    shipped = template_path()  # part of the package: no need for the hostile-file checks
    data = shipped.read_bytes()
    document = docx.Document(io.BytesIO(data))
    return OpenedTemplate(document, shipped.name, save.kept(document, data))


def render_document(
    document: Any,
    answers: Reponses,
    output: Path,
    *,
    name: str = "modèle",
    kept: Mapping[str, bytes] | None = None,
    force: bool = False,
) -> Path:
    """Fill an opened copy of the form (consumed) and write it like ``render`` does.

    ``kept`` holds the template's parts that filling leaves alone (``OpenedTemplate.kept``);
    without it they are serialized again.
    """
    _check_output(output, force=force)
    fill(document, answers, name=name)
    content = save.package(document, kept or {})
    return files.write_atomic(
        output, content, force=force, check=lambda written: verify(written, answers)
    )


def _check_output(output: Path, *, force: bool) -> None:
    if output.suffix.lower() != ".docx":
        raise UsageError(
            f"le fichier de sortie « {output.name} » doit se terminer par .docx.",
            hint="par exemple : -o bilan.docx"
            + (
                " ; ajoutez --pdf pour avoir aussi une copie PDF."
                if output.suffix.lower() == ".pdf"
                else "."
            ),
        )
    files.check_new(output, force=force)


def fill(document: Any, answers: Reponses, *, name: str = "modèle") -> None:
    """Write every answer into an opened copy of the form (python-docx Document), in memory."""
    style = write.answer_style(document.styles.element)
    look = write.answer_format(document.styles.element)
    campaign = campaigns.current()
    for block, place in zip(campaign.blocks, places(document, name, campaign), strict=False):
        if place is None:
            continue
        if isinstance(block, form.Question):
            _question(block, place, answers, style, look)
        elif isinstance(block, form.Choice):
            write.tick(place.element, models.get(answers, block.key))
        elif isinstance(block, form.Box) and block.key:
            write.write_box(place.element, (models.get(answers, block.key) or "").strip(), look)
        elif isinstance(block, form.Table):
            _table(block, place.element, answers, look)
    _properties(document, answers)


def _question(
    question: form.Question,
    place: locate.Place,
    answers: Reponses,
    style: str | None,
    look: Any,
) -> None:
    values = [models.get(answers, key) for key in question.keys]
    if question.codec == "place_date":
        if any(value is not None for value in values):
            write.replace_text(place.element, codec.place_date_pieces(*values), look)
        return
    value = codec.encode(question.codec, question.keys, values)
    if question.layout == "inline":
        write.write_inline(place.element, value.strip(), look)
    elif question.layout != "field" or not write.write_field(place.after, value):
        write.write_below(place.element, place.after, value, style)


def _table(table: form.Table, tbl: Any, answers: Reponses, look: Any) -> None:
    if table.items_key is None:
        computed = models.subtotals(answers.public.inscrits)
        for spec, tr in zip(table.rows, locate.rows(tbl), strict=False):
            for cell, tc in zip(spec, locate.cells(tr), strict=False):
                value = models.get(answers, cell.key) if cell.key else None
                if value is None and cell.computed:
                    value = computed[cell.computed]
                if value is not None:
                    write.write_cell(tc, [_cell_text(value)], look)
        return
    items = [item for item in models.get(answers, table.items_key) if not _empty(item)]
    header = len(table.rows)
    if items:
        write.grow(tbl, header + len(items))
    for item, tr in zip(items, locate.rows(tbl)[header:], strict=False):
        for key, tc in zip(table.item_keys, locate.cells(tr), strict=False):
            value = models.get(item, key)
            if key in table.item_lists:
                schools = [s for s in value if not _empty(s)]
                write.write_cell(
                    tc, [codec.encode_school(s.nom, s.adresse, s.email) for s in schools], look
                )
            elif value is not None:
                write.write_cell(tc, _cell_text(value).split("\n"), look)


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return codec.yes_no(value)
    return str(value)


def _empty(value: Any) -> bool:
    """True for a list item that holds no answer at all."""
    if isinstance(value, BaseModel):
        return all(_empty(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, list):
        return all(_empty(item) for item in value)
    return value is None


def _properties(document: Any, answers: Reponses) -> None:
    properties = document.core_properties
    where = " — ".join(
        part for part in (answers.equipement.nom, answers.equipement.commune) if part
    )
    title = campaigns.current().title
    properties.title = _property(f"{title} — {where}" if where else title)
    properties.subject = "Contrat Local d’Accompagnement à la Scolarité (CLAS) — Caf de l’Ain"
    properties.author = _property(answers.gestionnaire.nom or "")
    properties.last_modified_by = "clas-bilan"
    properties.keywords = f"CLAS; bilan; {campaigns.current().label}"
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    properties.created = now
    properties.modified = now


def _property(value: str) -> str:
    """A document property within Word's (and python-docx's) 255 characters."""
    return value if len(value) <= _PROPERTY_LENGTH else value[: _PROPERTY_LENGTH - 1] + "…"


def readable(answers: Reponses) -> Reponses:
    """What ``extract`` reads back from a bilan rendered from ``answers``."""
    result = answers.model_copy(deep=True)
    total = models.subtotals(result.public.inscrits)["total"]
    if result.public.total is None:
        result.public.total = total
    for block in campaigns.current().blocks:
        if isinstance(block, form.Table) and block.items_key:
            items = [item for item in models.get(result, block.items_key) if not _empty(item)]
            for item, key in itertools.product(items, block.item_lists):
                models.set_value(item, key, [e for e in models.get(item, key) if not _empty(e)])
            models.set_value(result, block.items_key, items)
        inline = isinstance(block, form.Box) or (
            isinstance(block, form.Question) and block.layout == "inline"
        )
        keys = [block.key] if isinstance(block, form.Box) and block.key else []
        if isinstance(block, form.Question) and block.codec == "text":
            keys = list(block.keys)
        for key in keys if inline else []:
            value = models.get(result, key)
            if isinstance(value, str):
                models.set_value(result, key, value.strip())
    return result


def verify(path: Path, answers: Reponses) -> None:
    """Read a written bilan back; AnswersError (exit 1) naming every answer missing or changed.

    ``path`` is the temporary file about to become the bilan: messages never name it.
    """
    try:
        found = read_body(read.document_body(path), path.name, campaigns.current())
    except UsageError as error:  # a question of the form no longer found in what was written
        raise _unreadable(error.message.splitlines()[1:]) from None
    wanted = _flat(readable(answers).model_dump(by_alias=True))
    got = _flat(found.answers.model_dump(by_alias=True))
    wrong = [key for key in wanted if wanted[key] != got.get(key)]
    wrong += [key for key in got if key not in wanted]
    if wrong or found.problems:
        labels = [f"  - {key}" for key in wrong[:10]] + [f"  - {p}" for p in found.problems[:5]]
        raise _unreadable(labels)


def _unreadable(lines: list[str]) -> AnswersError:
    """The error of a bilan that does not give its answers back: nothing is written."""
    return AnswersError(
        "le document produit ne redonne pas toutes les réponses à la relecture :\n"
        + "\n".join(lines)
        + "\nAucun fichier n'a été écrit.",
        hint="vérifiez ces réponses (une virgule ou un @ dans un nom peut gêner la "
        "relecture) ; si le problème persiste, signalez-le avec le fichier de réponses.",
    )


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flat(item, f"{prefix}{key}."))
        return flat
    if isinstance(value, list):
        flat = {f"{prefix.rstrip('.')}": len(value)}
        for index, item in enumerate(value):
            flat.update(_flat(item, f"{prefix}{index}."))
        return flat
    return {prefix.rstrip("."): value}
