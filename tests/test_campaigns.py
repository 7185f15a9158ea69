"""Campaigns: the current one asked for every yearly fact; a made-up next one added as a module.

``campaign_2026_2027`` is next year's form as a maintainer would write it (texts of the
year, a renamed question, an added one, new hour bases); its template is built into
``tmp_path`` by the same builder as ``scripts/build_template.py``. Nothing else changes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from campaign_2026_2027 import (
    ADDED,
    ADDED_ANSWER,
    ADDED_LABEL,
    CAMPAIGN,
    RENAMED_LABEL,
    example,
)
from clas_bilan import campaigns, checks, form, loading, shipped
from clas_bilan.cli import app
from clas_bilan.docx.template import build, template_path
from clas_bilan.extract import extract
from helpers_campaign import SHIPPED
from helpers_docx import body, texts

# The change-over itself: the shipped campaign is current until the test registers the next.
pytestmark = pytest.mark.campaign(SHIPPED)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bilan_exemple.yaml"
OLD_RENAMED_LABEL = "Avez-vous des remarques, des suggestions à faire dans la conduite"

runner = CliRunner()


def test_the_current_campaign_is_the_newest_known() -> None:
    current = campaigns.current()
    assert current.code == "2025-2026" and current.label == "2025/2026"
    assert current.deadline == dt.date(2026, 8, 1)
    assert current.deadline_text == "1er août 2026"
    assert (current.worked_hours, current.paid_hours) == (1607, 1820)
    assert template_path().name == "bilan_2025_2026.docx" and template_path().is_file()
    assert campaigns.get("2024-2025") is None


@pytest.fixture(scope="module")
def old_bilan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example rendered with the 2025/2026 form, before the next campaign exists."""
    folder = tmp_path_factory.mktemp("bilan_2025")
    shutil.copy(EXAMPLE, folder / "reponses.yaml")
    target = folder / "ancien.docx"
    result = runner.invoke(app, ["render", str(folder / "reponses.yaml"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def next_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The made-up campaign's template, built as scripts/build_template.py does."""
    folder = tmp_path_factory.mktemp("templates")
    build(folder / CAMPAIGN.template_name, CAMPAIGN)
    return folder / CAMPAIGN.template_name


@pytest.fixture
def next_year(
    next_template: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Path]:
    """The made-up campaign registered, its template where shipped templates are looked for."""
    found: Callable[..., Path] = shipped.path
    monkeypatch.setattr(
        shipped,
        "path",
        lambda folder, name, home=None: (
            next_template if name == next_template.name else found(folder, name, home=home)
        ),
    )
    monkeypatch.chdir(tmp_path)
    campaigns.register(CAMPAIGN)
    yield tmp_path
    campaigns.unregister(CAMPAIGN.code)


def _answers_2027(folder: Path) -> Path:
    """The example moved to the made-up campaign, answering its added question."""
    text = EXAMPLE.read_text("utf-8").replace('campagne: "2025-2026"', 'campagne: "2026-2027"')
    data = yaml.safe_load(text)
    data["axe_enfants"]["outils_numeriques"] = "Tablettes prêtées par la médiathèque"
    target = folder / "reponses_2027.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return target


def test_the_made_up_campaign_template_builds_with_its_own_texts(next_template: Path) -> None:
    written = texts(body(next_template))
    joined = "\n".join(written)
    assert "Bilan CLAS 2026/2027" in joined and "2025" not in joined
    assert "Complété et signé avant le 1er août 2027" in written
    assert RENAMED_LABEL in written and ADDED_LABEL in written
    assert not any(text.startswith(OLD_RENAMED_LABEL) for text in written)


def test_registered_next_campaign_becomes_current_and_the_older_stays_known(
    next_year: Path,
) -> None:
    assert campaigns.current() is CAMPAIGN
    assert [campaign.code for campaign in campaigns.known()] == ["2026-2027", "2025-2026"]
    assert template_path().name == "bilan_2026_2027.docx"


def test_validate_render_extract_with_the_next_campaign(next_year: Path) -> None:
    answers = _answers_2027(next_year)
    checked = runner.invoke(app, ["validate", str(answers)])
    assert checked.exit_code == 0, checked.output
    assert "Aucune erreur" in checked.output

    rendered = runner.invoke(app, ["render", str(answers), "-o", "bilan.docx"])
    assert rendered.exit_code == 0, rendered.output
    assert "avant le 1er août 2027" in rendered.output
    written = texts(body(next_year / "bilan.docx"))
    assert "Tablettes prêtées par la médiathèque" in written
    assert written[written.index(ADDED_LABEL) + 1] == "Tablettes prêtées par la médiathèque"
    # the made-up hour bases: 3214 hours worked / 1600
    assert any("calculé\u00a0: 3\u202f214 heures travaillées / 1\u202f600" in t for t in written)

    found = extract(next_year / "bilan.docx")
    assert found.campaign is CAMPAIGN and found.problems == []
    assert found.answers.campagne == "2026-2027"
    assert found.answers.axe_enfants.outils_numeriques == "Tablettes prêtées par la médiathèque"


def test_the_browser_form_asks_the_next_campaign_s_added_question(next_year: Path) -> None:
    from clas_bilan.web import page, session

    answers = _answers_2027(next_year)
    values = session.page_values(answers, answers.read_text("utf-8"))
    assert values[ADDED] == "Tablettes prêtées par la médiathèque"
    html = page.render(answers.name, "jeton", values, None)
    assert f'name="{ADDED}"' in html and ">Tablettes prêtées par la médiathèque<" in html
    assert RENAMED_LABEL in html


@pytest.mark.usefixtures("wide_console")
def test_a_2025_answers_file_is_refused_by_the_next_campaign(next_year: Path) -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLE)])
    assert result.exit_code == 1
    assert "n’est pas celle du formulaire (2026-2027)" in " ".join(result.output.split())


