"""Loading an answers file: lines, spellings, encodings, limits, and no traceback on any input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from clas_bilan import campaigns, form, loading, textfile
from clas_bilan.checks import validate_file
from clas_bilan.cli import app
from clas_bilan.errors import UsageError

EXAMPLE = campaigns.current().example
runner = CliRunner()


pytestmark = pytest.mark.usefixtures("wide_console")


def test_lines_of_nested_keys_and_list_items() -> None:
    loaded = loading.load(EXAMPLE.read_text(encoding="utf-8"))
    text = EXAMPLE.read_text(encoding="utf-8").splitlines()
    line = loaded.lines["territoires.0.etablissements.1.email"]
    assert text[line - 1].strip() == 'email: "ce.0015678b@ac-lyon.fr"'
    assert text[loaded.lines["formations.sessions.1"] - 1].strip().startswith("- organisme:")
    assert text[loaded.lines["public.inscrits.1ere"] - 1].strip() == "1ère: 0"


def test_accepted_spellings() -> None:
    loaded = loading.load(
        "formations:\n  suivie: NON\n"
        "moyens_humains:\n  salaries:\n    etp: '1,5'\n    heures_payees: 2 730\n"
        "public:\n  inscrits:\n    1ère: 3\n    Autre: 2\n"
        "signature:\n  date: 30/06/2026\n"
    )
    assert not loaded.findings
    answers = loaded.answers
    assert answers is not None
    assert answers.formations.suivie is False
    assert answers.moyens_humains.salaries.etp == 1.5
    assert answers.moyens_humains.salaries.heures_payees == 2730
    assert answers.public.inscrits.by_key()["1ere"] == 3
    assert answers.public.inscrits.autre == 2
    assert answers.signature.date == dt.date(2026, 6, 30)


def test_all_errors_at_once_and_the_rest_still_checked() -> None:
    loaded = loading.load(
        "public:\n  inscrits:\n    CP: -1\n    CE1: beaucoup\n  totl: 3\nformation: {}\n"
    )
    found = {(finding.key, finding.code) for finding in loaded.findings}
    assert found == {
        ("public.inscrits.CP", "negative-number"),
        ("public.inscrits.CE1", "wrong-type"),
        ("public.totl", "unknown-key"),
        ("formation", "unknown-key"),
    }
    assert all(finding.is_error and finding.line for finding in loaded.findings)
    assert loaded.answers is not None


def test_unknown_key_without_close_match_lists_the_keys() -> None:
    (finding,) = loading.load("equipement:\n  zzz: 1\n").findings
    assert finding.code == "unknown-key"
    assert finding.message == "clé inconnue « zzz ». Clés possibles ici : nom, commune."
    assert finding.line == 2


def test_unknown_key_is_case_insensitive_in_suggestion() -> None:
    (finding,) = loading.load("Signature:\n  lieu: Oyonnax\n").findings
    assert finding.code == "unknown-key"
    assert "« signature »" in finding.message


def test_duplicate_key_names_both_lines() -> None:
    (finding,) = loading.load("public:\n  total: 3\n  total: 4\n").findings
    assert (finding.code, finding.key, finding.line) == ("duplicate-key", "public.total", 3)
    assert "(lignes 2 et 3)" in finding.message


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pirate.txt"
    text = f'campagne: !!python/object/apply:os.system ["touch {marker}"]\n'
    findings = loading.load(text).findings
    assert findings[0].code == "yaml-tag"
    assert "!!python/object/apply:os.system" in findings[0].message
    assert not marker.exists()


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "est introuvable" in result.output
    assert "clas-bilan init absent.yaml" in result.output


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "est un dossier" in result.output


def test_too_big_file_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "enorme.yaml"
    with huge.open("wb") as stream:
        stream.truncate(50 * 1024**3)  # sparse: reading it all would never finish in a test
    with pytest.raises(UsageError, match="trop gros"):
        validate_file(huge)
    result = runner.invoke(app, ["validate", str(huge)])
    assert result.exit_code == 2
    assert "est trop gros (53687,1 Mo" in result.output or "est trop gros" in result.output


def test_file_just_over_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "gros.yaml"
    big.write_text("# " + "x" * textfile.MAX_BYTES + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(big)])
    assert result.exit_code == 2
    assert "limite : 2 Mo" in result.output


def test_very_long_line_is_read(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    long = text.replace('intitule_projet: "', 'intitule_projet: "' + "projet " * 250_000, 1)
    path = tmp_path / "long.yaml"
    path.write_text(long, encoding="utf-8")
    report = validate_file(path)
    assert report.exit_code == 0
    assert report.answers is not None
    assert report.answers.intitule_projet is not None
    assert len(report.answers.intitule_projet) > 1_700_000


def test_many_values_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "liste.yaml"
    path.write_text("territoires: [" + "1, " * 300_000 + "]\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "trop de valeurs" in result.output


def test_cp1252_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "ansi.yaml"
    path.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("cp1252"))
    report = validate_file(path)
    assert report.exit_code == 0
    assert report.answers is not None
    assert report.answers.gestionnaire.adresse == "14 avenue Alsace-Lorraine, 01000 Bourg-en-Bresse"
    assert report.answers.equipement.nom == "Centre social de la Croix-Blanche"
    assert report.answers.axe_enfants.projet_annee is not None
    assert "médiathèque Élisabeth" in report.answers.axe_enfants.projet_annee
    (warning,) = report.findings
    assert warning.code == "not-utf8"
    assert "Encodage : UTF-8" in (warning.hint or "")


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("public:\n  total: 3\n   nombre_collectifs: 2\n", "key-misaligned", 3),
        ("public:\n  total: 3\n   nombre_colectifs: 2\n", "yaml-syntax", 3),
        ("public:\n  total 3\n", "colon-missing", 2),
        ("gestionnaire:\n  adresse: |\n  1 rue Haute\n", "block-text-not-indented", 3),
        ("intitule_projet: Projet : lire\n", "needs-quotes", 1),
        ("", "empty-file", None),
        ("- 1\n- 2\n", "not-a-mapping", 1),
        ("intitule_projet: #1\n", "comment-only-answer", 1),
        ("intitule_projet: Lire # et écrire\n", "text-cut-by-comment", 1),
        ("intitule_projet: &a Lire\n", "yaml-anchor", 1),
        ("intitule_projet: &a Lire\nequipement:\n  nom: *a\n", "yaml-alias", 3),
        ("moyens_humains:\n  salaries:\n    heures_payees: 1.250\n", "thousands-dot", 3),
        ("public:\n  total: 10000000000000\n", "number-too-big", 2),
        ("public:\n  inscrits: 3\n", "section-expected", 2),
        ("formations:\n  sessions: oui\n", "wrong-type", 2),
        ("signature:\n  date: hier\n", "wrong-type", 2),
    ],
)
def test_each_kind_of_finding_has_its_code(text: str, code: str, line: int | None) -> None:
    found = [(finding.code, finding.line) for finding in loading.load(text).findings]
    assert (code, line) in found, found


def test_every_finding_made_while_loading_has_a_code() -> None:
    texts = [
        "public:\n  inscrits:\n    CP: -1\n  total: 3\n  total: 4\nformation: {}\n",
        "intitule_projet: &a x # y\nequipement:\n  nom: !!str *a\n",
        "moyens_humains:\n  salaries:\n    heures_payees: 1.250\n    etp: beaucoup\n",
        "public:\n\ttotal: 3\n",
    ]
    for text in texts:
        findings = loading.load(text).findings
        assert findings
        assert all(finding.code for finding in findings), [f.text() for f in findings]


# Property tests: whatever the user writes, a French message and exit 0/1/2, never a traceback.

KEYS = sorted(
    {part for spot in form.answer_spots(campaigns.current().blocks) for part in spot.key.split(".")}
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(10**400), 10**7 + 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.dates()
    | st.sampled_from(["oui", "Non", "1,5", "1ère", "", "30/02/2026", "2 410", "-0"])
)
KEY = st.sampled_from(KEYS) | st.text(min_size=1, max_size=12)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY, inner, max_size=5),
    max_leaves=25,
)
SECTIONS = (
    st.fixed_dictionaries(
        {},
        optional={
            "campagne": VALUES,
            "moyens_humains": st.dictionaries(
                st.sampled_from(["salaries", "benevoles", "coordination", "x"]),
                st.dictionaries(KEY, VALUES, max_size=4) | VALUES,
                max_size=3,
            ),
            "formations": st.dictionaries(KEY, VALUES, max_size=4),
            "public": st.dictionaries(
                st.sampled_from(["inscrits", "total", "nombre_collectifs"]) | KEY,
                VALUES,
                max_size=3,
            ),
            "territoires": VALUES,
            "axe_enfants": st.dictionaries(KEY, VALUES, max_size=3),
            "signature": st.dictionaries(KEY, VALUES, max_size=4) | VALUES,
        },
    )
    | VALUES
)


def _no_crash(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert "erreur inattendue" not in result.output
    assert result.exit_code in (0, 1, 2)
    if result.exit_code:
        assert "erreur" in result.output.lower()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=SECTIONS)
@example(data={"formations": {"²": None}})  # a digit to str.isdigit(), not a list position
def test_any_yaml_value_gives_a_message_not_a_traceback(tmp_path: Path, data: object) -> None:
    path = tmp_path / "hasard.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _no_crash(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_give_a_message_not_a_traceback(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "octets.yaml"
    path.write_bytes(raw)
    _no_crash(path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    line=st.integers(min_value=0, max_value=170),
    junk=st.sampled_from([": ", "- ", "\t", '"', "&a ", "*b ", "!!binary ", "{", "]", "\x85"]),
)
def test_example_with_junk_gives_a_message(tmp_path: Path, line: int, junk: str) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    at = min(line, len(lines) - 1)
    lines[at] = junk + lines[at]
    path = tmp_path / "abime.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    _no_crash(path)


@pytest.mark.parametrize(
    ("typed", "key", "fix"),
    [
        (
            'signature:\n  lieu: Bourg\n  image: "C:\\new\\tampon.png"\n',
            "signature.image",
            "image: 'C:\\new\\tampon.png'",
        ),
        (
            'gestionnaire:\n  adresse: "\\\\serveur\\bilans\\rapport"\n',
            "gestionnaire.adresse",
            "adresse: '\\\\serveur\\bilans\\rapport'",
        ),
    ],
)
def test_a_windows_path_between_double_quotes_read_with_escapes_is_said(
    tmp_path: Path, typed: str, key: str, fix: str
) -> None:
    # YAML reads « \n » and « \t » between double quotes as a new line and a tab: the path
    # changes silently. The fix writes the same characters between apostrophes.
    (finding,) = [f for f in loading.load(typed).findings if f.code == "backslash-escape"]
    assert finding.key == key and finding.line == typed.count("\n") and finding.is_error
    assert "caractères spéciaux" in finding.message
    assert finding.hint is not None and finding.hint.endswith(fix)
    read_back = yaml.safe_load(fix)[key.rsplit(".", 1)[-1]]
    assert "\\" in read_back and not any(ord(character) < 32 for character in read_back)
    answers = tmp_path / "reponses.yaml"
    answers.write_text(typed, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(answers)])
    assert result.exit_code == 1 and fix in result.output, result.output
    assert "introuvable" not in result.output  # the image's path is said once, with its fix


def test_double_quotes_that_read_as_typed_are_not_said() -> None:
    for typed in ('intitule_projet: "Lire\\técrire"\n', 'intitule_projet: "C:\\\\temp"\n'):
        codes = {finding.code for finding in loading.load(typed).findings}
        assert "backslash-escape" not in codes, typed
