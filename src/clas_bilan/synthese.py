"""Read every bilan received (Word, answers files, e-mails, folders) into small rows, side by side.

The Caf's agent or a federation gives files and folders; each input is read on its own
(in parallel, one process a core), checked as ``validate`` checks, and turned into a
plain :class:`Bilan` row: values by answers-file key, computed values, the trainings
and schools, the findings. Documents never leave their worker. An input that cannot
be read becomes an :class:`Unread` with the French reason; it never stops the others.
``workbook.py`` writes the rows as a workbook or a CSV file.
"""

from __future__ import annotations

import datetime as dt
import email
import multiprocessing
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

from clas_bilan import campaigns, checks, form, models, textfile
from clas_bilan.errors import UsageError, UserError
from clas_bilan.report import Finding
from clas_bilan.values import format_size

BILAN_SUFFIXES = (".docx", ".yaml", ".yml", ".eml")
"""What a folder is searched for."""

_REFUSED_SUFFIXES = (".doc", ".odt", ".docm", ".dotx", ".msg")
"""Files of a folder that look like a bilan in a format that cannot be read: listed as unread."""

MAX_EML_BYTES = 60_000_000
"""Largest e-mail read (mail servers refuse messages over 20 to 25 MB)."""

_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_SHOWN_OTHERS = 3
"""Other copies of the same équipement named in a bilan's note."""
_CHUNK = 8
"""Inputs a worker reads per round trip: few enough for a smooth progress bar."""
_WINDOWS_WORKERS = 61
"""Most worker processes ProcessPoolExecutor accepts on Windows (it refuses more)."""

Kind = Literal["text", "count", "decimal", "yesno", "date"]


@dataclass(frozen=True)
class Column:
    """One column of the one-row-per-bilan table: CSV key, French title, width, kind."""

    key: str
    title: str
    width: int = 12
    kind: Kind = "count"
    computed: bool = True
    """False for a value of the answers file itself (its key is the file's dotted key)."""


def _answer(key: str, title: str, width: int = 12, kind: Kind = "count") -> Column:
    return Column(key, title, width, kind, computed=False)


_ENFANTS = "axe_enfants.criteres_bonus"
_PARENTS = "axe_parents.criteres_bonus"

