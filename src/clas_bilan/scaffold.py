"""Write new files for the user: the commented answers file (``init``) and the JSON Schema."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import textwrap
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from clas_bilan import SCHEMA_FILE, campaigns, files, form, keys, models
from clas_bilan.models import Date, Decimal, Text, YesNo
from clas_bilan.values import format_date, format_typed, format_yes_no

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
    return answers_text({})


def answers_text(values: Mapping[str, Any], *, origin: str | None = None) -> str:
    """``init``'s commented answers file, filled with ``values`` written exactly as typed.

    ``values`` is plain nested data keyed by the answers file's key names (lists for
    list items); any value, even one that fails its check, reads back as the same text.
    ``origin`` (one or more lines) says where the values came from, as comments. The
    layout is the one of the campaign ``values`` name (``campagne``), else the current one.
    """
    code = values.get("campagne")
    campaign = campaigns.of(code if isinstance(code, str) else None)
    lines = HEADER.format(title=campaign.title).splitlines()
    if origin:
        lines.extend(f"# {line}".rstrip() for line in origin.splitlines())
    lines.append("")
    _model_lines(campaign.answers, "", 0, lines, set(), values)
    return "\n".join(lines).rstrip() + "\n"


def example_text() -> str:
    """The complete, realistic example of the current campaign, shipped with the package."""
    return campaigns.current().example.read_text("utf-8")


FRENCH_SPACES = re.compile(r" (?=[:;?!»])|(?<=«) ")
"""Spaces of French typography (« : », « ? », « « … » ») a line must not break at."""


def _comment(text: str, indent: str) -> list[str]:
    """``text`` as comment lines, never starting a line with « : » or « ? » (French spacing)."""
    words = FRENCH_SPACES.sub("\u00a0", " ".join(text.replace("\u00a0", " ").split()))
    lines = textwrap.wrap(
        words, width=_WIDTH, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}#   "
    )
    return [line.replace("\u00a0", " ") for line in lines]


Field = tuple[type[BaseModel], str]
"""A field of the answers: its model and attribute name."""


def _model_lines(
    model: type[BaseModel],
    path: str,
    depth: int,
    lines: list[str],
    said: set[str] | None,
    values: Mapping[str, Any],
) -> None:
    """Append a line a field of ``model``, with its questions as comments (``said`` not None).

    Without ``said``, write a bare template of the keys (for a list item to copy).
    Each field holds its value from ``values``, or is left empty as ``init`` leaves it.
    """
    indent = "  " * depth
    labels = campaigns.current().labels
    for name, info in model.model_fields.items():
        key = info.alias or name
        dotted = keys.child(path, key)
        value = values.get(key)
        if said is not None:
            if depth == 0 and lines and lines[-1] != "":
                lines.append("")
            label, description = labels.get(dotted), models.description(info, campaigns.current())
            notes: list[str | None] = [label, description]
            if label and description and label in description:
                notes = [description]
            for note in notes:
                if note and note not in said:
                    lines.extend(_comment(note, indent))
                    said.add(note)
        inner = _section(info)
        is_list = typing.get_origin(info.annotation) is list and inner is not None
        if value is not None and not isinstance(
            value, list if is_list else Mapping if inner is not None else (str, int, float, dt.date)
        ):
            lines.extend(_any_lines(key, value, indent))  # a slip kept as typed
        elif is_list and inner is not None:
            lines.append(f"{indent}{key}:")
            if isinstance(value, list) and value:
                for item in value:
                    lines.extend(_item_lines(inner, dotted, item, indent + "  "))
                continue
            item_lines: list[str] = []
            _model_lines(inner, dotted, 0, item_lines, None, {})
            if said is None:
                lines.extend(_as_item(item_lines, indent + "  "))
            else:
                lines.extend(
                    _comment("une ligne « - » par élément, sur ce modèle :", indent + "  ")
                )
                lines.extend(f"{indent}  # {line}" for line in _as_item(item_lines, ""))
        elif inner is not None:
            lines.append(f"{indent}{key}:")
            _model_lines(
                inner, dotted, depth + 1, lines, said, value if isinstance(value, Mapping) else {}
            )
        elif _is_empty(value) or (key == "campagne" and value == campaigns.current().code):
            lines.append(f"{indent}{key}:{_blank(key, dotted, info) if said is not None else ''}")
        else:
            note = _blank(key, dotted, info) if said is not None else ""
            lines.extend(
                _value_lines(key, value, indent, note if "#" in note else "", (model, name))
            )
    known = {info.alias or name for name, info in model.model_fields.items()}
    for key, value in values.items():
        if key not in known:
            lines.extend(_any_lines(str(key), value, indent))


def _is_empty(value: Any) -> bool:
    """True for a value ``init`` leaves empty: none, or an empty text."""
    return value is None or value == ""


def _item_lines(model: type[BaseModel], path: str, item: Any, indent: str) -> list[str]:
    """One list item with every key of ``model``, filled from ``item``."""
    if not isinstance(item, Mapping):
        return _any_lines(None, item, indent)
    body: list[str] = []
    _model_lines(model, path, 0, body, None, item)
    return _as_item(body, indent)


def _any_lines(key: str | None, value: Any, indent: str) -> list[str]:
    """Any plain value under ``key`` (a list item when None), for keys the form does not have."""
    head = f"{indent}- " if key is None else f"{indent}{_single_line(key)}:"
    if isinstance(value, Mapping) and value:
        body = [line for k, v in value.items() for line in _any_lines(str(k), v, "")]
        if key is None:
            return _as_item(body, indent)
        return [head, *(f"{indent}  {line}" if line else "" for line in body)]
    if isinstance(value, list) and value:
        items = [line for item in value for line in _any_lines(None, item, indent + "  ")]
        return [head.rstrip(), *items] if key is not None else [f"{indent}-", *items]
    if isinstance(value, (Mapping, list)):
        return [f"{head}{'' if key is None else ' '}{'{}' if isinstance(value, Mapping) else '[]'}"]
    if key is None:
        return _value_lines("", value, indent, item=True)
    return _value_lines(_single_line(key), value, indent)


def _value_lines(
    key: str,
    value: Any,
    indent: str,
    note: str = "",
    field: Field | None = None,
    *,
    item: bool = False,
) -> list[str]:
    """``key: value`` as answers-file lines, the value written so it reads back as typed."""
    head = f"{indent}- " if item else f"{indent}{key}:"
    if isinstance(value, bool):
        return [f"{head}{'' if item else ' '}{format_yes_no(value).lower()}{note}"]
    if isinstance(value, dt.date):
        return [f"{head}{'' if item else ' '}{format_date(value)}{note}"]
    if isinstance(value, float) and math.isfinite(value):
        return [f"{head}{'' if item else ' '}{format_typed(value)}{note}"]
    if value is None:
        return [head.rstrip()]
    if isinstance(value, int):
        return [f"{head}{'' if item else ' '}{value}{note}"]
    text = value if isinstance(value, str) else str(value)
    if "\n" in text and text.strip() and not _NOT_IN_BLOCK.search(text):
        return [head.rstrip() + " " + _block_header(text), *_block_body(text, indent + "  ")]
    single = _single_line(text, field)
    return [f"{head}{'' if item else ' '}{single}{note}"]


_NOT_IN_BLOCK = re.compile("[\r\x85\u2028\u2029]|" + yaml.reader.Reader.NON_PRINTABLE.pattern)
"""Characters a ``|`` block cannot hold as they are (other line breaks, non-printables)."""


def _block_header(text: str) -> str:
    """« | » with the indentation indicator when needed and the chomping that keeps the end."""
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    first = next((line for line in body.split("\n") if line.strip(" ")), "")
    leading = body.split("\n")[: body.split("\n").index(first)] if first else []
    needs = first.startswith(" ") or any(line for line in leading)
    return f"|{'2' if needs else ''}{chomp}"


def _block_body(text: str, indent: str) -> list[str]:
    """The lines of a ``|`` block: each line as typed, after the block's indentation."""
    body = text[:-1] if text.endswith("\n") else text
    return [f"{indent}{line}" if line else "" for line in body.split("\n")]


