"""Write new files for the user: the commented answers file (``init``) and the JSON Schema."""

from __future__ import annotations

import json
import re
import textwrap
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from clas_bilan import SCHEMA_FILE, campaigns, files, form, shipped
from clas_bilan.models import Date, Decimal, Text, YesNo

EXAMPLE = "bilan_exemple.yaml"

_WIDTH = 92

HEADER = f"""\
# yaml-language-server: $schema={SCHEMA_FILE}
# Fichier de réponses — {{title}} (Caf de l'Ain)
#
# Écrivez chaque réponse après les deux-points « : » de sa clé. Les lignes qui
# commencent par « # » sont des commentaires : elles rappellent les questions du
# formulaire, vous pouvez les laisser.
#   - oui / non : écrivez oui ou non ;
#   - nombres : 12, ou 1,5 avec une virgule ;
#   - texte sur plusieurs lignes : après « | », à la ligne, en retrait de deux espaces
#     de plus que la clé ; chaque ligne devient un paragraphe du bilan : écrivez un
#     paragraphe par ligne, sans revenir à la ligne au milieu d'une phrase ;
#   - texte qui contient « : » ou « # » sur une seule ligne : mettez-le entre guillemets.
# Vérifiez le fichier avec :   clas-bilan validate FICHIER
# Produisez le bilan Word avec :   clas-bilan render FICHIER
# Complétion des clés dans VS Code (extension YAML) : dans ce dossier, lancez
#   clas-bilan schema -o {SCHEMA_FILE}
"""


def init_text(example: bool = False) -> str:
    """The answers file ``init`` writes: every question commented, or the full example."""
    if example:
        return example_text()
    lines = HEADER.format(title=campaigns.current().title).splitlines()
    lines.append("")
    _model_lines(campaigns.current().answers, "", 0, lines, set())
    return "\n".join(lines).rstrip() + "\n"


def example_text() -> str:
    """The complete, realistic example shipped with the package."""
    return shipped.path("examples", EXAMPLE).read_text("utf-8")


_BOUND = re.compile(r" (?=[:;?!»])|(?<=«) ")
"""Spaces of French typography (« : », « ? », « « … » ») a line must not break at."""


def _comment(text: str, indent: str) -> list[str]:
    """``text`` as comment lines, never starting a line with « : » or « ? » (French spacing)."""
    words = _BOUND.sub("\u00a0", " ".join(text.replace("\u00a0", " ").split()))
    lines = textwrap.wrap(
        words, width=_WIDTH, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}#   "
    )
    return [line.replace("\u00a0", " ") for line in lines]


def _model_lines(
    model: type[BaseModel], path: str, depth: int, lines: list[str], said: set[str] | None
) -> None:
    """Append a line a field of ``model``, with its questions as comments (``said`` not None).

    Without ``said``, write a bare template of the keys (for a list item to copy).
    """
    indent = "  " * depth
    labels = form.labels()
    for name, info in model.model_fields.items():
        key = info.alias or name
        dotted = f"{path}.{key}" if path else key
        if said is not None:
            if depth == 0 and lines and lines[-1] != "":
                lines.append("")
            label, description = labels.get(dotted), info.description
            notes: list[str | None] = [label, description]
            if label and description and label in description:
                notes = [description]
            for note in notes:
                if note and note not in said:
                    lines.extend(_comment(note, indent))
                    said.add(note)
        inner = _section(info)
        if typing.get_origin(info.annotation) is list and inner is not None:
            lines.append(f"{indent}{key}:")
            item: list[str] = []
            _model_lines(inner, dotted, 0, item, None)
            if said is None:
                lines.extend(_as_item(item, indent + "  "))
            else:
                lines.extend(
                    _comment("une ligne « - » par élément, sur ce modèle :", indent + "  ")
                )
                lines.extend(f"{indent}  # {line}" for line in _as_item(item, ""))
        elif inner is not None:
            lines.append(f"{indent}{key}:")
            _model_lines(inner, dotted, depth + 1, lines, said)
        else:
            lines.append(f"{indent}{key}:{_blank(key, dotted, info) if said is not None else ''}")


def _as_item(lines: list[str], indent: str) -> list[str]:
    """Turn a block of keys into one YAML list item (« - » before the first key)."""
    return [f"{indent}{'- ' if index == 0 else '  '}{line}" for index, line in enumerate(lines)]


def _section(info: FieldInfo) -> type[BaseModel] | None:
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _is(info: FieldInfo, kind: Any) -> bool:
    """True when the field was declared with the ``kind`` type of models.py."""
    return all(meta in info.metadata for meta in typing.get_args(kind)[1:])


def _blank(key: str, dotted: str, info: FieldInfo) -> str:
    """The empty answer written after ``key:``, with a short hint of what to write."""
    if key == "campagne":
        return f' "{campaigns.current().code}"'
    if _is(info, YesNo):
        mandatory = dotted in form.MANDATORY_CHOICES
        return "   # oui / non — OBLIGATOIRE" if mandatory else "   # oui / non"
    if _is(info, Date):
        return "   # date, par exemple 30/06/2026"
    if _is(info, Decimal):
        return "   # nombre, par exemple 1,5"
    if _is(info, Text):
        return " |"
    if info.annotation is not None and "int" in str(info.annotation):
        return "   # nombre entier"
    return ""


def json_schema() -> str:
    """The JSON Schema of the answers file, as indented JSON text."""
    schema = campaigns.current().answers.model_json_schema(by_alias=True)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_new(path: Path, text: str, force: bool = False) -> Path:
    """Write ``text`` (UTF-8) atomically, never replacing an existing file without ``force``."""
    return files.write_atomic(path, text.encode("utf-8"), force=force)
