"""What the browser form shows holds no YAML key and no command-line option, for every code.

Each finding code the page can show is made for real, by page values as the page sends
them, and its text read from the page's JSON (what the page displays: message and fix).
Every other code of CONTRIBUTING.md's table is listed with why the page never shows it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import re
from pathlib import Path
from typing import Any

import pytest

from clas_bilan import campaigns, files
from clas_bilan.advice import PAGE, advice
from clas_bilan.errors import OutputError, UserError
from clas_bilan.report import Finding
from clas_bilan.values import format_date
from clas_bilan.web import page
from clas_bilan.web.app import report_json
from clas_bilan.web.session import Session

ROOT = Path(__file__).resolve().parents[1]
YAML_KEY = re.compile(r"(?<![\w/.@-])[^\W\d][\w]*:(?=[\s»\"]|$)")
"""« suivie: », « signature: »: a key as written in the answers file (French puts a space)."""
OPTION = re.compile(r"(?:^|[\s(«])--?[^\W\d]")
"""« -o », « --force »: the page's user has no command line."""

_STAFF = "moyens_humains.salaries"
_SESSION = "formations.sessions.0"
_BONUS = "axe_enfants.criteres_bonus"


def _late() -> str:
    return format_date(campaigns.current().deadline + dt.timedelta(days=1))


PAGE_VALUES: dict[str, list[dict[str, str]]] = {
    "mandatory-missing": [{}, {f"{_SESSION}.organisme": "Fédération des centres sociaux"}],
    "question-unanswered": [{}],
    "signature-missing": [{}, {"signature.nom": ""}],
    "training-sessions-mismatch": [
        {"formations.suivie": "oui"},
        {"formations.suivie": "non", f"{_SESSION}.organisme": "Fédération"},
    ],
    "trained-above-headcount": [
        {f"{_STAFF}.nombre": "1", f"{_SESSION}.personnes_formees.salaries": "3"}
    ],
    "total-mismatch": [{"public.inscrits.CP": "4", "public.total": "12"}],
    "total-unchecked": [{"public.inscrits.CP": "trois", "public.total": "12"}],
    "too-many-per-collectif": [{"public.inscrits.CP": "30", "public.nombre_collectifs": "1"}],
    "etp-hours-mismatch": [{f"{_STAFF}.etp": "1", f"{_STAFF}.heures_travaillees": "100"}],
    "etp-above-headcount": [{f"{_STAFF}.nombre": "1", f"{_STAFF}.etp": "2"}],
    "etp-per-person-low": [
        {f"{_STAFF}.nombre": "4", f"{_STAFF}.heures_payees": "150"},
        {"moyens_humains.benevoles.nombre": "11", "moyens_humains.benevoles.heures": "12"},
    ],
    "bonus-collectifs-above-total": [
        {"public.nombre_collectifs": "1", f"{_BONUS}.collectifs_ouverture_culturelle": "3"}
    ],
    "surcout-without-collectif": [{f"{_BONUS}.surcout_materiel_pedagogique": "oui"}],
    "bonus-criteria-unmet": [{f"{_BONUS}.surcout_materiel_pedagogique": "oui"}],
    "invisible-character": [{"intitule_projet": "Réussir\x0bensemble"}],
    "email-invalid": [{"moyens_humains.coordination.email": "clas.b"}],
    "deadline-passed": [{"signature.lieu": "Bourg", "signature.date": "{late}"}],
    "campaign-mismatch": [{"campagne": "1999-2000"}],
    "signature-image-unusable": [{"signature.image": "signature_absente.png"}],
    "wrong-type": [
        {"public.nombre_collectifs": "trois"},
        {"signature.date": "demain"},
        {f"{_STAFF}.etp": "un"},
        {"formations.suivie": "peut-être"},
    ],
    "negative-number": [{"public.nombre_collectifs": "-3"}, {f"{_STAFF}.etp": "-1"}],
    "number-too-big": [{"public.nombre_collectifs": "9" * 30}],
    "not-whole-number": [{"public.nombre_collectifs": "2,5"}],
    "impossible-date": [{"signature.date": "31/02/2026"}],
}
"""Values typed in the page that make each code the page can show."""

