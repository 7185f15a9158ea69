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
import functools
import multiprocessing
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parseaddr, parsedate_to_datetime
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

_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp", ".heic", ".webp")
_SYSTEM_FILES = {"thumbs.db", "desktop.ini"}
"""Files the system leaves in folders: never a project's, never listed."""
_ASK_WORD = (
    "demandez au projet son bilan au format Word (.docx), rempli dans le formulaire de la "
    "Caf ; le scan signé peut l'accompagner."
)
NO_BILAN_ATTACHED = "aucun bilan .docx joint à ce courriel"
"""How the reason of an e-mail without a bilan starts (the reminders say it to the project)."""
_ASK_AGAIN = (
    "demandez au projet de renvoyer son bilan au format Word (.docx), rempli dans le "
    "formulaire de la Caf : le fichier reçu ne peut pas être lu."
)
_ASK_FORM = (
    "demandez au projet son bilan rempli dans le formulaire de la Caf, au format Word (.docx) ; "
    "s'il accompagnait un bilan reçu par ailleurs, rien à faire."
)
_CONVERT = (
    "ouvrez-le dans Word ou LibreOffice, enregistrez-le au format « Document Word (.docx) » "
    "et relancez la synthèse ; ou demandez au projet son bilan au format Word (.docx)."
)


def _caf_hint(error: UserError) -> str:
    """What the Caf's agent does about a file not read (the error's hint is a coordinator's)."""
    if "n'est pas un document Word .docx : c'est" in error.message:
        return _CONVERT  # another format (.doc, .odt, .rtf) the agent can convert
    if "ne contient pas le formulaire" in error.message:
        return _ASK_FORM
    return _ASK_AGAIN


MAX_EML_BYTES = 60_000_000
"""Largest e-mail read (mail servers refuse messages over 20 to 25 MB)."""

_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_SHOWN_OTHERS = 3
"""Other copies of the same équipement named in a bilan's note."""
_CHUNK = 8
"""Inputs a worker reads per round trip: few enough for a smooth progress bar."""
_HEADERS = 256_000
"""Bytes of an e-mail read for its From:, Subject: and Date: (headers come first)."""
_WINDOWS_WORKERS = 61
"""Most worker processes ProcessPoolExecutor accepts on Windows (it refuses more)."""

Kind = Literal["text", "count", "decimal", "yesno", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    """One column of the one-row-per-bilan table: CSV key, French title, width, kind."""

    key: str
    title: str
    width: int = 12
    kind: Kind = "count"
    computed: bool = True
    """False for a value of the answers file itself (its key is the file's dotted key)."""

    @property
    def header(self) -> str:
        """The CSV header: the key as the answers file writes it (« public.inscrits.1ère »)."""
        if self.computed or not self.key.startswith("public.inscrits."):
            return self.key
        level = self.key.rsplit(".", 1)[1]
        spelled = dict(form.LEVELS).get(level, level)
        return f"public.inscrits.{spelled}"


def _answer(key: str, title: str, width: int = 12, kind: Kind = "count") -> Column:
    return Column(key, title, width, kind, computed=False)


ENFANTS = "axe_enfants.criteres_bonus"
PARENTS = "axe_parents.criteres_bonus"

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
    _answer(f"{ENFANTS}.collectifs_ouverture_culturelle", "Collectifs ouverture culturelle", 13),
    _answer(f"{ENFANTS}.surcout_materiel_pedagogique", "Surcoût matériel pédagogique", 12, "yesno"),
    _answer(
        f"{ENFANTS}.surcout_intervenants_exterieurs",
        "Surcoût intervenants extérieurs (enfants)",
        13,
        "yesno",
    ),
    _answer(f"{ENFANTS}.surcout_sorties_culturelles", "Surcoût sorties culturelles", 12, "yesno"),
    Column("bonus_enfants", "Bonus enfants : critères remplis", 13, "yesno"),
    _answer(
        f"{PARENTS}.collectifs_accompagnement_parents", "Collectifs accompagnement parents", 14
    ),
    _answer(
        f"{PARENTS}.surcout_intervenants_exterieurs",
        "Surcoût intervenants extérieurs (parents)",
        13,
        "yesno",
    ),
    _answer(
        f"{PARENTS}.surcout_sorties_parents_enfants",
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
    Column("doublon", "Même équipement", 30, "text"),
    Column("compte", "Compté dans la synthèse", 12, "yesno"),
    Column("courriel_de", "Reçu par courriel de", 28, "text"),
    Column("courriel_date", "Courriel du", 16, "datetime"),
    Column("fichier_date", "Fichier modifié le", 16, "datetime"),
    Column("fichier", "Fichier", 40, "text"),
)
"""The one-row-per-bilan table, in the order of the form; keys head the CSV columns."""

SESSION_COLUMNS: tuple[Column, ...] = (
    Column("organisme", "Organisme de formation", 28, "text"),
    Column("intitule", "Intitulé et objet", 34, "text"),
    Column("dates", "Dates", 14, "text"),
    Column("salaries", "Salariés formés", 10),
    Column("volontaires", "Volontaires formés", 11),
    Column("benevoles", "Bénévoles formés", 10),
)
"""A training session's own columns (the bilan's columns come first)."""

SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column("territoire", "Territoire d'intervention", 30, "text"),
    Column("nom", "Établissement scolaire", 28, "text"),
    Column("adresse", "Adresse", 28, "text"),
    Column("email", "Mail", 22, "text"),
)
"""A territoire's (or one of its schools') own columns."""