COLUMNS: tuple[Column, ...] = (
    _answer("gestionnaire.nom", "Structure (gestionnaire)", 30, "text"),
    _answer("equipement.nom", "Équipement", 30, "text"),
    _answer("equipement.commune", "Commune", 18, "text"),
    _answer("intitule_projet", "Intitulé du projet", 28, "text"),
    _answer("campagne", "Campagne", 11, "text"),
    _answer("moyens_humains.coordination.nom", "Coordination : nom", 16, "text"),
    _answer("moyens_humains.coordination.prenom", "Coordination : prénom", 14, "text"),
    _answer("moyens_humains.coordination.email", "Coordination : mail", 28, "text"),
    _answer("moyens_humains.salaries.nombre", "Salariés"),
    Column("etp_salaries", "ETP salariés", 10, "decimal"),
    _answer("moyens_humains.benevoles.nombre", "Bénévoles (volontaires inclus)", 14),
    Column("etp_benevoles", "ETP bénévoles", 10, "decimal"),
    _answer("formations.suivie", "Formation suivie", 10, "yesno"),
    Column("nombre_sessions", "Sessions de formation", 11),
    Column("formes_salaries", "Salariés formés", 10),
    Column("formes_volontaires", "Volontaires formés", 11),
    Column("formes_benevoles", "Bénévoles formés", 10),
    *(_answer(f"public.inscrits.{key}", label, 6) for key, label in form.LEVELS[:5]),
    Column("sous_total_elementaire", "Sous-total élémentaire", 11),
    *(_answer(f"public.inscrits.{key}", label, 6) for key, label in form.LEVELS[5:9]),
    Column("sous_total_college", "Sous-total collège", 10),
    *(_answer(f"public.inscrits.{key}", label, 6) for key, label in form.LEVELS[9:]),
    Column("sous_total_lycee", "Sous-total lycée", 10),
    _answer("public.inscrits.autre", "Autre", 7),
    Column("total_inscrits", "Total inscrits", 9),
    _answer("public.nombre_collectifs", "Collectifs", 10),
    Column("enfants_par_collectif", "Enfants par collectif", 11, "decimal"),
    _answer(f"{_ENFANTS}.collectifs_ouverture_culturelle", "Collectifs ouverture culturelle", 13),
    _answer(
        f"{_ENFANTS}.surcout_materiel_pedagogique", "Surcoût matériel pédagogique", 12, "yesno"
    ),
    _answer(
        f"{_ENFANTS}.surcout_intervenants_exterieurs",
        "Surcoût intervenants extérieurs (enfants)",
        13,
        "yesno",
    ),
    _answer(f"{_ENFANTS}.surcout_sorties_culturelles", "Surcoût sorties culturelles", 12, "yesno"),
    Column("bonus_enfants", "Bonus enfants : critères remplis", 13, "yesno"),
    _answer(
        f"{_PARENTS}.collectifs_accompagnement_parents", "Collectifs accompagnement parents", 14
    ),
    _answer(
        f"{_PARENTS}.surcout_intervenants_exterieurs",
        "Surcoût intervenants extérieurs (parents)",
        13,
        "yesno",
    ),
    _answer(
        f"{_PARENTS}.surcout_sorties_parents_enfants",
        "Surcoût sorties parents-enfants",
        13,
        "yesno",
    ),
    Column("bonus_parents", "Bonus parents : critères remplis", 13, "yesno"),
    Column("nombre_territoires", "Territoires", 10),
    Column("nombre_etablissements", "Établissements scolaires", 13),
    _answer("signature.lieu", "Fait à", 16, "text"),
    _answer("signature.date", "Signé le", 11, "date"),
    Column("erreurs", "Erreurs", 8),
    Column("avertissements", "Avertissements", 13),
    Column("doublon", "Même équipement", 22, "text"),
    Column("compte", "Compté dans la synthèse", 12, "yesno"),
    Column("fichier", "Fichier", 40, "text"),
)
"""The one-row-per-bilan table, in the order of the form; keys head the CSV columns."""

SESSION_COLUMNS: tuple[Column, ...] = (
    Column("organisme", "Organisme de formation", 30, "text"),
    Column("intitule", "Intitulé et objet", 40, "text"),
    Column("dates", "Dates", 18, "text"),
    Column("salaries", "Salariés formés", 10),
    Column("volontaires", "Volontaires formés", 11),
    Column("benevoles", "Bénévoles formés", 10),
)
"""A training session's own columns (the bilan's columns come first)."""

SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column("territoire", "Territoire d'intervention", 36, "text"),
    Column("nom", "Établissement scolaire", 32, "text"),
    Column("adresse", "Adresse", 36, "text"),
    Column("email", "Mail", 28, "text"),
)
"""A territoire's (or one of its schools') own columns."""

_ANSWER_KEYS = tuple(column.key for column in COLUMNS if not column.computed)


@dataclass(frozen=True)
class Bilan:
    """One bilan read: plain values by column key, trainings, schools, findings."""

    source: str
    values: dict[str, Any]
    sessions: tuple[dict[str, Any], ...] = ()
    schools: tuple[dict[str, Any], ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Unread:
    """An input that could not be read as a bilan, why and what to do (French)."""

    source: str
    reason: str
    hint: str | None = None


Outcome = Bilan | Unread


@dataclass
class Synthese:
    """Every bilan read (latest of an équipement first) and every input not read."""

    bilans: list[Bilan] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)

    @property
    def counted(self) -> list[Bilan]:
        """The bilans the totals count: the latest of each équipement."""
        return [bilan for bilan in self.bilans if bilan.values["compte"]]

    @property
    def exit_code(self) -> int:
        """0 when every input was read, 1 when some could not be."""
        return 1 if self.unread else 0


