"""The wording of the findings, checked once: ``validate`` on the golden corpus, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.regenerate import CASES, expected_path, validate_output


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_prints_exactly_the_expected_text(name: str) -> None:
    expected = expected_path(name).read_text(encoding="utf-8")
    assert validate_output(CASES[name]) == expected, (
        "La sortie de validate a changé : si c'est voulu, lancez "
        "« python tests/corpus/regenerate.py » et relisez le diff."
    )


SRC = Path(__file__).parent.parent / "src" / "clas_bilan"
_MADE = re.compile(r'(?:code=|found\.(?:error|warning)\(\s*|_Kind\(\s*)"([a-z][a-z0-9-]*)"')
"""A finding's code where it is made (a letter first: a campaign's code is « 2025-2026 »)."""


def test_every_code_made_in_the_source_is_listed_in_contributing() -> None:
    made = {code for path in SRC.rglob("*.py") for code in _MADE.findall(path.read_text("utf-8"))}
    contributing = (SRC.parent.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = contributing.split("| Made in | Codes |")[1].split("\n\n")[0]
    listed = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", table))
    assert made == listed
