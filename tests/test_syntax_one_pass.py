"""Every syntax slip of a file in one run: each reported at its line, the rest still checked.

The shipped example with two, three, four or five independent slips, each in its own
part of the file (every pairing, triple, quadruple, and all five), plus one wrong total:
``validate`` reports each slip at its line and the total, and nothing else. Then syntax
errors that are not known slips: each is set aside with the smallest block around it,
the rest is read and checked, and the answers set aside are not reported as unanswered.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns, checks, loading
from clas_bilan.cli import app

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("wide_console")


@dataclass(frozen=True)
class Slip:
    """A slip made in one part of the example: the line it damages and how."""

    code: str
    find: str
    """A regular expression matching the one line of the example the slip damages."""
    damage: Callable[[str], str]
    key: str | None = None
    """The key the finding names (its end, for a key inside a list)."""


def _block_text(line: str) -> str:
    return "  " + line.lstrip(" ")  # the text of « ecarts: | » indented like its key


SLIPS = {
    "texte_pas_decale": Slip(
        "block-text-not-indented",
        r"^    La sortie parents-enfants prévue",
        _block_text,
        "axe_parents.ecarts",
    ),
    "deux_points": Slip(
        "needs-quotes",
        r"^intitule_projet: ",
        lambda line: "intitule_projet: Cap sur la réussite : collège et familles",
    ),
    "tabulation": Slip("tab-indent", r"^    CE1: ", lambda line: "\t" + line.lstrip(" ")),
    "sans_espace": Slip(
        "missing-space-after-colon",
        r"^  lieu: ",
        lambda line: line.replace("lieu: ", "lieu:"),
        "signature.lieu",
    ),
    "guillemet_ouvert": Slip(
        "unclosed-quote",
        r'^        adresse: "8 avenue',
        lambda line: line.rstrip('"'),
        "adresse",
    ),
}
TOTAL = r"^  total: \d+"
"""A check of the rest of the file: the total of the inscrits made wrong."""


def _line(lines: list[str], pattern: str) -> int:
    """The index of the one line of ``lines`` matching ``pattern``."""
    found = [index for index, line in enumerate(lines) if re.search(pattern, line)]
    assert len(found) == 1, (pattern, found)
    return found[0]


def _damaged(names: tuple[str, ...]) -> tuple[str, dict[int, Slip], int]:
    """The example with the named slips and a wrong total; the slips by line, the total's."""
    lines = campaigns.current().example.read_text(encoding="utf-8").split("\n")
    made: dict[int, Slip] = {}
    for name in names:
        slip = SLIPS[name]
        index = _line(lines, slip.find)
        lines[index] = slip.damage(lines[index])
        made[index + 1] = slip
    total = _line(lines, TOTAL)
    lines[total] = re.sub(r"\d+", lambda number: str(int(number[0]) - 1), lines[total])
    return "\n".join(lines), made, total + 1


COMBINATIONS = [
    names for size in (2, 3, 4, 5) for names in itertools.combinations(sorted(SLIPS), size)
]


def _validate(tmp_path: Path, text: str) -> tuple[int, str, list[checks.Finding]]:
    path = tmp_path / "reponses.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split()), checks.validate_file(path).findings


@pytest.mark.parametrize("names", COMBINATIONS, ids="+".join)
def test_every_slip_is_reported_in_one_run(tmp_path: Path, names: tuple[str, ...]) -> None:
    text, made, total = _damaged(names)
    code, output, findings = _validate(tmp_path, text)
    assert code == 1, output
    got = {(finding.line, finding.code) for finding in findings}
    expected = {(line, slip.code) for line, slip in made.items()} | {(total, "total-mismatch")}
    assert got == expected, [finding.text() for finding in findings]
    for line, slip in made.items():
        assert f"ligne {line}" in output
        if slip.key is not None:
            assert any((f.key or "").endswith(slip.key) for f in findings if f.line == line)
    assert "total donné" in output  # the checks of what was read still run


