"""Who was expected to send a bilan, and who did: the Caf's list of funded projects, matched.

The list is a CSV or .xlsx table (one project a row: structure, équipement, commune,
coordination e-mail), or last year's synthese workbook (its Bilans sheet, counted rows).
Names are matched with accents, case and punctuation set aside (:func:`synthese.folded`).
The same reader gives last year's figures for the « Évolution » sheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from clas_bilan import files
from clas_bilan.errors import UsageError
from clas_bilan.synthese import COLUMNS, Bilan, Synthese, Unread, folded
from clas_bilan.values import parse_decimal

_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("equipement", ("equipement",)),
    ("structure", ("structure", "gestionnaire", "porteur")),
    ("commune", ("commune", "ville")),
    ("email", ("mail", "courriel")),
    ("compte", ("compte", "compte dans la synthese")),
)
"""What each column of a list is, by a word its folded header contains (first found wins)."""

_TITLES = {column.key: folded(column.title) for column in COLUMNS}


@dataclass(frozen=True)
class Project:
    """One project the Caf funded, as its list names it."""

    equipement: str
    structure: str | None = None
    commune: str | None = None
    email: str | None = None
    row: int = 0
    """The list's row (header = 1), to find it again."""


Situation = Literal["non reçu", "reçu illisible", "reçu, non attendu"]


@dataclass(frozen=True)
class Gap:
    """A line of « Manquants »: a project expected and missing, or a bilan not expected."""

    situation: Situation
    equipement: str
    structure: str | None
    commune: str | None
    email: str | None
    source: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Matching:
    """The list against the bilans received: what each project became."""

    projects: list[Project]
    received: dict[int, Bilan]
    """Project index → its counted bilan."""
    gaps: list[Gap]


# Reading a table ------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a CSV or .xlsx table, keyed by folded header; a French error if unreadable.

    A workbook's « Bilans » sheet is read when it has one (a synthese of clas-bilan),
    else its first sheet.
    """
    if not path.is_file():
        raise UsageError(
            f"« {path} » est introuvable.", hint="vérifiez le nom et le dossier du fichier."
        )
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            table = _csv_table(path.read_bytes())
        elif suffix in {".xlsx", ".xlsm"}:
            table = _xlsx_table(path)
        else:
            raise UsageError(
                f"« {path.name} » : la liste doit être un fichier .csv ou un classeur .xlsx.",
                hint="enregistrez-la depuis votre tableur au format .xlsx ou CSV.",
            )
    except OSError as error:
        raise UsageError(f"impossible de lire « {path} » : {files.reason(error)}.") from error
    except UsageError:
        raise
    except Exception as error:  # a damaged workbook: openpyxl and zipfile raise many kinds
        raise UsageError(
            f"« {path.name} » n'a pas pu être lu comme un tableau ({type(error).__name__}).",
            hint="ouvrez-le dans votre tableur et enregistrez-le à nouveau en .xlsx.",
        ) from error
    rows = iter(table)
    header = next(rows, None)
    if not header:
        raise UsageError(f"« {path.name} » est vide.")
    names = [folded(str(cell or "")) for cell in header]
    return [
        {name: value for name, value in zip(names, row, strict=False) if name}
        for row in rows
        if any(value not in (None, "") for value in row)
    ]


def _csv_table(data: bytes) -> list[tuple[Any, ...]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # saved by an older Excel: Windows' own encoding
        text = data.decode("cp1252", errors="replace")
    first = text.splitlines()[0] if text else ""
    delimiter = max(";,\t", key=first.count)
    return [tuple(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_table(path: Path) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book["Bilans"] if "Bilans" in book.sheetnames else book.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _field(row: dict[str, Any], name: str) -> Any:
    """The value of the column that is ``name`` (« equipement »…), by header words."""
    words = dict(_FIELDS)[name]
    for header, value in row.items():
        if header in words:
            return value
    for header, value in row.items():
        if any(word in header for word in words):
            return value
    return None


def _text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def read_projects(path: Path) -> list[Project]:
    """The projects of the Caf's list (or of last year's synthese, counted rows only)."""
    rows = read_rows(path)
    if rows and not any("equipement" in header for header in rows[0]):
        raise UsageError(
            f"« {path.name} » n'a pas de colonne « Équipement ».",
            hint="la liste des projets attendus a une ligne d'en-tête avec les colonnes "
            "Structure, Équipement, Commune et Mail de la coordination.",
        )
    projects = []
    for index, row in enumerate(rows, start=2):
        counted = _text(_field(row, "compte"))
        if counted is not None and folded(counted) == "non":
            continue  # an older version in last year's synthese
        name = _text(_field(row, "equipement"))
        if name is None:
            continue
        projects.append(
            Project(
                name,
                _text(_field(row, "structure")),
                _text(_field(row, "commune")),
                _text(_field(row, "email")),
                index,
            )
        )
    return projects


# Matching -------------------------------------------------------------------------------


def match(synthese: Synthese, projects: Sequence[Project]) -> Matching:
    """Each project's counted bilan; the projects missing or unreadable; the bilans unexpected."""
    by_name: dict[str, list[int]] = {}
    by_structure: dict[str, list[int]] = {}
    for index, project in enumerate(projects):
        by_name.setdefault(folded(project.equipement), []).append(index)
        if project.structure:
            by_structure.setdefault(folded(project.structure), []).append(index)
    received: dict[int, Bilan] = {}
    unexpected: list[Bilan] = []
    for bilan in synthese.counted:
        found = _project_of(bilan, projects, by_name, by_structure, received)
        if found is None:
            unexpected.append(bilan)
        else:
            received[found] = bilan
    unread = [
        (item, folded(f"{Path(item.source).name} {item.origin.subject or ''}"))
        for item in synthese.unread
    ]
    gaps: list[Gap] = []
    for index, project in enumerate(projects):
        if index in received:
            continue
        name = folded(project.equipement)
        sent = [item for item, where in unread if _from(item, project) or name in where]
        gaps.append(
            Gap(
                "reçu illisible" if sent else "non reçu",
                project.equipement,
                project.structure,
                project.commune,
                project.email,
                " ; ".join(item.source for item in sent) or None,
                " ; ".join(item.reason for item in sent) or None,
            )
        )
    for bilan in unexpected:
        values = bilan.values
        gaps.append(
            Gap(
                "reçu, non attendu",
                values.get("equipement.nom") or "",
                values.get("gestionnaire.nom"),
                values.get("equipement.commune"),
                values.get("moyens_humains.coordination.email"),
                bilan.source,
                "ce bilan ne correspond à aucun projet de la liste : nom de l'équipement "
                "différent, ou projet non financé.",
            )
        )
    return Matching(list(projects), received, gaps)


