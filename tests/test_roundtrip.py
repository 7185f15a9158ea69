"""extract(render(x)) gives back x, for answers drawn by hypothesis.

``x`` is the validated, normalised model (the models turn "" into None and strip
line ends). What ``extract`` reads back is ``render.readable(x)``: the TOTAL cell's
value (the given total, else the sum of the counts), list items holding nothing
left out, answers written on a label's line (the project title) stripped.
Names of the coordinator hold no "," nor "@" (the line « Nom, Prénom, e-mail »
is split on them) and the signature place holds no "…" (the dots of the blank form).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from clas_bilan.extract import extract
from clas_bilan.render import readable, render
from helpers_answers import Reponses
from helpers_docx import french

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp"),
    blacklist_characters="…\u2002\ufffe\uffff",
)
_SPECIAL = st.sampled_from(
    [
        "<",
        ">",
        "&",
        '"',
        "'",
        "é",
        "è",
        "à",
        "ç",
        "Œ",
        "€",
        "😀",
        "👩‍👧",
        "\u00a0",
        "\t",
        " ",
        # French typography: render adds no-break spaces there, extract takes them off again
        "«",
        "»",
        ":",
        ";",
        "!",
        "?",
        "\u202f",
        " : ",
        " « ",
        " » ",
    ]
)
_TEXT = st.lists(st.one_of(_CHARS, _SPECIAL, st.just("\n")), max_size=40).map("".join)
_LINE = st.lists(st.one_of(_CHARS, _SPECIAL), max_size=25).map("".join)
_NAME = st.lists(st.one_of(_CHARS, _SPECIAL).filter(lambda c: c not in ",@"), max_size=20).map(
    "".join
)
_EMAIL = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,5})?@[a-z]{2,8}\.fr", fullmatch=True)
_COUNT = st.none() | st.integers(0, 5000)
_YES_NO = st.none() | st.booleans()
_HOURS = st.none() | st.integers(0, 5000) | st.floats(0, 5000, allow_nan=False)
_MULTI = st.lists(_LINE, min_size=0, max_size=4).map("\n\n".join) | _TEXT


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _answers() -> st.SearchStrategy[dict[str, Any]]:
    session = st.fixed_dictionaries(
        {
            "organisme": _opt(_LINE),
            "intitule": _opt(_TEXT),
            "dates": _opt(_LINE),
            "personnes_formees": st.fixed_dictionaries(
                {"salaries": _COUNT, "volontaires": _COUNT, "benevoles": _COUNT}
            ),
        }
    )
    school = st.fixed_dictionaries(
        {"nom": _opt(_LINE), "adresse": _opt(_LINE), "email": _opt(_EMAIL)}
    )
    territoire = st.fixed_dictionaries(
        {"territoire": _opt(_TEXT), "etablissements": st.lists(school, max_size=3)}
    )
    levels = ["CP", "CE1", "CE2", "CM1", "CM2", "6e", "5e", "4e", "3e", "2de", "1ere", "T"]
    return st.fixed_dictionaries(
        {
            "gestionnaire": st.fixed_dictionaries({"nom": _opt(_LINE), "adresse": _opt(_MULTI)}),
            "equipement": st.fixed_dictionaries({"nom": _opt(_LINE), "commune": _opt(_LINE)}),
            "intitule_projet": _opt(_TEXT),
            "moyens_humains": st.fixed_dictionaries(
                {
                    "salaries": st.fixed_dictionaries(
                        {
                            "nombre": _COUNT,
                            "heures_travaillees": _HOURS,
                            "heures_payees": _HOURS,
                            "etp": _HOURS,
                        }
                    ),
                    "benevoles": st.fixed_dictionaries(
                        {"nombre": _COUNT, "heures": _HOURS, "etp": _HOURS}
                    ),
                    "coordination": st.fixed_dictionaries(
                        {"nom": _opt(_NAME), "prenom": _opt(_NAME), "email": _opt(_EMAIL)}
                    ),
                    "ecarts_intervenants": _opt(_MULTI),
                }
            ),
            "formations": st.fixed_dictionaries(
                {
                    "suivie": _YES_NO,
                    "sessions": st.lists(session, max_size=6),
                    "appreciation": _opt(_MULTI),
                    "besoins_non_couverts": _opt(_TEXT),
                }
            ),
            "public": st.fixed_dictionaries(
                {
                    "inscrits": st.fixed_dictionaries({level: _COUNT for level in levels}),
                    "nombre_collectifs": _COUNT,
                }
            ),
            "territoires": st.lists(territoire, max_size=10),
            "axe_enfants": st.fixed_dictionaries(
                {
                    "criteres_bonus": st.fixed_dictionaries(
                        {
                            "collectifs_ouverture_culturelle": _COUNT,
                            "surcout_materiel_pedagogique": _YES_NO,
                            "surcout_intervenants_exterieurs": _YES_NO,
                            "surcout_sorties_culturelles": _YES_NO,
                        }
                    ),
                    "actions": _opt(_MULTI),
                    "projet_annee": _opt(_TEXT),
                    "ecarts": _opt(_TEXT),
                    "retours_enfants": _opt(_MULTI),
                    "projet_suivant": _opt(_TEXT),
                }
            ),
            "axe_parents": st.fixed_dictionaries(
                {
                    "criteres_bonus": st.fixed_dictionaries(
                        {
                            "collectifs_accompagnement_parents": _COUNT,
                            "surcout_intervenants_exterieurs": _YES_NO,
                            "surcout_sorties_parents_enfants": _YES_NO,
                        }
                    ),
                    "actions": _opt(_TEXT),
                    "ecarts": _opt(_TEXT),
                    "avis_parents": _opt(_MULTI),
                    "projet_suivant": _opt(_TEXT),
                }
            ),
            "axe_etablissements": st.fixed_dictionaries(
                {"actions": _opt(_TEXT), "ecarts": _opt(_TEXT), "retours": _opt(_MULTI)}
            ),
            "conclusion": st.fixed_dictionaries(
                {"bilan": _opt(_MULTI), "suggestions_caf": _opt(_TEXT)}
            ),
            "signature": st.fixed_dictionaries(
                {
                    "lieu": _opt(_LINE),
                    "date": _opt(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))),
                    "nom": _opt(_LINE),
                    "qualite": _opt(_LINE),
                }
            ),
        }
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=_answers())
def test_extract_gives_back_what_render_wrote(tmp_path: Path, data: dict[str, Any]) -> None:
    answers = Reponses.model_validate(data)
    output = tmp_path / "bilan.docx"
    render(answers, output, force=True)
    assert extract(output).answers == readable(answers)
    assert extract(output).problems == []


def _big() -> Reponses:
    sessions = [
        {
            "organisme": f"Organisme n°{i} <&> « é »",
            "intitule": f"Formation {i}\nseconde ligne 😀",
            "dates": f"{i} mars 2026",
            "personnes_formees": {"salaries": i % 3, "volontaires": None, "benevoles": i},
        }
        for i in range(30)
    ]
    territoires = [
        {
            "territoire": f"Quartier {i}\nSalle {i}",
            "etablissements": [
                {"nom": f"École {i}", "adresse": f"{i} rue X", "email": f"e{i}@ac-lyon.fr"},
                {"nom": f"Collège {i}", "adresse": None, "email": None},
            ],
        }
        for i in range(40)
    ]
    return Reponses.model_validate(
        {
            "equipement": {"nom": "Les Tilleuls"},
            "formations": {"suivie": "oui", "sessions": sessions},
            "territoires": territoires,
            "conclusion": {"bilan": "Premier paragraphe.\n\nSecond paragraphe,\navec un saut."},
        }
    )


def _rows(path: Path, first_header: str) -> list[Any]:
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    for tbl in root.iter(f"{W}tbl"):
        first = "".join(tbl.find(f"{W}tr").itertext())
        if first.startswith(first_header):
            return list(tbl.iterchildren(f"{W}tr"))
    raise AssertionError(first_header)


def test_thirty_sessions_and_forty_territoires_grow_the_tables(tmp_path: Path) -> None:
    answers = _big()
    output = render(answers, tmp_path / "bilan.docx")
    assert extract(output).answers == readable(answers)
    formations = _rows(output, "Nom de l’organisme")
    territoires = _rows(output, "TERRITOIRES")
    assert len(formations) == 2 + 30
    assert len(territoires) == 1 + 40
    blank = etree.tostring(formations[2].find(f"{W}trPr"))
    assert all(etree.tostring(tr.find(f"{W}trPr")) == blank for tr in formations[2:])
    borders = [tc.find(f"{W}tcPr") for tc in formations[-1].iterchildren(f"{W}tc")]
    first = [tc.find(f"{W}tcPr") for tc in formations[2].iterchildren(f"{W}tc")]
    assert [etree.tostring(a) for a in borders] == [etree.tostring(b) for b in first]
    last = ["".join(tc.itertext()) for tc in formations[-1].iterchildren(f"{W}tc")]
    assert last == [
        french("Organisme n°29 <&> « é »"),
        "Formation 29seconde ligne 😀",
        "29 mars 2026",
        "2",
        "",
        "29",
    ]


@pytest.mark.parametrize("count", [0, 1, 4])
def test_fewer_items_than_rows_keep_the_blank_rows(tmp_path: Path, count: int) -> None:
    answers = _big()
    answers.formations.sessions = answers.formations.sessions[:count]
    output = render(answers, tmp_path / "bilan.docx")
    assert len(_rows(output, "Nom de l’organisme")) == 2 + 4
    assert extract(output).answers == readable(answers)