def test_the_block_text_slip_keeps_the_answer(tmp_path: Path) -> None:
    """Text under « key: | » indented like the key is read as the answer, every line kept."""
    text = campaigns.current().example.read_text(encoding="utf-8")
    answer = "    La sortie parents-enfants prévue en mai"
    assert answer in text
    damaged = text.replace(
        "  ecarts: |\n" + answer, "  ecarts: |\n  La sortie parents-enfants prévue en mai"
    )
    damaged = damaged.replace("  avis_parents: |\n    Les", "  avis_parents: |\nLes")
    loaded, shipped = loading.load(damaged), loading.load(text)
    assert loaded.answers is not None and shipped.answers is not None
    assert loaded.answers.axe_parents.ecarts == shipped.answers.axe_parents.ecarts
    assert loaded.answers.axe_parents.avis_parents == shipped.answers.axe_parents.avis_parents
    codes = [(finding.code, finding.key) for finding in loaded.findings]
    assert codes == [
        ("block-text-not-indented", "axe_parents.ecarts"),
        ("block-text-not-indented", "axe_parents.avis_parents"),
    ]
    hint = loaded.findings[1].hint or ""
    line = text.split("\n").index("  avis_parents: |") + 2
    assert f"la ligne {line} pour" in hint and "par 4 espaces" in hint


def test_a_later_line_of_block_text_indented_like_its_key_is_kept_in_the_text() -> None:
    """« Dépenses : 1 450 € » back at the key's column is text, not a key « Dépenses »."""
    text = campaigns.current().example.read_text(encoding="utf-8")
    shipped = loading.load(text).answers
    assert shipped is not None
    line = "    Dépenses : 1 450 € (intervenante 900 €, matériel d'enregistrement 550 €)."
    assert line in text
    loaded = loading.load(text.replace(line, line[2:]))
    assert loaded.answers is not None
    assert loaded.answers.axe_enfants.projet_annee == shipped.axe_enfants.projet_annee
    number = text.split("\n").index(line) + 1
    assert [(f.line, f.code, f.key) for f in loaded.findings] == [
        (number, "block-text-not-indented", "axe_enfants.projet_annee")
    ]
    assert "par 4 espaces, comme le reste du texte" in (loaded.findings[0].hint or "")


def test_the_issue_s_two_slips_in_one_run(tmp_path: Path) -> None:
    """Issue 20: a « adresse: | » text indented like the key hid the « : » ten lines below."""
    lines = campaigns.current().example.read_text(encoding="utf-8").split("\n")
    at = _line(lines, r'^  adresse: "14 avenue')
    lines[at] = "  adresse: |\n  14 avenue Alsace-Lorraine, 01000 Bourg-en-Bresse"
    text = "\n".join(lines)
    title = _line(text.split("\n"), r"^intitule_projet: ")
    lines = text.split("\n")
    lines[title] = "intitule_projet: Cap sur la réussite : collège et familles"
    code, output, findings = _validate(tmp_path, "\n".join(lines))
    assert code == 1
    assert [(f.line, f.code) for f in findings] == [
        (at + 2, "block-text-not-indented"),
        (title + 1, "needs-quotes"),
    ]
    assert 'intitule_projet: "Cap sur la réussite : collège et familles"' in output


def test_a_hash_or_a_colon_in_a_text_answer_is_said_with_the_line_quoted(tmp_path: Path) -> None:
    text = campaigns.current().example.read_text(encoding="utf-8").split("\n")
    title = _line(text, r"^intitule_projet: ")
    text[title] = "intitule_projet: Projet #2 : réussir ensemble"
    colon = _line(text, r"^  lieu: ")
    text[colon] = "  lieu: Bourg-en-Bresse : mairie"
    code, output, findings = _validate(tmp_path, "\n".join(text))
    assert code == 1
    assert {(f.line, f.code) for f in findings} == {
        (title + 1, "text-cut-by-comment"),
        (colon + 1, "needs-quotes"),
    }
    assert 'intitule_projet: "Projet #2 : réussir ensemble"' in output


def test_a_forgotten_colon_is_repaired_but_never_in_a_quoted_text_s_next_line() -> None:
    text = (
        'gestionnaire:\n  nom: "Association\n    nom du quartier"\npublic:\n  inscrits:\n'
        "    CP: 5\n    CE1 6\naxe_parents\n  actions: Café des parents\n"
    )
    loaded = loading.load(text)
    assert loaded.answers is not None
    assert loaded.answers.gestionnaire.nom == "Association nom du quartier"
    assert loaded.answers.public.inscrits.by_key()["CE1"] == 6
    assert loaded.answers.axe_parents.actions == "Café des parents"
    slips = [(f.line, f.code, f.hint) for f in loaded.findings if f.code == "colon-missing"]
    assert slips == [
        (7, "colon-missing", "Ajoutez « : » après la clé : CE1: 6"),
        (8, "colon-missing", "Ajoutez « : » après la clé : axe_parents:"),
    ]