# Which files ----------------------------------------------------------------------


def collect(paths: Sequence[Path]) -> tuple[list[Path], list[Unread]]:
    """Files to read among ``paths`` (folders searched, sub-folders too), and empty folders.

    A missing path is a UsageError before anything is read: better a typo found at once
    than after reading five thousand files.
    """
    found: list[Path] = []
    empty: list[Unread] = []
    for path in paths:
        if not path.exists():
            raise UsageError(
                f"« {path} » est introuvable ; rien n'a été lu.",
                hint="vérifiez le nom et le dossier (un nom avec des espaces se met entre "
                "guillemets).",
            )
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted(
            child
            for child in path.rglob("*")
            if child.suffix.lower() in (*BILAN_SUFFIXES, *_REFUSED_SUFFIXES)
            and not any(part.startswith((".", "~$")) for part in child.relative_to(path).parts)
            and child.is_file()
        )
        if not inside:
            empty.append(Unread(str(path), "dossier sans bilan (.docx, .yaml, .eml)."))
        found.extend(inside)
    if not found:
        given = ", ".join(f"« {path} »" for path in paths)
        raise UsageError(
            f"aucun bilan à lire (.docx, .yaml ou .eml) dans {given}.",
            hint="indiquez les bilans reçus, ou le dossier où ils sont enregistrés.",
        )
    return found, empty


# Reading one input (in a worker) -----------------------------------------------------


def read_input(path: Path) -> list[Outcome]:
    """Read one input: a bilan, an answers file, or an e-mail and its attached bilans."""
    suffix = path.suffix.lower()
    if suffix == ".msg":
        return [
            Unread(
                str(path),
                "message enregistré par Outlook (.msg) : ce format n'est pas lu.",
                "enregistrez plutôt le bilan joint (.docx) dans le dossier, ou le message au "
                "format .eml.",
            )
        ]
    try:
        if suffix == ".eml":
            return _read_email(path)
        if suffix in {".yaml", ".yml"}:
            return [_read_answers(path, str(path))]
        return [_read_docx(path, str(path), path.name)]
    except UserError as error:
        return [Unread(str(path), _one_line(error.message), error.hint)]
    except MemoryError:
        return [Unread(str(path), "mémoire insuffisante pour lire ce fichier.")]
    except Exception as error:  # one faulty file must not stop the others
        return [
            Unread(
                str(path),
                f"erreur inattendue ({type(error).__name__}).",
                "lisez ce seul fichier avec « clas-bilan --debug extract » (ou validate) et "
                "signalez-nous le message affiché.",
            )
        ]


def read_inputs(paths: Sequence[Path]) -> list[list[Outcome]]:
    """Read several inputs one after the other (one worker's share)."""
    return [read_input(path) for path in paths]


