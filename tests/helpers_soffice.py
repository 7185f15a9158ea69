"""A stand-in for LibreOffice (POSIX shell): a PDF per .docx it is given, its starts counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from clas_bilan import pdf


def stand_in(folder: Path, monkeypatch: pytest.MonkeyPatch, before: str = "") -> Path:
    """Install it through CLAS_BILAN_SOFFICE; ``before`` runs first; return its starts' file."""
    starts = folder / "starts"
    program = folder / "bin" / "soffice-portable"
    program.parent.mkdir()
    program.write_text(
        "#!/bin/sh\n"
        f'echo start >> "{starts}"\n'
        f"{before}"
        'while [ $# -gt 0 ]; do case "$1" in --outdir) out="$2"; shift;; '
        '*.docx) n=$(basename "$1" .docx); mkdir -p "$out"; '
        'printf "%%PDF-1.4 LibreOffice" > "$out/$n.pdf";; esac; shift; done\n',
        encoding="utf-8",
    )
    program.chmod(0o755)
    monkeypatch.setenv(pdf.OVERRIDE, str(program))
    return starts
