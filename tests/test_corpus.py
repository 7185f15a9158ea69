"""The wording of the findings, checked once: ``validate`` on the golden corpus, word for word."""

from __future__ import annotations

import pytest

from corpus.regenerate import CASES, expected_path, validate_output


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_prints_exactly_the_expected_text(name: str) -> None:
    expected = expected_path(name).read_text(encoding="utf-8")
    assert validate_output(CASES[name]) == expected, (
        "La sortie de validate a changé : si c'est voulu, lancez "
        "« python tests/corpus/regenerate.py » et relisez le diff."
    )
