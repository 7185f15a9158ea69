"""What a coordinator filling the answers file by hand trips on, and the message that helps."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import checks
from clas_bilan.cli import app
from helpers_campaign import SHIPPED

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("wide_console")


def validate(tmp_path: Path, text: str) -> tuple[int, str]:
    """Run ``clas-bilan validate`` on ``text``; the exit code and the output on one line."""
    path = tmp_path / "reponses.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    return result.exit_code, " ".join(result.output.replace("│", " ").split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "gestionnaire:\n  nom: CS\n  adresse: | 12 rue Anatole France\n",
            "Erreur — ligne 3 le fichier YAML ne se lit pas (colonne 14) : texte écrit sur la même "
            "ligne que « | ». Après « | », allez à la ligne : le texte commence à la ligne "
            "suivante, décalé de deux espaces de plus que « adresse: »",
        ),
        (
            "axe_enfants:\n  actions: |\n    Aide aux devoirs.\n  Sorties au musée.\n"
            "  ecarts: aucun\n",
            "Erreur — ligne 4 — Quelles actions avez-vous développées auprès des enfants et "
            "des… axe_enfants.actions le texte de la réponse « actions: | » (ligne 2) n’est "
            "pas assez décalé sous sa clé : il ne serait pas lu comme la réponse. Décalez la "
            "ligne 4 pour qu’elle commence par 4 espaces, comme le reste du texte de "
            "« actions: », sans rien supprimer.",
        ),
        (
            "gestionnaire:\n  nom: 'Centre social d'Oyonnax'\n",
            "Erreur — ligne 2 le fichier YAML ne se lit pas : apostrophe à l’intérieur "
            "d’un texte entre apostrophes. Mettez le texte entre guillemets droits : "
            'nom: "Centre social d\'Oyonnax"',
        ),
        (
            'equipement:\n  nom: "Centre "Les Tilleuls""\n',
            'Erreur — ligne 2 le fichier YAML ne se lit pas : guillemets droits « " » à '
            "l’intérieur d’un texte entre guillemets. Mettez le texte entre apostrophes : "
            "nom: 'Centre \"Les Tilleuls\"'",
        ),
        (
            "equipement:\n  nom: [Centre] social\n",
            "un texte ne peut pas commencer par « [ » sans guillemets. Mettez-le entre "
            'guillemets : nom: "[Centre] social"',
        ),
        (
            "equipement:\n  nom: CS\n   commune: Oyonnax\n",
            "Erreur — ligne 3 — Nom et commune de l’équipement concerné equipement.commune "
            "le fichier YAML ne se lit pas "
            "(colonne 11) : indentation incohérente. Alignez « commune: » sur « nom: » de la "
            "ligne 2",
        ),
        (
            "territoires:\n  - territoire: Geilles\n    etablissements:\n"
            "      - nom: Ecole\n         adresse: 1 rue\n",
            "Alignez « adresse: » sur « nom: » de la ligne 4",
        ),
        (
            "territoires:\n  - territoire: Centre-ville : local du centre social\n",
            "deux-points « : » inattendu. Un texte qui contient « : » se met entre guillemets : "
            '- territoire: "Centre-ville : local du centre social"',
        ),
    ],
    ids=[
        "texte après la barre",
        "texte pas décalé",
        "apostrophe",
        "guillemets dans guillemets",
        "crochet au début",
        "clé trop décalée",
        "clé trop décalée dans une liste",
        "deux-points dans une liste",
    ],
)
def test_yaml_slip_names_the_line_and_the_fix(tmp_path: Path, text: str, expected: str) -> None:
    code, output = validate(tmp_path, text)
    assert code == 1
    assert expected in output
    assert "Vérifiez l’indentation (espaces)" not in output  # the precise fix, not the generic one


@pytest.mark.parametrize(
    ("text", "line", "code", "key", "fix"),
    [
        (
            "formations:\n  appreciation: |\n    Très utile.\n\tLa suite.\n",
            4,
            "tab-indent",
            None,
            "par 4 espaces",
        ),
        (
            'equipement:\n  nom: "Centre social\n  commune: Oyonnax\n',
            2,
            "unclosed-quote",
            "equipement.nom",
            'nom: "Centre social"',
        ),
        (
            'equipement:\n  nom: CS\nintitule_projet: "Grandir\nmoyens_humains:\n',
            3,
            "unclosed-quote",
            "intitule_projet",
            'intitule_projet: "Grandir"',
        ),
    ],
    ids=["tabulation", "guillemet non fermé", "guillemet non fermé après une rubrique"],
)
def test_a_slip_names_its_line_key_and_fix(
    tmp_path: Path, text: str, line: int, code: str, key: str | None, fix: str
) -> None:
    """The slip's kind, line and key (wording: tests/corpus/), and the fix it shows."""
    path = tmp_path / "reponses.yaml"
    path.write_text(text, encoding="utf-8")
    exit_code, output = validate(tmp_path, text)
    assert exit_code == 1
    (finding,) = [f for f in checks.validate_file(path).findings if f.code == code]
    assert (finding.line, finding.key, finding.severity) == (line, key, "erreur")
    assert finding.hint is not None and fix in finding.hint
    assert f"ligne {line} " in output


