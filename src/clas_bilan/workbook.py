"""Write the bilans read by ``synthese`` as a French workbook (.xlsx) or a CSV file for scripts.

The workbook is written in openpyxl's write-only mode: rows stream to disk, so memory
stays flat however many bilans there are. openpyxl is imported only here, only when a
workbook is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from clas_bilan import campaigns, files
from clas_bilan.synthese import (
    COLUMNS,
    SCHOOL_COLUMNS,
    SESSION_COLUMNS,
    Bilan,
    Column,
    Synthese,
    by_level,
    totals,
)
from clas_bilan.values import format_yes_no

SHEETS = ("Synthèse", "Bilans", "Formations", "Territoires", "À vérifier")
"""The workbook's sheets, in order."""

_FORMULA = re.compile(r"[=+@\t\r]|-[^\s\d]")
_FORMATS = {"decimal": "0.00", "date": "DD/MM/YYYY"}
_WHO = (
    Column("gestionnaire.nom", "Structure (gestionnaire)", 30, "text"),
    Column("equipement.nom", "Équipement", 30, "text"),
    Column("equipement.commune", "Commune", 18, "text"),
)
_TAIL = (
    Column("compte", "Compté dans la synthèse", 12, "yesno"),
    Column("fichier", "Fichier", 40, "text"),
)
_CHECKS = (
    Column("fichier", "Fichier", 40, "text"),
    Column("equipement", "Équipement", 32, "text"),
    Column("gravite", "Gravité", 14, "text"),
    Column("ligne", "Ligne du fichier de réponses", 10),
    Column("cle", "Clé", 30, "text"),
    Column("question", "Question du formulaire", 36, "text"),
    Column("probleme", "Problème", 60, "text"),
    Column("conseil", "Conseil", 40, "text"),
)


def write(synthese: Synthese, path: Path, *, force: bool = False) -> Path:
    """Write the synthesis as ``path``'s suffix says (.xlsx or .csv), atomically."""
    if path.suffix.lower() == ".csv":
        return files.write_atomic(path, csv_bytes(synthese), force=force)
    return files.write_atomic(path, lambda stream: write_xlsx(synthese, stream), force=force)


# CSV ------------------------------------------------------------------------------


def csv_bytes(synthese: Synthese) -> bytes:
    """The one-row-per-bilan table: dotted keys as headers, « ; » between values, UTF-8 BOM.

    Decimal comma and « ; » as French Excel expects them (R: ``read.csv2``; pandas:
    ``sep=";", decimal=","``); dates as 2026-06-30; Oui/Non as « oui »/« non ».
    """
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(column.key for column in COLUMNS)
    for bilan in synthese.bilans:
        writer.writerow(_csv_value(bilan.values[column.key]) for column in COLUMNS)
    return text.getvalue().encode("utf-8-sig")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value  # Excel would run « =… » typed in a bilan as a formula
    if isinstance(value, bool):
        return format_yes_no(value).lower()
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Workbook ----------------------------------------------------------------------------


def write_xlsx(synthese: Synthese, stream: IO[bytes]) -> None:
    """Write the five sheets to ``stream``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    _summary(book.create_sheet(SHEETS[0]), synthese)
    bilans = book.create_sheet(SHEETS[1])
    _table(bilans, COLUMNS, (bilan.values for bilan in synthese.bilans))
    _table(
        book.create_sheet(SHEETS[2]),
        (*_WHO, *SESSION_COLUMNS, *_TAIL),
        ({**bilan.values, **session} for bilan in synthese.bilans for session in bilan.sessions),
    )
    _table(
        book.create_sheet(SHEETS[3]),
        (*_WHO, *SCHOOL_COLUMNS, *_TAIL),
        ({**bilan.values, **school} for bilan in synthese.bilans for school in bilan.schools),
    )
    _table(book.create_sheet(SHEETS[4]), _CHECKS, _checks(synthese), wrap=True)
    book.properties.title = f"Synthèse des bilans CLAS {campaigns.current().label}"
    book.properties.creator = "clas-bilan"
    book.save(stream)  # openpyxl's zip writer takes a binary stream as well as a name


def _table(
    sheet: Any, columns: Sequence[Column], rows: Iterable[dict[str, Any]], *, wrap: bool = False
) -> None:
    """A filterable table: bold frozen header, widths, numbers, dates and Oui/Non typed.

    Only cells that need a format (decimals, dates, wrapped text, text starting with
    « = ») are styled; the others go as plain values, which openpyxl writes faster.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    _setup(sheet, columns)
    sheet.append([_header(sheet, column.title) for column in columns])
    top = Alignment(vertical="top", wrap_text=True)
    formats = [_FORMATS.get(column.kind) for column in columns]
    wrapped = [wrap and column.kind == "text" and column.width >= 36 for column in columns]
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


def _setup(sheet: Any, columns: Sequence[Column]) -> None:
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    lines = max(_lines(column.title, column.width) for column in columns)
    sheet.row_dimensions[1].height = 15 * lines + 3  # wrapped titles shown whole
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"


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


def _checks(synthese: Synthese) -> Iterable[dict[str, Any]]:
    """Inputs not read first, then each bilan's findings, errors first."""
    for unread in synthese.unread:
        yield {
            "fichier": unread.source,
            "gravite": "Illisible",
            "probleme": unread.reason,
            "conseil": unread.hint,
        }
    for bilan in synthese.bilans:
        yield from _findings(bilan)


def _findings(bilan: Bilan) -> Iterable[dict[str, Any]]:
    for finding in bilan.findings:
        yield {
            "fichier": bilan.source,
            "equipement": bilan.values.get("equipement.nom"),
            "gravite": "Erreur" if finding.is_error else "Avertissement",
            "ligne": finding.line,
            "cle": finding.key,
            "question": finding.label,
            "probleme": finding.message,
            "conseil": finding.hint,
        }


def _summary(sheet: Any, synthese: Synthese) -> None:
    """Totals and counts, children by level and bonus criteria, each with its chart."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet.column_dimensions["A"].width = 52
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 14
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    title = WriteOnlyCell(sheet, f"Synthèse des bilans CLAS {campaigns.current().label}")
    title.font = Font(name="Calibri", bold=True, size=14)
    sheet.append([title])
    counted = len(synthese.counted)
    sheet.append(
        [
            f"{len(synthese.bilans)} bilan(s) lu(s), {counted} compté(s) : pour un équipement "
            "reçu plusieurs fois, seul le bilan le plus récent (date de signature) est compté."
        ]
    )
    sheet.append([])
    row = 4
    sheet.append([_header(sheet, "Indicateur"), _header(sheet, "Valeur")])
    for label, value in totals(synthese):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "0" if isinstance(value, int) else "0.00"
        sheet.append([label, cell])
        row += 1
    sheet.append([])
    levels_at = row + 2
    sheet.append([_header(sheet, "Niveau scolaire"), _header(sheet, "Enfants inscrits")])
    levels = by_level(synthese)
    for label, value in levels:
        sheet.append([label, value])
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
        sheet.append([name, met, counted - met])
    sheet.add_chart(_levels_chart(sheet, levels_at, len(levels)), "E4")
    sheet.add_chart(_bonus_chart(sheet, bonus_at), "E22")


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
    """Axes shown (openpyxl hides them by default for recent Excel), a readable size."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = 18
    chart.height = 8.5
    return chart
