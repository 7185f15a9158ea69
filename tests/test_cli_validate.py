"""`clas-bilan validate` as a new user meets it: one mistake, one clear French line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns, checks
from clas_bilan.cli import app
from helpers_campaign import SHIPPED

EXAMPLE = campaigns.current().example.read_text("utf-8")
runner = CliRunner()


pytestmark = pytest.mark.usefixtures("wide_console")


def run(tmp_path: Path, old: str, new: str) -> tuple[int, list[str]]:
    assert EXAMPLE.count(old) == 1
    path = tmp_path / "reponses.yaml"
    path.write_text(EXAMPLE.replace(old, new), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    blocks = [" ".join(block.split()) for block in result.output.split("\n\n")]
    rows = [block for block in blocks if block.startswith(("Erreur — ", "Avertissement — "))]
    return result.exit_code, rows


def line_of(text: str) -> int:
    """The line of the example where ``text`` is, once the change is made."""
    return EXAMPLE[: EXAMPLE.index(text)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "key", "code"),
    [
        ("\nequipement:\n", "\nequipment:\n", "equipment", "unknown-key"),
        ("  total: 48", "  total: 49", "public.total", "total-mismatch"),
        ("  suivie: oui\n", "  suivie:\n", "formations.suivie", "mandatory-missing"),
        (
            "    nombre: 11",
            "    nombre: 11,5",
            "moyens_humains.benevoles.nombre",
            "not-whole-number",
        ),
    ],
    ids=["faute de frappe", "total faux", "oui-non manquant", "virgule decimale"],
)
def test_one_mistake_one_clear_line(
    tmp_path: Path, old: str, new: str, key: str, code: str
) -> None:
    """One finding, at the changed line, printed as one row (wording: tests/corpus/)."""
    exit_code, rows = run(tmp_path, old, new)
    assert exit_code == 1
    (finding,) = checks.validate_file(tmp_path / "reponses.yaml").findings
    line = line_of(old.strip("\n"))
    assert (finding.severity, finding.code, finding.key, finding.line) == (
        "erreur",
        code,
        key,
        line,
    )
    assert len(rows) == 1
    assert rows[0].startswith(f"Erreur — ligne {line} ")
    assert key in rows[0] and " ".join(finding.message.split()) in rows[0]


def test_decimal_comma_is_accepted_for_etp(tmp_path: Path) -> None:
    code, rows = run(
        tmp_path,
        "    heures: 1205                    # ETP calculé : 1205 / 1607 = 0,75",
        "    heures: 1205,0\n    etp: 0,75",
    )
    assert (code, rows) == (0, [])


@pytest.mark.campaign(SHIPPED)  # figures of the shipped form: hour bases, question count
def test_summary_after_the_findings(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    example = campaigns.current().example.read_text("utf-8")
    path.write_text(example.replace("  total: 48", "  total: 49"), encoding="utf-8")
    output = runner.invoke(app, ["validate", str(path)]).output
    assert output.index("Erreur — ") < output.index("Questions renseignées")
    flat = " ".join(output.split())
    for expected in [
        "Questions renseignées 45 / 45 (les questions du formulaire qui s’appliquent à ce fichier)",
        "ETP salariés 2,00",
        "ETP bénévoles 0,75",
        "Élémentaire 30 · Collège 18 · Lycée 0 · Autre 0 · TOTAL 48",
        "Moyenne par collectif 9,6 enfant(s)",
        "Bonus enfants critères remplis",
        "Bonus parents critères remplis",
        "1 erreur(s), 0 avertissement(s) : corrigez les erreurs avant de produire le bilan.",
    ]:
        assert expected in flat


def test_the_question_count_follows_what_applies_to_the_file(tmp_path: Path) -> None:
    """« 43 / 43 » for one file, « 45 / 45 » for another: the summary says what it counts."""
    example = campaigns.current().example.read_text("utf-8")
    counts = []
    for text in (example, example.replace("  suivie: oui", "  suivie: non")):
        path = tmp_path / "r.yaml"
        path.write_text(text, encoding="utf-8")
        flat = " ".join(runner.invoke(app, ["validate", str(path)]).output.split())
        counted = flat.split("Questions renseignées ", 1)[1]
        assert "(les questions du formulaire qui s’appliquent à ce fichier)" in counted
        counts.append(counted.split(" (", 1)[0])
    assert counts[0] != counts[1]  # no sessions to count without a formation


def test_unclosed_quote_gives_its_line_and_the_closed_answer(tmp_path: Path) -> None:
    code, rows = run(tmp_path, '  commune: "Bourg-en-Bresse"', '  commune: "Bourg-en-Bresse')
    assert code == 1
    (finding,) = checks.validate_file(tmp_path / "reponses.yaml").findings
    assert (finding.code, finding.key, finding.line) == ("unclosed-quote", "equipement.commune", 18)
    assert finding.hint is not None and finding.hint.endswith('commune: "Bourg-en-Bresse"')
    assert len(rows) == 1 and rows[0].startswith("Erreur — ligne 18 ")
