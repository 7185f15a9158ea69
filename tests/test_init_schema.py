"""`clas-bilan init` and `clas-bilan schema`, run as a user would, in an empty folder."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from clas_bilan import campaigns, checks, cli, form, scaffold
from clas_bilan.cli import app

ROOT = Path(__file__).parent.parent
runner = CliRunner()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    width = cli.out.width
    cli.out.width = 400
    yield tmp_path
    cli.out.width = width


def comments(text: str) -> str:
    """All comment text of a YAML file, wrapped lines joined, spaces normalised."""
    parts = [line.strip().lstrip("#").strip() for line in text.splitlines()]
    return " ".join(" ".join(parts).split())


def test_init_writes_reponses_yaml_with_the_schema_line(in_tmp: Path) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert "Fichier de réponses créé : reponses.yaml" in result.output
    text = (in_tmp / "reponses.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=clas-bilan-schema.json"
    assert [p.name for p in in_tmp.iterdir()] == ["reponses.yaml"]


def test_init_has_every_question_of_the_form_as_a_comment() -> None:
    flat = comments(scaffold.init_text())
    for spot in form.answer_spots(campaigns.current().blocks):
        label = " ".join(spot.label.replace("\u00a0", " ").split())
        if spot.key.startswith(("public.inscrits.", "public.total")):
            continue  # the public table is described level by level
        assert label in flat, spot.key
    for key, level in form.LEVELS:
        assert f"Nombre d’enfants inscrits en {level}" in flat
        assert re.search(rf"^\s+{re.escape(key)}:", scaffold.init_text(), re.M)


def test_init_output_only_lacks_the_mandatory_oui_non(in_tmp: Path) -> None:
    """Contract: a missing mandatory Oui/Non is an error; everything else unanswered warns."""
    runner.invoke(app, ["init", "a.yaml"])
    result = runner.invoke(app, ["validate", "a.yaml"])
    assert result.exit_code == 1
    report = checks.validate_file(in_tmp / "a.yaml")
    assert {f.key for f in report.errors} == set(checks.MANDATORY_CHOICES)
    assert {f.code for f in report.errors} == {"mandatory-missing"}
    assert {f.code for f in report.warnings} == {"question-unanswered", "signature-missing"}
    text = (in_tmp / "a.yaml").read_text(encoding="utf-8")
    answered = re.sub(r"^(\s+(?:suivie|surcout_\w+)):.*$", r"\1: non", text, flags=re.M)
    (in_tmp / "b.yaml").write_text(answered, encoding="utf-8")
    result = runner.invoke(app, ["validate", "b.yaml"])
    assert result.exit_code == 0, result.output
    assert "Aucune erreur" in result.output
    assert "question-unanswered" in {
        f.code for f in checks.validate_file(in_tmp / "b.yaml").findings
    }


def test_init_exemple_is_the_shipped_example_and_validates_clean(in_tmp: Path) -> None:
    result = runner.invoke(app, ["init", "exemple.yaml", "--exemple"])
    assert result.exit_code == 0
    written = (in_tmp / "exemple.yaml").read_bytes()
    assert written == campaigns.current().example.read_bytes()
    result = runner.invoke(app, ["validate", "exemple.yaml"])
    assert result.exit_code == 0
    assert "Aucune erreur, aucun avertissement" in result.output


def test_example_and_templates_are_kept_once_at_the_top_of_the_repository() -> None:
    assert (ROOT / "examples" / "bilan_exemple.yaml").is_file()
    assert (ROOT / "templates" / "bilan_2025_2026.docx").is_file()
    package = ROOT / "src" / "clas_bilan"
    assert not list(package.rglob("*.yaml")) and not list(package.rglob("*.docx"))


def test_init_never_overwrites_without_force(in_tmp: Path) -> None:
    target = in_tmp / "reponses.yaml"
    target.write_text("mes réponses\n", encoding="utf-8")
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert "existe déjà" in result.output
    assert "--force" in result.output
    assert target.read_text(encoding="utf-8") == "mes réponses\n"
    result = runner.invoke(app, ["init", "--force"])
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == scaffold.init_text()
    assert sorted(p.name for p in in_tmp.iterdir()) == ["reponses.yaml"]


def test_init_into_a_missing_folder_is_a_usage_error(in_tmp: Path) -> None:
    result = runner.invoke(app, ["init", "absent/reponses.yaml"])
    assert result.exit_code == 2
    assert "impossible d’écrire" in result.output


def _properties(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    # pydantic < 2.9 wraps a described reference as {"allOf": [{"$ref": ...}], "description": ...}.
    while "$ref" in node or len(node.get("allOf", [])) == 1:
        if "allOf" in node:
            node = node["allOf"][0]
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _check_keys(schema: dict[str, Any], node: dict[str, Any], value: Any, path: str) -> None:
    """Every key of ``value`` is declared in the schema (editors would not flag it)."""
    node = _properties(schema, node)
    if isinstance(value, dict):
        assert node.get("additionalProperties") is False, path
        for key, item in value.items():
            assert key in node["properties"], f"{path}.{key}"
            _check_keys(schema, node["properties"][key], item, f"{path}.{key}")
    elif isinstance(value, list):
        items = next(n["items"] for n in [node, *node.get("anyOf", [])] if "items" in n)
        for item in value:
            _check_keys(schema, items, item, path)


def test_schema_describes_every_key_of_the_example(in_tmp: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["properties"]["formations"]["description"] == "2. Les formations réalisées"
    example = yaml.safe_load(campaigns.current().example.read_text("utf-8"))
    _check_keys(schema, schema, example, "")
    suivie = _properties(schema, schema["properties"]["formations"])["properties"]["suivie"]
    assert {"enum": ["oui", "non", "Oui", "Non", "OUI", "NON"]} in suivie["anyOf"]


def test_schema_written_with_o_and_never_overwritten(in_tmp: Path) -> None:
    result = runner.invoke(app, ["schema", "-o", scaffold.SCHEMA_FILE])
    assert result.exit_code == 0
    written = (in_tmp / scaffold.SCHEMA_FILE).read_text(encoding="utf-8")
    assert json.loads(written)["title"] == f"Réponses au bilan CLAS {campaigns.current().label}"
    result = runner.invoke(app, ["schema", "-o", scaffold.SCHEMA_FILE])
    assert result.exit_code == 2
    assert "existe déjà" in result.output
    assert runner.invoke(app, ["schema", "-o", scaffold.SCHEMA_FILE, "--force"]).exit_code == 0


def test_init_comments_never_start_a_line_with_french_punctuation() -> None:
    text = scaffold.init_text()
    broken = [line for line in text.splitlines() if re.match(r"\s*#\s+[:;?!»]", line)]
    assert broken == []
    assert "#   CONCERNES : NOM ADRESSE, MAIL" in text


def test_the_hours_say_they_are_everyone_s_not_one_person_s(in_tmp: Path) -> None:
    """« 1 365 heures chacun » typed as 1365: the labels say the hours are the total."""
    assert runner.invoke(app, ["init"]).exit_code == 0
    text = comments(Path("reponses.yaml").read_text(encoding="utf-8"))
    schema = runner.invoke(app, ["schema"]).output
    hours = re.findall(r'"description": "(Heures [^"]*)"', schema)
    assert len(hours) == 3, hours
    assert sum("pour l’ensemble des salariés" in text for text in hours) == 2, hours
    assert sum("de l’ensemble des bénévoles" in text for text in hours) == 1, hours
    assert text.count("pour l’ensemble des salariés") == 2
    assert text.count("de l’ensemble des bénévoles") == 1