NOT_IN_PAGE: dict[str, str] = {
    **dict.fromkeys(
        (
            "tab-indent",
            "missing-space-after-colon",
            "answer-in-comment",
            "tab-in-answer",
            "unclosed-quote",
            "text-without-pipe",
            "key-not-indented",
            "list-dash-missing",
            "yaml-syntax",
            "needs-quotes",
            "block-text-not-indented",
            "colon-missing",
            "key-misaligned",
            "too-many-syntax-errors",
            "too-many-values",
            "too-deep",
            "key-not-text",
            "comment-only-answer",
            "yaml-anchor",
            "yaml-tag",
            "yaml-alias",
            "duplicate-key",
            "thousands-dot",
            "not-utf8",
            "empty-file",
            "not-a-mapping",
            "text-cut-by-comment",
            "section-expected",
            "invalid-value",
            "backslash-escape",
        ),
        "the page writes the answers file itself: a slip of hand-written YAML cannot happen",
    ),
    "unknown-key": "the page sends only the form's keys (any other is refused before a check)",
    **dict.fromkeys(
        ("docx-answer-unread", "duplicate-bilan", "versions-undecided"),
        "made by synthese, read in the Caf's workbook",
    ),
}


def _codes() -> set[str]:
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = contributing.split("| Made in | Codes |")[1].split("\n\n")[0]
    return set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", table))


def _clean(text: str) -> None:
    assert not YAML_KEY.search(text), text
    assert not OPTION.search(text), text


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return Session(tmp_path_factory.mktemp("page") / "reponses.yaml")


def test_every_code_is_either_made_in_the_page_here_or_said_why_not() -> None:
    assert set(PAGE_VALUES) | set(NOT_IN_PAGE) == _codes()
    assert not set(PAGE_VALUES) & set(NOT_IN_PAGE)


@pytest.mark.parametrize("code", sorted(PAGE_VALUES))
def test_what_the_page_shows_of_each_code_has_no_yaml_and_no_option(
    session: Session, code: str
) -> None:
    for typed in PAGE_VALUES[code]:
        values = {key: value.format(late=_late()) for key, value in typed.items()}
        shown: list[dict[str, Any]] = report_json(session.check(values))["constats"]
        mine = [finding for finding in shown if finding["code"] == code]
        assert mine, (code, values)
        for finding in shown:
            _clean(finding["message"])
            _clean(finding["conseil"] or "")


@pytest.mark.parametrize("code", sorted(_codes()))
def test_a_code_s_page_fix_never_falls_back_to_the_answers_file_s(code: str) -> None:
    yaml_hint = "Écrivez « suivie: oui » ou relancez avec -o autre.yaml."
    finding = Finding("erreur", "formations.suivie", 3, "Question", "problème.", code=code)
    fix = advice(dataclasses.replace(finding, hint=yaml_hint), "page")
    if PAGE.get(code) == "{hint}":
        assert fix == yaml_hint  # reused as it is: the code's real hints are checked above
        assert code in PAGE_VALUES
    elif fix is not None:
        _clean(fix)
    assert advice(finding, "fichier") is None


def test_the_page_s_fixes_for_the_issue_s_examples() -> None:
    def page_fix(code: str) -> str | None:
        return advice(
            Finding("erreur", "k", 1, "Q", "m.", "Écrivez « k: oui ».", code=code), "page"
        )

    assert page_fix("mandatory-missing") == "Cochez Oui ou Non."
    assert "« + Ajouter : session de formation »" in (page_fix("training-sessions-mismatch") or "")
    assert "« Signature »" in (page_fix("signature-missing") or "")
    assert page_fix("negative-number") is None  # no fix rather than the file's


