"""Dotted answer keys: one module splits, joins, walks data and models, and places them."""

from __future__ import annotations

from typing import Any

import pytest

from clas_bilan import campaigns, keys, validation
from clas_bilan.models import Reponses


def test_split_and_join_are_inverse() -> None:
    assert keys.split("formations.sessions.0.organisme") == [
        "formations",
        "sessions",
        "0",
        "organisme",
    ]
    assert (
        keys.join(("formations", "sessions", 0, "organisme")) == "formations.sessions.0.organisme"
    )
    assert keys.split("") == []
    assert keys.name("public.inscrits.6e") == "6e"
    assert keys.plain("territoires.1.etablissements.0.nom") == "territoires.etablissements.nom"
    assert list(keys.parents("a.b.c")) == ["a.b.c", "a.b", "a"]


@pytest.mark.parametrize(
    ("part", "index"), [("0", True), ("12", True), ("²", False), ("6e", False)]
)
def test_only_ascii_digits_are_list_positions(part: str, index: bool) -> None:
    assert keys.is_index(part) is index


def test_plain_data_is_walked_with_every_spelling_of_a_level() -> None:
    data: dict[str, Any] = {"public": {"inscrits": {"1ère": 3}}, "territoires": [{"nom": "A"}]}
    assert keys.get_in(data, "public.inscrits.1ere") == 3
    assert keys.get_in(data, "territoires.0.nom") == "A"
    assert keys.get_in(data, "territoires.3.nom") is None
    assert keys.drop_in(data, ("public", "inscrits", "1ere"))
    assert data["public"]["inscrits"] == {}
    assert keys.drop_in(data, ("territoires", 0))
    assert data["territoires"] == [{}]
    assert not keys.drop_in(data, ("absent", "x"))
    keys.put_in(data, "signature.lieu", "Oyonnax")
    keys.put_in(data, ("territoires", 0, "nom"), "B")
    assert data["signature"] == {"lieu": "Oyonnax"}
    assert data["territoires"] == [{"nom": "B"}]


def test_a_model_is_walked_by_its_file_keys() -> None:
    assert [part for part, _ in keys.walk(("public", "inscrits", "1ère"), Reponses)] == [
        "public",
        "inscrits",
        "1ère",
    ]
    assert keys.names(("equipement",), Reponses) == ["nom", "commune"]
    assert keys.names(("equipement", "nom"), Reponses) == []
    assert "6e" in keys.names(("public", "inscrits"), Reponses)
    assert keys.names(("nulle_part",), Reponses) == []


def test_label_and_line_of_fall_back_to_the_nearest_parent() -> None:
    assert campaigns.label("public.total") == "TOTAL"
    assert campaigns.label("equipement.inconnue") == campaigns.label("equipement") != ""
    assert campaigns.label("") == ""
    lines = {"territoires": 40, "territoires.1": 48}
    assert keys.line_of(lines, "territoires.1.nom") == 48
    assert keys.line_of(lines, "territoires.2.nom") == 40
    assert keys.line_of(lines, "ailleurs") is None


def test_one_validate_loop_leaves_out_what_is_refused_and_keeps_the_rest() -> None:
    data: dict[str, Any] = {
        "public": {"total": "1 200", "nombre_collectifs": "deux"},
        "equipment": {"nom": "X"},
    }

    answers, refusals = validation.validate(Reponses, data)
    assert answers is not None
    assert answers.public.total == 1200
    assert {(r.key, r.code) for r in refusals} == {
        ("public.nombre_collectifs", "wrong-type"),
        ("equipment", "unknown-key"),
    }
    unknown = next(r for r in refusals if r.code == "unknown-key")
    assert unknown.meant == "equipement"
    wrong = next(r for r in refusals if r.code == "wrong-type")
    assert wrong.reason == "nombre entier attendu, par exemple 12"
