"""The school-year campaigns: what changes every year, in one object, and the known ones.

A campaign holds its code (the answers file's ``campagne``), label, deadline, hour bases,
the form's blocks and the answers model. Each ``bilan_*`` module of this package defines
one as ``CAMPAIGN``; adding next year's form is adding such a module (see CONTRIBUTING.md).
The newest campaign (latest deadline) is the current one: ``init``, ``validate`` and
``render`` work with it; ``extract`` and ``init --depuis`` also read older ones.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from clas_bilan import form, shipped

if TYPE_CHECKING:
    from clas_bilan.models import Reponses

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass(frozen=True, eq=False)
class Campaign:
    """One school year's form: everything the tool needs that changes from year to year."""

    code: str
    """The answers file's ``campagne``: the two years joined by a hyphen."""
    label: str
    """How the form names the school year: the two years joined by a slash."""
    deadline: dt.date
    """The bilan is completed and signed before this day."""
    blocks: Sequence[form.Block]
    """The form, in the order of the official document."""
    worked_hours: int
    """Hours worked in a year by one ETP."""
    paid_hours: int
    """Hours paid in a year for one ETP."""
    model: type[Reponses] | None = None
    """The answers model, when the campaign asks more than ``models.Reponses``."""
    home: Path | None = None
    """The folder holding this campaign's ``templates/`` and ``examples/`` when they are not
    shipped with the package (a campaign defined outside it, as the tests' made-up one)."""

    @property
    def answers(self) -> type[Reponses]:
        """The pydantic model of this campaign's answers file."""
        if self.model is not None:
            return self.model
        from clas_bilan.models import Reponses

        return Reponses

    @property
    def title(self) -> str:
        """The form's title: « Bilan CLAS » and the label."""
        return f"Bilan CLAS {self.label}"

    @property
    def deadline_text(self) -> str:
        """The deadline as French text (« 1er août » and the year)."""
        day = "1er" if self.deadline.day == 1 else str(self.deadline.day)
        return f"{day} {_MONTHS[self.deadline.month - 1]} {self.deadline.year}"

    @property
    def template_name(self) -> str:
        """File name of the campaign's blank Word template: ``bilan_`` and the code, in ``_``."""
        return f"bilan_{self.code.replace('-', '_')}.docx"

    @property
    def template(self) -> Path:
        """The campaign's blank Word template."""
        return shipped.path("templates", self.template_name, home=self.home)

    @property
    def example(self) -> Path:
        """The example answers (``init --exemple``); the shipped one follows the newest form."""
        return shipped.path("examples", shipped.EXAMPLE, home=self.home)


_registry: dict[str, Campaign] = {}


def _load() -> dict[str, Campaign]:
    """The campaigns of this package's ``bilan_*`` modules, found on first use."""
    if not _registry:
        # pkgutil, not the folder's listing: a built application keeps modules in an archive
        for name in sorted(module.name for module in pkgutil.iter_modules(__path__)):
            if name.startswith("bilan_"):
                found = importlib.import_module(f"{__name__}.{name}").CAMPAIGN
                _registry.setdefault(found.code, found)
    return _registry


def register(campaign: Campaign) -> None:
    """Add a campaign defined elsewhere (tests); replaces a known one of the same code."""
    _load()[campaign.code] = campaign


def unregister(code: str) -> None:
    """Forget a campaign added with ``register``."""
    _load().pop(code, None)


def known() -> list[Campaign]:
    """Every known campaign, newest first."""
    return sorted(_load().values(), key=lambda campaign: campaign.deadline, reverse=True)


def current() -> Campaign:
    """The campaign of this year's form: the newest known."""
    return known()[0]


def get(code: str | None) -> Campaign | None:
    """The known campaign of a ``campagne`` code; None when unknown."""
    return _load().get(code or "")


def of(code: str | None) -> Campaign:
    """The campaign an answers file names, or the current one when it names none we know."""
    return get(code) or current()


def codes() -> list[str]:
    """The codes of the known campaigns, newest first."""
    return [campaign.code for campaign in known()]
