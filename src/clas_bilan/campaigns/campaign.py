"""One school year's form: what changes every year, in one object.

A campaign is made of the form's blocks (``form``) and an answers model (``models``): it sits
above both, which take it as an argument when a text of theirs changes with the year.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clas_bilan import form, shipped
from clas_bilan.models import Reponses
from clas_bilan.values import format_long_date


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
        return self.model or Reponses

    @functools.cached_property
    def labels(self) -> Mapping[str, str]:
        """Each answer key of this campaign's form, with the form's label for it."""
        return form.labels(self.blocks)

    @property
    def title(self) -> str:
        """The form's title: « Bilan CLAS » and the label."""
        return f"Bilan CLAS {self.label}"

    @property
    def deadline_text(self) -> str:
        """The deadline as French text (« 1er août » and the year)."""
        return format_long_date(self.deadline)

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
