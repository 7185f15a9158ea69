"""Business checks of the answers (CONTRACT.md « Checks »), all collected in one report."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clas_bilan import campaigns, form, keys, loading, signature_image
from clas_bilan.models import (
    Benevoles,
    Reponses,
    Salaries,
    etp_benevoles,
    etp_salaries,
    get,
    set_value,
    subtotals,
)
from clas_bilan.report import Eligibility, Finding, Report, Severity, Summary, shown
from clas_bilan.values import format_date, format_etp, format_number, is_email
from clas_bilan.values import format_rounded as _fr

MAX_PER_COLLECTIF = 12
ETP_TOLERANCE = 0.01
MIN_ETP_PER_PERSON = {"moyens_humains.salaries": 0.1, "moyens_humains.benevoles": 0.01}
"""Below this ETP per person (about 160 h a year per salarié, 16 per bénévole), the hours
given are most likely one person's, not everyone's."""

MANDATORY_CHOICES = form.MANDATORY_CHOICES

_ENFANTS = "axe_enfants.criteres_bonus"
_PARENTS = "axe_parents.criteres_bonus"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def validate_file(path: Path) -> Report:
    """Load an answers file and run every check; file problems raise UsageError (exit 2).

    A value that fails its own check is set aside; every check that does not need it
    still runs. A count typed with words (« 6 enfants ») is read as its number for the
    checks that need it, and their findings say so; a check that needs a value that
    cannot be read at all says so once instead of raising a contradicting warning.
    """
    return _report(path, loading.load_file(path))


def validate_text(text: str, path: Path) -> Report:
    """Run ``validate``'s loading and checks on answers text not written yet (browser form)."""
    return _report(path, loading.load(text))


def _report(path: Path, loaded: loading.Loaded) -> Report:
    """Check loaded answers and collect every finding, errors first, with the summary."""
    findings = list(loaded.findings)
    summary = None
    answers = loaded.answers
    if answers is not None:
        probe, guessed = _with_guesses(answers, loaded.set_aside)
        unread = {key: value for key, value in loaded.set_aside.items() if key not in guessed}
        findings += [
            finding
            for finding in check(probe, loaded.lines, unread=unread, guessed=guessed)
            if not _depends(finding.key, loaded.dropped)
        ]
        escaped = any(
            finding.code == "backslash-escape" and finding.key == signature_image.KEY
            for finding in loaded.findings
        )  # the path read is not the one typed: said once, with its fix
        if not escaped:
            findings += signature_image.findings(answers.signature.image, path.parent, loaded.lines)
        summary = summarize(answers)
    # Errors first, each group in file order; findings on keys absent from the file last.
    findings.sort(
        key=lambda finding: (not finding.is_error, finding.line is None, finding.line or 0)
    )
    return Report(path, answers, findings, summary)


_LEADING_NUMBER = re.compile(r"\s*(\d+(?:[.,]\d+)?)(?=\s|$)")


def _with_guesses(
    answers: Reponses, set_aside: Mapping[str, Any]
) -> tuple[Reponses, dict[str, str]]:
    """A copy of ``answers`` where numbers typed with words (« 3 salariés ») are read as numbers.

    Only for the checks that need them; return the copy and, by key, how each was read.
    """
    probe = answers.model_copy(deep=True)
    guessed: dict[str, str] = {}
    for key, typed in set_aside.items():
        match = _LEADING_NUMBER.match(typed) if isinstance(typed, str) else None
        if match is None:
            continue
        try:
            set_value(probe, key, match.group(1))
        except (ValueError, KeyError, AttributeError):
            continue
        number = match.group(1)
        guessed[key] = f"« {shown(typed)} » lu comme {number}"
    return probe, guessed


def _depends(key: str | None, dropped: set[str]) -> bool:
    """True when a finding is about a value set aside while loading (its own error is shown)."""
    if key is None:
        return False
    return any(_inside(key, bad) or _inside(bad, key) for bad in dropped if bad)


def _inside(key: str, parent: str) -> bool:
    """True when ``key`` is ``parent`` or one of its sub-keys."""
    return key == parent or key.startswith(parent + ".")


