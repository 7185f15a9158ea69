"""Write the bilans read by ``synthese`` as a French workbook (.xlsx) or a CSV file for scripts.

The workbook is written in openpyxl's write-only mode: rows stream to disk, so memory
stays flat however many bilans there are. openpyxl is imported only here, only when a
workbook is written. The summary's totals are formulas over the rows of Bilans marked
counted, so that the agent can take a row out by writing « Non » in its « Compté » cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from clas_bilan import advice, campaigns, files, form
from clas_bilan.campaigns import Campaign
from clas_bilan.expected import COMPARED, Change, Matching
from clas_bilan.reminders import Reminder
from clas_bilan.report import Finding
from clas_bilan.synthese import (
    COLUMNS,
    ENFANTS,
    PARENTS,
    SCHOOL_COLUMNS,
    SESSION_COLUMNS,
    Bilan,
    Column,
    Kind,
    Origin,
    Synthese,
    Total,
    by_level,
    file_name,
    free_texts,
    local_time,
    totals,
)
from clas_bilan.values import format_yes_no

SHEETS = (
    "Synthèse",
    "Bilans",
    "À vérifier",
    "Manquants",
    "Relances",
    "Bonifications",
    "Réponses libres",
    "Évolution",
    "Formations",
    "Territoires",
)
"""The workbook's sheets, in order; Manquants, Relances and Évolution only when asked for."""

_FORMULA = re.compile(r"[=+@\t\r]|-[^\s\d]")
_FORMATS = {"decimal": "0.00", "date": "DD/MM/YYYY", "datetime": "DD/MM/YYYY HH:MM"}
_EUROS = '#,##0.00 "€"'
_WHO = (
    Column("gestionnaire.nom", "Structure (gestionnaire)", 26, "text"),
    Column("equipement.nom", "Équipement", 28, "text"),
    Column("equipement.commune", "Commune", 16, "text"),
)
_TAIL = (
    Column("compte", "Compté dans la synthèse", 10, "yesno"),
    Column("fichier", "Fichier", 28, "text"),
)
_CHECKS = (
    Column("gravite", "Gravité", 12, "text"),
    Column("compte", "Compté", 8, "text"),
    Column("equipement", "Équipement", 22, "text"),
    Column("commune", "Commune", 13, "text"),
    Column("probleme", "Ce qui ne va pas", 36, "text"),
    Column("conseil", "Que faire (quoi demander au projet)", 36, "text"),
    Column("question", "Question du formulaire (où la trouver)", 28, "text"),
    Column("courriel", "Courriel", 26, "text"),
    Column("fichier", "Fichier", 20, "text"),
)
"""Few and narrow enough to print one page wide at a readable size."""
_GRAVITY = ("Illisible", "Erreur", "À départager", "Avertissement")
_NOT_ANOMALIES = {"bonus-criteria-unmet"}
"""Findings that are inputs of a decision, shown in Bonifications rather than « À vérifier »."""
_FILE_STYLE = {
    "text-without-pipe",
    "tab-indent",
    "tab-in-answer",
    "missing-space-after-colon",
    "key-not-indented",
    "list-dash-missing",
    "needs-quotes",
    "yaml-anchor",
    "yaml-alias",
    "yaml-tag",
    "not-utf8",
}
"""Warnings about how an answers file is written, read right anyway: the coordinator's
business, not an anomaly of the bilan (its errors are still shown)."""
_GAPS = (
    Column("situation", "Situation", 16, "text"),
    Column("structure", "Structure", 28, "text"),
    Column("equipement", "Équipement", 30, "text"),
    Column("commune", "Commune", 18, "text"),
    Column("email", "Mail de la coordination", 26, "text"),
    Column("fichier", "Fichier reçu", 26, "text"),
    Column("detail", "Détail", 40, "text"),
)
_REMINDERS = (
    Column("equipement", "Équipement", 30, "text"),
    Column("structure", "Structure", 26, "text"),
    Column("commune", "Commune", 18, "text"),
    Column("to", "Destinataire", 26, "text"),
    Column("reasons", "Motifs de la relance", 50, "text"),
    Column("draft", "Brouillon (.eml)", 30, "text"),
)


@dataclass(frozen=True)
class Rates:
    """Euros per collectif concerned, for each bonus (None: no amount computed)."""

    enfants: float | None = None
    parents: float | None = None


