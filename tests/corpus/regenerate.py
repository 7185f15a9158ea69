"""The golden corpus: each answers file beside the exact ``validate`` output it must give.

The wording of every finding is checked here, once; other tests match a finding's
``code``, key, line and severity. After a wording change, run
``python tests/corpus/regenerate.py``, read the diff of ``*.attendu.txt`` and commit it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
WIDTH = 100
"""Console columns: wide enough to read, narrow enough that long messages wrap."""

CASES = {
    "exemple": ROOT / "examples" / "bilan_exemple.yaml",
    "glissements": HERE / "glissements.yaml",
    "controles": HERE / "controles.yaml",
    "syntaxe": HERE / "syntaxe.yaml",
}
"""Name of each case → its answers file; its expected output is ``HERE / NAME.attendu.txt``."""


def expected_path(name: str) -> Path:
    """Where the expected output of case ``name`` is kept."""
    return HERE / f"{name}.attendu.txt"


def validate_output(answers: Path) -> str:
    """Exit code and output of ``clas-bilan validate`` run as a user runs it, in its folder.

    Run from the file's folder with its bare name, so no path of this machine shows;
    trailing spaces (rich pads table cells) are dropped.
    """
    env = {**os.environ, "COLUMNS": str(WIDTH), "PYTHONIOENCODING": "utf-8"}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "clas_bilan", "validate", answers.name],
        cwd=answers.parent,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )
    lines = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
    return f"# sortie: {result.returncode}\n" + "\n".join(lines).strip("\n") + "\n"


def main() -> None:
    """Write every case's expected output from what ``validate`` prints today."""
    for name, answers in CASES.items():
        expected_path(name).write_text(validate_output(answers), encoding="utf-8")
        print(f"{expected_path(name).relative_to(ROOT)} écrit")


if __name__ == "__main__":
    main()