def _one_line(text: str) -> str:
    """A message on one line, for a cell (narrow spaces in numbers kept)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _read_answers(path: Path, source: str) -> Outcome:
    report = checks.validate_file(path)
    if report.answers is None:
        reasons = " ; ".join(finding.text() for finding in report.errors[:3])
        return Unread(source, f"fichier de réponses illisible : {reasons}")
    return row(report.answers, source, report.findings)


def _read_docx(path: Path, source: str, name: str, data: bytes | None = None) -> Outcome:
    from clas_bilan.docx import package
    from clas_bilan.extract import read_body

    body = package.main_body(path, role="bilan", data=data)
    found = read_body(body, name)
    unread = [
        Finding(
            "avertissement",
            None,
            None,
            "Relecture du document Word",
            problem,
            code="docx-answer-unread",
        )
        for problem in found.problems
    ]
    return row(found.answers, source, [*unread, *checks.check(found.answers, {})])


def _read_email(path: Path) -> list[Outcome]:
    size = path.stat().st_size
    if size > MAX_EML_BYTES:
        return [Unread(str(path), f"courriel trop gros ({format_size(size)}) : non lu.")]
    with path.open("rb") as stream:
        message = email.message_from_binary_file(stream, policy=policy.default)
    outcomes: list[Outcome] = []
    others: list[str] = []
    for index, part in enumerate(_attachments(message)):
        name = Path(part.get_filename() or f"piece_{index}").name or f"piece_{index}"
        suffix = Path(name).suffix.lower()
        if suffix not in {".docx", ".yaml", ".yml"} and part.get_content_type() != _DOCX_TYPE:
            others.append(name)
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        source = f"{path} › {name}"
        try:  # read from memory: no copy for an antivirus to hold in %TEMP%
            if suffix in {".yaml", ".yml"}:
                text, early = textfile.decode(data, name)
                report = checks.validate_text(text, path.parent / name)
                if report.answers is None:
                    reasons = " ; ".join(finding.text() for finding in report.errors[:3])
                    outcomes.append(Unread(source, f"fichier de réponses illisible : {reasons}"))
                else:
                    outcomes.append(row(report.answers, source, [*early, *report.findings]))
            else:
                outcomes.append(_read_docx(Path(name), source, name, data))
        except UserError as error:
            outcomes.append(Unread(source, _one_line(error.message), error.hint))
    if not outcomes:
        joined = ", ".join(f"« {name} »" for name in others[:5])
        listed = f" (pièces jointes : {joined})" if others else " (aucune pièce jointe)"
        return [
            Unread(
                str(path),
                f"aucun bilan .docx joint à ce courriel{listed}.",
                "demandez le bilan au format Word (.docx) à la structure.",
            )
        ]
    return outcomes


def _attachments(message: Any) -> Iterator[EmailMessage]:
    """Every attachment of a message, those of forwarded messages included."""
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            continue  # walk() already visits the forwarded message's parts
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment" or part.get_filename():
            yield part


# One bilan as a row --------------------------------------------------------------------


def row(answers: models.Reponses, source: str, findings: Sequence[Finding]) -> Bilan:
    """The plain row of one bilan's answers: nothing of the document or the model kept."""
    values: dict[str, Any] = {key: models.get(answers, key) for key in _ANSWER_KEYS}
    sums = models.subtotals(answers.public.inscrits)
    etp_s = models.etp_salaries(answers.moyens_humains.salaries)
    etp_b = models.etp_benevoles(answers.moyens_humains.benevoles)
    total, collectifs = sums["total"], answers.public.nombre_collectifs
    sessions = tuple(
        {
            "organisme": session.organisme,
            "intitule": session.intitule,
            "dates": session.dates,
            **session.personnes_formees.model_dump(),
        }
        for session in answers.formations.sessions
    )
    schools = tuple(_schools(answers.territoires))
    values.update(
        etp_salaries=None if etp_s is None else round(etp_s, 2),
        etp_benevoles=None if etp_b is None else round(etp_b, 2),
        nombre_sessions=len(sessions),
        formes_salaries=_sum(session["salaries"] for session in sessions),
        formes_volontaires=_sum(session["volontaires"] for session in sessions),
        formes_benevoles=_sum(session["benevoles"] for session in sessions),
        sous_total_elementaire=sums["elementaire"],
        sous_total_college=sums["college"],
        sous_total_lycee=sums["lycee"],
        total_inscrits=total,
        enfants_par_collectif=round(total / collectifs, 1) if total and collectifs else None,
        bonus_enfants=checks.bonus_enfants(answers).eligible,
        bonus_parents=checks.bonus_parents(answers).eligible,
        nombre_territoires=len(answers.territoires),
        nombre_etablissements=sum(len(t.etablissements) for t in answers.territoires),
        erreurs=sum(1 for finding in findings if finding.is_error),
        avertissements=sum(1 for finding in findings if not finding.is_error),
        doublon=None,
        compte=True,
        fichier=source,
    )
    ordered = sorted(findings, key=lambda finding: not finding.is_error)
    return Bilan(source, values, sessions, schools, tuple(ordered))