@dataclass(frozen=True)
class Extras:
    """What the options add: expected list matched, reminders, last year, bonus amounts."""

    matching: Matching | None = None
    reminders: Sequence[Reminder] | None = None
    changes: Sequence[Change] | None = None
    rates: Rates = Rates()


def sheet_names(extras: Extras = Extras()) -> list[str]:
    """The sheets a workbook with these extras holds, in order."""
    absent = {
        "Manquants": extras.matching is None,
        "Relances": extras.reminders is None,
        "Évolution": extras.changes is None,
    }
    return [name for name in SHEETS if not absent.get(name, False)]


def write(
    synthese: Synthese, path: Path, *, force: bool = False, extras: Extras = Extras()
) -> Path:
    """Write the synthesis as ``path``'s suffix says (.xlsx or .csv), atomically."""
    if path.suffix.lower() == ".csv":
        return files.write_atomic(path, csv_bytes(synthese), force=force)
    return files.write_atomic(
        path, lambda stream: write_xlsx(synthese, stream, extras), force=force
    )


# CSV ------------------------------------------------------------------------------


def csv_bytes(synthese: Synthese) -> bytes:
    """The one-row-per-bilan table: dotted keys as headers, « ; » between values, UTF-8 BOM.

    ``compte`` comes first: « oui » for the rows the totals count (the latest version of
    each équipement). Headers are the answers file's keys as written there
    (``public.inscrits.1ère``). Decimal comma and « ; » as French Excel expects them (R:
    ``read.csv2``; pandas: ``sep=";", decimal=","``); dates as 2026-06-30; Oui/Non as
    « oui »/« non ».
    """
    columns = _csv_columns()
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(column.header for column in columns)
    for bilan in synthese.bilans:
        writer.writerow(_csv_value(bilan.values[column.key]) for column in columns)
    return text.getvalue().encode("utf-8-sig")


def _csv_columns() -> list[Column]:
    counted = next(column for column in COLUMNS if column.key == "compte")
    return [counted, *(column for column in COLUMNS if column is not counted)]


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value  # Excel would run « =… » typed in a bilan as a formula
    if isinstance(value, bool):
        return format_yes_no(value).lower()
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Workbook ----------------------------------------------------------------------------


def write_xlsx(synthese: Synthese, stream: IO[bytes], extras: Extras = Extras()) -> None:
    """Write the sheets to ``stream``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    writers: dict[str, Callable[[Any], Any]] = {
        "Synthèse": lambda sheet: _summary(sheet, synthese, extras),
        "Bilans": lambda sheet: _table(
            sheet, COLUMNS, (bilan.values for bilan in synthese.bilans), freeze="C2"
        ),
        "À vérifier": lambda sheet: _table(
            sheet, _CHECKS, _checks(synthese, extras.matching), wrap=True
        ),
        "Manquants": lambda sheet: _table(sheet, _GAPS, _gaps(extras.matching), wrap=True),
        "Relances": lambda sheet: _table(
            sheet, _REMINDERS, _reminders(extras.reminders or ()), wrap=True
        ),
        "Bonifications": lambda sheet: _bonuses(sheet, synthese, extras.rates),
        "Réponses libres": lambda sheet: _table(
            sheet, _free_columns(), _free_rows(synthese), wrap=True, freeze="C2"
        ),
        "Évolution": lambda sheet: _table(
            sheet, _change_columns(), _changes(extras.changes), wrap=True
        ),
        "Formations": lambda sheet: _table(
            sheet,
            (*_WHO, *SESSION_COLUMNS, *_TAIL),
            (
                {**bilan.values, **session}
                for bilan in synthese.bilans
                for session in bilan.sessions
            ),
            wrap=True,
        ),
        "Territoires": lambda sheet: _table(
            sheet,
            (*_WHO, *SCHOOL_COLUMNS, *_TAIL),
            ({**bilan.values, **school} for bilan in synthese.bilans for school in bilan.schools),
            wrap=True,
        ),
    }
    for name in sheet_names(extras):
        writers[name](book.create_sheet(name))
    book.properties.title = f"Synthèse des bilans CLAS {campaigns.current().label}"
    book.properties.creator = "clas-bilan"
    book.save(stream)  # openpyxl's zip writer takes a binary stream as well as a name


def _table(
    sheet: Any,
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    *,
    wrap: bool = False,
    freeze: str = "A2",
) -> int:
    """A filterable table: bold frozen header, widths, numbers, dates and Oui/Non typed.

    Only cells that need a format (decimals, dates, wrapped text, text starting with
    « = ») are styled; the others go as plain values, which openpyxl writes faster.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    _setup(sheet, columns, freeze)
    sheet.append([_header(sheet, column.title) for column in columns])
    top = Alignment(vertical="top", wrap_text=True)
    formats = [_FORMATS.get(column.kind) for column in columns]
    wrapped = [wrap] * len(columns)  # a wrapped table: every cell wraps, at the top of its row
    count = 0
    for values in rows:
        if wrap:
            _fit_height(sheet, count + 2, columns, wrapped, values)
        cells: list[Any] = []
        for column, number_format, wrapping in zip(columns, formats, wrapped, strict=True):
            value = _cell_value(values.get(column.key))
            formula = isinstance(value, str) and value.startswith("=")
            if value is None or not (number_format or wrapping or formula):
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value)
            if formula:
                cell.data_type = "s"  # text typed as « =… » stays text, never a formula
            if number_format:
                cell.number_format = number_format
            if wrapping:
                cell.alignment = top
            cells.append(cell)
        sheet.append(cells)
        count += 1
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    return count