@pytest.mark.campaign(SHIPPED)  # the shipped form's wording and campaign code
def test_hash_in_an_unquoted_text_is_flagged_not_silently_cut(tmp_path: Path) -> None:
    _, output = validate(
        tmp_path,
        "formations:\n  suivie: non   # oui / non — OBLIGATOIRE\n"
        "moyens_humains:\n  salaries:\n    nombre: 5   # nombre entier\n"
        "conclusion:\n  suggestions_caf: Le n°1 #1 des demandes : les locaux\n",
    )
    assert (
        "Erreur — ligne 7 — Avez-vous des remarques, des suggestions à faire dans la conduite "
        "du… conclusion.suggestions_caf « #1 des demandes : les locaux » est lu comme un "
        "commentaire (après « # ») : il n’apparaîtrait pas dans le bilan. S’il fait partie de "
        "la réponse, mettez toute la réponse entre guillemets : "
        'suggestions_caf: "Le n°1 #1 des demandes : les locaux"'
    ) in output
    assert output.count("est lu comme un commentaire") == 1  # notes after numbers, oui/non: fine


def test_the_empty_signature_block_of_init_is_called_empty_not_absent(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "reponses.yaml")])
    result = runner.invoke(app, ["validate", str(tmp_path / "reponses.yaml")])
    output = " ".join(result.output.replace("│", " ").split())
    assert (
        "— Signature signature bloc de signature vide : le bilan doit être daté "
        "et signé. Remplissez sous « signature: » le lieu, la date, le nom et la qualité du "
        "signataire."
    ) in output
    assert "aucun bloc de signature" not in output


@pytest.mark.campaign(SHIPPED)  # the shipped form's wording and campaign code
def test_findings_follow_the_file_and_keys_missing_from_it_come_last(tmp_path: Path) -> None:
    _, output = validate(
        tmp_path,
        "campagne: '2025-2026'\nmoyens_humains:\n  salaries:\n    nombre: 5 salariés\n",
    )
    rows = output.split("Erreur — ")
    assert "nombre entier attendu, pas « 5 salariés »" in rows[1]  # line 4 first
    assert output.index("moyens_humains.salaries.nombre") < output.index("formations.suivie")


def test_a_narrow_console_wraps_the_key_instead_of_cutting_it(tmp_path: Path) -> None:
    from clas_bilan import cli

    (tmp_path / "reponses.yaml").write_text("axe_parents:\n  criteres_bonus:\n", "utf-8")
    width = cli.out.width
    cli.out.width = 80
    try:
        result = runner.invoke(app, ["validate", str(tmp_path / "reponses.yaml")])
    finally:
        cli.out.width = width
    lines = result.output.splitlines()
    assert "  axe_parents.criteres_bonus.surcout_sorties_parents_enfants" in lines
    assert all(len(line.rstrip()) <= 80 for line in lines), lines
    words = {word for line in lines for word in line.split()}
    for finding_text in ("réponse Oui/Non obligatoire manquante.", "question sans réponse."):
        assert all(word in words for word in finding_text.split())
    assert "»" not in [line.strip() for line in lines]  # never alone on its line


def test_hours_with_a_thousands_dot_are_flagged(tmp_path: Path) -> None:
    _, output = validate(tmp_path, "moyens_humains:\n  benevoles:\n    heures: 1.250\n")
    assert (
        "Avertissement — ligne 3 — Soit en ETP moyens_humains.benevoles.heures « 1.250 » est "
        "lu comme "
        "1,25 heure(s) : le point marque les décimales. Pour 1 250 heures, écrivez 1250."
    ) in output
    _, output = validate(tmp_path, "moyens_humains:\n  benevoles:\n    heures: 12.5\n")
    assert "le point marque les décimales" not in output


def test_a_bare_value_where_keys_are_expected_shows_the_key_to_write(tmp_path: Path) -> None:
    _, output = validate(
        tmp_path,
        "territoires:\n  - territoire: Geilles\n    etablissements:\n      - École Jean Jaurès\n"
        "formations:\n  suivie: oui\n  sessions:\n    - organisme: CMP\n"
        "      personnes_formees: 3\n",
    )
    assert (
        "pas « École Jean Jaurès ». Nommez chaque élément de la liste : "
        "« - nom: École Jean Jaurès »."
    ) in output
    assert (
        "pas « 3 ». Écrivez la réponse sous une de ces clés, à la ligne et décalée de deux "
        "espaces, par exemple « salaries: 3 »."
    ) in output


def test_init_on_an_existing_file_suggests_a_name_not_an_option_it_lacks(tmp_path: Path) -> None:
    target = tmp_path / "reponses.yaml"
    target.write_text("mes réponses\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(target)])
    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "donnez un autre nom : clas-bilan init autre_nom.yaml" in output
    assert "avec -o" not in output
    assert target.read_text(encoding="utf-8") == "mes réponses\n"


def test_init_into_a_missing_folder_does_not_suggest_the_o_option(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "absent" / "reponses.yaml")])
    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "en donnant le chemin du fichier : clas-bilan init CHEMIN.yaml" in output
    assert "avec -o" not in output
