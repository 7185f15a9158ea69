"""The Caf's desk: the right version counted, every input accounted for, who is missing,
whom to remind, what to pay, last year against this one.

The inbox is built here: bilans resent with the same signature date (by e-mails of
different dates, as files of different times, and a true tie), a loose PDF and a JPEG, the
Caf's list of funded projects, last year's synthese. What each sheet must hold is computed
in the test from what it wrote; the drafts are read back with the standard library.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import io
import os
import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns
from clas_bilan.cli import app
from clas_bilan.render import render
from helpers_answers import Reponses, answers_yaml, reference

runner = CliRunner()
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
SIGNED = dt.date(2026, 7, 1)
CAF = "clas@caf01.example"
LATE = campaigns.current().deadline + dt.timedelta(days=19)


def _data(name: str, town: str, children: int, **changes: Any) -> dict[str, Any]:
    """Reference answers for another équipement, ``children`` of them in CP."""
    given = {"public__total": None, "signature__date": SIGNED, **changes}
    data: dict[str, Any] = reference(
        equipement__nom=name,
        equipement__commune=town,
        public__inscrits={"CP": children},
        public__nombre_collectifs=4,
        **given,
    ).model_dump(by_alias=True)
    return data


def _mail(path: Path, bilan: Path, sent: dt.datetime, sender: str, subject: str) -> None:
    """An e-mail as a mail client saves it, the bilan attached."""
    message = EmailMessage(policy=policy.default)
    message["From"] = sender
    message["To"] = "clas@caf01.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(sent)
    message.set_content("Bonjour, voici notre bilan.")
    message.add_attachment(
        bilan.read_bytes(), maintype=DOCX[0], subtype=DOCX[1], filename=bilan.name
    )
    path.write_bytes(message.as_bytes())


def _touch(path: Path, when: dt.datetime) -> None:
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def _yaml(path: Path, data: dict[str, Any], modified: dt.datetime) -> None:
    path.write_text(answers_yaml(data), encoding="utf-8")
    _touch(path, modified)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("boite")
    drafts = tmp_path_factory.mktemp("pieces")
    early, late = dt.datetime(2026, 7, 2, 9, 0), dt.datetime(2026, 7, 9, 9, 0)

    # Centre Alpha: sent, then corrected (65 → 68 children) and resent with the same
    # signature date. The first e-mail's file sorts first and was saved last on disk.
    for children, name, sent in ((65, "a_envoi.eml", early), (68, "b_correction.eml", late)):
        bilan = drafts / f"alpha_{children}.docx"
        render(Reponses.model_validate(_data("Centre Alpha", "Oyonnax", children)), bilan)
        _mail(
            folder / name,
            bilan,
            sent.replace(tzinfo=dt.timezone.utc),
            "Coordination Alpha <coord@alpha.example>",
            "Bilan CLAS Centre Alpha",
        )
    _touch(folder / "b_correction.eml", early)
    _touch(folder / "a_envoi.eml", late)

    # Centre Beta: two answers files, same signature date; the one saved later counts.
    _yaml(folder / "beta_ancien.yaml", _data("Centre Beta", "Gex", 20), early)
    _yaml(folder / "beta_nouveau.yaml", _data("Centre Beta", "Gex", 24), late)

    # Centre Gamma: two versions nothing tells apart.
    _yaml(folder / "gamma_1.yaml", _data("Centre Gamma", "Belley", 30), early)
    _yaml(folder / "gamma_2.yaml", _data("Centre Gamma", "Belley", 33), early)

    # Centre Delta: expected, received, unsigned; parents' bonus criteria unmet.
    delta = _data(
        "Centre Delta",
        "Nantua",
        12,
        axe_parents__criteres_bonus__collectifs_accompagnement_parents=0,
    )
    delta["signature"] = {"lieu": None, "date": None, "nom": None, "qualite": None}
    _yaml(folder / "delta.yaml", delta, early)

    # Centre Omega: received, not on the list; signed late, a wrong total, a question left.
    omega = _data(
        "Centre Oméga",
        "Trévoux",
        9,
        public__total=99,
        conclusion__bilan=None,
        signature__date=LATE,
    )
    _yaml(folder / "omega.yaml", omega, early)

    # A loose scan and a photo: the project that sent only those must not disappear.
    (folder / "Centre Zeta - bilan signé.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(64))
    return folder


@pytest.fixture(scope="module")
def attendus(inbox: Path) -> Path:
    """The Caf's list: Alpha, Beta, Gamma, Delta, and Epsilon and Eta (missing), Zeta (a scan)."""
    path = inbox.parent / "projets_finances.csv"
    rows = [
        ("Structure", "Équipement", "Commune", "Mail de la coordination"),
        ("Asso Alpha", "CENTRE ALPHA", "Oyonnax", "alpha@asso.example"),
        ("Asso Beta", "Centre  Béta", "Gex", "beta@asso.example"),
        ("Asso Gamma", "Centre Gamma", "Belley", "gamma@asso.example"),
        ("Asso Delta", "Centre Delta", "Nantua", "delta@asso.example"),
        ("Asso Epsilon", "Centre Epsilon", "Bourg-en-Bresse", "epsilon@asso.example"),
        ("Asso Eta", "Centre Êta", "Miribel", ""),
        ("Asso Zeta", "Centre Zeta", "Ambérieu-en-Bugey", "zeta@asso.example"),
    ]
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8-sig")
    return path