def _fit_height(
    sheet: Any, row: int, columns: Sequence[Column], wrapped: Sequence[bool], values: dict[str, Any]
) -> None:
    """Give a row of wrapped text the height of its longest cell (viewers do not all fit it)."""
    lines = max(
        (
            _lines(str(values.get(column.key) or ""), column.width)
            for column, wraps in zip(columns, wrapped, strict=True)
            if wraps
        ),
        default=1,
    )
    if lines > 1:
        sheet.row_dimensions[row].height = 15 * lines + 2


def _lines(text: str, width: int) -> int:
    """About how many lines ``text`` takes in a wrapped column ``width`` characters wide."""
    return sum(max(1, math.ceil(len(line) * 1.1 / width)) for line in text.splitlines() or [""])


def _setup(sheet: Any, columns: Sequence[Column], freeze: str = "A2") -> None:
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = freeze
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    lines = max(_lines(column.title, column.width) for column in columns)
    sheet.row_dimensions[1].height = 15 * lines + 3  # wrapped titles shown whole
    _printed(sheet, columns)
    sheet.print_title_rows = "1:1"


_PAGE_WIDTH = 130
"""Column widths (in characters of Calibri 11) across an A4 landscape page inside its margins."""
_MIN_SCALE = 0.6
"""Smaller than this, printed text (about 7 pt) can no longer be read."""


def _printed(sheet: Any, columns: Sequence[Column] = ()) -> None:
    """Landscape A4, as many pages down as it takes, and as few across as text stays readable.

    A table that fits one page wide at a readable size is printed one page wide; a wider one
    (Bilans, Réponses libres) on N pages across, its first two columns (who the row is about)
    repeated on each, N chosen so that the scale stays above ``_MIN_SCALE``.
    """
    from openpyxl.worksheet.properties import PageSetupProperties

    width = sum(column.width for column in columns)
    readable = _PAGE_WIDTH / _MIN_SCALE
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    if width > readable:
        titles = sum(column.width for column in columns[:2])
        sheet.page_setup.fitToWidth = math.ceil((width - titles) / (readable - titles))
        sheet.print_title_cols = "A:B"
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _header(sheet: Any, title: str) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = WriteOnlyCell(sheet, title)
    cell.font = Font(name="Calibri", bold=True)
    cell.fill = PatternFill("solid", start_color="DDE7F0")
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    return cell


def _cell_value(value: Any) -> Any:
    """A value as a cell holds it: Oui/Non, characters a workbook cannot hold escaped."""
    if isinstance(value, bool):
        return format_yes_no(value)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # control characters

        if ILLEGAL_CHARACTERS_RE.search(value):
            return ILLEGAL_CHARACTERS_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", value)
    return value


# À vérifier -------------------------------------------------------------------------


