"""The contract's reference answers, with some values changed; answers data as a file's text."""

from __future__ import annotations

import yaml

from clas_bilan import campaigns
from helpers_campaign import fixtures

REFERENCE = fixtures() / "valid" / "reference_du_contrat.yaml"
Reponses = campaigns.current().answers
"""The current campaign's answers model: ``models.Reponses``, or a later campaign's subclass."""


def reference(**changes: object) -> Reponses:
    """The reference answers; ``section__key=value`` replaces one value (``__`` nests)."""
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        *parents, last = key.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[last] = value
    return Reponses.model_validate(data)


class _Dumper(yaml.SafeDumper):
    """Writes an unanswered value as nothing after « : », as a user leaves it (never `null`)."""


_Dumper.add_representer(
    type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "")
)


def answers_yaml(data: object) -> str:
    """Answers data as an answers file's text; a None is left empty (`null` is a text there)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
