"""Build the blank Word template of a campaign's Bilan CLAS form from its blocks.

Usage: ``python scripts/build_template.py [--campagne CODE] [--output PATH]`` (default: the
current campaign, written to ``templates/`` at the top of the repository). The output is
deterministic: rebuilding gives the same XML.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clas_bilan import campaigns
from clas_bilan.docx.template import build

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write the template."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--campagne",
        choices=campaigns.codes(),
        default=campaigns.current().code,
        help="the campaign whose form to build (default: the current one)",
    )
    parser.add_argument("--output", type=Path, help="where to write it")
    arguments = parser.parse_args(argv)
    campaign = campaigns.of(arguments.campagne)
    output = arguments.output or TEMPLATES / campaign.template_name
    build(output, campaign)
    print(f"Written {output}")


if __name__ == "__main__":
    main()
