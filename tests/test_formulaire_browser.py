"""The browser form used in a real browser (Debian's chromium driven by Playwright), by typing."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from clas_bilan import campaigns, checks
from clas_bilan.loading import load_file
from helpers_answers import REFERENCE, reference
from helpers_campaign import command
from helpers_docx import body, texts
from helpers_formulaire import running

SAVED = "Tout est enregistré"
BILAN = f"bilan_clas_{campaigns.current().code}_espace-de-vie-sociale-les-tilleuls"


def _field(page: Any, name: str) -> Any:
    return page.locator(f'[name="{name}"]')


def _type(page: Any, name: str, text: str) -> None:
    field = _field(page, name)
    field.click()
    field.press_sequentially(text)


def _findings(page: Any, key: str) -> Any:
    return page.locator(f'[id="k-{key}"]')


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, inner in value.items():
            found.update(_flat(inner, f"{prefix}.{key}" if prefix else str(key)))
        return found
    return {prefix: value}


def _typed(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).rstrip("\n")


def _fill_plain(page: Any, data: dict[str, Any]) -> None:
    """Type every answer that is not in a list, as a user would."""
    for name, value in _flat(data).items():
        if name == "campagne" or isinstance(value, list) or value in ("", None):
            continue
        if isinstance(value, bool) or value in ("oui", "non"):
            word = value if isinstance(value, str) else "oui" if value else "non"
            page.locator(f'[name="{name}"][value="{word}"]').check()
        else:
            _type(page, name, _typed(value))


def _wait_saved(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#etat-enregistrement")).to_contain_text(SAVED, timeout=15_000)


def test_fill_the_whole_form_by_typing_then_validate_gives_the_reference(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    answers = tmp_path / "reponses.yaml"
    with running(answers) as server:
        page.goto(server.url)
        _fill_plain(page, data)

        # Formations: one session kept; a second one added by mistake, then removed.
        add_session = page.get_by_role("button", name="+ Ajouter : session de formation")
        add_session.click()
        add_session.click()
        session = data["formations"]["sessions"][0]
        for name, value in _flat(session).items():
            _type(page, f"formations.sessions.0.{name}", _typed(value))
        _type(page, "formations.sessions.1.organisme", "Session en trop")
        page.get_by_role("button", name="Supprimer : Session de formation 2").click()
        expect(_field(page, "formations.sessions.1.organisme")).to_have_count(0)

        # Territoires: the schools typed in the wrong order, then reordered.
        page.get_by_role("button", name="+ Ajouter : territoire").click()
        territoire = data["territoires"][0]
        _type(page, "territoires.0.territoire", territoire["territoire"])
        add_school = page.get_by_role("button", name="+ Ajouter : établissement scolaire")
        add_school.click()
        add_school.click()
        first, second = territoire["etablissements"]
        for index, school in ((0, second), (1, first)):
            for name, value in school.items():
                _type(page, f"territoires.0.etablissements.{index}.{name}", value)
        page.get_by_role("button", name="Monter : Établissement scolaire 2").click()
        expect(_field(page, "territoires.0.etablissements.0.nom")).to_have_value(first["nom"])

        # Computed as in the bilan, from validate's own summary.
        expect(page.locator('output[data-calcul="total"]')).to_have_text("44")
        expect(page.locator('output[data-calcul="elementaire"]')).to_have_text("28")
        etp = f"{checks.summarize(reference()).etp_salaries:.2f}".replace(".", ",")  # 1,50
        expect(page.locator('output[data-calcul="etp_salaries"]')).to_have_text(etp)
        expect(page.locator("#etat-verification")).to_contain_text("Aucune erreur")
        page.get_by_role("button", name="Enregistrer maintenant").click()
        _wait_saved(page)

    validate = subprocess.run(
        [*command(), "validate", str(answers)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert validate.returncode == 0, validate.stdout
    assert load_file(answers).answers == reference()


def test_wrong_total_and_missing_yes_no_are_shown_beside_their_field_while_typing(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with running(tmp_path / "reponses.yaml") as server:
        page.goto(server.url)
        mandatory = _findings(page, "formations.suivie")
        page.get_by_role("button", name="Vérifier tout le formulaire").click()
        expect(mandatory.locator(".erreur")).to_contain_text(
            "réponse Oui/Non obligatoire manquante."
        )
        _type(page, "public.inscrits.CP", "4")
        _type(page, "public.inscrits.CE1", "6")
        _type(page, "public.total", "12")
        total = _findings(page, "public.total")
        expect(total.locator(".erreur")).to_contain_text(
            "le total donné (12) ne correspond pas à la somme des inscrits (10)."
        )
        expect(_field(page, "public.total")).to_have_attribute("aria-invalid", "true")
        # Announced to screen readers, and tied to the field it is about.
        expect(total).to_have_attribute("aria-live", "polite")
        expect(_field(page, "public.total")).to_have_attribute("aria-describedby", "k-public.total")
        # Fixed by typing: the message goes; answering Oui removes the other.
        _field(page, "public.total").fill("")
        _type(page, "public.total", "10")
        expect(total.locator(".erreur")).to_have_count(0)
        page.locator('[name="formations.suivie"][value="non"]').check()
        expect(mandatory.locator(".erreur")).to_have_count(0)
        # Warnings are shown apart from errors.
        _field(page, "gestionnaire.nom").focus()
        _field(page, "gestionnaire.nom").blur()
        expect(_findings(page, "gestionnaire.nom").locator(".avertissements")).to_contain_text(
            "question sans réponse."
        )


def test_a_file_changed_on_disk_is_not_overwritten_and_the_user_chooses(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    answers = tmp_path / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    with running(answers) as server:
        page.goto(server.url)
        edited = answers.read_text(encoding="utf-8").replace("Réussir ensemble", "Autre titre")
        answers.write_text(edited, encoding="utf-8")
        _type(page, "conclusion.suggestions_caf", "Plus de formations.")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("modifié ailleurs", timeout=15_000)
        assert answers.read_text(encoding="utf-8") == edited
        draft = tmp_path / "reponses.yaml.brouillon"
        assert "Plus de formations." in draft.read_text(encoding="utf-8")
        page.get_by_role("button", name="Garder mes réponses").click()
        _wait_saved(page)
    saved = load_file(answers).answers
    assert saved is not None and saved.conclusion.suggestions_caf == "Plus de formations."


def test_produire_le_bilan_writes_a_docx_the_reader_checks(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    answers = tmp_path / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    with running(answers) as server:
        page.goto(server.url)
        _type(page, "conclusion.suggestions_caf", "Merci pour l'accompagnement.")
        page.get_by_role("button", name="Produire le bilan").click()
        link = page.get_by_role("link", name=f"Télécharger {BILAN}.docx")
        expect(link).to_be_visible(timeout=120_000)
        # Where the bilan is, as the file manager shows the folder (issue 21).
        expect(page.locator("#resultat")).to_contain_text(
            f"Bilan écrit dans le dossier {tmp_path},"
        )
        with page.expect_download() as download:
            link.click()
        fetched = tmp_path / "telecharge.docx"
        download.value.save_as(fetched)
        page.get_by_role("button", name="Préparer le courriel").click()
        eml = page.get_by_role("link", name=f"Télécharger {BILAN}.eml")
        expect(eml).to_be_visible(timeout=30_000)
        expect(page.locator("#resultat")).to_contain_text(f"écrit dans le dossier {tmp_path},")
    docx = tmp_path / f"{BILAN}.docx"
    assert fetched.read_bytes() == docx.read_bytes()
    words = "\n".join(texts(body(docx)))
    assert "Merci pour l'accompagnement." in words
    assert "Espace de vie sociale Les Tilleuls" in words
    assert docx.with_suffix(".eml").is_file()
    if shutil.which("soffice"):
        assert docx.with_suffix(".pdf").read_bytes().startswith(b"%PDF")


def test_text_typed_and_not_saved_survives_closing_the_tab_and_stopping_the_server(
    browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    answers = tmp_path / "reponses.yaml"
    with running(answers) as server:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(server.url)
        _type(tab, "intitule_projet", "Réussir ensemble, deuxième année")
        expect(tab.locator("#etat-enregistrement")).not_to_contain_text(SAVED)
        tab.close(run_before_unload=True)
        context.close()
        server.stop()
    with running(answers) as server:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(server.url)
        expect(_field(tab, "intitule_projet")).to_have_value("Réussir ensemble, deuxième année")
        context.close()


def test_every_answer_has_its_question_as_label_and_the_keyboard_is_enough(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with running(tmp_path / "reponses.yaml") as server:
        page.goto(server.url)
        page.get_by_role("button", name="+ Ajouter : territoire").click()
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('#formulaire [name]')]
                .filter((e) => e.type !== 'hidden')
                .filter((e) => !(e.labels && e.labels.length && e.labels[0].textContent.trim()))
                .map((e) => e.name)"""
        )
        assert unlabelled == []
        expect(page.get_by_label("Nombre de salariés")).to_have_attribute(
            "name", "moyens_humains.salaries.nombre"
        )
        page.get_by_role("button", name="Supprimer : Territoire 1").click()
        # Keyboard alone: a button reached and pressed, typing, Tab to the next answer.
        page.get_by_role("button", name="+ Ajouter : territoire").focus()
        page.keyboard.press("Enter")
        page.keyboard.type("Centre-ville")
        expect(_field(page, "territoires.0.territoire")).to_have_value("Centre-ville")
        page.keyboard.press("Tab")  # « Ajouter : établissement scolaire »
        page.keyboard.press("Tab")  # « Monter » and « Descendre » of the only row are disabled
        page.keyboard.press("Enter")  # « Supprimer : Territoire 1 »
        expect(_field(page, "territoires.0.territoire")).to_have_count(0)
        page.locator('[id="c-formations.suivie-oui"]').focus()
        page.keyboard.press("ArrowRight")  # radio pair: arrows move the choice
        expect(page.locator('[id="c-formations.suivie-non"]')).to_be_checked()
        _wait_saved(page)
