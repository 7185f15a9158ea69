"""The school-year campaigns: what changes every year, in one object, and the known ones.

A campaign holds its code (the answers file's ``campagne``), label, deadline, hour bases,
the form's blocks and the answers model. Each ``bilan_*`` module of this package defines
one as ``CAMPAIGN``; adding next year's form is adding such a module (see CONTRIBUTING.md).
The newest campaign (latest deadline) is the current one: ``init``, ``validate`` and
``render`` work with it; ``extract`` and ``init --depuis`` also read older ones.
"""

from __future__ import annotations

import importlib
import pkgutil

from clas_bilan import keys, models
from clas_bilan.campaigns.campaign import Campaign

__all__ = [
    "Campaign",
    "codes",
    "current",
    "get",
    "known",
    "label",
    "of",
    "register",
    "unregister",
]

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


def label(key: str | None, campaign: Campaign | None = None) -> str:
    """The form's label for a dotted key, else the model's description, else a parent's.

    ``campaign`` is the one whose form and answers model name the key (the current one).
    """
    if not key:
        return ""
    campaign = campaign or current()
    labels = campaign.labels
    for parent in keys.parents(key):
        if keys.plain(parent) in labels and not keys.is_index(keys.name(parent)):
            return labels[keys.plain(parent)]
        steps = list(keys.walk(tuple(keys.split(parent)), campaign.answers))
        if len(steps) == len(keys.split(keys.plain(parent))) and steps:
            described = models.description(steps[-1][1], campaign)
            if described:
                return described
    return ""
