"""Files shipped with the code: the campaigns' Word templates and the example answers.

The repository keeps them once, at its top level (``templates/``, ``examples/``); the
wheel carries them inside the package (hatch's force-include, see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent
"""The repository's top level, for a source checkout or an editable install (``src/`` layout)."""
EXAMPLE = "bilan_exemple.yaml"
"""File name of the example answers in ``examples/``."""


def path(folder: str, name: str, *, home: Path | None = None) -> Path:
    """Where a shipped file is: inside the installed package, else in the source checkout.

    ``home``, a folder laid out like the repository's top level, holds the file instead
    (a campaign defined outside the package, as the tests' made-up one).
    """
    if home is not None:
        return home / folder / name
    inside = _PACKAGE / folder / name
    return inside if inside.exists() else _CHECKOUT / folder / name