def _sum(values: Iterable[int | None]) -> int | None:
    given = [value for value in values if value is not None]
    return sum(given) if given else None


def _schools(territoires: Sequence[models.Territoire]) -> Iterator[dict[str, Any]]:
    for territoire in territoires:
        if not territoire.etablissements:
            yield {"territoire": territoire.territoire, "nom": None, "adresse": None, "email": None}
        for school in territoire.etablissements:
            yield {"territoire": territoire.territoire, **school.model_dump()}


# All of them --------------------------------------------------------------------------


def synthesize(
    paths: Sequence[Path],
    *,
    workers: int | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Synthese:
    """Read every input (in parallel when there are several), order the bilans, flag doubles.

    ``on_total`` is told how many files will be read, ``on_progress`` how many were just
    read. ``workers`` defaults to one process a core; 1 reads in this process.
    """
    files, empty = collect(paths)
    if on_total is not None:
        on_total(len(files))
    result = Synthese(unread=list(empty))
    for outcomes in _read_all(files, workers or os.cpu_count() or 1, on_progress):
        for outcome in outcomes:
            if isinstance(outcome, Bilan):
                result.bilans.append(outcome)
            else:
                result.unread.append(outcome)
    result.bilans = _ordered(result.bilans)
    return result


def _read_all(
    files: Sequence[Path], workers: int, on_progress: Callable[[int], None] | None
) -> Iterator[list[Outcome]]:
    """Each file's outcomes, in input order; at most a few chunks in flight per worker."""
    chunks = [files[start : start + _CHUNK] for start in range(0, len(files), _CHUNK)]
    if sys.platform == "win32":
        workers = min(workers, _WINDOWS_WORKERS)
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            for path in chunk:
                yield read_input(path)
                if on_progress is not None:
                    on_progress(1)
        return
    # A built application starts its workers the way Windows and macOS do, on every system.
    spawn = multiprocessing.get_context("spawn") if getattr(sys, "frozen", False) else None
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=spawn) as pool:
        pending = []
        queue = iter(chunks)
        for chunk in queue:
            pending.append((pool.submit(read_inputs, chunk), len(chunk)))
            if len(pending) >= 4 * workers:
                break
        while pending:
            future, size = pending.pop(0)
            yield from future.result()
            if on_progress is not None:
                on_progress(size)
            following = next(queue, None)
            if following is not None:
                pending.append((pool.submit(read_inputs, following), len(following)))


def _equipement(values: dict[str, Any]) -> tuple[str, str] | None:
    """Who a bilan is from, spelling and accents aside; None when it does not say."""
    name = values.get("equipement.nom")
    if not name:
        return None
    return _folded(name), _folded(values.get("equipement.commune") or "")


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return " ".join(plain.casefold().replace("-", " ").replace("’", "'").split())