def test_a_full_disk_or_an_existing_file_in_the_page_names_no_option(tmp_path: Path) -> None:
    full = files._write_error(tmp_path / "bilan.docx", OSError(errno.ENOSPC, "No space"))
    assert "-o" in (full.hint or "")  # what the command line says
    shown = page.error_json(full)
    assert shown["conseil"] is not None and "Libérez de la place" in shown["conseil"]
    _clean(shown["conseil"])
    (tmp_path / "bilan.docx").write_bytes(b"x")
    with pytest.raises(OutputError) as exists:
        files.check_new(tmp_path / "bilan.docx", force=False)
    shown = page.error_json(exists.value)
    assert shown["erreur"] == exists.value.message
    _clean(shown["conseil"] or "")
    assert page.error_json(UserError("m.", hint="ajoutez --debug."))["conseil"] is None


# What else reaches the page: the errors its calls answer, and its own texts -----------

JS = ROOT / "src" / "clas_bilan" / "web" / "static" / "formulaire.js"
TEMPLATES = ROOT / "src" / "clas_bilan" / "web" / "templates"
COMMAND = re.compile(r"clas-bilan\s+[a-z]")
"""« clas-bilan validate … »: a coordinator who started the form by its icon has no terminal."""


def _clean_of_commands(text: str) -> None:
    _clean(text)
    assert not COMMAND.search(text), text


def _shown(error: UserError) -> str:
    json = page.error_json(error)
    return f"{json['erreur']} {json['conseil'] or ''}"


def test_producing_reads_the_signature_image_beside_the_answers_file_wherever_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The built application starts in its own folder, not the answers file's: the image the
    # page stored beside the answers file must be found there, not said missing « sous
    # « signature: » ».
    from helpers_answers import REFERENCE
    from test_caf_form import png
    from test_formulaire import _page_values

    folder = tmp_path / "Bilan CLAS"
    folder.mkdir()
    (folder / "signature.png").write_bytes(png())
    elsewhere = tmp_path / "programme"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr("clas_bilan.pdf.find_soffice", lambda: None)
    session = Session(folder / "reponses.yaml")
    values = {**_page_values(REFERENCE), "signature.image": "signature.png"}
    report, _ = session.produce(values, None)
    assert not report.errors
    assert session.outputs["docx"].parent == folder


def test_errors_the_page_s_calls_answer_name_no_yaml_key_and_no_command(tmp_path: Path) -> None:
    from clas_bilan import signature_image

    session = Session(tmp_path / "reponses.yaml")
    # The answers file vanished, then was broken by hand while the page was open.
    with pytest.raises(UserError) as gone:
        session.values()
    _clean_of_commands(_shown(gone.value))
    session.path.write_text("formations:\n  suivie oui\n", encoding="utf-8")
    with pytest.raises(UserError) as broken:
        session.values()
    assert "validate" in (broken.value.hint or "")  # what the command line says
    _clean_of_commands(_shown(broken.value))
    assert "rechargez cette page" in _shown(broken.value)
    # « Préparer le courriel » before « Produire le bilan ».
    with pytest.raises(UserError) as early:
        session.email()
    _clean_of_commands(_shown(early.value))
    # The signature's image missing when the bilan is written: the page's own gesture.
    with pytest.raises(UserError) as image:
        signature_image.read("signature.png", tmp_path)
    assert "signature:" in (image.value.hint or "")  # what the answers file's author reads
    _clean_of_commands(_shown(image.value))
    assert "« Choisir une image… »" in _shown(image.value)
    # Any other hint for the command line is left out rather than shown.
    assert (
        page.error_json(UserError("m.", hint="relancez clas-bilan validate x."))["conseil"] is None
    )
    assert page.error_json(UserError("m.", hint="écrivez « suivie: oui »."))["conseil"] is None


def _literals(path: Path) -> list[str]:
    """The French texts of the page's code: its strings, minus comments and code in ``${}``."""
    text = "\n".join(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("//")
    )
    strings = re.findall(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`', text)
    return [re.sub(r"\$\{[^}]*\}", "…", string) for string in strings]


def test_the_page_s_own_texts_name_no_yaml_key_and_no_command() -> None:
    for text in _literals(JS):
        _clean_of_commands(text)
    for template in ("formulaire.html", "acces.html"):
        html = (TEMPLATES / template).read_text(encoding="utf-8")
        words = re.sub(r"\{[{%#].*?[}%#]\}|<[^>]+>", " ", html, flags=re.S)
        _clean_of_commands(" ".join(words.split()))
