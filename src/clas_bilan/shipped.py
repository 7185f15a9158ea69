"""Files shipped with the code: the campaigns' Word templates and the example answers.

The repository keeps them once, at its top level (``templates/``, ``examples/``); the
wheel carries them inside the package (hatch's force-include, see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent
"""The repository's top level, for a source checkout or an editable install (``src/`` layout)."""


def path(folder: str, name: str) -> Path:
    """Where a shipped file is: inside the installed package, else in the source checkout."""
    inside = _PACKAGE / folder / name
    return inside if inside.exists() else _CHECKOUT / folder / name