_ANSWER_KEYS = tuple(column.key for column in COLUMNS if not column.computed)


def free_texts() -> tuple[tuple[str, str], ...]:
    """The form's free-text questions (key, label), signature aside, in form order."""
    return tuple(
        (block.keys[0], form.title(block))
        for block in campaigns.current().blocks
        if isinstance(block, form.Question)
        and block.codec == "text"
        and not block.keys[0].startswith("signature.")
    )


@dataclass(frozen=True)
class Origin:
    """Where a bilan came from: the file's date, and the e-mail that carried it."""

    modified: dt.datetime | None = None
    sender: str | None = None
    """« Nom <adresse> » as the e-mail's From: says it."""
    subject: str | None = None
    sent: dt.datetime | None = None

    @property
    def address(self) -> str | None:
        """The sender's bare e-mail address."""
        return parseaddr(self.sender)[1] or None if self.sender else None


@dataclass(frozen=True)
class Bilan:
    """One bilan read: plain values by column key, trainings, schools, findings."""

    source: str
    values: dict[str, Any]
    sessions: tuple[dict[str, Any], ...] = ()
    schools: tuple[dict[str, Any], ...] = ()
    findings: tuple[Finding, ...] = ()
    origin: Origin = Origin()


@dataclass(frozen=True)
class Unread:
    """An input that could not be read as a bilan, why and what to do (French)."""

    source: str
    reason: str
    hint: str | None = None
    origin: Origin = Origin()


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
    def undecided(self) -> list[Bilan]:
        """Counted bilans of an équipement whose latest version could not be told."""
        return [
            bilan
            for bilan in self.counted
            if any(finding.code == "versions-undecided" for finding in bilan.findings)
        ]

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
            if not any(part.startswith((".", "~$")) for part in child.relative_to(path).parts)
            and child.name.lower() not in _SYSTEM_FILES
            and child.is_file()
        )
        if not any(child.suffix.lower() in BILAN_SUFFIXES for child in inside):
            empty.append(Unread(str(path), "dossier sans bilan (.docx, .yaml, .eml)."))
        found.extend(inside)
    if not any(path.suffix.lower() in BILAN_SUFFIXES for path in found):
        given = ", ".join(f"« {path} »" for path in paths)
        raise UsageError(
            f"aucun bilan à lire (.docx, .yaml ou .eml) dans {given}.",
            hint="indiquez les bilans reçus, ou le dossier où ils sont enregistrés.",
        )
    return found, empty


# Reading one input (in a worker) -----------------------------------------------------


