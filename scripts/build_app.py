"""Build the application: ``dist/clas-bilan/``, a folder holding a program that needs no Python.

Run from the repository, in an environment where ``pip install ".[app]"`` was run::

    python scripts/build_app.py [--dist DOSSIER]

PyInstaller makes a one-folder build (quicker to start than one file, and fewer false
alarms from antivirus programs). The program started with no argument opens the browser
form on ``Bilan CLAS/reponses.yaml`` in the user's Documents; with arguments it is the
command line (``clas_bilan.cli.start``). The Word templates, the example answers and the
browser form's page, script and style are carried inside, where ``clas_bilan.shipped``
and ``clas_bilan.web`` look for them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "clas-bilan"


def arguments(dist: Path, work: Path) -> list[str]:
    """PyInstaller's command line for the one-folder build."""
    data = [
        (ROOT / "templates", "clas_bilan/templates"),
        (ROOT / "examples", "clas_bilan/examples"),
    ]
    return [
        str(ROOT / "src" / "clas_bilan" / "__main__.py"),
        "--name",
        NAME,
        "--onedir",
        "--console",  # a window shows where the answers file is, and the form's address
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--specpath",
        str(work),
        "--paths",
        str(ROOT / "src"),
        *(f"--add-data={source}{os.pathsep}{target}" for source, target in data),
        # Found at run time, not by import: the campaigns, the page's files, uvicorn's parts.
        "--collect-submodules=clas_bilan",
        "--collect-data=clas_bilan",
        "--collect-data=docx",
        "--collect-submodules=uvicorn",
        "--collect-submodules=rich._unicode_data",
        # Not used by the program: kept out of the folder.
        *(f"--exclude-module={name}" for name in ("tkinter", "pytest", "IPython", "numpy")),
    ]


def main() -> None:
    """Build ``dist/clas-bilan`` and say where it is and how long it took."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    options = parser.parse_args()
    try:
        import PyInstaller.__main__
    except ImportError:
        raise SystemExit(
            'PyInstaller est introuvable : installez-le avec  python -m pip install ".[app]"'
        ) from None
    started = time.monotonic()
    PyInstaller.__main__.run(arguments(options.dist.resolve(), options.work.resolve()))
    program = options.dist / NAME / (f"{NAME}.exe" if sys.platform == "win32" else NAME)
    if not program.is_file():
        raise SystemExit(f"La construction n'a pas produit {program}.")
    print(f"Application construite en {time.monotonic() - started:.0f} s : {program}")


if __name__ == "__main__":
    main()
