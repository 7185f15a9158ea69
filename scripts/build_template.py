"""Build the blank Word template of the Bilan CLAS form from ``clas_bilan.form.FORM``.

Usage: ``python scripts/build_template.py [--output PATH]`` (default: the template
shipped inside the package). The output is deterministic: rebuilding gives the same XML.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clas_bilan.docx.template import build

PACKAGE_TEMPLATE = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "clas_bilan"
    / "templates"
    / "bilan_2025_2026.docx"
)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write the template."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=PACKAGE_TEMPLATE, help="where to write it")
    arguments = parser.parse_args(argv)
    build(arguments.output)
    print(f"Written {arguments.output}")


if __name__ == "__main__":
    main()
