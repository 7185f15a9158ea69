"""The browser form speaks to its user when it is time, in a real Chromium (Playwright).

Unanswered questions wait until their field is left (or the whole form is checked), an
e-mail's format until its field is left; « Produire le bilan » answers where the user
looks; a removed row can be put back; move buttons that would do nothing are disabled;
the signature's image is chosen in the page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import test_formulaire_browser as in_chromium
from clas_bilan.checks import validate_file
from helpers_answers import REFERENCE
from helpers_formulaire import running
from test_caf_form import png

_field = in_chromium._field

EMAIL = "moyens_humains.coordination.email"


def _findings(page: Any, key: str) -> Any:
    return page.locator(f'[id="k-{key}"] .constat')


def _status(page: Any) -> Any:
    return page.locator("#etat-verification")


def _saved(answers: Path) -> dict[str, Any]:
    data = yaml.safe_load(answers.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_unanswered_questions_wait_until_their_field_is_left_or_the_whole_check(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with running(tmp_path / "reponses.yaml") as server:
        page.goto(server.url)
        # The counts are in the summary, as things still to fill in, not as mistakes.
        expect(_status(page)).to_contain_text(
            re.compile(r"Reste à remplir : \d+ réponse\(s\) Oui/Non obligatoire\(s\) et \d+ ")
        )
        expect(_status(page)).not_to_contain_text("erreur(s)")
        expect(page.locator("#formulaire .constat")).to_have_count(0)
        # Leaving a field unanswered: its question, and only it, says so.
        _field(page, "gestionnaire.nom").focus()
        expect(_findings(page, "gestionnaire.nom")).to_have_count(0)
        page.keyboard.press("Tab")
        expect(_findings(page, "gestionnaire.nom")).to_contain_text("question sans réponse.")
        expect(page.locator("#formulaire .constat")).to_have_count(1)
        # Asking for the whole check shows everything, and goes to the first error.
        page.get_by_role("button", name="Vérifier tout le formulaire").click()
        mandatory = _findings(page, "formations.suivie")
        expect(mandatory).to_contain_text(
            "réponse Oui/Non obligatoire manquante. Cochez Oui ou Non."
        )
        assert page.locator("#formulaire .constat").count() > 20
        focused = page.evaluate("document.activeElement.closest('.en-erreur') !== null")
        assert focused


def test_producing_an_unfinished_bilan_shows_every_question_left(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with running(tmp_path / "reponses.yaml") as server:
        page.goto(server.url)
        expect(_status(page)).to_contain_text("Reste à remplir")
        expect(page.locator("#formulaire .constat")).to_have_count(0)
        page.get_by_role("button", name="Produire le bilan").click()
        result = page.locator("#resultat")
        expect(result).to_contain_text(
            re.compile(r"n'a pas été produit : \d+ réponse\(s\) Oui/Non obligatoire\(s\) à donner")
        )
        expect(result).to_be_focused()
        expect(_findings(page, "formations.suivie")).to_contain_text("Cochez Oui ou Non.")
        expect(_findings(page, "gestionnaire.nom")).to_contain_text("question sans réponse.")
        expect(page.get_by_role("button", name="Vérifier tout le formulaire")).to_be_hidden()


def test_an_e_mail_is_checked_when_its_field_is_left_not_while_it_is_typed(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with running(tmp_path / "reponses.yaml") as server:
        page.goto(server.url)
        _field(page, EMAIL).click()
        _field(page, EMAIL).press_sequentially("clas.b")
        # The check has run (the answer is counted) but the address is not judged yet.
        expect(page.locator('[data-resume="renseignees"]')).to_contain_text(re.compile("^1 /"))
        expect(_findings(page, EMAIL)).to_have_count(0)
        expect(_status(page)).not_to_contain_text("erreur(s)")
        page.keyboard.press("Tab")
        expect(_findings(page, EMAIL)).to_contain_text(
            "« clas.b » n’est pas une adresse e-mail valide."
        )
        expect(_status(page)).to_contain_text("1 erreur(s) à corriger")
        # Typing again: quiet until left; fixed, it is gone.
        _field(page, EMAIL).click()
        _field(page, EMAIL).press("End")
        _field(page, EMAIL).press_sequentially("@exemple.fr")
        expect(_findings(page, EMAIL)).to_have_count(0)
        page.keyboard.press("Tab")
        expect(_status(page)).not_to_contain_text("erreur(s) à corriger")
        page.wait_for_timeout(300)
        expect(_findings(page, EMAIL)).to_have_count(0)


def test_produire_le_bilan_answers_in_view_with_the_focus_and_busy_buttons(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    answers = tmp_path / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    with running(answers) as server:
        page.goto(server.url)
        expect(_status(page)).to_contain_text("le bilan est prêt")
        produce = page.get_by_role("button", name="Produire le bilan")
        produce.click()
        result = page.locator("#resultat")
        # At once: the progress where the user looks, the buttons busy.
        expect(result).to_contain_text("Production du bilan en cours")
        expect(result).to_be_focused()
        expect(result).to_be_in_viewport()
        expect(produce).to_be_disabled()
        expect(produce).to_have_attribute("aria-busy", "")
        expect(page.get_by_role("button", name="Enregistrer maintenant")).to_be_disabled()
        # Then the result, still in view and focused; the buttons back.
        link = page.get_by_role("link", name=re.compile(r"Télécharger .*\.docx"))
        expect(link).to_be_visible(timeout=120_000)
        expect(link).to_be_in_viewport()
        expect(result).to_be_focused()
        expect(result).to_have_attribute("aria-live", "polite")
        expect(produce).to_be_enabled()
        expect(produce).not_to_have_attribute("aria-busy", "")
        expect(page.get_by_role("button", name="Préparer le courriel")).to_be_enabled()


def test_a_removed_row_can_be_put_back_and_moves_that_do_nothing_are_disabled(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    answers = tmp_path / "reponses.yaml"
    with running(answers) as server:
        page.goto(server.url)
        add = page.get_by_role("button", name="+ Ajouter : territoire")
        for name in ("Centre-ville", "Les Vennes", "Croix-Blanche"):
            add.click()
            page.keyboard.type(name)
        first, middle, last = (f"Territoire {number}" for number in (1, 2, 3))
        expect(page.get_by_role("button", name=f"Monter : {first}")).to_be_disabled()
        expect(page.get_by_role("button", name=f"Descendre : {first}")).to_be_enabled()
        expect(page.get_by_role("button", name=f"Monter : {middle}")).to_be_enabled()
        expect(page.get_by_role("button", name=f"Descendre : {middle}")).to_be_enabled()
        expect(page.get_by_role("button", name=f"Descendre : {last}")).to_be_disabled()
        # Moving the second row up: it is now first, and the focus stays on a live button.
        page.get_by_role("button", name=f"Monter : {middle}").click()
        expect(_field(page, "territoires.0.territoire")).to_have_value("Les Vennes")
        expect(page.get_by_role("button", name=f"Descendre : {first}")).to_be_focused()
        # Removed by mistake, put back where it was with what it held.
        page.get_by_role("button", name=f"Supprimer : {middle}").click()
        expect(_field(page, "territoires.2.territoire")).to_have_count(0)
        undo = page.get_by_role("button", name="Rétablir")
        expect(page.locator("#annulation")).to_contain_text("Territoire 2 supprimé(e).")
        undo.click()
        expect(_field(page, "territoires.1.territoire")).to_have_value("Centre-ville")
        expect(_field(page, "territoires.2.territoire")).to_have_value("Croix-Blanche")
        expect(undo).to_be_hidden()
        in_chromium._wait_saved(page)
    names = [item["territoire"] for item in _saved(answers)["territoires"]]
    assert names == ["Les Vennes", "Centre-ville", "Croix-Blanche"]


def test_a_school_s_address_has_the_room_of_an_address(page: Any, tmp_path: Path) -> None:
    with running(tmp_path / "reponses.yaml") as server:
        page.goto(server.url)
        page.get_by_role("button", name="+ Ajouter : territoire").click()
        page.get_by_role("button", name="+ Ajouter : établissement scolaire").click()
        school = "territoires.0.etablissements.0"
        address = _field(page, f"{school}.adresse").bounding_box()
        name = _field(page, f"{school}.nom").bounding_box()
        assert address["width"] > 2 * name["width"]
        assert address["width"] > 600


def test_the_signature_s_image_is_chosen_in_the_page_and_checked_like_validate(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    answers = tmp_path / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 not an image")
    image = tmp_path / "ma signature.png"
    image.write_bytes(png())
    with running(answers) as server:
        page.goto(server.url)
        chooser = page.get_by_label("Signature scannée et tampon (facultatif)")
        # A PDF is refused, said in French, without any YAML key.
        chooser.set_input_files(scan)
        refused = page.locator('[id="k-signature.image"]')
        expect(refused).to_contain_text("« scan.pdf » donné pour la signature n'est pas une image")
        expect(refused).to_contain_text("Scannez la signature en PNG ou JPEG")
        assert "signature:" not in refused.inner_text()
        assert "image:" not in refused.inner_text()
        # A PNG is kept beside the answers file and named in them.
        with page.expect_file_chooser() as opened:
            page.get_by_role("button", name="Choisir une image…").click()
        opened.value.set_files(image)
        expect(page.locator("#image-choisie")).to_contain_text("Image choisie : signature.png")
        expect(page.locator("#image-apercu")).to_be_visible()
        in_chromium._wait_saved(page)
        assert (tmp_path / "signature.png").read_bytes() == image.read_bytes()
        assert _saved(answers)["signature"]["image"] == "signature.png"
        report = validate_file(answers)
        assert not report.errors, [finding.text() for finding in report.errors]
        # Taken away again.
        page.get_by_role("button", name="Retirer l’image").click()
        expect(page.locator("#image-choisie")).to_be_hidden()
        in_chromium._wait_saved(page)
    assert not _saved(answers)["signature"].get("image")


def test_an_image_chosen_in_the_page_never_replaces_another_file_and_is_checked_like_validate(
    tmp_path: Path,
) -> None:
    from clas_bilan import signature_image
    from clas_bilan.errors import AnswersError

    other = tmp_path / "signature.png"
    other.write_bytes(png(40, 20))
    chosen = png(80, 40)
    assert signature_image.store(chosen, tmp_path, "scan.png") == tmp_path / "signature-2.png"
    assert other.read_bytes() == png(40, 20)
    assert signature_image.store(chosen, tmp_path, "scan.png") == tmp_path / "signature-2.png"
    # Cut short in the page, or named in the answers file: the same words, the same fix.
    (tmp_path / "coupee.png").write_bytes(chosen[:-20])
    with pytest.raises(AnswersError) as in_page:
        signature_image.store(chosen[:-20], tmp_path, "coupee.png")
    with pytest.raises(AnswersError) as in_file:
        signature_image.read("coupee.png", tmp_path)
    words = "« coupee.png » est incomplète ou abîmée (PNG tronqué)."
    assert words in in_page.value.message
    assert words in re.sub(r" \(cherché dans « .* »\)", "", in_file.value.message)
    assert in_page.value.hint == in_file.value.hint
    with pytest.raises(AnswersError) as too_big:
        signature_image.check_size(signature_image.MAX_BYTES + 1, "photo.png")
    assert "« photo.png » est trop grosse" in too_big.value.message