def _checks(synthese: Synthese, matching: Matching | None = None) -> Iterable[dict[str, Any]]:
    """Inputs not read first, then the anomalies of the bilans, gravest first.

    A bilan not counted (an older version) shows only what makes its version doubtful;
    bonus outcomes go to Bonifications. An input not read that the expected list ties to a
    project names that project.
    """
    whose = {
        source: gap
        for gap in (matching.gaps if matching else ())
        if gap.source and gap.situation == "reçu illisible"
        for source in gap.source.split(" ; ")
    }
    for unread in synthese.unread:
        gap = whose.get(unread.source)
        yield {
            "gravite": _GRAVITY[0],
            "compte": "Non",
            "equipement": gap.equipement if gap else None,
            "commune": gap.commune if gap else None,
            "probleme": _sentence(unread.reason),
            "conseil": _sentence(unread.hint),
            "courriel": _mail(unread.origin),
            "fichier": file_name(unread.source),
        }
    rows = [row for bilan in synthese.bilans for row in _findings(bilan)]
    rows.sort(key=lambda row: (_GRAVITY.index(row["gravite"]), row["compte"] != "Oui"))
    yield from rows


def _mail(origin: Origin) -> str | None:
    """The e-mail that brought a file, in one cell: sender, subject, when it was received."""
    if origin.sender is None and origin.subject is None and origin.sent is None:
        return None
    when = local_time(origin.sent)
    lines = [
        f"De : {origin.sender or '(inconnu)'}",
        f"Objet : {origin.subject or '(sans objet)'}",
        f"Reçu le {when:%d/%m/%Y à %H} h {when:%M}" if when else "",
    ]
    return "\n".join(line for line in lines if line)


def _sentence(text: str | None) -> str | None:
    """A message shown on its own: its first letter a capital."""
    return text[:1].upper() + text[1:] if text else text


def _findings(bilan: Bilan) -> Iterable[dict[str, Any]]:
    counted = bool(bilan.values["compte"])
    codes = {finding.code for finding in bilan.findings}
    for finding in bilan.findings:
        if finding.code in _NOT_ANOMALIES or (finding.code in _FILE_STYLE and not finding.is_error):
            continue
        if not counted and finding.code != "versions-undecided":
            continue
        if finding.code == "duplicate-bilan" and "versions-undecided" in codes:
            continue  # the tie says it all, naming both files
        yield {
            "gravite": "À départager"
            if finding.code == "versions-undecided"
            else "Erreur"
            if finding.is_error
            else "Avertissement",
            "compte": format_yes_no(counted),
            "equipement": bilan.values.get("equipement.nom"),
            "commune": bilan.values.get("equipement.commune"),
            "probleme": _sentence(finding.message),
            "conseil": _sentence(advice.advice(finding, "caf")),
            "question": _where(bilan, finding),
            "courriel": _mail(bilan.origin),
            "fichier": file_name(bilan.source),
        }


_FIRST_PAGE = "première page du formulaire"
_DOTTED = re.compile(r"[.…]{3,}")


def _where(bilan: Bilan, finding: Finding) -> str:
    """The question and where to find it: the form's section, and an answers file's line."""
    sections = _sections()
    section = sections.get(_spot(finding.key, sections)) if finding.key else None
    part = (
        "" if section is None else section if section == _FIRST_PAGE else f"rubrique « {section} »"
    )
    if finding.line and bilan.source.lower().endswith((".yaml", ".yml")):
        part = f"{part}, ligne {finding.line} du fichier de réponses".lstrip(", ")
    label = _DOTTED.sub("…", finding.label or "")  # « Fait à ……, le …… »: lines to write on
    question = f"« {_short(label, 80)} »" if label else ""
    return "\n".join(line for line in (question, part) if line) or "—"


def _spot(key: str, sections: dict[str, str]) -> str:
    """The form's answer key a finding's key belongs to (list items and sub-keys dropped)."""
    from clas_bilan import keys

    plain = keys.join(part for part in keys.split(key) if not keys.is_index(part))
    while plain and plain not in sections:
        plain = plain.rpartition(".")[0]
    return plain


def _sections() -> dict[str, str]:
    """Each answer key of the current campaign's form and the title of its section."""
    return _sections_of(campaigns.current())


@functools.cache
def _sections_of(campaign: Campaign) -> dict[str, str]:
    found: dict[str, str] = {}
    current = _FIRST_PAGE
    for block in campaign.blocks:
        if isinstance(block, form.Heading):
            current = " ".join(block.text.split())
        for spot in _spots_of(block):
            found[spot] = current
    found["equipement"] = found.get("equipement.nom", _FIRST_PAGE)
    found["signature"] = found.get("signature.lieu", current)
    return found