def read_input(path: Path) -> list[Outcome]:
    """Read one input: a bilan, an answers file, or an e-mail and its attached bilans.

    Each outcome says where it came from (the file's date; the e-mail's sender, subject
    and date), which tells two versions of a bilan apart and whom to ask.
    """
    origin = _origin(path)
    return [_stamped(outcome, origin) for outcome in _read_input(path)]


def _stamped(outcome: Outcome, origin: Origin) -> Outcome:
    if isinstance(outcome, Unread):
        return replace(outcome, origin=origin)
    values = {
        **outcome.values,
        "courriel_de": origin.sender,
        "courriel_date": local_time(origin.sent),
        "fichier_date": local_time(origin.modified),
    }
    return replace(outcome, values=values, origin=origin)


def local_time(when: dt.datetime | None) -> dt.datetime | None:
    """An aware time as this computer's wall-clock time, to the minute (cells hold no zone)."""
    if when is None:
        return None
    return when.astimezone().replace(tzinfo=None, second=0, microsecond=0)


def _origin(path: Path) -> Origin:
    """The file's modification time and, for an e-mail, its From:, Subject: and Date:."""
    try:
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
    except OSError:
        return Origin()
    if path.suffix.lower() != ".eml":
        return Origin(modified)
    try:
        with path.open("rb") as stream:  # the headers come first: no need to read it all
            headers = BytesHeaderParser(policy=policy.default).parsebytes(stream.read(_HEADERS))
        sender, subject = headers.get("From"), headers.get("Subject")
        sent = _when(headers.get("Date"))
    except (OSError, ValueError, TypeError, IndexError):  # a mangled header: dates unknown
        return Origin(modified)
    return Origin(
        modified,
        _one_line(str(sender)) if sender else None,
        _one_line(str(subject)) if subject else None,
        sent,
    )


