"""Batch rendering: one bilan per answers file, failures reported without stopping the others."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from clas_bilan import batch, campaigns
from clas_bilan.batch import Outcome, collect, render_batch
from clas_bilan.cli import app
from clas_bilan.docx.template import template_path
from clas_bilan.errors import UsageError
from helpers_docx import body, paragraph_text, part, w

EXAMPLE = campaigns.current().example
EXAMPLE_NAME = "Centre social de la Croix-Blanche"
NAMES = ["Maison de quartier des Vennes", "Espace Reyssouze", "Centre social Amédée Mercier"]


def _answers(folder: Path, stem: str, equipement: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert EXAMPLE_NAME in text
    path = folder / f"{stem}.yaml"
    path.write_text(text.replace(EXAMPLE_NAME, equipement), encoding="utf-8")
    return path


def _document_text(path: Path) -> str:
    return "\n".join(paragraph_text(p) for p in body(path).iter(w("p")))


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "reponses"
    folder.mkdir()
    return [_answers(folder, f"site{index}", name) for index, name in enumerate(NAMES)]


def test_one_document_per_input_each_with_its_own_answers(
    inputs: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "bilans"
    out.mkdir()
    seen: list[Outcome] = []
    result = render_batch(inputs, out, on_progress=seen.append)
    assert result.exit_code == 0
    assert [o.source for o in seen] == inputs
    assert len(list(out.iterdir())) == len(NAMES)
    for outcome, name in zip(result.outcomes, NAMES, strict=True):
        assert outcome.ok and outcome.problem is None
        assert outcome.output is not None and outcome.output.parent == out
        text = _document_text(outcome.output)
        assert name in text
        assert all(other not in text for other in NAMES if other != name)


def test_a_users_template_gives_every_bilan_its_footer_and_own_answers(
    inputs: list[Path], tmp_path: Path
) -> None:
    """The template's parts are prepared once and shared; each bilan still gets its answers."""
    template = tmp_path / "modele.docx"
    mark = "Pied de page du centre"
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(template, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/footer1.xml":
                data = data.replace(b">Page <", f">{mark} Page <".encode())
            copy.writestr(item, data)
    out = tmp_path / "bilans"
    out.mkdir()
    result = render_batch(inputs, out, template=template)
    assert result.exit_code == 0, [o.problem for o in result.failed]
    for outcome, name in zip(result.outcomes, NAMES, strict=True):
        assert outcome.output is not None
        footer = part(outcome.output, "word/footer1.xml")
        assert "".join(paragraph_text(p) for p in footer.iter(w("p"))).startswith(mark)
        text = _document_text(outcome.output)
        assert name in text and all(other not in text for other in NAMES if other != name)


def test_a_bad_file_is_reported_and_the_others_are_written(
    inputs: list[Path], tmp_path: Path
) -> None:
    broken = inputs[0].parent / "casse.yaml"
    broken.write_text("equipement:\n  nom: [pas fermé\n", encoding="utf-8")
    wrong = _answers(inputs[0].parent, "faux", "Centre faux")
    wrong.write_text(
        wrong.read_text(encoding="utf-8").replace("  suivie: oui", "  suivie: peut-être"),
        encoding="utf-8",
    )
    missing = tmp_path / "absent.yaml"
    out = tmp_path / "bilans"
    out.mkdir()
    order = [broken, inputs[0], wrong, inputs[1], missing, inputs[2]]
    result = render_batch(order, out)

    assert result.exit_code == 1
    assert [o.source for o in result.outcomes] == order
    assert [o.ok for o in result.outcomes] == [False, True, False, True, False, True]
    assert {o.source for o in result.failed} == {broken, wrong, missing}
    for outcome in result.failed:
        assert outcome.output is None
    assert "erreur" in (result.outcomes[0].problem or "")
    assert "ligne" in (result.outcomes[0].problem or "")
    assert "formations.suivie" in (result.outcomes[2].problem or "")
    assert "introuvable" in (result.outcomes[4].problem or "")
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 3
    assert not any("faux" in name for name in written)
    for outcome, name in zip(result.written, NAMES, strict=True):
        assert outcome.output is not None
        assert name in _document_text(outcome.output)


def test_same_equipement_twice_writes_the_first_only(inputs: list[Path], tmp_path: Path) -> None:
    twin = _answers(inputs[0].parent, "jumeau", NAMES[0])
    result = render_batch([inputs[0], twin], tmp_path)
    first, second = result.outcomes
    assert first.ok and not second.ok
    assert "même équipement" in (second.problem or "")
    assert first.output is not None
    assert NAMES[0] in _document_text(first.output)


def test_existing_bilans_are_kept_unless_forced(inputs: list[Path], tmp_path: Path) -> None:
    first = render_batch(inputs[:1], tmp_path)
    assert first.outcomes[0].output is not None
    bilan = first.outcomes[0].output
    bilan.write_bytes(b"a moi")
    again = render_batch(inputs[:1], tmp_path)
    assert again.exit_code == 1
    assert "existe déjà" in (again.outcomes[0].problem or "")
    assert "--force" in (again.outcomes[0].problem or "")
    assert bilan.read_bytes() == b"a moi"
    forced = render_batch(inputs[:1], tmp_path, force=True)
    assert forced.exit_code == 0
    assert NAMES[0] in _document_text(bilan)


def test_collect_takes_the_answers_files_of_a_folder(inputs: list[Path], tmp_path: Path) -> None:
    folder = inputs[0].parent
    (folder / "notes.txt").write_text("rien", encoding="utf-8")
    (folder / ".cache.yaml").write_text("rien", encoding="utf-8")
    extra = tmp_path / "autre.yml"
    extra.write_text("campagne: '2025-2026'\n", encoding="utf-8")
    assert collect([folder, extra]) == [*inputs, extra]


def test_collect_refuses_a_folder_without_answers(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="aucun fichier de réponses"):
        collect([tmp_path])


def test_output_folder_under_a_missing_folder_is_a_usage_error(
    inputs: list[Path], tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match="n'existe pas"):
        render_batch(inputs, tmp_path / "nulle-part" / "bilans")
    assert not (tmp_path / "nulle-part").exists()


def test_output_folder_that_is_a_file_is_a_usage_error(inputs: list[Path], tmp_path: Path) -> None:
    taken = tmp_path / "bilans"
    taken.write_bytes(b"deja la")
    with pytest.raises(UsageError, match="est un fichier"):
        render_batch(inputs, taken)
    assert taken.read_bytes() == b"deja la"


# The render command in batch mode -------------------------------------------------

runner = CliRunner()


def test_render_command_on_a_folder_writes_one_bilan_per_valid_file(
    inputs: list[Path], tmp_path: Path
) -> None:
    folder = inputs[0].parent
    (folder / "casse.yaml").write_text("equipement:\n  nom: [pas fermé\n", encoding="utf-8")
    out = tmp_path / "bilans"
    out.mkdir()
    result = runner.invoke(app, ["render", str(folder), "-o", str(out)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "Échec" in output and "casse.yaml : 7 erreur(s) dans les réponses" in output
    assert "3 bilan(s) écrit(s), 1 échec(s)." in output
    written = sorted(out.iterdir())
    assert len(written) == 3
    texts = [_document_text(path) for path in written]
    for name in NAMES:
        assert sum(name in text for text in texts) == 1


def test_render_command_with_several_files_and_no_output_writes_beside_each(
    inputs: list[Path],
) -> None:
    result = runner.invoke(app, ["render", *map(str, inputs)])
    assert result.exit_code == 0, result.output
    assert "3 bilan(s) écrit(s), 0 échec(s)." in " ".join(result.output.split())
    written = sorted(inputs[0].parent.glob("*.docx"))
    assert len(written) == 3
    assert all(any(name in _document_text(p) for p in written) for name in NAMES)


def test_render_command_creates_a_new_output_folder(inputs: list[Path], tmp_path: Path) -> None:
    created = tmp_path / "bilans"
    result = runner.invoke(app, ["render", *map(str, inputs), "-o", str(created)])
    assert result.exit_code == 0, result.output
    assert len(list(created.glob("*.docx"))) == 3


def test_render_command_refuses_an_output_folder_in_a_missing_folder(
    inputs: list[Path], tmp_path: Path
) -> None:
    missing = tmp_path / "nulle-part"
    result = runner.invoke(app, ["render", *map(str, inputs), "-o", str(missing / "bilans")])
    assert result.exit_code == 2
    assert "n'existe pas" in result.output
    assert not missing.exists()


def _break_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make rendering the second answers file fail with a bug (not a user's mistake)."""
    real = batch.render_document
    calls = iter(range(100))

    def flaky(*args: Any, **kwargs: Any) -> Path:
        if next(calls) == 1:
            raise RuntimeError("bogue interne")
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "render_document", flaky)


def test_an_unexpected_error_is_reported_in_french_for_its_file_only(
    inputs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_second(monkeypatch)
    result = runner.invoke(app, ["render", str(inputs[0].parent), "-o", str(tmp_path)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert f"Échec {inputs[1]} : erreur inattendue (RuntimeError)" in output
    assert "relancez la commande sur ce seul fichier avec --debug" in output
    assert "Traceback" not in output and "bogue interne" not in output
    assert "2 bilan(s) écrit(s), 1 échec(s)." in output


def test_debug_lets_an_unexpected_error_out_with_its_traceback(
    inputs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_second(monkeypatch)
    result = runner.invoke(app, ["--debug", "render", str(inputs[0].parent), "-o", str(tmp_path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "bogue interne"
    assert result.exc_info is not None and result.exc_info[2] is not None
    assert "erreur inattendue" not in result.output


def test_debug_still_reports_a_users_mistake_per_file(inputs: list[Path], tmp_path: Path) -> None:
    (inputs[0].parent / "casse.yaml").write_text("equipement:\n  nom: [pas fermé\n", "utf-8")
    result = runner.invoke(app, ["--debug", "render", str(inputs[0].parent), "-o", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "3 bilan(s) écrit(s), 1 échec(s)." in " ".join(result.output.split())
