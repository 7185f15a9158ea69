"""The browser form's save protocol in real Chromium: nothing typed is lost or silently replaced.

Each page names the version of the answers file it was built from (or last saved) with
every save; a mismatch is a conflict the user settles in the page. Unsaved edits are
journaled in the browser and given back at the next load.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from clas_bilan.errors import UsageError
from clas_bilan.loading import load_file
from clas_bilan.web.session import Conflict, Session
from helpers_answers import REFERENCE
from helpers_formulaire import Running, running
from test_formulaire_browser import SAVED, _field, _type, _wait_saved

CONFLICT = "a été modifié"


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    """The reference answers, as the file the form edits."""
    path = tmp_path / "reponses.yaml"
    path.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """One browser profile (its tabs share the journal), leaving pages when asked to."""
    opened = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    yield opened
    opened.close()


def _open(context: Any, server: Running, dialogs: list[str] | None = None) -> Any:
    """A new tab on the form; it answers « Quitter » when the browser asks before leaving."""
    tab = context.new_page()

    def leave(dialog: Any) -> None:
        if dialogs is not None:
            dialogs.append(dialog.type)
        dialog.accept()

    tab.on("dialog", leave)
    tab.goto(server.url)
    return tab


def _answer(path: Path, *keys: str) -> Any:
    """One answer of a file as YAML reads it (None when absent)."""
    value: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _eventually(condition: Callable[[], bool], timeout: float = 15) -> None:
    """Wait until ``condition`` holds (the server writes after the page's delay)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("still not true after the wait")
        time.sleep(0.1)


def _edited_elsewhere(answers: Path) -> str:
    """Change the file as another editor would; the text written."""
    edited = answers.read_text(encoding="utf-8").replace("Réussir ensemble", "Titre d'ailleurs")
    answers.write_text(edited, encoding="utf-8")
    return edited


def _in_conflict(context: Any, server: Running, answers: Path, typed: str) -> Any:
    """A tab whose answers file is edited elsewhere, then typed in: the conflict shown."""
    from playwright.sync_api import expect

    tab = _open(context, server)
    _edited_elsewhere(answers)
    _type(tab, "conclusion.suggestions_caf", typed)
    expect(tab.get_by_role("alert")).to_contain_text(CONFLICT, timeout=15_000)
    return tab


def test_the_session_writes_only_over_the_version_a_save_names(answers: Path) -> None:
    session = Session(answers)
    values, base = session.values()
    assert session.values()[1] == base  # reading again changes nothing
    ours = {**values, "conclusion.suggestions_caf": "Tapé dans la page."}
    mine = session.save(ours, base)
    assert mine != base and session.save(ours, base) == mine  # already there: nothing lost
    edited = _edited_elsewhere(answers)
    with pytest.raises(Conflict) as conflict:
        session.save({**ours, "conclusion.bilan": "Plus tard."}, mine)
    assert answers.read_text(encoding="utf-8") == edited
    assert "Plus tard." in session.draft.read_text(encoding="utf-8")
    # The user chose to keep the page's answers over the version the conflict named.
    session.save(ours, conflict.value.version, drop_draft=True)
    assert not session.draft.exists()
    assert _answer(answers, "conclusion", "suggestions_caf") == "Tapé dans la page."


def test_an_unreadable_file_and_an_earlier_draft_keep_what_a_save_carried(answers: Path) -> None:
    values, base = Session(answers).values()
    answers.unlink()
    answers.mkdir()  # a folder in its place: unreadable as a file
    session = Session(answers)
    with pytest.raises(UsageError) as unreadable:
        session.save({**values, "intitule_projet": "Gardé"}, base)
    assert "gardées dans « reponses.yaml.brouillon »" in (unreadable.value.hint or "")
    assert "Gardé" in session.draft.read_text(encoding="utf-8")
    later = Session(answers)  # a later run: that draft waits for the user's decision
    with pytest.raises(UsageError):
        later.save({**values, "intitule_projet": "Autre"}, base)
    assert "Gardé" in later.draft.read_text(encoding="utf-8")
    assert later.keep_draft(values) is None
    later.forget_draft()
    assert later.keep_draft(values) == "reponses.yaml.brouillon"


@pytest.mark.parametrize("delay_ms", [0, 300, 600])
def test_a_reload_right_after_typing_keeps_the_new_text_and_never_writes_the_old_back(
    context: Any, answers: Path, delay_ms: int
) -> None:
    from playwright.sync_api import expect

    with running(answers) as server:
        dialogs: list[str] = []
        tab = _open(context, server, dialogs)
        _type(tab, "conclusion.suggestions_caf", "Texte tout neuf.")
        tab.wait_for_timeout(delay_ms)
        tab.reload()
        expect(_field(tab, "conclusion.suggestions_caf")).to_have_value("Texte tout neuf.")
        _wait_saved(tab)
        # A later edit elsewhere saves the whole page: the new text stays.
        _field(tab, "gestionnaire.nom").fill("Autre gestionnaire")
        _wait_saved(tab)
        assert _answer(answers, "conclusion", "suggestions_caf") == "Texte tout neuf."
        assert _answer(answers, "gestionnaire", "nom") == "Autre gestionnaire"
        assert dialogs == ["beforeunload"]  # the browser asked before leaving unsaved text


def test_two_tabs_editing_different_answers_the_second_save_is_a_conflict(
    context: Any, answers: Path
) -> None:
    from playwright.sync_api import expect

    with running(answers) as server:
        first = _open(context, server)
        second = _open(context, server)
        _type(first, "conclusion.suggestions_caf", "Écrit dans le premier onglet.")
        _wait_saved(first)
        _field(second, "conclusion.bilan").fill("Écrit dans le second onglet.")
        expect(second.get_by_role("alert")).to_contain_text(CONFLICT, timeout=15_000)
        expect(second.locator("#etat-enregistrement")).not_to_contain_text(SAVED)
        expect(first.locator("#etat-enregistrement")).to_contain_text(SAVED)
        assert _answer(answers, "conclusion", "suggestions_caf") == "Écrit dans le premier onglet."
        assert "Écrit dans le second onglet." not in answers.read_text(encoding="utf-8")
        draft = answers.with_name("reponses.yaml.brouillon")
        assert "Écrit dans le second onglet." in draft.read_text(encoding="utf-8")


def test_an_edit_elsewhere_after_another_request_for_the_page_is_a_conflict(
    context: Any, answers: Path
) -> None:
    from playwright.sync_api import expect

    with running(answers) as server:
        tab = _open(context, server)
        edited = _edited_elsewhere(answers)
        _open(context, server).close()  # another tab, a reload: the page asked for again
        _type(tab, "conclusion.suggestions_caf", "Tapé dans la page.")
        expect(tab.get_by_role("alert")).to_contain_text(CONFLICT, timeout=15_000)
        assert answers.read_text(encoding="utf-8") == edited


def test_a_large_form_closed_right_after_typing_gives_the_edit_back_at_the_next_load(
    context: Any, answers: Path
) -> None:
    from playwright.sync_api import expect

    long_text = ("Une longue réponse, écrite avec soin. " * 3_000).strip()  # 114 000 characters
    with running(answers) as server:
        tab = _open(context, server)
        _field(tab, "conclusion.bilan").fill(long_text)
        _wait_saved(tab)
        assert answers.stat().st_size > 100_000
        _type(tab, "conclusion.suggestions_caf", "Dernier ajout.")
        tab.close(run_before_unload=True)
        tab.wait_for_event("close")
        again = _open(context, server)
        expect(_field(again, "conclusion.suggestions_caf")).to_have_value("Dernier ajout.")
        _wait_saved(again)
        assert _answer(answers, "conclusion", "suggestions_caf") == "Dernier ajout."
        assert _answer(answers, "conclusion", "bilan").strip() == long_text


def test_edits_that_never_reached_the_file_changed_since_are_offered_back(
    context: Any, answers: Path
) -> None:
    from playwright.sync_api import expect

    with running(answers) as server:
        tab = _open(context, server)
        tab.route("**/api/enregistrer", lambda route: route.abort())  # the server is gone
        _type(tab, "conclusion.suggestions_caf", "Jamais arrivé au fichier.")
        expect(tab.locator("#etat-enregistrement")).to_contain_text("ne répond plus")
        tab.close(run_before_unload=True)
        tab.wait_for_event("close")
        _edited_elsewhere(answers)
        again = _open(context, server)
        alert = again.get_by_role("alert")
        expect(alert).to_be_visible()
        if "brouillon" in alert.inner_text():  # the save sent at closing came after that edit
            again.get_by_role("button", name="Supprimer le brouillon").click()
        expect(alert).to_contain_text("le fichier a changé depuis")
        again.get_by_role("button", name="Reprendre ces modifications").click()
        expect(_field(again, "conclusion.suggestions_caf")).to_have_value(
            "Jamais arrivé au fichier."
        )
        _wait_saved(again)
        assert _answer(answers, "conclusion", "suggestions_caf") == "Jamais arrivé au fichier."


def test_what_is_typed_during_a_conflict_is_kept_until_the_user_chooses(
    context: Any, answers: Path
) -> None:
    draft = answers.with_name("reponses.yaml.brouillon")
    with running(answers) as server:
        tab = _in_conflict(context, server, answers, "Avant le conflit.")
        edited = answers.read_text(encoding="utf-8")
        _field(tab, "conclusion.bilan").fill("Pendant le conflit.")
        _eventually(lambda: "Pendant le conflit." in draft.read_text(encoding="utf-8"))
        assert answers.read_text(encoding="utf-8") == edited
        tab.get_by_role("button", name="Garder mes réponses").click()
        _wait_saved(tab)
        assert _answer(answers, "conclusion", "bilan").strip() == "Pendant le conflit."
        assert _answer(answers, "conclusion", "suggestions_caf") == "Avant le conflit."
        assert not draft.exists()


def test_a_draft_of_an_earlier_run_outlives_the_first_autosave_until_the_user_decides(
    context: Any, answers: Path
) -> None:
    from playwright.sync_api import expect

    draft = answers.with_name("reponses.yaml.brouillon")
    kept = answers.read_text(encoding="utf-8").replace("Réussir ensemble", "Titre du brouillon")
    draft.write_text(kept, encoding="utf-8")
    with running(answers) as server:
        tab = _open(context, server)
        expect(tab.get_by_role("alert")).to_contain_text("brouillon")
        _type(tab, "conclusion.suggestions_caf", "Tapé sans avoir choisi.")
        _wait_saved(tab)
        assert draft.read_text(encoding="utf-8") == kept
        tab.get_by_role("button", name="Reprendre le brouillon").click()
        _wait_saved(tab)
        _eventually(lambda: not draft.exists())
    saved = load_file(answers).answers
    assert saved is not None and saved.intitule_projet.startswith("Titre du brouillon")


def test_a_conflict_before_deciding_on_an_earlier_draft_does_not_replace_it(
    context: Any, answers: Path
) -> None:
    from playwright.sync_api import expect

    draft = answers.with_name("reponses.yaml.brouillon")
    kept = answers.read_text(encoding="utf-8").replace("Réussir ensemble", "Titre du brouillon")
    draft.write_text(kept, encoding="utf-8")
    with running(answers) as server:
        tab = _in_conflict(context, server, answers, "Tapé sans avoir choisi.")
        expect(tab.get_by_role("alert")).to_contain_text("gardées dans ce navigateur")
        _field(tab, "conclusion.bilan").fill("Tapé pendant le conflit.")
        tab.wait_for_timeout(1500)  # past the autosave's delay
        assert draft.read_text(encoding="utf-8") == kept
        tab.get_by_role("button", name="Garder mes réponses").click()
        _wait_saved(tab)
        assert _answer(answers, "conclusion", "bilan").strip() == "Tapé pendant le conflit."
        assert draft.read_text(encoding="utf-8") == kept  # still waiting for a decision


def test_taking_back_a_file_that_became_unreadable_says_so_and_keeps_the_edits(
    context: Any, answers: Path
) -> None:
    from playwright.sync_api import expect

    draft = answers.with_name("reponses.yaml.brouillon")
    with running(answers) as server:
        tab = _in_conflict(context, server, answers, "Tapé avant.")
        alert = tab.get_by_role("alert")
        answers.write_text('intitule_projet: "guillemet jamais fermé\n', encoding="utf-8")
        tab.get_by_role("button", name="Reprendre le fichier").click()
        expect(alert).to_contain_text("n'a pas pu être repris")
        expect(tab.get_by_role("button", name="Reprendre le fichier")).to_be_visible()
        expect(_field(tab, "conclusion.suggestions_caf")).to_have_value("Tapé avant.")
        _field(tab, "conclusion.bilan").fill("Tapé après.")
        _eventually(lambda: "Tapé après." in draft.read_text(encoding="utf-8"))
        assert "Tapé avant." in draft.read_text(encoding="utf-8")


def test_declining_to_replace_a_produced_bilan_leaves_the_page_on_the_saved_version(
    context: Any, answers: Path
) -> None:
    from playwright.sync_api import expect

    with running(answers) as server:
        tab = context.new_page()
        tab.on("dialog", lambda dialog: dialog.dismiss())  # « Le remplacer ? » Non
        tab.goto(server.url)
        produce = tab.get_by_role("button", name="Produire le bilan")
        produce.click()
        expect(tab.locator("#resultat")).to_contain_text("Télécharger", timeout=120_000)
        _type(tab, "conclusion.suggestions_caf", "Avant la seconde production.")
        produce.click()  # saves the answers, then asks before replacing the bilan
        expect(tab.locator("#resultat")).to_contain_text("Rien n'a été remplacé", timeout=60_000)
        _field(tab, "conclusion.bilan").fill("Après la seconde production.")
        _wait_saved(tab)
        assert _answer(answers, "conclusion", "bilan").strip() == "Après la seconde production."