class _Findings:
    """Collects findings, filling in each key's line and form label."""

    def __init__(
        self,
        lines: Mapping[str, int],
        unread: Mapping[str, Any] | None = None,
        guessed: Mapping[str, str] | None = None,
    ) -> None:
        self.lines = lines
        self.items: list[Finding] = []
        self.unread = unread or {}
        """Values set aside that no check can use, as typed, by key."""
        self.guessed = guessed or {}
        """Values set aside but read as a number for the checks, and how, by key."""

    def blocked(self, *keys: str) -> str | None:
        """The first of ``keys`` (or one of their sub-keys) whose value could not be read."""
        return next((bad for key in keys for bad in self.unread if _inside(bad, key)), None)

    def read_as(self, *keys: str) -> str:
        """« (« 6 enfants » lu comme 6) » when the check used a value typed with words."""
        used = [how for key in keys for bad, how in self.guessed.items() if _inside(bad, key)]
        return f" ({'; '.join(used)} pour cette vérification)" if used else ""

    def add(
        self,
        severity: Severity,
        key: str,
        message: str,
        hint: str | None = None,
        label: str = "",
        *,
        code: str,
    ) -> None:
        self.items.append(
            Finding(
                severity,
                key,
                keys.line_of(self.lines, key),
                label or campaigns.label(key),
                message,
                hint,
                code=code,
            )
        )

    def error(self, code: str, key: str, message: str, hint: str | None = None) -> None:
        """Add an error of kind ``code`` (kebab-case English, stable) on ``key``."""
        self.add("erreur", key, message, hint, code=code)

    def warning(
        self, code: str, key: str, message: str, hint: str | None = None, label: str = ""
    ) -> None:
        """Add a warning of kind ``code`` (kebab-case English, stable) on ``key``."""
        self.add("avertissement", key, message, hint, label, code=code)