def _spots_of(block: Any) -> Iterable[str]:
    if isinstance(block, form.Question):
        yield from block.keys
    elif isinstance(block, (form.Choice, form.Box)) and block.key:
        yield block.key
    elif isinstance(block, form.Table):
        if block.items_key:
            yield block.items_key
        yield from (cell.key for row in block.rows for cell in row if cell.key)
        if block.name == "public":
            yield "public.inscrits"


# Manquants, Relances ---------------------------------------------------------------------


def _gaps(matching: Matching | None) -> Iterable[dict[str, Any]]:
    for gap in matching.gaps if matching else ():
        yield {
            "situation": gap.situation.capitalize(),
            "structure": gap.structure,
            "equipement": gap.equipement,
            "commune": gap.commune,
            "email": gap.email,
            "fichier": file_name(gap.source),
            "detail": _sentence(gap.detail),
        }


def _reminders(chased: Iterable[Reminder]) -> Iterable[dict[str, Any]]:
    for reminder in chased:
        yield {
            "equipement": reminder.equipement,
            "structure": reminder.structure,
            "commune": reminder.commune,
            "to": reminder.to or "adresse inconnue : à compléter dans le brouillon",
            "reasons": "\n".join(f"• {_sentence(reason)}" for reason in reminder.reasons),
            "draft": reminder.draft,
        }


# Bonifications ------------------------------------------------------------------------


def _bonus_columns(rates: Rates) -> list[Column]:
    amounts = [
        Column("montant_enfants", "Montant bonus enfants (€)", 12, "decimal"),
        Column("montant_parents", "Montant bonus parents (€)", 12, "decimal"),
        Column("montant_total", "Montant total (€)", 12, "decimal"),
    ]
    by_key = {column.key: column for column in COLUMNS}
    return [  # the decision and its amounts first: they print on the first page across
        *_WHO,
        Column("bonus_enfants", "Bonus enfants : critères remplis", 11, "yesno"),
        Column("bonus_enfants_raison", "Bonus enfants : pourquoi", 26, "text"),
        Column("bonus_parents", "Bonus parents : critères remplis", 11, "yesno"),
        Column("bonus_parents_raison", "Bonus parents : pourquoi", 26, "text"),
        Column("deux_bonus", "Les deux bonus", 9, "yesno"),
        *(amounts if rates.enfants is not None or rates.parents is not None else []),
        by_key["public.nombre_collectifs"],
        by_key[f"{ENFANTS}.collectifs_ouverture_culturelle"],
        by_key[f"{ENFANTS}.surcout_materiel_pedagogique"],
        by_key[f"{ENFANTS}.surcout_intervenants_exterieurs"],
        by_key[f"{ENFANTS}.surcout_sorties_culturelles"],
        by_key[f"{PARENTS}.collectifs_accompagnement_parents"],
        by_key[f"{PARENTS}.surcout_intervenants_exterieurs"],
        by_key[f"{PARENTS}.surcout_sorties_parents_enfants"],
        *(
            Column(key, _short(label), 45, "text")
            for key, label in free_texts()
            if key in _JUSTIFICATIONS
        ),
        *_TAIL,
    ]


_JUSTIFICATIONS = (
    "axe_enfants.projet_annee",
    "axe_enfants.projet_suivant",
    "axe_parents.actions",
    "axe_parents.projet_suivant",
)
"""The answers a bonus decision rests on: the year's projects and spending, next year's."""


def amounts(bilan: Bilan, rates: Rates) -> tuple[float, float]:
    """The bonus enfants and parents of a counted bilan: euros per collectif concerned."""
    values = bilan.values
    enfants = parents = 0.0
    if rates.enfants is not None and values["bonus_enfants"]:
        enfants = rates.enfants * (values[f"{ENFANTS}.collectifs_ouverture_culturelle"] or 0)
    if rates.parents is not None and values["bonus_parents"]:
        parents = rates.parents * (values[f"{PARENTS}.collectifs_accompagnement_parents"] or 0)
    return round(enfants, 2), round(parents, 2)