def _project_of(
    bilan: Bilan,
    projects: Sequence[Project],
    by_name: dict[str, list[int]],
    by_structure: dict[str, list[int]],
    received: dict[int, Bilan],
) -> int | None:
    """The project a bilan is from: same équipement (the same commune first), else structure."""
    town = folded(bilan.values.get("equipement.commune") or "")
    same = [
        index
        for index in by_name.get(folded(bilan.values.get("equipement.nom") or ""), [])
        if index not in received
    ]
    same.sort(key=lambda index: folded(projects[index].commune or "") != town)
    if same:
        return same[0]
    structure = by_structure.get(folded(bilan.values.get("gestionnaire.nom") or ""), [])
    return structure[0] if len(structure) == 1 and structure[0] not in received else None


def _from(unread: Unread, project: Project) -> bool:
    """Whether an unreadable input was sent from the project's coordination address."""
    sender = unread.origin.address
    return bool(project.email and sender and sender.casefold() == project.email.casefold())


# Last year ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One équipement's figures, last year against this year (None where absent)."""

    equipement: str
    commune: str | None
    before: dict[str, Any] | None
    now: dict[str, Any] | None


COMPARED = (
    ("total_inscrits", "Enfants inscrits"),
    ("public.nombre_collectifs", "Collectifs"),
    ("etp_salaries", "ETP salariés"),
    ("etp_benevoles", "ETP bénévoles"),
    ("bonus_enfants", "Bonus enfants"),
    ("bonus_parents", "Bonus parents"),
)
"""The figures compared from one year to the next (Bilans column key, French title)."""


@dataclass(frozen=True)
class Previous:
    """Last year's counted bilans: figures and name by folded équipement name."""

    figures: dict[str, dict[str, Any]]
    names: dict[str, tuple[str, str | None]]


def read_previous(path: Path) -> Previous:
    """Last year's synthese workbook (its Bilans sheet), counted rows only."""
    before: dict[str, dict[str, Any]] = {}
    names: dict[str, tuple[str, str | None]] = {}
    for row in read_rows(path):
        counted = _text(row.get(_TITLES["compte"]))
        name = _text(row.get(_TITLES["equipement.nom"]))
        if name is None or (counted is not None and folded(counted) == "non"):
            continue
        key = folded(name)
        before[key] = {column: _value(row.get(_TITLES[column])) for column, _ in COMPARED}
        names[key] = name, _text(row.get(_TITLES["equipement.commune"]))
    if not before:
        raise UsageError(
            f"« {path.name} » ne contient aucun bilan compté.",
            hint="donnez à --precedente le classeur écrit l'an dernier par « clas-bilan "
            "synthese » (feuille Bilans).",
        )
    return Previous(before, names)


def evolution(synthese: Synthese, previous: Previous) -> list[Change]:
    """This year's counted bilans against last year's, by équipement."""
    before, names = previous.figures, previous.names
    changes: list[Change] = []
    seen: set[str] = set()
    for bilan in synthese.counted:
        key = folded(bilan.values.get("equipement.nom") or "")
        if not key:
            continue
        seen.add(key)
        now = {column: bilan.values.get(column) for column, _ in COMPARED}
        changes.append(
            Change(
                bilan.values["equipement.nom"].strip(),
                bilan.values.get("equipement.commune"),
                before.get(key),
                now,
            )
        )
    for key, row in before.items():
        if key not in seen:
            name, town = names[key]
            changes.append(Change(name, town, row, None))
    return sorted(changes, key=lambda change: folded(change.equipement))


def _value(cell: Any) -> Any:
    """A cell of last year's workbook as this year's row holds it (Oui/Non as booleans)."""
    if isinstance(cell, str):
        if folded(cell) in {"oui", "non"}:
            return folded(cell) == "oui"
        number = parse_decimal(cell)
        return number if number is not None else cell
    return cell


def gaps_by_project(matching: Matching) -> Iterator[tuple[Project, Gap]]:
    """Each expected project not counted, with its gap (for the reminders)."""
    missing = [gap for gap in matching.gaps if gap.situation != "reçu, non attendu"]
    projects = [p for i, p in enumerate(matching.projects) if i not in matching.received]
    yield from zip(projects, missing, strict=True)