def check(
    answers: Reponses,
    lines: Mapping[str, int],
    *,
    unread: Mapping[str, Any] | None = None,
    guessed: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Run every business check of CONTRACT.md on loaded answers.

    ``unread``: values set aside while loading; the checks that need them do not run.
    ``guessed``: values read as numbers for the checks; their findings say so.
    """
    found = _Findings(lines, unread, guessed)
    _campaign(answers, found)
    _mandatory(answers, found)
    _formations(answers, found)
    _public(answers, found)
    _etp(answers, found)
    _bonus(answers, found)
    _texts(answers, found)
    _signature(answers, found)
    _unanswered(answers, found)
    return found.items


# Errors ---------------------------------------------------------------------------


def _campaign(answers: Reponses, found: _Findings) -> None:
    wanted = campaigns.current().code
    if answers.campagne != wanted:
        given = f"« {shown(answers.campagne)} »" if answers.campagne else "vide"
        found.error(
            "campaign-mismatch",
            "campagne",
            f"la campagne du fichier ({given}) n’est pas celle du formulaire ({wanted}).",
            f'Écrivez : campagne: "{wanted}"',
        )


def _mandatory(answers: Reponses, found: _Findings) -> None:
    for key in MANDATORY_CHOICES:
        if get(answers, key) is None:
            name = keys.name(key)
            message = "réponse Oui/Non obligatoire manquante."
            sessions = len(answers.formations.sessions)
            if key == "formations.suivie" and sessions:
                message = (
                    f"réponse Oui/Non obligatoire manquante : {sessions} session(s) de formation "
                    "sont décrites, la réponse est sans doute « oui »."
                )
            hint = f"Écrivez « {name}: oui » ou « {name}: non »."
            found.error("mandatory-missing", key, message, hint)


def _formations(answers: Reponses, found: _Findings) -> None:
    formations = answers.formations
    if formations.suivie is True and not formations.sessions:
        found.error(
            "training-sessions-mismatch",
            "formations.suivie",
            "vous avez répondu « oui » mais aucune session de formation n’est décrite.",
            "Ajoutez les sessions sous « sessions: » (organisme, intitulé, dates, personnes "
            "formées) ou répondez « non ».",
        )
    if formations.suivie is False and formations.sessions:
        found.error(
            "training-sessions-mismatch",
            "formations.sessions",
            f"vous avez répondu « non » mais {len(formations.sessions)} session(s) de formation "
            "sont décrites.",
            "Répondez « suivie: oui » ou supprimez les sessions.",
        )
    staff = answers.moyens_humains.salaries.nombre
    volunteers = answers.moyens_humains.benevoles.nombre
    staff_key, volunteers_key = "moyens_humains.salaries.nombre", "moyens_humains.benevoles.nombre"
    for index, session in enumerate(formations.sessions):
        trained = session.personnes_formees
        key = f"formations.sessions.{index}.personnes_formees"
        if staff is not None and trained.salaries is not None and trained.salaries > staff:
            found.error(
                "trained-above-headcount",
                f"{key}.salaries",
                f"{trained.salaries} salariés formés dans cette session, mais le projet compte "
                f"{staff} salarié(s) (« Nombre de salariés »){found.read_as(staff_key)}.",
                "Corrigez l’un des deux nombres.",
            )
        helpers = (trained.volontaires or 0) + (trained.benevoles or 0)
        if volunteers is not None and helpers > volunteers:
            which = "benevoles" if trained.benevoles is not None else "volontaires"
            found.error(
                "trained-above-headcount",
                f"{key}.{which}",
                f"{helpers} volontaires et bénévoles formés dans cette session, mais le projet "
                f"compte {volunteers} bénévole(s) (« Nombre de bénévoles (volontaires inclus) »)"
                f"{found.read_as(volunteers_key)}.",
                "Corrigez l’un des deux nombres.",
            )


def _public(answers: Reponses, found: _Findings) -> None:
    public = answers.public
    computed = subtotals(public.inscrits)["total"]
    unread = found.blocked("public.inscrits")
    if public.total is not None and unread and public.total >= (computed or 0):
        line = keys.line_of(found.lines, unread)
        found.warning(
            "total-unchecked",
            "public.total",
            f"total non vérifié : le nombre d’inscrits « {unread.rsplit('.', 1)[-1]} » est à "
            "corriger d’abord.",
            f"Voyez la ligne {line}." if line else None,
        )
    elif public.total is not None and public.total != (computed or 0):
        found.error(
            "total-mismatch",
            "public.total",
            f"le total donné ({public.total}) ne correspond pas à la somme des inscrits "
            f"({computed or 0}){found.read_as('public.inscrits')}.",
            "Corrigez le total ou supprimez-le : il sera calculé.",
        )
    collectifs = public.nombre_collectifs
    total = computed
    if found.blocked("public.inscrits", "public.nombre_collectifs"):
        return
    if collectifs and total and total / collectifs > MAX_PER_COLLECTIF:
        found.warning(
            "too-many-per-collectif",
            "public.nombre_collectifs",
            f"{_fr(total / collectifs, 1)} enfants par collectif en moyenne ({total} inscrits, "
            f"{collectifs} collectifs) : la Caf recommande des groupes de 8 à 12 enfants"
            f"{found.read_as('public.inscrits', 'public.nombre_collectifs')}.",
            "Vérifiez le nombre de collectifs ou expliquez-le dans le bilan.",
        )


def _etp(answers: Reponses, found: _Findings) -> None:
    staff = answers.moyens_humains.salaries
    volunteers = answers.moyens_humains.benevoles
    base = "moyens_humains.salaries"
    _etp_matches(found, f"{base}.etp", staff.etp, staff.heures_travaillees, "travaillées")
    _etp_matches(found, f"{base}.etp", staff.etp, staff.heures_payees, "payées")
    base = "moyens_humains.benevoles"
    _etp_matches(found, f"{base}.etp", volunteers.etp, volunteers.heures, "de bénévolat")
    current = campaigns.current()
    for base, etp, people in (
        ("moyens_humains.salaries", etp_salaries(staff, current), staff.nombre),
        ("moyens_humains.benevoles", etp_benevoles(volunteers, current), volunteers.nombre),
    ):
        key = _given(staff if base.endswith("salaries") else volunteers, base)
        if found.blocked(base):
            continue
        if etp is not None and people is not None and round(etp, 2) > people:
            found.warning(
                "etp-above-headcount",
                key,
                f"l’ETP ({_fr(etp)}) dépasse le nombre de personnes ({people})"
                f"{found.read_as(f'{base}.nombre')}.",
                "Vérifiez les heures ou l’ETP : un ETP correspond à une personne à temps plein.",
            )
        elif etp is not None and people:
            _etp_per_person(found, base, staff if base.endswith("salaries") else volunteers, etp)


def _etp_per_person(found: _Findings, base: str, people: Salaries | Benevoles, etp: float) -> None:
    """Warn when the ETP per person is so low that one person's hours were likely given."""
    count = people.nombre
    if not count or count < 2 or etp / count >= MIN_ETP_PER_PERSON[base]:
        return
    key = _given(people, base)
    who = "salariés" if isinstance(people, Salaries) else "bénévoles"
    given = getattr(people, keys.name(key))
    if keys.name(key) == "etp":
        what, unit, each = "l’ETP", " ETP", _fr(given / count)
        typed, whole = format_etp(given), format_etp(given * count)
    else:
        what, unit, each = "les heures", " h", _fr(given / count, 1)
        typed, whole = format_number(given), format_number(given * count)
    found.warning(
        "etp-per-person-low",
        key,
        f"{typed}{unit} pour {count} {who}, soit {each}{unit} chacun : avez-vous donné "
        f"{what} d’une seule personne ? L’ensemble ferait {whole}{unit}"
        f"{found.read_as(base)}.",
        f"Donnez le total de l’ensemble des {who} sur l’année (la somme des heures de "
        "chacun), ou vérifiez le nombre de personnes.",
    )


def _given(people: Salaries | Benevoles, key: str) -> str:
    """The key the ETP was read from: the ETP itself when given, else the hours."""
    for name in ("etp", "heures_travaillees", "heures_payees", "heures"):
        if getattr(people, name, None) is not None:
            return f"{key}.{name}"
    return f"{key}.etp"


def _etp_matches(
    found: _Findings, key: str, etp: float | None, hours: float | None, kind: str
) -> None:
    if etp is None or hours is None:
        return
    bases = campaigns.current()
    base = bases.paid_hours if kind == "payées" else bases.worked_hours
    expected = hours / base
    if abs(etp - expected) > ETP_TOLERANCE + 1e-9:
        found.error(
            "etp-hours-mismatch",
            key,
            f"l’ETP donné ({_fr(etp)}) ne correspond pas aux heures {kind} : "
            f"{_fr(hours, 0)} / {base} = {_fr(expected)}.",
            "Corrigez l’ETP ou les heures, ou supprimez l’ETP : il sera calculé.",
        )


def _bonus(answers: Reponses, found: _Findings) -> None:
    collectifs = answers.public.nombre_collectifs
    for key in (
        f"{_ENFANTS}.collectifs_ouverture_culturelle",
        f"{_PARENTS}.collectifs_accompagnement_parents",
    ):
        count = get(answers, key)
        if found.blocked("public.nombre_collectifs"):
            continue
        if collectifs is not None and count is not None and count > collectifs:
            found.error(
                "bonus-collectifs-above-total",
                key,
                f"{count} collectifs concernés, mais le projet n’en compte que {collectifs} "
                f"(« Nombre de collectifs »){found.read_as('public.nombre_collectifs', key)}.",
                "Corrigez l’un des deux nombres.",
            )
    for table, count_key, costs in (
        (_ENFANTS, "collectifs_ouverture_culturelle", _ENFANTS_COSTS),
        (_PARENTS, "collectifs_accompagnement_parents", _PARENTS_COSTS),
    ):
        if get(answers, f"{table}.{count_key}") or found.blocked(f"{table}.{count_key}"):
            continue
        for cost in costs:
            if get(answers, f"{table}.{cost}") is True:
                found.warning(
                    "surcout-without-collectif",
                    f"{table}.{cost}",
                    "surcoût « Oui » alors qu’aucun collectif n’est concerné par le projet.",
                    "Indiquez le nombre de collectifs concernés ou répondez « non ».",
                )
    for name, table, eligibility in (
        ("enfants", _ENFANTS, bonus_enfants(answers)),
        ("parents", _PARENTS, bonus_parents(answers)),
    ):
        untouched = all(value is None for value in get(answers, table).model_dump().values())
        if not eligibility.eligible and not untouched and not found.blocked(table):
            found.warning(
                "bonus-criteria-unmet",
                table,
                f"critères du bonus {name} non remplis : {eligibility.reason}.",
                label="BONIFICATION ENFANTS" if name == "enfants" else "BONFICATION PARENTS",
            )


def _texts(answers: Reponses, found: _Findings) -> None:
    for key, text in _strings(answers.model_dump(by_alias=True)):
        bad = _NOT_XML.search(text)
        if bad:
            found.error(
                "invisible-character",
                key,
                f"caractère invisible U+{ord(bad.group()):04X} (position {bad.start() + 1}) "
                "qu’un document Word ne peut pas contenir.",
                "Supprimez-le (il vient souvent d’un copier-coller depuis un PDF ou un tableur).",
            )
    emails = [("moyens_humains.coordination.email", answers.moyens_humains.coordination.email)]
    for index, territoire in enumerate(answers.territoires):
        for school, etablissement in enumerate(territoire.etablissements):
            emails.append(
                (f"territoires.{index}.etablissements.{school}.email", etablissement.email)
            )
    for key, email in emails:
        if email and not is_email(email):
            found.error(
                "email-invalid",
                key,
                f"« {shown(email)} » n’est pas une adresse e-mail valide.",
                "Écrivez-la sous la forme nom@domaine.fr.",
            )


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield (dotted key, text) for every text value of dumped answers."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}")