def _ordered(bilans: list[Bilan]) -> list[Bilan]:
    """By équipement, the latest signature first; each équipement's later copies flagged."""
    groups: dict[tuple[str, str] | None, list[Bilan]] = {}
    for bilan in bilans:
        groups.setdefault(_equipement(bilan.values), []).append(bilan)
    ordered: list[Bilan] = []
    for key in sorted(groups, key=lambda key: (key is None, key or ("", ""))):
        group = sorted(groups[key], key=_latest_first)
        if key is None or len(group) == 1:
            ordered.extend(group)
            continue
        for rank, bilan in enumerate(group, start=1):
            values = dict(bilan.values)
            values["compte"] = rank == 1
            others = [other.source for other in group if other is not bilan]
            listed = ", ".join(others[:_SHOWN_OTHERS]) + (
                f" et {len(others) - _SHOWN_OTHERS} autre(s)" if len(others) > _SHOWN_OTHERS else ""
            )
            values["doublon"] = f"{rank} sur {len(group)}" + (
                " (le plus récent)" if rank == 1 else ""
            )
            note = Finding(
                "avertissement",
                "equipement.nom",
                None,
                "Même équipement",
                f"{len(group)} bilans reçus pour « {bilan.values['equipement.nom']} » : "
                + (
                    "celui-ci est le plus récent (date de signature), seul compté dans la synthèse"
                    if rank == 1
                    else "celui-ci n'est pas le plus récent : il n'est pas compté dans la synthèse"
                )
                + f" ; autre(s) : {listed}.",
                code="duplicate-bilan",
            )
            findings = sorted((note, *bilan.findings), key=lambda finding: not finding.is_error)
            ordered.append(replace(bilan, values=values, findings=tuple(findings)))
    return ordered


def _latest_first(bilan: Bilan) -> tuple[bool, int]:
    signed: dt.date | None = bilan.values.get("signature.date")
    return signed is None, -(signed.toordinal() if signed else 0)


# Totals ---------------------------------------------------------------------------------


def totals(synthese: Synthese) -> list[tuple[str, float | int | None]]:
    """The département's counts and totals over the bilans counted, labelled in French."""
    counted = synthese.counted

    def total(key: str) -> int | float | None:
        given = [bilan.values[key] for bilan in counted if bilan.values[key] is not None]
        return round(sum(given), 2) if given else 0

    def count(test: Callable[[dict[str, Any]], bool]) -> int:
        return sum(1 for bilan in counted if test(bilan.values))

    return [
        ("Bilans lus", len(synthese.bilans)),
        ("Équipements (bilans comptés)", len(counted)),
        (
            "Versions antérieures d'un même équipement (non comptées)",
            len(synthese.bilans) - len(counted),
        ),
        ("Entrées illisibles", len(synthese.unread)),
        ("Bilans comptés avec des erreurs", count(lambda v: v["erreurs"] > 0)),
        (
            "Bilans non signés (pas de date de signature)",
            count(lambda v: v["signature.date"] is None),
        ),
        (
            f"Bilans signés après la date limite ({campaigns.current().deadline_text})",
            count(lambda v: _late(v["signature.date"])),
        ),
        ("Salariés", total("moyens_humains.salaries.nombre")),
        ("ETP salariés", total("etp_salaries")),
        ("Bénévoles (volontaires inclus)", total("moyens_humains.benevoles.nombre")),
        ("ETP bénévoles", total("etp_benevoles")),
        ("Bilans avec une formation suivie", count(lambda v: v["formations.suivie"] is True)),
        ("Sessions de formation", total("nombre_sessions")),
        ("Salariés formés", total("formes_salaries")),
        ("Volontaires formés", total("formes_volontaires")),
        ("Bénévoles formés", total("formes_benevoles")),
        ("Enfants et jeunes inscrits", total("total_inscrits")),
        ("Collectifs", total("public.nombre_collectifs")),
        ("Bonus enfants : critères remplis", count(lambda v: v["bonus_enfants"] is True)),
        ("Bonus parents : critères remplis", count(lambda v: v["bonus_parents"] is True)),
        ("Territoires", total("nombre_territoires")),
        ("Établissements scolaires", total("nombre_etablissements")),
    ]


def _late(signed: dt.date | None) -> bool:
    """True for a signature dated after the deadline (as ``validate`` warns)."""
    return signed is not None and signed > campaigns.current().deadline


def by_level(synthese: Synthese) -> list[tuple[str, int]]:
    """Children registered by school level over the bilans counted."""
    levels = [*form.LEVELS, ("autre", "Autre")]
    return [
        (
            label,
            sum(bilan.values[f"public.inscrits.{key}"] or 0 for bilan in synthese.counted),
        )
        for key, label in levels
    ]
