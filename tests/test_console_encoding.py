"""A Windows console or pipe that cannot show every character never makes a command fail."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from clas_bilan import campaigns
from helpers_campaign import command

EXAMPLE = campaigns.current().example


@pytest.mark.parametrize("encoding", ["cp850", "cp1252", "ascii"])
def test_render_output_degrades_in_a_narrow_console_encoding(encoding: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    result = subprocess.run(
        [*command(), "render", str(EXAMPLE), "-o", "bilan.docx"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
    )
    output = (result.stdout + result.stderr).decode(encoding, errors="replace")
    assert result.returncode == 0, output
    assert "parentalite@caf01.caf.fr" in output
    assert (tmp_path / "bilan.docx").is_file()