# Warnings -------------------------------------------------------------------------


def _signature(answers: Reponses, found: _Findings) -> None:
    signature = answers.signature
    if _unsigned(answers) and "signature" in found.lines:
        found.warning(
            "signature-missing",
            "signature",
            "bloc de signature vide : le bilan doit être daté et signé.",
            "Remplissez sous « signature: » le lieu, la date, le nom et la qualité du signataire.",
            label="Signature",
        )
    elif _unsigned(answers):
        found.warning(
            "signature-missing",
            "signature",
            "aucun bloc de signature : le bilan doit être signé.",
            "Ajoutez « signature: » avec lieu, date, nom et qualité du signataire.",
            label="Signature",
        )
    elif signature.date is not None and signature.date > campaigns.current().deadline:
        found.warning(
            "deadline-passed",
            "signature.date",
            f"signé le {format_date(signature.date)}, après la date limite : le bilan doit être "
            f"complété et signé avant le {campaigns.current().deadline_text}.",
        )


def _unsigned(answers: Reponses) -> bool:
    """True when the signature block is absent or empty."""
    return all(value is None for value in answers.signature.model_dump().values())


@dataclass(frozen=True)
class Question:
    """A question as counted and warned about: its keys, label and whether it is answered."""

    key: str
    label: str
    answered: bool
    optional: bool
    also: tuple[str, ...] = ()
    """The other keys that answer it (the hours, for an ETP)."""


