"""The YAML test suite's 402 inputs (yaml/yaml-test-suite), YAML that no one here wrote.

Given to ``validate``, each gets French findings and exit 1 or 2: never a traceback,
never PyYAML's English, however the loader repairs or sets aside its syntax errors.
The inputs are public data kept beside the project (``shared/yaml-test-suite``), not in it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan.cli import app

_SUITE = Path(__file__).resolve().parents[2] / "shared" / "yaml-test-suite"
SUITE = _SUITE if _SUITE.is_dir() else Path("/work/shared/yaml-test-suite")
INPUTS = sorted(SUITE.glob("*.yaml"))
ENGLISH = re.compile(
    r"Traceback|inattendue|while (scanning|parsing)|could not find|did not find|expected <|"
    r"found (character|unexpected|undefined)|mapping values|\bNone\b"
)

runner = CliRunner()
pytestmark = [
    pytest.mark.skipif(not INPUTS, reason="shared/yaml-test-suite is not beside the project"),
    pytest.mark.usefixtures("wide_console"),
]


@pytest.mark.parametrize("path", INPUTS, ids=lambda path: path.stem)
def test_every_input_of_the_yaml_test_suite_gets_a_french_message(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (1, 2), result.output
    assert "erreur" in result.output.lower()
    assert not ENGLISH.search(result.output), result.output


def test_the_suite_is_whole() -> None:
    assert len(INPUTS) == 402
