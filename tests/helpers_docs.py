"""The shell commands of README.md and docs/*.md as a reader copies them, and a way to run them.

A ```bash block is run by the tests; ```console, ```powershell and ```text are shown only.
``<!-- test: COMMAND -->`` (invisible on the rendered page) stands for what the reader does
by hand between two blocks (fill the answers file in an editor…) and is run in its place.
"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_STEP = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<language>[\w-]*)\n(?P<body>.*?)^[ \t]*```"
    r"|^<!-- test: (?P<hidden>.*?) -->",
    re.S | re.M,
)


@dataclass(frozen=True)
class Step:
    """One command of a page: a ```bash block, or a hidden ``<!-- test: … -->`` step."""

    script: str
    shown: bool


def blocks(page: Path, language: str) -> list[str]:
    """The page's code blocks in one language, in order, dedented as a reader copies them."""
    return [
        textwrap.dedent(found["indent"] + found["body"]).strip()
        for found in _STEP.finditer(page.read_text(encoding="utf-8"))
        if found["body"] is not None and found["language"] == language
    ]


def steps(page: Path) -> list[Step]:
    """What the tests run for ``page``, in order: its ```bash blocks and its hidden steps."""
    found: list[Step] = []
    for match in _STEP.finditer(page.read_text(encoding="utf-8")):
        if match["hidden"] is not None:
            found.append(Step(match["hidden"].strip(), shown=False))
        elif match["language"] == "bash":
            body = textwrap.dedent(match["indent"] + match["body"]).strip()
            found.append(Step(body, shown=True))
    return found


def bash(
    script: str, cwd: Path, path: Sequence[Path] = (), timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with ``set -e`` as a new user would: no virtualenv on PATH but ``path``."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    # A new user's PATH: no virtualenv holding the tool (CI puts its own venv on PATH).
    env["PATH"] = os.pathsep.join(
        [
            *map(str, path),
            *(
                part
                for part in env.get("PATH", "").split(os.pathsep)
                if ".venv" not in part and not (Path(part) / "clas-bilan").exists()
            ),
        ]
    )
    env["COLUMNS"] = "100"
    return subprocess.run(
        ["bash", "-c", "set -e\n" + script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
