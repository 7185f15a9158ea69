"""What the user typed is what the bilan says: no silent change, every slip found in one pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from clas_bilan import campaigns, checks, loading, yamlvalues
from clas_bilan.cli import app
from clas_bilan.render import render
from helpers_campaign import fixtures
from helpers_docx import body, french, texts

EXAMPLES = fixtures()
INVALID = EXAMPLES / "invalid"
runner = CliRunner()


def test_yaml_11_types_never_apply_to_text_answers(tmp_path: Path) -> None:
    source = EXAMPLES / "valid" / "glissement_types_yaml11.yaml"
    result = runner.invoke(app, ["render", str(source), "-o", str(tmp_path / "b.docx")])
    assert result.exit_code == 0, result.output
    written = texts(body(tmp_path / "b.docx"))
    assert "Intitulé du projet :  12:30" in written
    assert "Nom, prénom, adresse mail\xa0: Benali, Yes, clas@savoirs-en-partage.fr" in written
    for typed in ("0x10", "2026-06-30", "~", "on"):
        assert typed in written, typed
    assert any(text.startswith("null\n18 rue des Vennes") for text in written)


@pytest.mark.parametrize(
    ("name", "key", "value"),
    [
        ("glissement_ancre", "gestionnaire.nom", "&co et partenaires"),
        ("glissement_sans_espace", "moyens_humains.coordination.nom", "Benali"),
        ("glissement_sans_espace", "public.inscrits.CM1", 6),
        ("glissement_reponse_dans_commentaire", "moyens_humains.salaries.nombre", 4),
        (
            "glissement_reponse_dans_commentaire",
            "axe_enfants.criteres_bonus.surcout_sorties_culturelles",
            False,
        ),
        ("glissement_cles_non_decalees", "equipement.nom", "Centre social de la Croix-Blanche"),
        ("glissement_cles_non_decalees", "equipement.commune", "Bourg-en-Bresse"),
        ("glissement_tiret_en_debut", "moyens_humains.coordination.prenom", "- Karima"),
        ("glissement_guillemets", "equipement.commune", '"Bourg-en-Bresse" (Ain)'),
    ],
)
def test_a_repaired_slip_keeps_the_answer_for_the_other_checks(
    name: str, key: str, value: object
) -> None:
    """Each slip is an error, yet its answer is read as meant so nothing else is hidden."""
    report = checks.validate_file(INVALID / f"{name}.yaml")
    assert report.exit_code == 1
    assert report.answers is not None
    from clas_bilan.models import get

    assert get(report.answers, key) == value


def test_a_school_written_without_its_dash_is_a_new_school_not_a_merge() -> None:
    report = checks.validate_file(INVALID / "glissement_etablissement_sans_tiret.yaml")
    assert report.answers is not None
    schools = [school.nom for school in report.answers.territoires[0].etablissements]
    assert schools == ["École élémentaire de la Croix-Blanche", "Collège Thomas Riboud"]
    (finding,) = report.findings
    assert finding.hint and finding.hint.endswith('- nom: "Collège Thomas Riboud"')


def test_no_fix_ever_asks_to_delete_or_merge_an_answer() -> None:
    for path in sorted(INVALID.glob("glissement_*.yaml")):
        for finding in checks.validate_file(path).findings:
            assert "supprimez-la" not in (finding.hint or ""), finding.text()
            assert "gardez une seule" not in (finding.hint or "").lower(), finding.text()


def test_keys_under_their_section_are_indented_not_deleted() -> None:
    (finding,) = checks.validate_file(INVALID / "glissement_cles_non_decalees.yaml").findings
    assert finding.hint == (
        "Décalez les lignes 20 à 21 de 2 espace(s) vers la droite, sous « equipement: », "
        "sans rien supprimer."
    )


def test_an_unreadable_count_gives_no_contradicting_warning() -> None:
    report = checks.validate_file(INVALID / "glissement_collectifs_illisible.yaml")
    assert [f.message for f in report.findings] == [
        "nombre entier attendu, pas « trois collectifs ».",
        "nombre entier attendu, pas « 2 collectifs ».",
    ]


def test_every_suggested_quoting_reads_back_as_typed() -> None:
    for path in sorted(INVALID.glob("*.yaml")):
        for finding in checks.validate_file(path).findings:
            hint = finding.hint or ""
            marker = "guillemets : " if "guillemets : " in hint else "apostrophes : "
            if marker not in hint or ": " not in hint.split(marker, 1)[1]:
                continue
            fixed = hint.split(marker, 1)[1].rstrip(".")
            line = path.read_text(encoding="utf-8").splitlines()[finding.line - 1]
            typed = line.split(": ", 1)[1].strip()
            key, quoted = fixed.split(": ", 1)
            data, *_ = yamlvalues.parse(f"{key.lstrip('- ')}: {quoted}\n")
            value = data[key.lstrip("- ")]
            closed = typed[0] in "'\"" and typed.endswith(typed[0]) and len(typed) > 1
            assert value == (typed[1:-1] if closed else typed), (path.name, hint)


BASE = campaigns.current().example.read_text(encoding="utf-8")
TITLE = 'intitule_projet: "Grandir et apprendre ensemble à la Croix-Blanche"'
LINE = BASE.splitlines().index(TITLE) + 1
SPECIAL = st.sampled_from(
    [
        "12:30",
        "0x10",
        "0o17",
        "2026-06-30",
        "Yes",
        "no",
        "on",
        "OFF",
        "null",
        "~",
        "1e3",
        "&co et partenaires",
        "*alias",
        "!important",
        "%TAG",
        "@lieu",
        "- tiret",
        "`x`",
        "a: b",
        "a #b",
        "#début",
        "'atelier' du mercredi",
        '"Oyonnax" (Haut-Bugey)',
        "[x] y",
        "{y}",
        "? question",
        "| barre",
        "> chevron",
        "a, b",
        "ça : là",
        "50 %",
        "x ! y",
    ]
)
TYPED = st.one_of(
    SPECIAL,
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Zs"))
        | st.sampled_from(" :#&*!%@-'\"|>[]{},?"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(typed=TYPED)
def test_any_typed_text_is_in_the_bilan_or_an_error_on_its_line(tmp_path: Path, typed: str) -> None:
    """For any one-line text typed after « intitule_projet: »: kept exactly, or an error there."""
    text = BASE.replace(TITLE, f"intitule_projet: {typed}")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    report = checks.validate_file(path)
    if report.errors:
        assert LINE in {finding.line for finding in report.errors}, [
            f.text() for f in report.errors
        ]
        return
    assert report.answers is not None
    meant = typed
    if typed[0] in "'\"" and typed.endswith(typed[0]) and len(typed) > 1:
        meant = yaml.safe_load(f"k: {typed}")["k"]  # the user's own quotes, as the README says
    if re.fullmatch(r"[|>][-+1-9]*", typed):
        meant = ""  # an empty « | » block, as init writes it
    if not meant.strip():
        assert LINE in {finding.line for finding in report.findings}  # « question sans réponse »
        return
    output = tmp_path / "b.docx"
    output.unlink(missing_ok=True)
    render(report.answers, output)
    assert f"Intitulé du projet :  {french(meant)}" in texts(body(output))


def test_extract_writes_init_layout_and_gives_back_the_same_bilan(tmp_path: Path) -> None:
    """extract → validate → render: the same bilan, from a file laid out like init's."""
    answers = tmp_path / "reponses.yaml"
    answers.write_text(
        BASE.replace(
            "    Deux bénévoles retraités", "    Deux bénévoles\tretraités (tabulation gardée)"
        ),
        encoding="utf-8",
    )
    first = tmp_path / "bilan.docx"
    assert runner.invoke(app, ["render", str(answers), "-o", str(first)]).exit_code == 0
    extracted = tmp_path / "relu.yaml"
    result = runner.invoke(app, ["extract", str(first), "-o", str(extracted)])
    assert result.exit_code == 0, result.output
    text = extracted.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=clas-bilan-schema.json\n")
    assert "# Relu depuis « bilan.docx » par clas-bilan extract.\n" in text
    assert "  # Nom du gestionnaire\n  nom: Association Savoirs en Partage\n" in text
    assert (
        "  ecarts_intervenants: |\n    Une animatrice est partie en congé maternité en février ;"
        " elle a été remplacée par un animateur titulaire du BPJEPS dès le mois de mars.\n"
        "    Deux bénévoles\tretraités (tabulation gardée) de l'Éducation nationale ont rejoint "
        "l'équipe en janvier.\n"
    ) in text
    assert "  date: 26/06/2026   # date, par exemple 30/06/2026\n" in text
    result = runner.invoke(app, ["validate", str(extracted)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "encore.docx"
    assert runner.invoke(app, ["render", str(extracted), "-o", str(second)]).exit_code == 0
    assert texts(body(second)) == texts(body(first))


def test_anchors_aliases_and_tags_are_reported_at_their_line_never_applied() -> None:
    loaded = loading.load(
        'campagne: "2025-2026"\n'
        "gestionnaire:\n  nom: &nom Centre\n  adresse: *nom\n"
        "equipement:\n  nom: !important Centre social\n"
    )
    errors = {(finding.line, finding.message.split(" : ")[0]) for finding in loaded.findings}
    assert (3, "« &nom » est lu comme une ancre YAML, pas comme du texte") in errors
    assert (
        4,
        "« *nom » est lu comme un alias YAML (la copie d’une autre réponse), pas comme du texte.",
    ) in {(finding.line, finding.message) for finding in loaded.findings}
    assert any(f.line == 6 and "« !important » refusée" in f.message for f in loaded.findings)
    tag = next(f for f in loaded.findings if f.line == 6)
    assert (
        tag.hint == "Si ces caractères font partie de la réponse, mettez-la entre guillemets : "
        'nom: "!important Centre social"'
    )


def test_a_comment_under_an_empty_text_answer_stays_a_comment() -> None:
    loaded = loading.load('campagne: "2025-2026"\nintitule_projet:\n  # une note\n')
    assert loaded.answers is not None and loaded.answers.intitule_projet is None
    assert not [f for f in loaded.findings if "plusieurs lignes" in f.message]
