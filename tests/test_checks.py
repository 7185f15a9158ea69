"""Business checks and computed values, on answers built in the test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clas_bilan import campaigns, checks, loading, signature_image, slips
from clas_bilan.report import Finding
from helpers_campaign import SHIPPED

EXAMPLE = campaigns.current().example
EXAMPLES = Path(__file__).parent / "examples"


def findings(text: str) -> list[Finding]:
    loaded = loading.load(text)
    assert loaded.answers is not None, [f.text() for f in loaded.findings]
    return loaded.findings + checks.check(loaded.answers, loaded.lines)


def codes(text: str, key: str) -> list[str]:
    """The codes of the findings on ``key``: what kind of problem, whatever the wording."""
    return [f.code for f in findings(text) if f.key == key]


@pytest.mark.campaign(SHIPPED)  # figures of the shipped form: hour bases, question count
def test_summary_of_the_example() -> None:
    report = checks.validate_file(campaigns.current().example)
    summary = report.summary
    assert summary is not None
    assert (summary.answered, summary.questions) == (45, 45)
    assert summary.etp_salaries == 2.0
    assert summary.etp_benevoles == 0.75
    assert summary.subtotals == {"elementaire": 30, "college": 18, "lycee": 0, "autre": 0}
    assert summary.total == 48
    assert summary.average_per_collectif == 9.6
    assert summary.bonus_enfants.eligible
    assert summary.bonus_parents.eligible
    assert "3 collectif(s)" in summary.bonus_enfants.reason


@pytest.mark.campaign(SHIPPED)  # figures of the shipped form: hour bases, question count
@pytest.mark.parametrize(
    ("hours", "etp"),
    [("heures_travaillees: 2410", 1.5), ("heures_payees: 2730", 1.5), ("etp: '0,5'", 0.5)],
)
def test_etp_is_computed_from_the_given_base(hours: str, etp: float) -> None:
    loaded = loading.load(f"moyens_humains:\n  salaries:\n    {hours}\n")
    assert loaded.answers is not None
    summary = checks.summarize(loaded.answers)
    assert summary.etp_salaries == etp


def test_etp_within_tolerance_is_accepted() -> None:
    text = "moyens_humains:\n  salaries:\n    heures_travaillees: 2410\n    etp: 1.509\n"
    assert not [f for f in findings(text) if f.code == "etp-hours-mismatch"]
    text = text.replace("1.509", "1.52")
    assert codes(text, "moyens_humains.salaries.etp") == ["etp-hours-mismatch"]


def test_total_given_equal_to_the_sum_is_fine() -> None:
    text = "public:\n  inscrits:\n    CP: 3\n    6e: 4\n  total: 7\n"
    assert not codes(text, "public.total")


def test_total_given_without_any_level() -> None:
    assert codes("public:\n  total: 5\n", "public.total") == ["total-mismatch"]


def test_average_per_collectif_warning_boundary() -> None:
    twelve = "public:\n  inscrits:\n    CP: 24\n  nombre_collectifs: 2\n"
    assert not codes(twelve, "public.nombre_collectifs")
    thirteen = twelve.replace("24", "26")
    assert codes(thirteen, "public.nombre_collectifs") == ["too-many-per-collectif"]


@pytest.mark.parametrize(
    "bad",
    ['"\\x01"', '"a\\uFFFE"', '"\\uD800"', '"ligne\\x1fsuite"', '"a\\x0cb"'],
)
def test_characters_word_cannot_hold(bad: str) -> None:
    assert codes(f"conclusion:\n  bilan: {bad}\n", "conclusion.bilan") == ["invisible-character"]


def test_tab_and_line_breaks_are_fine_in_text() -> None:
    assert not codes('conclusion:\n  bilan: "a\\tb\\nc"\n', "conclusion.bilan")


@pytest.mark.parametrize(
    "email",
    ["prenom.nom@mairie-oyonnax.fr", "ce.0010001x@ac-lyon.fr", "a+b@sous.domaine.example"],
)
def test_good_emails(email: str) -> None:
    text = f"moyens_humains:\n  coordination:\n    email: {email}\n"
    assert not codes(text, "moyens_humains.coordination.email")


@pytest.mark.parametrize(
    "email", ["jean dupont@x.fr", "jean@", "@x.fr", "jean@mairie", "jean@@x.fr", "jean@x.f"]
)
def test_bad_emails(email: str) -> None:
    text = f'moyens_humains:\n  coordination:\n    email: "{email}"\n'
    assert codes(text, "moyens_humains.coordination.email") == ["email-invalid"]


def test_training_sums_over_sessions_are_not_checked() -> None:
    text = (
        "moyens_humains:\n  salaries:\n    nombre: 2\n"
        "formations:\n  suivie: oui\n  sessions:\n"
        "    - personnes_formees: {salaries: 2}\n"
        "    - personnes_formees: {salaries: 2}\n"
    )
    assert not [f for f in findings(text) if f.code == "trained-above-headcount"]


def test_bonus_eligibility_reasons() -> None:
    base = (
        "public:\n  nombre_collectifs: 4\n"
        "axe_enfants:\n  criteres_bonus:\n    collectifs_ouverture_culturelle: {count}\n"
        "    surcout_materiel_pedagogique: {yes}\n"
        "    surcout_intervenants_exterieurs: non\n    surcout_sorties_culturelles: non\n"
    )
    for count, yes, eligible, reason in [
        (2, "oui", True, "2 collectif(s) concerné(s)"),
        (0, "non", False, "aucun collectif concerné"),
        (2, "non", False, "aucun surcoût n’est à « Oui »"),
    ]:
        loaded = loading.load(base.format(count=count, yes=yes))
        assert loaded.answers is not None
        result = checks.bonus_enfants(loaded.answers)
        assert result.eligible is eligible
        assert reason in result.reason


def test_optional_questions_never_warn() -> None:
    keys = {f.key for f in findings("campagne: '2025-2026'\n") if not f.is_error}
    assert "axe_enfants.ecarts" not in keys
    assert "conclusion.suggestions_caf" not in keys
    assert "conclusion.bilan" in keys


def test_finding_text_is_one_french_line() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("  total: 48", "  total: 45")
    line = text.splitlines().index("  total: 45") + 1
    (finding,) = [f for f in findings(text) if f.key == "public.total"]
    assert (finding.severity, finding.code, finding.line) == ("erreur", "total-mismatch", line)
    assert finding.text() == (
        f"ligne {line} — public.total (TOTAL) : {finding.message} {finding.hint}"
    )


KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
CORPUS = [
    *sorted((EXAMPLES / "invalid").glob("*.yaml")),
    *sorted((EXAMPLES / "valid").glob("*.yaml")),
    *sorted((Path(__file__).parent / "corpus").glob("*.yaml")),
]


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_every_check_and_slip_names_its_kind(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    loaded = loading.load(text)
    made = [*slips.scan(text).slips]
    if loaded.answers is not None:
        made += checks.check(loaded.answers, loaded.lines)
        made += signature_image.findings("absente.png", path.parent, loaded.lines)
    for finding in made:
        assert KEBAB.fullmatch(finding.code), finding