@pytest.mark.usefixtures("wide_console")
def test_bilans_of_both_campaigns_are_extracted(old_bilan: Path, next_year: Path) -> None:
    rendered = runner.invoke(app, ["render", str(_answers_2027(next_year)), "-o", "neuf.docx"])
    assert rendered.exit_code == 0, rendered.output

    old = extract(old_bilan)
    assert old.campaign.code == "2025-2026" and old.problems == []
    assert old.answers.campagne == "2025-2026"
    assert old.answers.conclusion.suggestions_caf is not None
    new = extract(next_year / "neuf.docx")
    assert new.campaign is CAMPAIGN and new.problems == []
    assert new.answers.conclusion.suggestions_caf == old.answers.conclusion.suggestions_caf

    yaml_result = runner.invoke(app, ["extract", str(old_bilan), "-o", "repris.yaml"])
    assert yaml_result.exit_code == 0, yaml_result.output
    written = (next_year / "repris.yaml").read_text("utf-8")
    assert "# Fichier de réponses — Bilan CLAS 2025/2026" in written.splitlines()[1]
    assert re.search(r'^campagne: "?2025-2026"?$', written, re.MULTILINE)
    # read back whole, and validate then says it is last year's form
    assert "n’est pas celle du formulaire (2026-2027)" in " ".join(yaml_result.output.split())


def test_a_bilan_of_an_unknown_form_is_read_naming_what_the_current_form_lacks(
    old_bilan: Path, next_year: Path
) -> None:
    older = campaigns.get("2025-2026")
    assert older is not None
    campaigns.unregister(older.code)
    try:
        found = extract(old_bilan)
    finally:
        campaigns.register(older)
    # Read with the only form known, the parts it lacks named (issue 11: a copy may lack parts).
    assert found.campaign.code == "2026-2027"
    warned = " ".join(found.warnings).replace("\u00a0", " ")
    assert ADDED_LABEL.replace("\u00a0", " ")[:80] in warned
    assert found.answers.equipement.nom


def test_init_depuis_a_2025_bilan_carries_what_stays_true_into_the_next_campaign(
    old_bilan: Path, next_year: Path
) -> None:
    result = runner.invoke(app, ["init", "neuf.yaml", "--depuis", str(old_bilan)])
    assert result.exit_code == 0, result.output
    assert "Repris du bilan CLAS 2025/2026" in result.output
    text = (next_year / "neuf.yaml").read_text("utf-8")
    assert "« ancien.docx » (bilan CLAS 2025/2026)" in " ".join(text.split())

    loaded = loading.load(text)
    new = loaded.answers
    assert new is not None and type(new) is CAMPAIGN.answers
    old = extract(old_bilan).answers
    assert new.campagne == "2026-2027"
    assert new.gestionnaire == old.gestionnaire and new.equipement == old.equipement
    assert new.intitule_projet == old.intitule_projet
    assert new.moyens_humains.coordination == old.moyens_humains.coordination
    assert new.territoires == old.territoires and len(new.territoires) >= 1
    empty = CAMPAIGN.answers()
    for section in ("formations", "public", "axe_enfants", "axe_parents", "conclusion"):
        assert getattr(new, section) == getattr(empty, section), section
    assert new.moyens_humains.salaries == empty.moyens_humains.salaries
    assert new.signature == empty.signature
    assert getattr(new.axe_enfants, ADDED.rsplit(".", 1)[-1]) is None

    report = checks.validate_file(next_year / "neuf.yaml")
    assert {finding.key for finding in report.errors} == set(form.MANDATORY_CHOICES)


