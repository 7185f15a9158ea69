"""Every file of tests/examples/ is its own case: `clas-bilan validate` on it, as a user runs it.

* ``valid/``: header ``# sortie: 0`` and maybe ``# avertissements: N``;
* ``invalid/``: header ``# sortie: N`` and ``# attendu: ligne L: fragment`` lines, which
  must be *all* the findings (no other error or warning);
* ``hostile/``: ``attendu.json`` maps each file to its exit code and a message fragment.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns, checks
from clas_bilan.cli import app
from helpers_campaign import fixtures, shipped_case

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
        (int(line) if line else None, fragment.strip())
        for line, fragment in re.findall(r"^# attendu: (?:ligne (\d+): )?(.*)$", text, re.M)
    ]
    warnings = re.search(r"^# avertissements: (\d+)", text, re.M)
    return int(code.group(1)), expected, int(warnings.group(1)) if warnings else None


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
    for line, fragment in expected:
        assert fragment in output
        matching = [f for f in report.findings if fragment in f.text()]
        assert matching, (fragment, [f.text() for f in report.findings])
        if line is not None:
            assert line in {f.line for f in matching}, [f.text() for f in matching]
            assert f"ligne {line} " in " ".join(f.text() for f in matching)
    unexpected = [
        f.text() for f in report.findings if not any(frag in f.text() for _, frag in expected)
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


CONTRACT_CHECKS = {
    "YAML that does not parse": "le fichier YAML ne se lit pas",
    "unknown key with suggestion": "vouliez-vous dire",
    "wrong type": "nombre entier attendu, pas",
    "negative count": "positif ou nul",
    "fractional count": "pas de décimale",
    "mandatory Oui/Non missing": "réponse Oui/Non obligatoire manquante",
    "suivie oui without session": "aucune session de formation",
    "suivie non with sessions": "vous avez répondu « non » mais",
    "total not the sum": "ne correspond pas à la somme des inscrits",
    "ETP vs hours worked": "heures travaillées : 3214 / 1607",
    "ETP vs hours paid": "heures payées : 3640 / 1820",
    "ETP vs volunteer hours": "heures de bénévolat",
    "bonus collectifs above collectifs": "mais le projet n’en compte que",
    "trained staff above staff": "salariés formés dans cette session",
    "trained volunteers above volunteers": "volontaires et bénévoles formés",
    "bad e-mail": "n’est pas une adresse e-mail valide",
    "character Word cannot hold": "caractère invisible U+000B",
    "campaign": "n’est pas celle du formulaire",
    "duplicate key": "apparaît deux fois",
    "unanswered question": "question sans réponse",
    "ETP above people": "dépasse le nombre de personnes",
    "more than 12 per collectif": "enfants par collectif en moyenne",
    "bonus enfants not met": "critères du bonus enfants non remplis",
    "bonus parents not met": "critères du bonus parents non remplis",
    "surcoût oui without collectif": "alors qu’aucun collectif n’est concerné",
    "signature after deadline": "après la date limite",
    "no signature block": "aucun bloc de signature",
}


@pytest.mark.parametrize("check", sorted(CONTRACT_CHECKS))
def test_every_contract_check_has_an_invalid_example(check: str) -> None:
    fragment = CONTRACT_CHECKS[check]
    assert any(fragment in expected for path in INVALID for _, expected in header(path)[1]), (
        f"aucun exemple invalide pour : {check}"
    )