def _bonuses(sheet: Any, synthese: Synthese, rates: Rates) -> None:
    """One row per counted bilan: criteria, outcome, justifications, amounts; then the total."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    columns = _bonus_columns(rates)
    rows = []
    for bilan in synthese.counted:
        enfants, parents = amounts(bilan, rates)
        rows.append(
            {
                **bilan.values,
                "deux_bonus": bool(bilan.values["bonus_enfants"] and bilan.values["bonus_parents"]),
                "montant_enfants": enfants,
                "montant_parents": parents,
                "montant_total": round(enfants + parents, 2),
            }
        )
    _table(sheet, columns, rows, wrap=True, freeze="C2")
    keys = [column.key for column in columns]
    total: list[Any] = [None] * len(columns)
    total[1] = WriteOnlyCell(sheet, "Total du département")
    total[1].font = Font(name="Calibri", bold=True)
    for key in ("montant_enfants", "montant_parents", "montant_total"):
        if key in keys:
            cell = WriteOnlyCell(sheet, round(sum(row[key] for row in rows), 2))
            cell.number_format = _EUROS
            cell.font = Font(name="Calibri", bold=True)
            total[keys.index(key)] = cell
    for key in ("bonus_enfants", "bonus_parents", "deux_bonus"):
        total[keys.index(key)] = sum(1 for row in rows if row[key])
    sheet.append([])
    sheet.append(total)


# Réponses libres, Évolution --------------------------------------------------------------


def _short(label: str, width: int = 90) -> str:
    text = " ".join(label.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


def _free_columns() -> list[Column]:
    """Who, then one column a free-text question, titled with its section (questions repeat)."""
    sections = _sections()
    return [
        *_WHO,
        *(
            Column(key, _short(f"{sections.get(key, '')} — {label}".strip(" —"), 150), 45, "text")
            for key, label in free_texts()
        ),
        *_TAIL,
    ]


def _free_rows(synthese: Synthese) -> Iterable[dict[str, Any]]:
    return (bilan.values for bilan in synthese.counted)


def _change_columns() -> list[Column]:
    year = campaigns.current().label
    columns = [
        Column("equipement", "Équipement", 26, "text"),
        Column("commune", "Commune", 14, "text"),
        Column("situation", "Situation", 16, "text"),
    ]  # one page wide: narrow number columns under wrapped titles
    for key, title in COMPARED:
        kind: Kind = "yesno" if key.startswith("bonus") else "decimal" if "etp" in key else "count"
        columns += [
            Column(f"avant.{key}", f"{title} (an dernier)", 10, kind),
            Column(f"now.{key}", f"{title} ({year})", 10, kind),
        ]
        if kind != "yesno":
            columns.append(Column(f"ecart.{key}", f"{title} : écart", 9, kind))
    return columns


def _changes(changes: Iterable[Change] | None) -> Iterable[dict[str, Any]]:
    for change in changes or ():
        row: dict[str, Any] = {
            "equipement": change.equipement,
            "commune": change.commune,
            "situation": "nouveau cette année"
            if change.before is None
            else "pas de bilan cette année"
            if change.now is None
            else "présent les deux années",
        }
        for key, _ in COMPARED:
            before: Any = (change.before or {}).get(key)
            now: Any = (change.now or {}).get(key)
            row[f"avant.{key}"] = before
            row[f"now.{key}"] = now
            if _number(before) and _number(now):
                row[f"ecart.{key}"] = round(now - before, 2)
        yield row


# Synthèse ---------------------------------------------------------------------------------


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _ranges(synthese: Synthese) -> dict[str, str]:
    """Each Bilans column's data range by key, for the summary's formulas."""
    from openpyxl.utils import get_column_letter

    last = max(len(synthese.bilans) + 1, 2)
    return {
        column.key: f"Bilans!${get_column_letter(index)}$2:${get_column_letter(index)}${last}"
        for index, column in enumerate(COLUMNS, start=1)
    }


def _formula(total: Total, ranges: dict[str, str], sheet: Any) -> Any:
    """The total's cell: its formula over Bilans, or its value when it has none."""
    from openpyxl.cell import WriteOnlyCell

    if total.formula is None:
        cell = WriteOnlyCell(sheet, total.value)
    else:
        cell = WriteOnlyCell(
            sheet, re.sub(r"\[([^\]]+)\]", lambda m: ranges[m.group(1)], total.formula)
        )
    cell.number_format = "0" if isinstance(total.value, int) else "0.00"
    return cell