def test_init_depuis_an_answers_file_reads_it_with_its_own_campaign(next_year: Path) -> None:
    result = runner.invoke(app, ["init", "neuf.yaml", "--depuis", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    new = loading.load((next_year / "neuf.yaml").read_text("utf-8")).answers
    assert new is not None and new.campagne == "2026-2027"
    assert new.equipement.nom == "Centre social de la Croix-Blanche"
    assert new.moyens_humains.coordination.email == "clas@savoirs-en-partage.fr"
    assert new.moyens_humains.salaries.nombre is None


def test_init_depuis_refuses_a_campaign_it_does_not_know(tmp_path: Path) -> None:
    source = tmp_path / "vieux.yaml"
    source.write_text('campagne: "2019-2020"\nequipement:\n  nom: X\n', "utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "neuf.yaml"), "--depuis", str(source)])
    assert result.exit_code == 2
    assert "« 2019-2020 », que clas-bilan ne connaît pas" in " ".join(result.output.split())
    assert not (tmp_path / "neuf.yaml").exists()


def test_the_made_up_campaign_works_as_a_module_of_the_package(
    tmp_path: Path, old_bilan: Path
) -> None:
    """The real change-over, in a copy of the repository: the campaign's module put in
    ``src/clas_bilan/campaigns/``, its template built by ``scripts/build_template.py``, the
    example answers moved to the new year; then the tool is used as a coordinator would."""
    repo = tmp_path / "depot"
    package = repo / "src" / "clas_bilan"
    shutil.copytree(
        Path(campaigns.__file__).resolve().parents[1],
        package,
        ignore=shutil.ignore_patterns("__pycache__", "templates", "examples"),
    )
    shutil.copytree(ROOT / "templates", repo / "templates")
    shutil.copytree(ROOT / "scripts", repo / "scripts")
    shutil.copy(
        Path(__file__).with_name("campaign_2026_2027.py"),
        package / "campaigns" / "bilan_2026_2027.py",
    )
    (repo / "examples").mkdir()
    (repo / "examples" / "bilan_exemple.yaml").write_text(
        example(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(repo / "src"), "COLUMNS": "200"}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *argv],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )

    built = run("scripts/build_template.py")
    assert built.returncode == 0, built.stderr
    assert (repo / "templates" / "bilan_2026_2027.docx").is_file()
    rendered = run("-m", "clas_bilan", "render", "examples/bilan_exemple.yaml", "-o", "neuf.docx")
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    body_text = "\n".join(texts(body(repo / "neuf.docx")))
    assert ADDED_LABEL in body_text and "2026/2027" in body_text
    assert ADDED_ANSWER in body_text
    schema = run("-m", "clas_bilan", "schema")
    assert '"title": "Réponses au bilan CLAS 2026/2027"' in schema.stdout
    read = run("-m", "clas_bilan", "extract", "neuf.docx", "-o", "neuf.yaml")
    assert read.returncode == 0, read.stdout + read.stderr
    back = yaml.safe_load((repo / "neuf.yaml").read_text(encoding="utf-8"))
    assert back["campagne"] == "2026-2027"
    assert back["axe_enfants"]["outils_numeriques"] == ADDED_ANSWER
    old = run("-m", "clas_bilan", "extract", str(old_bilan), "-o", "ancien.yaml")
    assert old.returncode == 0, old.stdout + old.stderr
    assert yaml.safe_load((repo / "ancien.yaml").read_text("utf-8"))["campagne"] == "2025-2026"
    carried = run("-m", "clas_bilan", "init", "reprise.yaml", "--depuis", str(old_bilan))
    assert carried.returncode == 0, carried.stdout + carried.stderr
    answers = yaml.safe_load((repo / "reprise.yaml").read_text(encoding="utf-8"))
    assert answers["campagne"] == "2026-2027"
    assert answers["equipement"]["nom"] and answers["public"]["total"] is None
