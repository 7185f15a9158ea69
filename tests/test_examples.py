"""Every file of tests/examples/ is its own case: `clas-bilan validate` on it, as a user runs it.

* ``valid/``: header ``# sortie: 0`` and maybe ``# avertissements: N``;
* ``invalid/``: header ``# sortie: N`` and ``# attendu: [ligne L: ]WHAT`` lines, which
  must be *all* the findings (no other error or warning). WHAT is ``SEVERITY CODE [KEY]``
  (« erreur total-mismatch public.total »): the finding's kind, not its wording, which
  ``tests/corpus/`` checks once; or, for a finding without a code yet or whose text is the
  point (a value read as typed), a fragment of its French text;
* ``hostile/``: ``attendu.json`` maps each file to its exit code and a message fragment.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns, checks
from clas_bilan.cli import app
from clas_bilan.report import Finding
from helpers_campaign import SHIPPED, fixtures, shipped_case

EXAMPLES = fixtures()
runner = CliRunner()


pytestmark = pytest.mark.usefixtures("wide_console")


def flat(text: str) -> str:
    return " ".join(text.split())


def header(path: Path) -> tuple[int, list[tuple[int | None, str]], int | None]:
    text = path.read_bytes().decode("utf-8-sig")
    code = re.search(r"^# sortie: (\d)", text, re.M)
    assert code, f"{path.name}: « # sortie: N » manquant"
    expected = [
        (int(line) if line else None, what.strip())
        for line, what in re.findall(r"^# attendu: (?:ligne (\d+): )?(.*)$", text, re.M)
    ]
    warnings = re.search(r"^# avertissements: (\d+)", text, re.M)
    return int(code.group(1)), expected, int(warnings.group(1)) if warnings else None


_KIND = re.compile(
    r"(?P<severity>erreur|avertissement) (?P<code>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"(?: (?P<key>\S+))?"
)


def matches(finding: Finding, line: int | None, what: str) -> bool:
    """True when ``finding`` is the one an ``# attendu:`` line describes."""
    if line is not None and finding.line != line:
        return False
    kind = _KIND.fullmatch(what)
    if kind is None:
        return what in finding.text()
    return (finding.severity, finding.code) == kind.group("severity", "code") and (
        kind.group("key") in (None, finding.key)
    )


def validate(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(path)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, flat(result.output)


VALID = [*sorted((EXAMPLES / "valid").glob("*.yaml")), campaigns.current().example]
SHIPPED_FORM = {
    "avert_etp_superieur_aux_personnes",
    "avert_signature_tardive",
    "etp_heures_payees_incoherent",
    "etp_salaries_incoherent",
    "glissement_vagues",
}
"""Cases whose expected messages hold the shipped form's hour bases or deadline."""
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))
HOSTILE = json.loads((EXAMPLES / "hostile" / "attendu.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.name)
def test_valid_example(path: Path) -> None:
    code, output = validate(path)
    report = checks.validate_file(path)
    assert code == 0 == report.exit_code, output
    assert "Aucune erreur" in output
    if path.parent.name == "examples":
        assert not report.findings
        assert "Aucune erreur, aucun avertissement" in output
        return
    *_, warnings = header(path)
    if warnings is not None:
        assert len(report.warnings) == warnings, [f.text() for f in report.warnings]


@pytest.mark.parametrize(
    "path",
    [shipped_case(path) if path.stem in SHIPPED_FORM else path for path in INVALID],
    ids=lambda path: path.stem,
)
def test_invalid_example(path: Path) -> None:
    code, expected, _ = header(path)
    assert expected, f"{path.name}: aucune ligne « # attendu: »"
    exit_code, output = validate(path)
    assert exit_code == code, output
    report = checks.validate_file(path)
    for line, what in expected:
        matching = [f for f in report.findings if matches(f, line, what)]
        assert matching, (line, what, [(f.line, f.code, f.key, f.text()) for f in report.findings])
        for finding in matching:  # what the report holds is what validate prints
            assert flat(finding.message) in output
    unexpected = [
        (f.line, f.code, f.key, f.text())
        for f in report.findings
        if not any(matches(f, line, what) for line, what in expected)
    ]
    assert not unexpected


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file(name: str) -> None:
    expected = HOSTILE[name]
    code, output = validate(EXAMPLES / "hostile" / name)
    assert code == expected["sortie"], output
    assert expected["message"] in output


def test_every_hostile_file_is_listed() -> None:
    files = {path.name for path in (EXAMPLES / "hostile").iterdir() if path.name != "attendu.json"}
    assert files == set(HOSTILE)


CONTRACT_CHECKS: dict[str, tuple[str, str]] = {
    "YAML that does not parse": ("yaml-syntax", ""),
    "unknown key with suggestion": ("unknown-key", "vouliez-vous dire"),
    "wrong type": ("wrong-type", ""),
    "negative count": ("negative-number", ""),
    "fractional count": ("not-whole-number", ""),
    "duplicate key": ("duplicate-key", ""),
    "mandatory Oui/Non missing": ("mandatory-missing", ""),
    "suivie oui without session": ("training-sessions-mismatch", "formations.suivie"),
    "suivie non with sessions": ("training-sessions-mismatch", "formations.sessions"),
    "total not the sum": ("total-mismatch", ""),
    "ETP vs hours worked": ("etp-hours-mismatch", "heures travaillées"),
    "ETP vs hours paid": ("etp-hours-mismatch", "heures payées"),
    "ETP vs volunteer hours": ("etp-hours-mismatch", "moyens_humains.benevoles.etp"),
    "bonus collectifs above collectifs": ("bonus-collectifs-above-total", ""),
    "trained staff above staff": ("trained-above-headcount", ".salaries"),
    "trained volunteers above volunteers": ("trained-above-headcount", ".benevoles"),
    "bad e-mail": ("email-invalid", ""),
    "character Word cannot hold": ("invisible-character", ""),
    "campaign": ("campaign-mismatch", ""),
    "unanswered question": ("question-unanswered", ""),
    "ETP above people": ("etp-above-headcount", ""),
    "more than 12 per collectif": ("too-many-per-collectif", ""),
    "bonus enfants not met": ("bonus-criteria-unmet", "axe_enfants"),
    "bonus parents not met": ("bonus-criteria-unmet", "axe_parents"),
    "surcoût oui without collectif": ("surcout-without-collectif", ""),
    "signature after deadline": ("deadline-passed", ""),
    "no signature block": ("signature-missing", ""),
}
"""Each check of CONTRACT.md → (its code, a fragment of its key or text telling it apart)."""


@functools.cache
def invalid_findings() -> list[Finding]:
    return [f for path in INVALID for f in checks.validate_file(path).findings]


@pytest.mark.campaign(SHIPPED)  # some examples break a rule only with the shipped form's dates
@pytest.mark.parametrize("check", sorted(CONTRACT_CHECKS))
def test_every_contract_check_has_an_invalid_example(check: str) -> None:
    code, fragment = CONTRACT_CHECKS[check]
    assert any(
        (not code or f.code == code) and fragment in f"{f.key} {f.text()}"
        for f in invalid_findings()
    ), f"aucun exemple invalide pour : {check}"