def _when(header: Any) -> dt.datetime | None:
    """An e-mail's Date: as an aware datetime (UTC when it gives no zone), None if unreadable."""
    if not header:
        return None
    try:
        when = parsedate_to_datetime(str(header))
    except (ValueError, TypeError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _not_a_bilan(path: Path, suffix: str) -> Unread:
    """A file of the inputs that no bilan can be read from, and what to ask the project."""
    if suffix == ".pdf":
        return Unread(
            str(path),
            "PDF (bilan scanné ou exporté) : ses réponses ne peuvent pas être lues, ses "
            "chiffres ne sont pas comptés.",
            _ASK_WORD,
        )
    if suffix in _IMAGE_SUFFIXES:
        return Unread(
            str(path),
            "image (photo ou scan) : ses réponses ne peuvent pas être lues, ses chiffres ne "
            "sont pas comptés.",
            _ASK_WORD,
        )
    kind = f"fichier {suffix}" if suffix else "fichier sans extension"
    return Unread(
        str(path),
        f"{kind} : ce n'est pas un bilan (.docx, .yaml ou .eml), il n'est pas lu.",
        "s'il accompagne un bilan reçu, rien à faire ; sinon " + _ASK_WORD,
    )


def _read_input(path: Path) -> list[Outcome]:
    suffix = path.suffix.lower()
    if suffix not in (*BILAN_SUFFIXES, *_REFUSED_SUFFIXES):
        return [_not_a_bilan(path, suffix)]
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
        return [Unread(str(path), _one_line(error.message), _caf_hint(error))]
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


def _read_answers(path: Path, source: str, data: bytes | None = None) -> Outcome:
    """An answers file on disk, or ``data`` named ``path`` (an e-mail's attachment)."""
    early: list[Finding] = []
    if data is None:
        report = checks.validate_file(path)
    else:
        text, early = textfile.decode(data, path.name)
        report = checks.validate_text(text, path)
    if report.answers is None:
        reasons = " ; ".join(finding.text() for finding in report.errors[:3])
        return Unread(source, f"fichier de réponses illisible : {reasons}")
    return row(report.answers, source, [*early, *report.findings])


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
                outcomes.append(_read_answers(path.parent / name, source, data))
            else:
                outcomes.append(_read_docx(Path(name), source, name, data))
        except UserError as error:
            outcomes.append(Unread(source, _one_line(error.message), _caf_hint(error)))
    if not outcomes:
        joined = ", ".join(f"« {name} »" for name in others[:5])
        listed = f" (pièces jointes : {joined})" if others else " (aucune pièce jointe)"
        return [
            Unread(
                str(path),
                f"{NO_BILAN_ATTACHED}{listed}.",
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
    etp_s = models.etp_salaries(answers.moyens_humains.salaries, campaigns.current())
    etp_b = models.etp_benevoles(answers.moyens_humains.benevoles, campaigns.current())
    total, collectifs = sums["total"], answers.public.nombre_collectifs
    enfants, parents = checks.bonus_enfants(answers), checks.bonus_parents(answers)
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
        bonus_enfants=enfants.eligible,
        bonus_parents=parents.eligible,
        bonus_enfants_raison=enfants.reason,
        bonus_parents_raison=parents.reason,
        nombre_territoires=len(answers.territoires),
        nombre_etablissements=sum(len(t.etablissements) for t in answers.territoires),
        erreurs=sum(1 for finding in findings if finding.is_error),
        avertissements=sum(1 for finding in findings if not finding.is_error),
        doublon=None,
        compte=True,
        courriel_de=None,
        courriel_date=None,
        fichier_date=None,
        fichier=source,
    )
    values.update((key, models.get(answers, key)) for key, _ in free_texts())
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
    """A name for matching: no accents, case, punctuation or repeated spaces."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


folded = _folded


_BY = ("date de signature", "date du courriel", "date du fichier")
"""What tells two versions of a bilan apart, in order."""


def _compare(first: Bilan, second: Bilan) -> tuple[int, str | None]:
    """-1 when ``first`` is the later version, 1 when ``second`` is, 0 when nothing tells.

    The later signature date wins (a signed bilan over an unsigned one); then, for two
    bilans alike there, the later e-mail ``Date:``, then the later file modification time,
    each used only when both versions have it. The second item says which decided.
    """
    signed = first.values.get("signature.date"), second.values.get("signature.date")
    if signed[0] != signed[1]:
        later = signed[1] is None or (signed[0] is not None and signed[0] > signed[1])
        return (-1 if later else 1), _BY[0]
    for what, one, other in (
        (_BY[1], first.origin.sent, second.origin.sent),
        (_BY[2], first.origin.modified, second.origin.modified),
    ):
        if one is not None and other is not None and one != other:
            return (-1 if one > other else 1), what
    return 0, None


def _order(first: Bilan, second: Bilan) -> int:
    return _compare(first, second)[0]


def _ordered(bilans: list[Bilan]) -> list[Bilan]:
    """By équipement, the latest version first; each équipement's other versions flagged.

    When the two latest versions cannot be told apart, the first by file name is counted
    and both carry a ``versions-undecided`` finding naming the two files.
    """
    groups: dict[tuple[str, str] | None, list[Bilan]] = {}
    for bilan in bilans:
        groups.setdefault(_equipement(bilan.values), []).append(bilan)
    ordered: list[Bilan] = []
    for key in sorted(groups, key=lambda key: (key is None, key or ("", ""))):
        group = sorted(groups[key], key=functools.cmp_to_key(_order))
        if key is None or len(group) == 1:
            ordered.extend(group)
            continue
        _, decided_by = _compare(group[0], group[1])
        tied = [other for other in group if _compare(group[0], other)[0] == 0]
        for rank, bilan in enumerate(group, start=1):
            notes = [_version_note(bilan, group, rank, decided_by)]
            if decided_by is None and bilan in tied:
                notes.append(_tie_note(bilan, tied))
            values = dict(bilan.values)
            values["compte"] = rank == 1
            values["doublon"] = f"{rank} sur {len(group)} : " + (
                (
                    "compté, versions à départager"
                    if decided_by is None
                    else f"compté ({decided_by})"
                )
                if rank == 1
                else "non compté"
            )
            findings = sorted((*notes, *bilan.findings), key=lambda finding: not finding.is_error)
            ordered.append(replace(bilan, values=values, findings=tuple(findings)))
    return ordered


def file_name(source: str | None) -> str | None:
    """A file as the agent knows it: its name (and the attachment's), without its folder."""
    if not source:
        return source
    return " ; ".join(
        " › ".join((Path(outer).name, *inner))
        for outer, *inner in (one.split(" › ") for one in source.split(" ; "))
    )


def _names(group: Sequence[Bilan]) -> dict[str, str]:
    """Each version's file by its name, or by its whole path when two names are the same."""
    names = {bilan.source: file_name(bilan.source) or bilan.source for bilan in group}
    if len(set(names.values())) < len(names):
        return {source: source for source in names}
    return names


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(f"« {name} »" for name in names[:_SHOWN_OTHERS])
    more = len(names) - _SHOWN_OTHERS
    return shown + (f" et {more} autre(s)" if more > 0 else "")


def _version_note(bilan: Bilan, group: Sequence[Bilan], rank: int, by: str | None) -> Finding:
    name = _names(group)
    others = _listed([name[other.source] for other in group if other is not bilan])
    if rank > 1:
        state = "celui-ci n'est pas le plus récent : il n'est pas compté dans la synthèse"
    elif by is None:
        state = "celui-ci est compté dans la synthèse, mais rien ne dit qu'il est le plus récent"
    else:
        state = f"celui-ci est le plus récent ({by}) : seul lui est compté dans la synthèse"
    return Finding(
        "avertissement",
        "equipement.nom",
        None,
        "Même équipement",
        f"{len(group)} bilans reçus pour « {bilan.values['equipement.nom']} » : {state} ; "
        f"autre(s) : {others}.",
        code="duplicate-bilan",
    )


def _tie_note(bilan: Bilan, tied: Sequence[Bilan]) -> Finding:
    name = _names(tied)
    return Finding(
        "avertissement",
        "equipement.nom",
        None,
        "Même équipement",
        f"versions indiscernables de « {bilan.values['equipement.nom']} » (même date de "
        f"signature, même date de courriel et de fichier) : "
        f"{_listed([name[b.source] for b in tied])} ; "
        f"les chiffres comptés sont ceux de « {name[tied[0].source]} ».",
        code="versions-undecided",
    )


# Totals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """One line of the summary: its value, and the formula over Bilans that gives it.

    ``formula`` names Bilans columns by key in brackets (« =SUMIFS([total_inscrits],
    [compte],"Oui") »); the workbook puts each column's range in their place, so that a
    row of Bilans marked « Non » in « Compté » leaves the totals. ``names`` are the
    équipements a count is made of.
    """

    label: str
    value: int | float
    formula: str | None = None
    names: tuple[str, ...] = ()


_COUNTED = '[compte],"Oui"'


def _sumifs(key: str, *where: str) -> str:
    return f"=SUMIFS([{key}],{','.join((_COUNTED, *where))})"


def _countifs(*where: str) -> str:
    return f"=COUNTIFS({','.join((_COUNTED, *where))})"


def totals(synthese: Synthese) -> list[Total]:
    """The département's counts and totals over the bilans counted, labelled in French."""
    counted = synthese.counted

    def total(label: str, key: str, *where: str) -> Total:
        kept = [b.values for b in counted if all(_meets(b.values, w) for w in where)]
        given = [values[key] for values in kept if values[key] is not None]
        return Total(label, round(sum(given), 2) if given else 0, _sumifs(key, *where))

    def count(label: str, *where: str) -> Total:
        kept = [b for b in counted if all(_meets(b.values, w) for w in where)]
        return Total(label, len(kept), _countifs(*where))

    def named(label: str, test: Callable[[dict[str, Any]], bool]) -> Total:
        kept = [bilan for bilan in counted if test(bilan.values)]
        return Total(label, len(kept), None, tuple(_name(bilan) for bilan in kept))

    children = total("Enfants et jeunes inscrits", "total_inscrits").value
    groups = total("Collectifs", "public.nombre_collectifs").value
    tied = synthese.undecided
    return [
        Total("Bilans lus", len(synthese.bilans)),
        count("Équipements (bilans comptés)"),
        Total(
            "Versions antérieures d'un même équipement (non comptées)",
            len(synthese.bilans) - len(counted),
            '=COUNTIFS([compte],"Non")',
        ),
        Total(
            "Versions indiscernables (à départager, voir « À vérifier »)",
            len(tied),
            None,
            tuple(f"{_name(bilan)} : compté « {bilan.source} »" for bilan in tied),
        ),
        Total(
            "Entrées non lues (voir « À vérifier »)",
            len(synthese.unread),
            None,
            tuple(Path(unread.source.split(" › ")[0]).name for unread in synthese.unread),
        ),
        named("Bilans comptés avec des erreurs", lambda v: v["erreurs"] > 0),
        named(
            "Bilans non signés (pas de date de signature)", lambda v: v["signature.date"] is None
        ),
        named(
            f"Bilans signés après la date limite ({campaigns.current().deadline_text})",
            lambda v: _late(v["signature.date"]),
        ),
        total("Salariés", "moyens_humains.salaries.nombre"),
        total("ETP salariés", "etp_salaries"),
        total("Bénévoles (volontaires inclus)", "moyens_humains.benevoles.nombre"),
        total("ETP bénévoles", "etp_benevoles"),
        count("Bilans avec une formation suivie", '[formations.suivie],"Oui"'),
        total("Sessions de formation", "nombre_sessions"),
        total("Salariés formés", "formes_salaries"),
        total("Volontaires formés", "formes_volontaires"),
        total("Bénévoles formés", "formes_benevoles"),
        total("Enfants et jeunes inscrits", "total_inscrits"),
        total("dont élémentaire", "sous_total_elementaire"),
        total("dont collège", "sous_total_college"),
        total("dont lycée", "sous_total_lycee"),
        total("dont autre", "public.inscrits.autre"),
        total("Collectifs", "public.nombre_collectifs"),
        Total(
            "Enfants par collectif (moyenne)",
            round(children / groups, 1) if groups else 0,
            f"=IFERROR({_sumifs('total_inscrits')[1:]}/{_sumifs('public.nombre_collectifs')[1:]},0)",
        ),
        count("Bonus enfants : critères remplis", BONUS_ENFANTS),
        total(
            "Bonus enfants : collectifs concernés (projets aux critères remplis)",
            f"{ENFANTS}.collectifs_ouverture_culturelle",
            BONUS_ENFANTS,
        ),
        count("Bonus parents : critères remplis", BONUS_PARENTS),
        total(
            "Bonus parents : collectifs concernés (projets aux critères remplis)",
            f"{PARENTS}.collectifs_accompagnement_parents",
            BONUS_PARENTS,
        ),
        count("Projets remplissant les critères des deux bonus", BONUS_ENFANTS, BONUS_PARENTS),
        total("Territoires", "nombre_territoires"),
        total("Établissements scolaires", "nombre_etablissements"),
    ]


BONUS_ENFANTS = '[bonus_enfants],"Oui"'
BONUS_PARENTS = '[bonus_parents],"Oui"'


def _meets(values: dict[str, Any], where: str) -> bool:
    """Whether a row meets one « [key],"Oui" » criterion of a formula."""
    key, wanted = where.split(",", 1)
    return bool(values[key.strip("[]")]) is (wanted == '"Oui"')


def _name(bilan: Bilan) -> str:
    """« Équipement (Commune) », for a list of names."""
    name = bilan.values.get("equipement.nom") or Path(bilan.source).name
    town = bilan.values.get("equipement.commune")
    return f"{name.strip()} ({town})" if town else name.strip()


def _late(signed: dt.date | None) -> bool:
    """True for a signature dated after the deadline (as ``validate`` warns)."""
    return signed is not None and signed > campaigns.current().deadline


def by_level(synthese: Synthese) -> list[Total]:
    """Children registered by school level over the bilans counted."""
    levels = [*form.LEVELS, ("autre", "Autre")]
    return [
        Total(
            label,
            sum(bilan.values[f"public.inscrits.{key}"] or 0 for bilan in synthese.counted),
            _sumifs(f"public.inscrits.{key}"),
        )
        for key, label in levels
    ]