# Syntax errors that are not known slips: set aside, the rest still read ---------------------


def _replace(lines: list[str], pattern: str, new: str) -> int:
    index = _line(lines, pattern)
    lines[index] = new
    return index + 1


def test_errors_are_repaired_or_set_aside_and_the_rest_checked(
    tmp_path: Path,
) -> None:
    lines = campaigns.current().example.read_text(encoding="utf-8").split("\n")
    hours = _replace(lines, r"^    heures_travaillees: ", "   heures_travaillees: 3214")
    collectifs = _replace(lines, r"^  nombre_collectifs: ", "  nombre_collectifs 5")
    section = _replace(lines, r"^axe_etablissements:", " axe_etablissements:")
    tab = _line(lines, r"^    CE1: ")
    lines[tab] = "\t" + lines[tab].lstrip(" ")
    total = _line(lines, TOTAL)
    lines[total] = "  total: 12"
    code, output, findings = _validate(tmp_path, "\n".join(lines))
    assert code == 1
    got = sorted((f.line or 0, f.code) for f in findings)
    assert got == [
        (hours, "key-misaligned"),
        (tab + 1, "tab-indent"),
        (total + 1, "total-mismatch"),
        (collectifs, "colon-missing"),
        (section, "yaml-syntax"),
    ], [f.text() for f in findings]
    said = {f.line: f.text() for f in findings}
    assert "Alignez « heures_travaillees: » sur « nombre: »" in said[hours]
    assert "nombre_collectifs: 5" in said[collectifs]  # « : » forgotten: repaired, said
    held = itertools.takewhile(lambda line: not re.match(r"[^\s#]", line), lines[section:])
    end = section + max(n for n, line in enumerate(held, 1) if line.startswith("  "))
    assert f"les lignes {section} à {end} sont laissées de côté" in said[section]
    assert "« axe_etablissements »" in said[section]
    assert "question sans réponse" not in output  # the answers set aside are said once


def test_a_set_aside_count_is_said_once_by_the_total(tmp_path: Path) -> None:
    """A count set aside: the total is not checked against it, and says why, with its line."""
    lines = campaigns.current().example.read_text(encoding="utf-8").split("\n")
    count = _replace(lines, r"^    CE2: ", "   CE3: 7")  # off its column, and no such level
    total = _line(lines, TOTAL) + 1
    _, _, findings = _validate(tmp_path, "\n".join(lines))
    assert [(f.line, f.code) for f in findings] == [
        (count, "yaml-syntax"),
        (total, "total-unchecked"),
    ], [f.text() for f in findings]
    told = findings[1].text()
    assert "« CE3 »" in told and f"ligne {count}" in told


def test_too_many_errors_stop_with_a_message(tmp_path: Path) -> None:
    lines = ["campagne: x", *(f"  - [cle{number}: {number}" for number in range(400))]
    code, output, findings = _validate(tmp_path, "\n".join(lines))
    assert code == 1
    assert findings[-1].code == "too-many-syntax-errors"
    assert "trop d’erreurs de syntaxe" in output


def test_each_error_reads_its_own_part_again_not_the_whole_file() -> None:
    """Errors in a long file cost a new reading of their part only: no quadratic blow-up."""
    from clas_bilan import syntax

    example = campaigns.current().example.read_text(encoding="utf-8").split("\n")
    start = _line(example, r"^territoires:") + 1
    end = _line(example, r"^axe_enfants:") - 2
    item = example[start:end]
    parsed: list[int] = []
    original = syntax._Settler.error

    def counting(self: syntax._Settler, first: int, last: int, undash: int | None) -> object:
        parsed.append(last - first)
        return original(self, first, last, undash)

    def read(errors: int) -> int:
        items = []
        for number in range(200):
            lines = list(item)
            if number < errors:
                lines[1] = lines[1][1:]  # « etablissements: » one space off its column
            items += lines
        text = "\n".join(example[:start] + items + example[end:])
        parsed.clear()
        settled = syntax.settle(text, [])
        assert settled.readable and len(settled.findings) == errors
        return sum(parsed)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(syntax._Settler, "error", counting)
        few, many = read(2), read(100)
    assert many < 2 * few, (few, many)  # 50 times the errors, not 50 times the reading