def questions(answers: Reponses) -> list[Question]:
    """Every question of the form, in order, with whether it is answered."""
    found: list[Question] = []
    labels = campaigns.current().labels
    for block in campaigns.current().blocks:
        if isinstance(block, form.Question):
            keys = (block.keys,) if block.codec == "etp" else tuple((key,) for key in block.keys)
            for group in keys:
                answered = any(get(answers, key) is not None for key in group)
                found.append(
                    Question(group[0], labels[group[0]], answered, block.optional, group[1:])
                )
        elif isinstance(block, (form.Choice, form.Box)) and block.key:
            answered = get(answers, block.key) is not None
            found.append(Question(block.key, labels[block.key], answered, False))
        elif isinstance(block, form.Table):
            found.extend(_table_questions(answers, block, labels))
    return found


def _table_questions(
    answers: Reponses, table: form.Table, labels: Mapping[str, str]
) -> Iterator[Question]:
    if table.name == "formations":
        if answers.formations.suivie is True:
            answered = bool(answers.formations.sessions)
            yield Question("formations.sessions", labels["formations.sessions"], answered, False)
    elif table.name == "public":
        answered = any(value is not None for value in answers.public.inscrits.by_key().values())
        label = "Nombre d’enfants / de jeunes différents inscrits par niveau scolaire"
        yield Question("public.inscrits", label, answered, False)
    elif table.items_key:
        answered = bool(get(answers, table.items_key))
        yield Question(table.items_key, labels[table.items_key], answered, False)
    else:
        for row in table.rows:
            for cell in row:
                if cell.key:
                    answered = get(answers, cell.key) is not None
                    yield Question(cell.key, labels[cell.key], answered, False)


