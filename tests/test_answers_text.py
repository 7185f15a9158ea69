"""`scaffold.answers_text`: init's commented layout, filled with any value written as typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from clas_bilan import campaigns, scaffold, yamlvalues
from clas_bilan.models import Count, Date, Decimal, YesNo

CODE = campaigns.current().code

PRINTABLE = st.characters(
    blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff"
)
SLIPPERY = st.sampled_from(
    [
        "12:30",
        "0x10",
        "0o17",
        "012",
        "2026-06-30",
        "Yes",
        "no",
        "on",
        "OFF",
        "~",
        "null",
        "&co et partenaires",
        "*alias",
        "!tag texte",
        "%pourcent",
        "@arobase",
        "- tiret",
        "`accent",
        "a: b",
        "a #b",
        "#début",
        "'atelier' du mercredi",
        '"Oyonnax" (Haut-Bugey)',
        "1.250",
        "1e3",
        ".inf",
        "=",
        "<<",
        "? question",
        "|",
        ">",
        "[x]",
        "{y}",
        "a, b",
        " espace devant",
        "espace derrière ",
        "\ttab",
        "ligne 1\nligne 2",
        "fin\n",
        "fin\n\n",
        "\n\ndébut",
        "  retrait\nsuite",
        "a\n  \nb",
        "\n",
        "tab\tdedans\n\tet ligne",
    ]
)
TEXT = st.one_of(SLIPPERY, st.text(PRINTABLE | st.sampled_from("\n\t :#-'\""), max_size=40))


def parsed(values: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
    data, _lines, findings, _ = yamlvalues.parse(scaffold.answers_text(values, origin=origin))
    assert not [f.text() for f in findings if f.is_error]
    assert isinstance(data, dict)
    return data


def same_text(written: str, read: Any) -> None:
    if written == "":
        assert read in ("", None)
    else:
        assert read == written


def test_no_values_is_exactly_init() -> None:
    assert scaffold.answers_text({}) == scaffold.init_text()


def test_origin_is_a_comment_after_the_header() -> None:
    text = scaffold.answers_text({}, origin="Relu depuis bilan_2025.docx")
    lines = text.splitlines()
    assert "# Relu depuis bilan_2025.docx" in lines
    assert lines.index("# Relu depuis bilan_2025.docx") < lines.index(f'campagne: "{CODE}"')
    assert parsed({}, origin="a: b\n# c") == parsed({})


def test_layout_keeps_questions_order_and_writes_blocks() -> None:
    values = {
        "intitule_projet": "Réussir ensemble",
        "axe_enfants": {"actions": "Premier paragraphe\tavec tab.\nSecond paragraphe.\n"},
        "formations": {"suivie": True, "sessions": [{"organisme": "A"}, {"organisme": "B"}]},
        "signature": {"date": dt.date(2026, 6, 30)},
        "moyens_humains": {"salaries": {"nombre": "3 salariés", "etp": 1.5}},
    }
    text = scaffold.answers_text(values)
    assert "intitule_projet: Réussir ensemble\n" in text
    assert "  actions: |\n    Premier paragraphe\tavec tab.\n    Second paragraphe.\n" in text
    assert "    - organisme: A\n      intitule:\n" in text
    assert "    - organisme: B\n" in text
    assert "  date: 30/06/2026   # date, par exemple 30/06/2026\n" in text
    assert "    nombre: 3 salariés   # nombre entier\n" in text
    assert "    etp: 1,5\n" in text


def keys(text: str) -> list[str]:
    return [line.split(":")[0] for line in text.splitlines() if line and line[0] != "#"]


def test_same_keys_and_comments_as_init_when_no_list_is_filled() -> None:
    values = {
        "intitule_projet": "a\nb",
        "public": {"inscrits": {"CP": 3, "1ere": "deux"}, "total": 5},
        "signature": {"lieu": "Oyonnax", "date": "30/06/2026"},
    }
    text = scaffold.answers_text(values)
    written = [line for line in keys(text) if line.startswith(" ") or line[0].isalpha()]
    assert [k for k in written if k.strip() not in ("a", "b")] == keys(scaffold.init_text())
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    init = [line for line in scaffold.init_text().splitlines() if line.lstrip().startswith("#")]
    assert comments == init


def test_list_items_are_written_in_full() -> None:
    values = {
        "territoires": [
            {"territoire": "Quartier\nSalle 2", "etablissements": [{"nom": "A"}, {"nom": "B"}]},
            {"territoire": "Centre", "etablissements": []},
        ]
    }
    data = parsed(values)
    assert data["territoires"][0]["territoire"] == "Quartier\nSalle 2"
    assert [e["nom"] for e in data["territoires"][0]["etablissements"]] == ["A", "B"]
    assert data["territoires"][1]["territoire"] == "Centre"


def test_unknown_keys_and_odd_shapes_are_kept() -> None:
    values = {"gestionnaire": "juste un nom", "zut": {"a": [1, {"b": "12:30"}]}}
    data = parsed(values)
    assert data["gestionnaire"] == "juste un nom"
    assert data["zut"] == {"a": ["1", {"b": "12:30"}]}  # every value is read as typed


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intitule=TEXT, nom=TEXT, territoire=TEXT, ecole=TEXT, origin=TEXT)
def test_any_text_reads_back_as_typed(
    intitule: str, nom: str, territoire: str, ecole: str, origin: str
) -> None:
    values = {
        "intitule_projet": intitule,
        "gestionnaire": {"nom": nom},
        "territoires": [{"territoire": territoire, "etablissements": [{"nom": ecole}]}],
    }
    data = parsed(values, origin=origin)
    same_text(intitule, data["intitule_projet"])
    same_text(nom, data["gestionnaire"]["nom"])
    same_text(territoire, data["territoires"][0]["territoire"])
    same_text(ecole, data["territoires"][0]["etablissements"][0]["nom"])


def outcome(kind: Any, value: Any) -> Any:
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return "erreur"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count=TEXT, hours=TEXT, choice=TEXT, date=TEXT)
def test_any_text_in_a_number_date_or_choice_field_is_read_as_typed(
    count: str, hours: str, choice: str, date: str
) -> None:
    values = {
        "moyens_humains": {"salaries": {"nombre": count, "heures_payees": hours}},
        "formations": {"suivie": choice},
        "signature": {"date": date},
    }
    data = parsed(values)
    for kind, typed, read in (
        (Count, count, data["moyens_humains"]["salaries"]["nombre"]),
        (Decimal, hours, data["moyens_humains"]["salaries"]["heures_payees"]),
        (YesNo, choice, data["formations"]["suivie"]),
        (Date, date, data["signature"]["date"]),
    ):
        if isinstance(read, str):
            assert read == typed
        else:
            assert outcome(kind, read) == outcome(kind, typed or None), (typed, read)
