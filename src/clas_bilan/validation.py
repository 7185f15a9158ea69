"""Pydantic errors to French: the one translation, and the one validate-drop-retry loop.

The answers file (``loading``) and a Word bilan (``extract``) both build the answers
model from plain nested data. Each value the model refuses is explained in French
(:class:`Refusal`) and left out, and the model is built again, so that every other
answer is still read and checked.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from clas_bilan import keys
from clas_bilan.report import shown

Model = TypeVar("Model", bound=BaseModel)

ATTEMPTS = 10
"""Most rounds of validation: each round leaves out every value refused in the one before."""


@dataclass(frozen=True)
class Refusal:
    """One value the answers model refused: its key, what was typed, and why, in French."""

    key: str
    value: Any
    code: str
    """A stable name of the kind of refusal (« wrong-type », « unknown-key »)."""
    reason: str
    """Why, in a few words for a parenthesis: « nombre attendu, par exemple 1,5 »."""
    message: str
    """Why, as a sentence naming the value: « nombre attendu, pas « trois ». »."""
    hint: str | None = None
    meant: str | None = None
    """For an unknown key, the dotted key it was most likely meant to be."""


def validate(model: type[Model], data: dict[str, Any]) -> tuple[Model | None, list[Refusal]]:
    """Build ``model`` from ``data``, leaving out each refused value; None if it never builds.

    ``data`` is changed in place: refused values are taken out (a list item is emptied).
    """
    refusals: list[Refusal] = []
    for _ in range(ATTEMPTS):
        try:
            return model.model_validate(data), refusals
        except ValidationError as error:
            details = error.errors()
        left_out = True
        for detail in details:
            refusals.append(refusal(detail, model))
            left_out = keys.drop_in(data, detail["loc"]) and left_out
        if not left_out:
            break
    return None, refusals


@dataclass(frozen=True)
class _Kind:
    """How one family of pydantic error types reads in French."""

    code: str
    reason: str
    example: str | None = None


_KINDS: dict[str, _Kind] = {
    **dict.fromkeys(
        ("int_type", "int_parsing", "int_from_float"),
        _Kind("wrong-type", "nombre entier attendu", "12"),
    ),
    **dict.fromkeys(
        ("float_type", "float_parsing", "finite_number"),
        _Kind("wrong-type", "nombre attendu", "1,5"),
    ),
    **dict.fromkeys(
        ("bool_type", "bool_parsing"), _Kind("wrong-type", "« oui » ou « non » attendu")
    ),
    **dict.fromkeys(
        ("greater_than_equal", "greater_than"),
        _Kind("negative-number", "nombre positif ou nul attendu"),
    ),
    **dict.fromkeys(
        ("less_than_equal", "less_than", "float_parsing_size"),
        _Kind("number-too-big", "nombre bien trop grand"),
    ),
    "string_type": _Kind("wrong-type", "texte attendu"),
    "list_type": _Kind("wrong-type", "liste attendue"),
    **dict.fromkeys(
        ("model_type", "model_attributes_type", "dict_type"),
        _Kind("section-expected", "rubrique attendue"),
    ),
    "extra_forbidden": _Kind("unknown-key", "clé inconnue"),
}
_DATE = _Kind("wrong-type", "date attendue", "30/06/2026")
_INVALID = _Kind("invalid-value", "valeur non valide")


def refusal(detail: ErrorDetails, model: type[BaseModel]) -> Refusal:
    """Explain one pydantic error in French, with the key it is about."""
    kind = detail["type"]
    loc = detail["loc"]
    value = detail.get("input")
    found = _KINDS.get(kind) or (_DATE if kind.startswith("date") else _INVALID)
    reason = found.reason
    if kind in {"value_error", "assertion_error"}:
        reason = str(detail.get("ctx", {}).get("error") or reason)
    meant = None
    hint = f"Écrivez par exemple {found.example}." if found.example else None
    message = f"{reason}, pas « {shown(value)} »."
    if kind == "extra_forbidden":
        meant = _suggestion(loc, model)
        message, hint = _unknown_key(loc, model, meant)
    elif kind.startswith("bool"):
        message = f"répondez par « oui » ou « non », pas « {shown(value)} »."
    elif found.code == "negative-number":
        message = f"le nombre doit être positif ou nul (ici {shown(value)})."
    elif found.code == "number-too-big":
        message, hint = f"{reason} (« {shown(value)} »).", "Vérifiez la saisie."
    elif kind == "string_type":
        what = "une liste" if isinstance(value, list) else "un bloc de clés"
        if not isinstance(value, (list, dict)):
            what = f"« {shown(value)} »"
        message, hint = f"{reason}, pas {what}.", "Écrivez la réponse sur la même ligne que la clé."
    elif kind == "list_type":
        message = f"{reason} : un élément par ligne, commençant par « - »."
        hint = "Voyez l’exemple : clas-bilan init --exemple exemple.yaml"
    elif found.code == "section-expected":
        message, hint = _not_a_section(loc, value, model)
    elif found is _INVALID:
        message = f"{reason} (« {shown(value)} »)."
        if kind in {"value_error", "assertion_error"}:
            message = f"{reason}."
            if isinstance(value, (str, int, float)) and shown(value) not in reason:
                message = f"{reason} (ici « {shown(value)} »)."
    if found.example:
        reason = f"{reason}, par exemple {found.example}"
    code = getattr(detail.get("ctx", {}).get("error"), "code", found.code)
    return Refusal(keys.join(loc), value, code, reason, message, hint, meant)


def _not_a_section(loc: keys.Loc, value: Any, model: type[BaseModel]) -> tuple[str, str | None]:
    """A value written where a section of keys is expected: which keys, and how."""
    valid = keys.names(loc, model)
    hint = None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool) and valid:
        hint = (
            "Écrivez la réponse sous une de ces clés, à la ligne et décalée de deux espaces, "
            f"par exemple « {valid[0]}: {shown(value)} »."
        )
        if loc and isinstance(loc[-1], int):
            hint = f"Nommez chaque élément de la liste : « - {valid[0]}: {shown(value)} »."
    return (
        f"cette rubrique doit contenir des clés en retrait dessous ({', '.join(valid[:6])}…), "
        f"pas « {shown(value)} ».",
        hint,
    )


def _unknown_key(
    loc: keys.Loc, model: type[BaseModel], meant: str | None
) -> tuple[str, str | None]:
    """Name the unknown key and the nearest valid one, else every valid one."""
    name = str(loc[-1])
    hint = "Sinon cette réponse serait perdue."
    if meant:
        return (
            f"clé inconnue « {shown(name)} » : vouliez-vous dire « {keys.name(meant)} » ?",
            f"Corrigez le nom de la clé. {hint}",
        )
    valid = keys.names(loc[:-1], model)
    return (
        f"clé inconnue « {shown(name)} ». Clés possibles ici : {', '.join(valid)}.",
        f"Corrigez le nom de la clé ou supprimez-la. {hint}",
    )


def _suggestion(loc: keys.Loc, model: type[BaseModel]) -> str | None:
    """The dotted key nearest to the unknown key at ``loc`` (difflib), if any is close."""
    lowered = {key.lower(): key for key in keys.names(loc[:-1], model)}
    close = difflib.get_close_matches(str(loc[-1]).lower(), list(lowered), n=1, cutoff=0.6)
    return keys.join([*loc[:-1], lowered[close[0]]]) if close else None