def _sheet(book: Any, name: str) -> list[dict[str, Any]]:
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if any(row)]


def _run(*arguments: str) -> Any:
    result = runner.invoke(app, ["synthese", *arguments])
    assert result.exit_code in {0, 1}, result.output
    return result


@pytest.fixture(scope="module")
def desk(inbox: Path, attendus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("sortie")
    result = _run(
        str(inbox),
        "-o",
        str(out / "synthese.xlsx"),
        "--attendus",
        str(attendus),
        "--relances",
        str(out / "relances"),
        "--de",
        CAF,
        "--montant-enfants",
        "120",
        "--montant-parents",
        "80,5",
    )
    return {"out": out, "result": result, "book": openpyxl.load_workbook(out / "synthese.xlsx")}


# Versions --------------------------------------------------------------------------------


def _bilans(desk: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(str(row["Fichier"])).name: row for row in _sheet(desk["book"], "Bilans")}


def test_a_resend_by_e_mail_counts_the_later_e_mail(desk: dict[str, Any]) -> None:
    rows = [row for row in _sheet(desk["book"], "Bilans") if row["Équipement"] == "Centre Alpha"]
    counted = [row for row in rows if row["Compté dans la synthèse"] == "Oui"]
    assert len(rows) == 2 and len(counted) == 1
    assert "b_correction.eml" in counted[0]["Fichier"] and counted[0]["CP"] == 68
    assert counted[0]["Même équipement"] == "1 sur 2 : compté (date du courriel)"
    assert counted[0]["Reçu par courriel de"] == "Coordination Alpha <coord@alpha.example>"


def test_a_resend_as_files_counts_the_later_file(desk: dict[str, Any]) -> None:
    rows = _bilans(desk)
    assert rows["beta_nouveau.yaml"]["Compté dans la synthèse"] == "Oui"
    assert rows["beta_nouveau.yaml"]["Même équipement"] == "1 sur 2 : compté (date du fichier)"
    assert rows["beta_ancien.yaml"]["Compté dans la synthèse"] == "Non"


def test_a_true_tie_is_flagged_naming_both_files(desk: dict[str, Any]) -> None:
    rows = _bilans(desk)
    assert [rows[name]["Compté dans la synthèse"] for name in ("gamma_1.yaml", "gamma_2.yaml")] == [
        "Oui",
        "Non",
    ]
    assert "versions à départager" in rows["gamma_1.yaml"]["Même équipement"]
    checks = _sheet(desk["book"], "À vérifier")
    tie = [row for row in checks if row["Gravité"] == "À départager"]
    assert {Path(row["Fichier"]).name for row in tie} == {"gamma_1.yaml", "gamma_2.yaml"}
    for row in tie:
        assert (
            "gamma_1.yaml" in row["Ce qui ne va pas"] and "gamma_2.yaml" in row["Ce qui ne va pas"]
        )
        assert "les chiffres comptés sont ceux de" in row["Ce qui ne va pas"]
        assert "boite" not in row["Ce qui ne va pas"]  # the files' names, not their folder
    summary = {row[0]: row for row in desk["book"]["Synthèse"].iter_rows(values_only=True) if row}
    line = summary["Versions indiscernables (à départager, voir « À vérifier »)"]
    assert line[1] == 1 and "Centre Gamma" in line[2] and "gamma_1.yaml" in line[2]


def test_the_csv_says_which_rows_count(inbox: Path, tmp_path: Path) -> None:
    target = tmp_path / "synthese.csv"
    _run(str(inbox), "-o", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert next(iter(rows[0])) == "compte"
    counted = [row for row in rows if row["compte"] == "oui"]
    assert len(rows) == 8 and len(counted) == 5
    assert sum(int(row["total_inscrits"]) for row in counted) == 68 + 24 + 30 + 12 + 9
    assert "public.inscrits.1ère" in rows[0]


# Every input -----------------------------------------------------------------------------


def test_a_loose_pdf_and_a_jpeg_are_named_as_not_read(desk: dict[str, Any]) -> None:
    checks = _sheet(desk["book"], "À vérifier")
    unread = {Path(row["Fichier"]).name: row for row in checks if row["Gravité"] == "Illisible"}
    assert set(unread) == {"Centre Zeta - bilan signé.pdf", "photo.jpg"}
    assert "PDF" in unread["Centre Zeta - bilan signé.pdf"]["Ce qui ne va pas"]
    assert unread["Centre Zeta - bilan signé.pdf"]["Équipement"] == "Centre Zeta"  # the list's
    assert unread["photo.jpg"]["Équipement"] is None  # nothing tells whose it is
    assert "Image" in unread["photo.jpg"]["Ce qui ne va pas"]
    for row in unread.values():
        assert "format Word (.docx)" in row["Que faire (quoi demander au projet)"]
    assert desk["result"].exit_code == 1
    assert "photo.jpg" in desk["result"].output


def test_a_verifier_names_the_e_mail_of_each_anomaly(desk: dict[str, Any]) -> None:
    checks = _sheet(desk["book"], "À vérifier")
    alpha = [row for row in checks if row["Équipement"] == "Centre Alpha"]
    sent = dt.datetime(2026, 7, 9, 9, 0, tzinfo=dt.timezone.utc).astimezone()
    assert alpha and all(
        row["Courriel"] == "De : Coordination Alpha <coord@alpha.example>\n"
        "Objet : Bilan CLAS Centre Alpha\n"
        f"Reçu le {sent:%d/%m/%Y à %H} h {sent:%M}"
        for row in alpha
    )
    assert all(row["Fichier"] == "b_correction.eml › alpha_68.docx" for row in alpha)  # no folder
    versions = [
        row
        for row in alpha
        if row["Question du formulaire (où la trouver)"].startswith("« Même équipement »")
    ]
    assert versions and versions[0]["Ce qui ne va pas"].endswith(
        "autre(s) : « a_envoi.eml › alpha_65.docx »."
    )
    assert all(row["Compté"] == "Oui" for row in alpha)  # the older e-mail's findings left out


def test_a_verifier_shows_the_signature_question_without_its_dotted_lines(
    desk: dict[str, Any],
) -> None:
    checks = _sheet(desk["book"], "À vérifier")
    late = [row for row in checks if "après la date limite" in row["Ce qui ne va pas"]]
    assert late and late[0]["Question du formulaire (où la trouver)"].startswith(
        "« Fait à …, le … »"
    )
    assert not any("……" in str(row["Question du formulaire (où la trouver)"]) for row in checks)


def test_unsigned_bilans_are_named_in_the_summary(desk: dict[str, Any]) -> None:
    summary = {row[0]: row for row in desk["book"]["Synthèse"].iter_rows(values_only=True) if row}
    line = summary["Bilans non signés (pas de date de signature)"]
    assert line[1] == 1 and line[2] == "Centre Delta (Nantua)"


# Expected list -----------------------------------------------------------------------------


def test_manquants_lists_the_missing_the_unreadable_and_the_unexpected(
    desk: dict[str, Any],
) -> None:
    rows = _sheet(desk["book"], "Manquants")
    by = {(row["Situation"], row["Équipement"]) for row in rows}
    assert by == {
        ("Non reçu", "Centre Epsilon"),
        ("Non reçu", "Centre Êta"),
        ("Reçu illisible", "Centre Zeta"),
        ("Reçu, non attendu", "Centre Oméga"),
    }
    zeta = next(row for row in rows if row["Équipement"] == "Centre Zeta")
    assert "Centre Zeta - bilan signé.pdf" in zeta["Fichier reçu"]


def test_last_years_workbook_is_an_expected_list(
    desk: dict[str, Any], inbox: Path, tmp_path: Path
) -> None:
    target = tmp_path / "cette_annee.xlsx"
    _run(str(inbox), "-o", str(target), "--attendus", str(desk["out"] / "synthese.xlsx"))
    rows = _sheet(openpyxl.load_workbook(target), "Manquants")
    assert rows == []  # the same inbox: every project counted last year is here


# Reminders -------------------------------------------------------------------------------


def _drafts(desk: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for path in sorted((desk["out"] / "relances").glob("*.eml")):
        with path.open("rb") as stream:
            found[path.name] = email.message_from_binary_file(stream, policy=policy.default)
    return found


def test_reminders_are_drafts_to_each_project_saying_what_is_missing(
    desk: dict[str, Any],
) -> None:
    drafts = _drafts(desk)
    to = {str(message["To"] or ""): message for message in drafts.values()}
    assert set(to) == {
        "epsilon@asso.example",
        "",  # Êta: no address on the list; the agent fills it in
        "zeta@asso.example",
        "delta@asso.example",
        reference().moyens_humains.coordination.email,  # Oméga, not on the list: its bilan's
    }
    omega = to[str(reference().moyens_humains.coordination.email)].get_content()
    assert f"signé le {LATE:%d/%m/%Y}, après la date limite" in omega
    assert "« TOTAL » : le total donné (99)" in omega
    assert "Questions sans réponse : « Globalement" in omega
    by = _long_date(dt.date.today() + dt.timedelta(days=15))  # --avant's default
    for message in drafts.values():
        assert message["From"] == CAF and message["X-Unsent"] == "1"
        assert list(message.iter_attachments()) == []
        assert f"avant le {by}" in message.get_content() and by in message["Subject"]
        assert "Ce qu'il manque" not in message.get_content()
    assert "pas reçu votre bilan" in to["epsilon@asso.example"].get_content()
    assert "Nous avons bien reçu" in to["delta@asso.example"].get_content()
    assert f"relances » : {len(drafts)} (ouvrez-les dans votre messagerie" in " ".join(
        desk["result"].output.split()
    )
    zeta = to["zeta@asso.example"].get_content()
    assert "Nous avons bien reçu « Centre Zeta - bilan signé.pdf », mais un scan" in zeta
    assert "comptés" not in zeta  # the Caf's own bookkeeping is not the project's business
    assert "pas daté et signé" in to["delta@asso.example"].get_content()
    sheet = _sheet(desk["book"], "Relances")
    assert sorted(row["Brouillon (.eml)"] for row in sheet) == sorted(drafts)
    delta = next(row for row in sheet if row["Équipement"] == "Centre Delta")
    assert (
        delta["Destinataire"] == "delta@asso.example"
        and delta["Motifs de la relance"] == "• Le bilan n'est pas daté et signé."
    )


_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"


def _long_date(day: dt.date) -> str:
    """« 1er septembre 2026 », « 15 septembre 2026 »."""
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS.split()[day.month - 1]} {day.year}"


def test_a_reminder_for_an_e_mail_without_bilan_names_the_e_mail(tmp_path: Path) -> None:
    later = dt.date.today() + dt.timedelta(days=30)
    inbox = tmp_path / "boite"
    inbox.mkdir()
    message = EmailMessage(policy=policy.default)
    message["From"] = "Centre Iota <iota@asso.example>"
    message["Subject"] = "Re: bilan CLAS"
    message["Date"] = format_datetime(dt.datetime(2026, 7, 30, 18, 2, tzinfo=dt.timezone.utc))
    message.set_content("Bonjour, je vous envoie le bilan la semaine prochaine.")
    (inbox / "courriel_iota.eml").write_bytes(message.as_bytes())
    attendus = tmp_path / "attendus.csv"
    attendus.write_text("Équipement;Mail de la coordination\nCentre Iota;iota@asso.example\n")
    _run(
        str(inbox),
        "-o",
        str(tmp_path / "s.xlsx"),
        "--attendus",
        str(attendus),
        "--relances",
        str(tmp_path / "relances"),
        "--de",
        CAF,
        "--avant",
        f"{later:%d/%m/%Y}",
    )
    (draft,) = (tmp_path / "relances").glob("*.eml")
    with draft.open("rb") as stream:
        text = email.message_from_binary_file(stream, policy=policy.default).get_content()
    assert "Votre courriel du 30/07/2026 (« Re: bilan CLAS ») ne contenait pas de bilan" in text
    assert ".eml" not in text  # the Caf's own file name means nothing to the project
    assert (
        f"Merci de nous envoyer votre bilan, complété, daté et signé, avant le {_long_date(later)}"
        in text
    )


def test_reminders_need_the_cafs_address(inbox: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["synthese", str(inbox), "-o", str(tmp_path / "s.xlsx"), "--relances", str(tmp_path)],
    )
    assert result.exit_code == 2 and "--de" in result.output
    assert list(tmp_path.iterdir()) == []


# Bonuses, free answers, last year -----------------------------------------------------------


def test_bonifications_gives_each_projects_amount_and_the_total(desk: dict[str, Any]) -> None:
    rows = [row for row in _sheet(desk["book"], "Bonifications") if row["Fichier"]]
    counted = ["Centre Alpha", "Centre Beta", "Centre Delta", "Centre Gamma", "Centre Oméga"]
    assert sorted(row["Équipement"] for row in rows) == counted
    enfants_collectifs = reference().axe_enfants.criteres_bonus.collectifs_ouverture_culturelle
    parents_collectifs = reference().axe_parents.criteres_bonus.collectifs_accompagnement_parents
    assert enfants_collectifs and parents_collectifs
    expected_total = 0.0
    for row in rows:
        enfants = 120 * enfants_collectifs
        parents = 0 if row["Équipement"] == "Centre Delta" else 80.5 * parents_collectifs
        assert row["Montant bonus enfants (€)"] == pytest.approx(enfants)
        assert row["Montant bonus parents (€)"] == pytest.approx(parents)
        assert row["Montant total (€)"] == pytest.approx(enfants + parents)
        expected_total += enfants + parents
    delta = next(row for row in rows if row["Équipement"] == "Centre Delta")
    assert delta["Bonus parents : critères remplis"] == "Non"
    assert "aucun collectif" in delta["Bonus parents : pourquoi"]
    assert any(
        "Théâtre" in str(value) for value in delta.values()
    )  # the year's project, for the decision
    total = [
        row
        for row in desk["book"]["Bonifications"].iter_rows(values_only=True)
        if "Total du département" in row
    ]
    assert expected_total in [
        pytest.approx(value) for value in total[0] if isinstance(value, (int, float))
    ]
    summary = {
        row[0]: row[1] for row in desk["book"]["Synthèse"].iter_rows(values_only=True) if row
    }
    assert summary["Montant total des bonus (€)"] == pytest.approx(expected_total)


def test_bonifications_prints_the_decision_on_its_first_page(desk: dict[str, Any]) -> None:
    sheet = desk["book"]["Bonifications"]
    titles = [cell.value for cell in sheet[1]]
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
    last = titles.index("Montant total (€)")
    assert sum(widths[: last + 1]) <= 130 / 0.6  # one A4 landscape page at 60 % at least
    for title in ("Bonus enfants : critères remplis", "Bonus parents : pourquoi"):
        assert titles.index(title) < last


def test_reponses_libres_has_a_column_a_question(desk: dict[str, Any]) -> None:
    rows = _sheet(desk["book"], "Réponses libres")
    assert len(rows) == 5  # the counted bilans
    titles = list(rows[0])
    expected = reference()
    wanted = [expected.axe_parents.avis_parents, expected.formations.besoins_non_couverts]
    for text in wanted:
        assert text
        column = next(title for title in titles if all(row[title] == text for row in rows))
        assert column not in {"Équipement", "Fichier"}


def test_evolution_compares_with_last_years_workbook(inbox: Path, tmp_path: Path) -> None:
    last_year = tmp_path / "an_dernier"
    last_year.mkdir()
    _yaml(last_year / "alpha.yaml", _data("Centre Alpha", "Oyonnax", 50), dt.datetime(2025, 7, 1))
    _yaml(last_year / "kappa.yaml", _data("Centre Kappa", "Hauteville", 7), dt.datetime(2025, 7, 1))
    previous = tmp_path / "synthese_2025.xlsx"
    _run(str(last_year), "-o", str(previous))
    target = tmp_path / "synthese.xlsx"
    _run(str(inbox), "-o", str(target), "--precedente", str(previous))
    book = openpyxl.load_workbook(target)
    assert book["Évolution"].page_setup.fitToWidth == 1  # one page wide, readable
    assert book["Évolution"]["A2"].alignment.wrap_text  # long names wrap in narrow columns
    rows = {row["Équipement"]: row for row in _sheet(book, "Évolution")}
    alpha = rows["Centre Alpha"]
    before = next(title for title in alpha if title.startswith("Enfants inscrits (an dernier"))
    now = next(
        title for title in alpha if title.startswith("Enfants inscrits (") and title != before
    )
    assert (alpha[before], alpha[now], alpha["Enfants inscrits : écart"]) == (50, 68, 18)
    assert rows["Centre Kappa"]["Situation"] == "pas de bilan cette année"
    assert rows["Centre Beta"]["Situation"] == "nouveau cette année"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--attendus", "absente.csv"], "introuvable"),
        (["--attendus", "{inbox}/omega.yaml"], ".csv ou un classeur .xlsx"),
        (["--relances", "relances", "--de", "pas une adresse"], "n'en est pas une"),
        (["--relances", "relances", "--de", CAF, "--avant", "31/02/2026"], "pas une date"),
        (["--relances", "relances", "--de", CAF, "--avant", "01/01/2020"], "déjà passée"),
        (["--montant-collectif", "beaucoup"], "pas un montant en euros"),
        (["--montant-parents", "-5"], "pas un montant en euros"),
        (["--precedente", "{inbox}/photo.jpg"], ".csv ou un classeur .xlsx"),
        (["-o", "s.csv", "--montant-collectif", "100"], "que le fichier CSV n'a pas"),
    ],
)
def test_a_wrong_option_is_refused_before_anything_is_read(
    inbox: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [argument.format(inbox=inbox) for argument in arguments]
    output = [] if "-o" in args else ["-o", "s.xlsx"]
    result = runner.invoke(app, ["synthese", str(inbox), *output, *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_a_list_without_equipement_column_says_which_columns(inbox: Path, tmp_path: Path) -> None:
    listed = tmp_path / "liste.csv"
    listed.write_text("Nom;Ville\nCentre Alpha;Oyonnax\n", encoding="utf-8")
    result = runner.invoke(
        app, ["synthese", str(inbox), "-o", str(tmp_path / "s.xlsx"), "--attendus", str(listed)]
    )
    assert result.exit_code == 2 and "colonne « Équipement »" in result.output


def test_drafts_are_never_overwritten_without_force(
    desk: dict[str, Any], inbox: Path, attendus: Path, tmp_path: Path
) -> None:
    folder = desk["out"] / "relances"
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    arguments = ["--attendus", str(attendus), "--relances", str(folder), "--de", CAF]
    result = runner.invoke(
        app, ["synthese", str(inbox), "-o", str(tmp_path / "s.xlsx"), *arguments]
    )
    assert result.exit_code == 2 and "existe déjà" in result.output
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_every_finding_code_has_advice_for_the_cafs_agent() -> None:
    from clas_bilan import advice

    table = (Path(__file__).parents[1] / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = table.split("| Made in | Codes |", 1)[1].split("\n\n", 1)[0]
    codes = {code for line in section.splitlines()[2:] for code in line.split("`")[3::2]}
    assert len(codes) > 40
    assert codes <= set(advice.CAF), codes - set(advice.CAF)
    for text in advice.CAF.values():  # never a YAML key or syntax
        assert "YAML" not in text and not re.search(r"\b[a-z_]+\.[a-z_]+\b|\w+: ", text), text
        assert not re.search(r" : [A-ZÉ]", text), text  # no capital after a colon, in French
    undecided = advice.CAF["versions-undecided"]
    assert "« Compté dans la synthèse »" in undecided  # the column's title in Bilans


def test_an_xlsx_list_with_its_own_headers_matches_by_commune_too(
    inbox: Path, tmp_path: Path
) -> None:
    listed = tmp_path / "projets.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ville", "Nom de l'équipement", "Porteur", "Courriel de la coordination"])
    sheet.append(["Gex", "Centre Alpha", "Autre association", "autre@asso.example"])
    sheet.append(["Oyonnax", "centre alpha", "Asso Alpha", "alpha@asso.example"])
    for name, town in (("Centre Beta", "Gex"), ("Centre Gamma", "Belley")):
        sheet.append([town, name, None, None])
    sheet.append([None, None, None, None])  # an empty line: skipped
    sheet.append(["Nantua", "Centre Delta", None, None])
    book.save(listed)
    target = tmp_path / "s.xlsx"
    _run(str(inbox), "-o", str(target), "--attendus", str(listed))
    rows = _sheet(openpyxl.load_workbook(target), "Manquants")
    assert {(row["Situation"], row["Équipement"], row["Commune"]) for row in rows} == {
        ("Non reçu", "Centre Alpha", "Gex"),  # Oyonnax's was received
        ("Reçu, non attendu", "Centre Oméga", "Trévoux"),
    }
    assert rows[0]["Mail de la coordination"] == "autre@asso.example"