def _summary(sheet: Any, synthese: Synthese, extras: Extras) -> None:
    """Totals and counts, children by level and bonus criteria, each with its chart."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 58
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 60
    _printed(sheet)
    ranges = _ranges(synthese)
    title = WriteOnlyCell(sheet, f"Synthèse des bilans CLAS {campaigns.current().label}")
    title.font = Font(name="Calibri", bold=True, size=14)
    sheet.append([title])
    counted = len(synthese.counted)
    sheet.append(
        [
            f"{len(synthese.bilans)} bilan(s) lu(s), {counted} compté(s) : pour un équipement "
            "reçu plusieurs fois, seule la dernière version est comptée (date de signature, "
            "puis date du courriel, puis date du fichier)."
        ]
    )
    sheet.append(
        [
            "Les totaux sont calculés sur les lignes de la feuille Bilans marquées « Oui » dans "
            "« Compté dans la synthèse » : écrivez « Non » pour en retirer une."
        ]
    )
    sheet.append([])
    row = 5
    sheet.append(
        [_header(sheet, "Indicateur"), _header(sheet, "Valeur"), _header(sheet, "Lesquels")]
    )
    top = Alignment(vertical="top", wrap_text=True)
    for total in totals(synthese):
        names = ", ".join(total.names) or None
        named = WriteOnlyCell(sheet, names)
        named.alignment = top
        if names:
            sheet.row_dimensions[row + 1].height = 15 * _lines(names, 60) + 2
        title, cell = WriteOnlyCell(sheet, total.label), _formula(total, ranges, sheet)
        title.alignment = cell.alignment = top
        sheet.append([title, cell, named])
        row += 1
    rates = extras.rates
    if rates.enfants is not None or rates.parents is not None:
        paid = [amounts(bilan, rates) for bilan in synthese.counted]
        for label, value, note in (
            ("Montant des bonus enfants (€)", sum(e for e, _ in paid), _rate(rates.enfants)),
            ("Montant des bonus parents (€)", sum(p for _, p in paid), _rate(rates.parents)),
            ("Montant total des bonus (€)", sum(e + p for e, p in paid), None),
        ):
            cell = WriteOnlyCell(sheet, round(value, 2))
            cell.number_format = _EUROS
            sheet.append([label, cell, note])
            row += 1
    sheet.append([])
    levels_at = row + 2
    sheet.append([_header(sheet, "Niveau scolaire"), _header(sheet, "Enfants inscrits")])
    levels = by_level(synthese)
    for total in levels:
        sheet.append([total.label, _formula(total, ranges, sheet)])
    sheet.append([])
    bonus_at = levels_at + len(levels) + 2
    sheet.append(
        [
            _header(sheet, "Bonification (bilans comptés)"),
            _header(sheet, "Critères remplis"),
            _header(sheet, "Non remplis"),
        ]
    )
    for name, key in (("Bonus enfants", "bonus_enfants"), ("Bonus parents", "bonus_parents")):
        met = sum(1 for bilan in synthese.counted if bilan.values[key])
        sheet.append(
            [
                name,
                _formula(
                    Total(name, met, f'=COUNTIFS([compte],"Oui",[{key}],"Oui")'), ranges, sheet
                ),
                _formula(
                    Total(name, counted - met, f'=COUNTIFS([compte],"Oui",[{key}],"Non")'),
                    ranges,
                    sheet,
                ),
            ]
        )
    sheet.add_chart(_levels_chart(sheet, levels_at, len(levels)), "E5")
    sheet.add_chart(_bonus_chart(sheet, bonus_at), "E24")


def _rate(rate: float | None) -> str | None:
    """« 120 € par collectif concerné (projets aux critères remplis) »."""
    if rate is None:
        return None
    return f"{rate:g} € par collectif concerné (projets aux critères remplis)".replace(".", ",")


def _levels_chart(sheet: Any, header: int, count: int) -> Any:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.title = "Enfants et jeunes inscrits par niveau scolaire"
    chart.y_axis.title = "Enfants"
    chart.legend = None
    chart.add_data(
        Reference(sheet, min_col=2, min_row=header, max_row=header + count), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=header + count))
    return _sized(chart)


def _bonus_chart(sheet: Any, header: int) -> Any:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Critères de bonification remplis (nombre de bilans)"
    chart.add_data(
        Reference(sheet, min_col=2, max_col=3, min_row=header, max_row=header + 2),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=header + 2))
    chart.y_axis.majorUnit = 1  # whole bilans
    chart.y_axis.number_format = "0"
    return _sized(chart)


def _sized(chart: Any) -> Any:
    """Axes and values shown (openpyxl hides axes by default for recent Excel), a readable size."""
    from openpyxl.chart.label import DataLabelList

    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = 18
    chart.height = 8.5
    return chart
