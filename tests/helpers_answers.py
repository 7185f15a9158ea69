"""The contract's reference answers, with some values changed, as a validated model."""

from __future__ import annotations

from pathlib import Path

import yaml

from clas_bilan.models import Reponses

REFERENCE = Path(__file__).parent / "examples" / "valid" / "reference_du_contrat.yaml"


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
