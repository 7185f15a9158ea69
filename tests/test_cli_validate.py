"""`clas-bilan validate` as a new user meets it: one mistake, one clear French line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns
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


@pytest.mark.parametrize(
    ("old", "new", "row"),
    [
        (
            "\nequipement:\n",
            "\nequipment:\n",
            "Erreur — ligne 16 equipment clé inconnue « equipment » : vouliez-vous dire "
            "« equipement » ? Corrigez le nom de la clé. Sinon cette réponse serait perdue.",
        ),
        (
            "  total: 48",
            "  total: 49",
            "Erreur — ligne 78 — TOTAL public.total le total donné (49) ne correspond pas à la "
            "somme des inscrits (48). Corrigez le total ou supprimez-le : il sera calculé.",
        ),
        (
            "  suivie: oui\n",
            "  suivie:\n",
            "Erreur — ligne 40 — Une formation a-t-elle été suivie par les accompagnateurs du Clas "
            "au… formations.suivie réponse Oui/Non obligatoire manquante. "
            "2 session(s) de formation sont décrites : écrivez sans doute « suivie: oui ».",
        ),
        (
            "    nombre: 11",
            "    nombre: 11,5",
            "Erreur — ligne 28 — Nombre de bénévoles (volontaires inclus) "
            "moyens_humains.benevoles.nombre nombre entier attendu, pas « 11,5 ». Écrivez par "
            "exemple 12.",
        ),
    ],
    ids=["faute de frappe", "total faux", "oui-non manquant", "virgule decimale"],
)
def test_one_mistake_one_clear_line(tmp_path: Path, old: str, new: str, row: str) -> None:
    code, rows = run(tmp_path, old, new)
    assert code == 1
    assert rows == [row]


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
        "Questions renseignées 45 / 45",
        "ETP salariés 2,00",
        "ETP bénévoles 0,75",
        "Elémentaire 30 · Collège 18 · Lycée 0 · Autre 0 · TOTAL 48",
        "Moyenne par collectif 9,6 enfant(s)",
        "Bonus enfants critères remplis",
        "Bonus parents critères remplis",
        "1 erreur(s), 0 avertissement(s) : corrigez les erreurs avant de produire le bilan.",
    ]:
        assert expected in flat


def test_unclosed_quote_gives_its_line_and_the_closed_answer(tmp_path: Path) -> None:
    code, rows = run(tmp_path, '  commune: "Bourg-en-Bresse"', '  commune: "Bourg-en-Bresse')
    assert code == 1
    assert len(rows) == 1
    assert "ligne 18" in rows[0] and "guillemet ouvert mais jamais fermé" in rows[0]