def _single_line(text: str, field: Field | None = None) -> str:
    """A one-line value written plain when YAML reads it back as typed, else quoted.

    Plain means YAML reads the text itself; in a number, date or Oui/Non field, also
    when YAML reads a value that field takes exactly as it takes the text (``12``).
    """
    if text == "":
        return '""'
    resolved = _plain_value(text)
    if resolved == (text,) or (resolved and field is not None and _same(field, text, resolved[0])):
        return text
    return quoted(text)


def quoted(text: str) -> str:
    """``text`` between quotes, written so that YAML reads back exactly these characters."""
    style = "'" if ('"' in text or "\\" in text) else '"'
    dumped = yaml.dump(
        {"k": text}, Dumper=yaml.SafeDumper, default_style=style, allow_unicode=True, width=2**30
    )
    return dumped.split(": ", 1)[1].rstrip("\n")


@functools.lru_cache(maxsize=4096)  # the browser form writes the same texts at every keystroke
def _plain_value(text: str) -> tuple[Any] | None:
    """(What YAML reads,) when ``k: text`` is one plain scalar of exactly ``text``, else None."""
    if text != text.strip() or "\t" in text or _NOT_IN_BLOCK.search(text):
        return None
    try:
        node = yaml.compose(f"k: {text}\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return None
    scalar = node.value[0][1]
    if (
        not isinstance(scalar, yaml.ScalarNode)
        or scalar.style is not None
        or scalar.value != text
        or scalar.end_mark.index - scalar.start_mark.index != len(text)
    ):
        return None
    try:
        return (yaml.SafeLoader("").construct_object(scalar),)
    except (yaml.YAMLError, ValueError, OverflowError):
        return None


def _same(field: Field, text: str, resolved: Any) -> bool:
    """True when the field reads YAML's value of ``text`` just as it reads the text."""
    if isinstance(resolved, str) or resolved is None:
        return False
    model, key = field
    try:
        typed = getattr(model.model_validate({key: text}), key)
        again = getattr(model.model_validate({key: resolved}), key)
        return not isinstance(typed, str) and bool(typed == again)
    except ValidationError:
        return False


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


NOTES = (
    "oui / non — OBLIGATOIRE",
    "oui / non",
    "date, par exemple 30/06/2026",
    "nombre, par exemple 1,5",
    "nombre entier",
)
"""The reminders ``init`` writes as a comment after an empty answer, longest first."""


def _blank(key: str, dotted: str, info: FieldInfo) -> str:
    """The empty answer written after ``key:``, with a short hint of what to write."""
    if key == "campagne":
        return f' "{campaigns.current().code}"'
    mandatory, yes_no, date, decimal, count = NOTES
    if _is(info, YesNo):
        return f"   # {mandatory if dotted in form.MANDATORY_CHOICES else yes_no}"
    if _is(info, Date):
        return f"   # {date}"
    if _is(info, Decimal):
        return f"   # {decimal}"
    if _is(info, Text):
        return " |"
    if info.annotation is not None and "int" in str(info.annotation):
        return f"   # {count}"
    return ""


def json_schema() -> str:
    """The JSON Schema of the answers file, as indented JSON text."""
    schema = models.json_schema(campaigns.current())
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_new(path: Path, text: str, force: bool = False) -> Path:
    """Write ``text`` (UTF-8) atomically, never replacing an existing file without ``force``."""
    return files.write_atomic(path, text.encode("utf-8"), force=force)
