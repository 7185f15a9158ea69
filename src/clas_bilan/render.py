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

from clas_bilan import campaigns, codec, files, form, models, schools, signature_image, typography
from clas_bilan.docx import fill as write
from clas_bilan.docx import locate, read, save, signature
from clas_bilan.docx.template import template_path
from clas_bilan.errors import AnswersError, UsageError
from clas_bilan.extract import read_body
from clas_bilan.models import Reponses
from clas_bilan.recognise import absent_warning, located, open_document
from clas_bilan.values import format_yes_no

_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
_SLUG_LENGTH = 60
_PROPERTY_LENGTH = 255


def default_name(answers: Reponses, campaign: campaigns.Campaign | None = None) -> str:
    """File name for the bilan, from the campaign and the équipement: ASCII, safe on Windows."""
    base = f"bilan_clas_{(campaign or campaigns.current()).code}"
    plain = unicodedata.normalize("NFKD", answers.equipement.nom or "")
    slug = re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode().lower())
    slug = slug.strip("-")[:_SLUG_LENGTH].strip("-")
    return f"{base}_{slug}.docx" if slug else f"{base}.docx"


def render(
    answers: Reponses,
    output: Path,
    *,
    template: Path | None = None,
    force: bool = False,
    base: Path | None = None,
    warnings: list[str] | None = None,
) -> Path:
    """Write the filled bilan to ``output`` atomically, after checking it reads back whole.

    ``base`` is the answers file's folder (``signature.image`` is relative to it);
    ``warnings`` receives what the user should know about the copy of the form filled.
    """
    _check_output(output, force=force)
    opened = open_template(template)
    return render_document(
        opened.document,
        answers,
        output,
        name=opened.name,
        kept=opened.kept,
        force=force,
        base=base,
        warnings=warnings,
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
    base: Path | None = None,
    warnings: list[str] | None = None,
) -> Path:
    """Fill an opened copy of the form (consumed) and write it like ``render`` does.

    ``kept`` holds the template's parts that filling leaves alone (``OpenedTemplate.kept``);
    without it they are serialized again.
    """
    _check_output(output, force=force)
    filled = fill(document, answers, name=name, base=base)
    if warnings is not None:
        warnings.extend(filled.warnings)
    content = save.package(document, kept or {})
    return files.write_atomic(
        output,
        content,
        force=force,
        check=lambda written: verify(
            written, answers, skipped=filled.skipped, as_typed=filled.as_typed
        ),
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


@dataclass(frozen=True)
class Filled:
    """What filling a copy of the form left to say: warnings, and answer keys not written."""

    warnings: list[str]
    skipped: frozenset[str]
    as_typed: tuple[str, ...] = ()
    """Keys of the texts written as typed, without French no-break spaces (``typography``)."""


def fill(
    document: Any, answers: Reponses, *, name: str = "modèle", base: Path | None = None
) -> Filled:
    """Write every answer into an opened copy of the form (python-docx Document), in memory.

    A copy without a signature block gets one after its last question; the other parts
    it lacks are named in ``Filled.warnings`` and their answers skipped.
    """
    image = _signature_image(answers, base)  # first: a wrong file stops before any work
    answers = answers.model_copy(deep=True)
    _compact(answers)  # so that a key's list index is the row it is written in
    as_typed = typography.typeset(answers)
    style = write.answer_style(document.styles.element)
    look = write.answer_format(document.styles.element)
    campaign = campaigns.current()
    body = document.element.body
    found = located(body, name, campaign, role="modèle")
    warnings: list[str] = []
    if signature.absent(found.places, campaign.blocks):
        signature.add_block(found.places, campaign.blocks)
        found = located(body, name, campaign, role="modèle")
        warnings.append(
            f"« {name} » n'a pas de bloc de signature : il a été ajouté après la dernière "
            "question, pour dater et signer le bilan."
        )
    if found.absent:
        warnings.append(
            absent_warning(
                found.absent, name, campaign, consequence="leurs réponses n'y sont pas écrites"
            )
        )
    for block, place in zip(campaign.blocks, found.places, strict=False):
        if place is None:
            continue
        if isinstance(block, form.Question):
            _question(block, place, answers, style, look)
        elif isinstance(block, form.Choice):
            write.tick(place.element, models.get(answers, block.key))
        elif isinstance(block, form.Box) and block.key:
            value = (models.get(answers, block.key) or "").strip()
            if place.element.tag == _P:  # the box's text typed as a paragraph
                write.write_inline(place.element, value, look)
            else:
                write.write_box(place.element, value, look)
        elif isinstance(block, form.Table):
            _table(block, place.element, answers, look)
    if image is not None:
        spot = next(p for p in reversed(found.places) if p is not None)
        signature.add_image(document, spot.element, image)
    _properties(document, answers)
    typography.mark(document, as_typed)
    skipped = {key for block in found.absent for key in _block_keys(block)}
    return Filled(warnings, frozenset(skipped), tuple(as_typed))


def _signature_image(answers: Reponses, base: Path | None) -> bytes | None:
    value = answers.signature.image
    return None if not value else signature_image.read(value, base)


def _block_keys(block: form.Block) -> list[str]:
    """The answer keys a block of the form holds."""
    if isinstance(block, form.Question):
        return list(block.keys)
    if isinstance(block, form.Choice):
        return [block.key]
    if isinstance(block, form.Box):
        return [block.key] if block.key else []
    if isinstance(block, form.Table):
        keys = [block.items_key] if block.items_key else []
        return keys + [cell.key for row in block.rows for cell in row if cell.key]
    return []


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
    if question.codec == "lines":
        write.write_paragraphs(place.element, place.after, codec.encode_parts(values), style)
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
    trs = locate.rows(tbl)
    free = _item_rows(table, trs)
    if len(free) < len(items):
        write.grow(tbl, len(trs) + len(items) - len(free))
        free = _item_rows(table, locate.rows(tbl))
    for item, tr in zip(items, free, strict=False):
        for key, tc in zip(table.item_keys, locate.cells(tr), strict=False):
            value = models.get(item, key)
            if key in table.item_lists:
                kept = [(s.nom, s.adresse, s.email) for s in value if not _empty(s)]
                write.write_cell(tc, schools.write_cell(kept), look)
            elif value is not None:
                write.write_cell(tc, _cell_text(value).split("\n"), look)


def _item_rows(table: form.Table, trs: list[Any]) -> list[Any]:
    """The rows that take one list item each: thin spacer rows (one merged cell) left out."""
    width = len(table.item_keys)
    return [tr for tr in trs[len(table.rows) :] if len(locate.cells(tr)) >= width]


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return format_yes_no(value)
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
    result.signature.image = None  # a picture in the bilan, not a path: checked apart
    if result.campagne is None:  # a bilan is written in the current campaign's form
        result.campagne = campaigns.current().code
    total = models.subtotals(result.public.inscrits)["total"]
    if result.public.total is None:
        result.public.total = total
    _compact(result)
    for block in campaigns.current().blocks:
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


def _compact(answers: Reponses) -> None:
    """Leave out, in place, the list items that hold nothing: render writes no row for them."""
    for block in campaigns.current().blocks:
        if isinstance(block, form.Table) and block.items_key:
            items = [item for item in models.get(answers, block.items_key) if not _empty(item)]
            for item, key in itertools.product(items, block.item_lists):
                models.set_value(item, key, [e for e in models.get(item, key) if not _empty(e)])
            models.set_value(answers, block.items_key, items)


def verify(
    path: Path,
    answers: Reponses,
    *,
    skipped: frozenset[str] = frozenset(),
    as_typed: tuple[str, ...] = (),
) -> None:
    """Read a written bilan back; AnswersError (exit 1) naming every answer missing or changed.

    ``path`` is the temporary file about to become the bilan: messages never name it.
    ``skipped`` are the keys of questions the copy of the form does not have (warned about);
    ``as_typed`` those written without French no-break spaces (``Filled.as_typed``).
    """
    try:
        body = read.document_body(path)
        found = read_body(body, path.name, campaigns.current(), as_typed=as_typed)
    except UsageError as error:  # the form no longer found in what was written
        raise _unreadable([f"  - {error.message}"]) from None
    wanted = _flat(readable(answers).model_dump(by_alias=True))
    got = _flat(found.answers.model_dump(by_alias=True))
    keys = [key for key in wanted if not any(_inside(key, s) for s in skipped)]
    wrong = [key for key in keys if wanted[key] != got.get(key)]
    wrong += [key for key in got if key not in wanted]
    if answers.signature.image and not found.signature_image:
        wrong.append("signature.image")
    if wrong or found.problems:
        labels = [f"  - {_named(key)}" for key in wrong[:10]]
        labels += [f"  - {p}" for p in found.problems[:5]]
        raise _unreadable(labels)


def _named(key: str) -> str:
    """An answer key with the form's label a user recognises it by."""
    label = campaigns.label(key)
    return f"« {label[:80]} » ({key})" if label else key


def _inside(key: str, parent: str) -> bool:
    return key == parent or key.startswith(parent + ".")


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