def _unanswered(answers: Reponses, found: _Findings) -> None:
    for question in questions(answers):
        if question.answered or question.optional or question.key in MANDATORY_CHOICES:
            continue
        if question.key == "formations.sessions" or found.blocked(question.key, *question.also):
            continue
        if question.key.startswith("signature.") and _unsigned(answers):
            continue
        found.warning(
            "question-unanswered",
            question.key,
            "question sans réponse.",
            "Répondez-y si possible : la Caf lit chaque rubrique.",
            label=question.label,
        )


# Computed values ---------------------------------------------------------------------

_ENFANTS_COSTS = (
    "surcout_materiel_pedagogique",
    "surcout_intervenants_exterieurs",
    "surcout_sorties_culturelles",
)
_PARENTS_COSTS = ("surcout_intervenants_exterieurs", "surcout_sorties_parents_enfants")


def _eligibility(
    answers: Reponses, table: str, count_key: str, costs: tuple[str, ...], project: str
) -> Eligibility:
    count = get(answers, f"{table}.{count_key}")
    yes = [cost for cost in costs if get(answers, f"{table}.{cost}") is True]
    if not count:
        return Eligibility(False, f"aucun collectif concerné par {project}")
    if not yes:
        return Eligibility(False, "aucun surcoût n’est à « Oui »")
    return Eligibility(
        True, f"{count} collectif(s) concerné(s) par {project} et {len(yes)} surcoût(s) « Oui »"
    )


def bonus_enfants(answers: Reponses) -> Eligibility:
    """Bonus enfants: ≥ 1 collectif with a cultural project and at least one « Oui » surcoût."""
    project = "un projet d’ouverture culturelle"
    count_key = "collectifs_ouverture_culturelle"
    return _eligibility(answers, _ENFANTS, count_key, _ENFANTS_COSTS, project)


def bonus_parents(answers: Reponses) -> Eligibility:
    """Bonus parents: ≥ 1 collectif with a parents project and at least one « Oui » surcoût."""
    project = "un projet d’accompagnement des parents"
    count_key = "collectifs_accompagnement_parents"
    return _eligibility(answers, _PARENTS, count_key, _PARENTS_COSTS, project)


def summarize(answers: Reponses) -> Summary:
    """Computed values: questions answered, ETP, subtotals, total, average, bonus eligibility."""
    counted = [q for q in questions(answers) if not q.optional or q.answered]
    sums = subtotals(answers.public.inscrits)
    total = sums["total"]
    collectifs = answers.public.nombre_collectifs
    salaries = etp_salaries(answers.moyens_humains.salaries, campaigns.current())
    benevoles = etp_benevoles(answers.moyens_humains.benevoles, campaigns.current())
    return Summary(
        answered=sum(1 for q in counted if q.answered),
        questions=len(counted),
        etp_salaries=None if salaries is None else round(salaries, 2),
        etp_benevoles=None if benevoles is None else round(benevoles, 2),
        subtotals={key: sums[key] for key in ("elementaire", "college", "lycee", "autre")},
        total=total,
        average_per_collectif=round(total / collectifs, 1) if total and collectifs else None,
        bonus_enfants=bonus_enfants(answers),
        bonus_parents=bonus_parents(answers),
    )
