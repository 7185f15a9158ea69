"""Pydantic models of the answers file, one class a section of the form.

Key names are fixed by ``shared/contrat/reponses_reference.yaml``. Every field is
optional at this level: an unanswered question is a warning, decided in
``checks.py``, not a parsing error. Descriptions are the form's own labels, looked up in
the form of the campaign at hand (``description``).
"""

from __future__ import annotations

import datetime as dt
import math
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    StrictInt,
    WithJsonSchema,
)
from pydantic.fields import FieldInfo

from clas_bilan import form, keys, values
from clas_bilan.values import LEVEL_SPELLINGS

if TYPE_CHECKING:
    from clas_bilan.campaigns.campaign import Campaign


class CampaignText:
    """A field's description that changes with the campaign, so is looked up when shown.

    The models are built once for every campaign, before any campaign is read (a campaign's
    module may subclass them): such a text is given by ``description`` for a campaign, or
    put in the JSON schema, as pydantic's ``json_schema_extra`` hook, for the campaign
    ``json_schema`` describes.
    """

    def text(self, campaign: Campaign) -> str | None:
        """The description for ``campaign``."""
        raise NotImplementedError

    def __call__(self, schema: dict[str, Any]) -> None:
        """Pydantic's hook: the JSON schema's description, for the campaign described."""
        schema["description"] = self.text(_described.get())


@dataclass(frozen=True)
class FormLabel(CampaignText):
    """A field described by its campaign's form: the label the form gives ``key``."""

    key: str

    def text(self, campaign: Campaign) -> str | None:
        """The label in ``campaign``'s form."""
        return campaign.labels.get(self.key)


@dataclass(frozen=True)
class WithHourBases(CampaignText):
    """A description naming the campaign's hour bases (``{worked_hours}``, ``{paid_hours}``)."""

    template: str

    def text(self, campaign: Campaign) -> str:
        """The description with ``campaign``'s hour bases."""
        return self.template.format(
            worked_hours=campaign.worked_hours, paid_hours=campaign.paid_hours
        )


_described: ContextVar[Campaign] = ContextVar("described")
"""The campaign ``json_schema`` is describing, for pydantic's hooks (they take no argument)."""


def json_schema(campaign: Campaign) -> dict[str, Any]:
    """The JSON schema of ``campaign``'s answers model, with ``campaign``'s texts."""
    token = _described.set(campaign)
    try:
        return campaign.answers.model_json_schema(by_alias=True)
    finally:
        _described.reset(token)


def description(info: FieldInfo, campaign: Campaign) -> str | None:
    """A field's description for ``campaign``: its own or its form's."""
    if isinstance(info.json_schema_extra, CampaignText):
        return info.json_schema_extra.text(campaign)
    return info.description


def _label(key: str) -> Any:
    return FormLabel(key)


def _title(schema: dict[str, Any]) -> None:
    """The schema's title names the campaign described."""
    schema["title"] = f"Réponses au bilan CLAS {_described.get().label}"


def _yes_no(value: Any) -> Any:
    """Read oui/non text with ``values``; YAML booleans and the rest are left for pydantic."""
    return values.parse_yes_no(value) if isinstance(value, str) else value


def _decimal(value: Any) -> Any:
    """Read hours and ETP typed as text (« 1,5 », « 2 410 ») with ``values``."""
    if isinstance(value, str):
        return values.parse_decimal(value)
    if isinstance(value, bool):
        raise values.NotThisKind("nombre attendu, pas oui/non")
    if isinstance(value, float) and not math.isfinite(value):
        raise values.NotThisKind("nombre attendu, par exemple 1,5")
    return value


def _count(value: Any) -> Any:
    """Read a count typed as text (« 12 », « 1 200 ») with ``values``; 12.0 is 12.

    Text that is no number at all (« 6 enfants ») is left for pydantic, whose type error
    lets the checks read its leading number.
    """
    if isinstance(value, str):
        try:
            return values.parse_count(value)
        except values.NotThisKind:
            return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        raise values.Refused(values.NOT_WHOLE, code="not-whole-number")
    return value


def text_answer(value: Any) -> Any:
    """Normalise free text: LF line ends, no trailing blanks; empty text is no answer."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, dt.date):
        value = values.format_date(value)
    if isinstance(value, str):
        lines = [
            line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        ]
        text = "\n".join(lines).strip("\n")
        return text or None
    return value


def line_answer(value: Any) -> Any:
    """Normalise a one-line value: line breaks become spaces, the rest kept as typed."""
    value = text_answer(value)
    if isinstance(value, str):
        return " ".join(line.strip() for line in value.split("\n") if line.strip()) or None
    return value


def _date(value: Any) -> Any:
    """Read a date typed as text with ``values``; other text is left for pydantic."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return values.parse_date(value)
        except values.NotThisKind:
            return value
    return value


_NULL = {"type": "null"}
_YES_NO_SCHEMA = WithJsonSchema(
    {"anyOf": [{"type": "boolean"}, {"enum": ["oui", "non", "Oui", "Non", "OUI", "NON"]}, _NULL]}
)
_DECIMAL_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {"type": "number", "minimum": 0},
            {"type": "string", "pattern": r"^\s*\d+([.,]\d+)?\s*$"},
            _NULL,
        ]
    }
)
_DATE_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "pattern": r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$"},
            {"type": "string", "pattern": r"^\d{1,2}(er)? \S+ \d{4}$"},
            _NULL,
        ]
    }
)

YesNo = Annotated[bool | None, BeforeValidator(_yes_no), _YES_NO_SCHEMA]
LARGEST = 10_000_000
"""Largest count or number of hours accepted: beyond it, a typing slip."""

Count = Annotated[StrictInt | None, Field(ge=0, le=LARGEST), BeforeValidator(_count)]
Decimal = Annotated[
    NonNegativeFloat | None, Field(le=LARGEST), BeforeValidator(_decimal), _DECIMAL_SCHEMA
]
Text = Annotated[str | None, BeforeValidator(text_answer)]
Line = Annotated[str | None, BeforeValidator(line_answer)]
Date = Annotated[dt.date | None, BeforeValidator(_date), _DATE_SCHEMA]


class Section(BaseModel):
    """Base of every section: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


class Gestionnaire(Section):
    """« Nom du gestionnaire et adresse »."""

    nom: Line = Field(None, description="Nom du gestionnaire")
    adresse: Text = Field(None, description="Adresse du gestionnaire")


class Equipement(Section):
    """« Nom et commune de l'équipement concerné »."""

    nom: Line = Field(None, description="Nom de l’équipement concerné")
    commune: Line = Field(None, description="Commune de l’équipement concerné")


class Salaries(Section):
    """Salaried staff and their ETP."""

    nombre: Count = Field(None, json_schema_extra=_label("moyens_humains.salaries.nombre"))
    heures_travaillees: Decimal = Field(
        None,
        json_schema_extra=WithHourBases(
            "Heures travaillées dans l’année pour l’ensemble des salariés "
            "(ETP = heures / {worked_hours})"
        ),
    )
    heures_payees: Decimal = Field(
        None,
        json_schema_extra=WithHourBases(
            "Heures payées dans l’année pour l’ensemble des salariés (ETP = heures / {paid_hours})"
        ),
    )
    etp: Decimal = Field(None, json_schema_extra=_label("moyens_humains.salaries.etp"))


class Benevoles(Section):
    """Volunteers (volontaires inclus) and their ETP."""

    nombre: Count = Field(None, json_schema_extra=_label("moyens_humains.benevoles.nombre"))
    heures: Decimal = Field(
        None,
        json_schema_extra=WithHourBases(
            "Heures de bénévolat dans l’année de l’ensemble des bénévoles "
            "(ETP = heures / {worked_hours})"
        ),
    )
    etp: Decimal = Field(None, description="Soit en ETP (bénévoles)")


class Coordination(Section):
    """« Qui assure la coordination du CLAS : Nom, prénom, adresse mail »."""

    nom: Line = Field(None, description="Nom de la personne qui coordonne le CLAS")
    prenom: Line = Field(None, description="Prénom de la personne qui coordonne le CLAS")
    email: Line = Field(None, description="Adresse mail de la personne qui coordonne le CLAS")


class MoyensHumains(Section):
    """1. Moyens humains mobilisés."""

    salaries: Salaries = Field(default_factory=Salaries, description="Salariés")
    benevoles: Benevoles = Field(
        default_factory=Benevoles, description="Bénévoles (volontaires inclus)"
    )
    coordination: Coordination = Field(
        default_factory=Coordination, description="Qui assure la coordination du CLAS"
    )
    ecarts_intervenants: Text = Field(
        None, json_schema_extra=_label("moyens_humains.ecarts_intervenants")
    )


class PersonnesFormees(Section):
    """« Nombre de personnes formées » of one session."""

    salaries: Count = Field(None, description="Salariés formés")
    volontaires: Count = Field(None, description="Volontaires formés")
    benevoles: Count = Field(None, description="Bénévoles formés")


class Session(Section):
    """One row of the formations table."""

    organisme: Line = Field(None, description="Nom de l’organisme en charge de la formation")
    intitule: Text = Field(None, description="Intitulé et objet de la formation")
    dates: Line = Field(None, description="Dates de formation")
    personnes_formees: PersonnesFormees = Field(
        default_factory=PersonnesFormees, description="Nombre de personnes formées"
    )


class Formations(Section):
    """2. Les formations réalisées."""

    suivie: YesNo = Field(None, json_schema_extra=_label("formations.suivie"))
    sessions: list[Session] = Field(
        default_factory=list, description="Si oui, merci de renseigner le tableau suivant"
    )
    appreciation: Text = Field(None, json_schema_extra=_label("formations.appreciation"))
    besoins_non_couverts: Text = Field(
        None, json_schema_extra=_label("formations.besoins_non_couverts")
    )


def _level_aliases(value: Any) -> Any:
    """Accept « 1ère » (and other accented or cased spellings) for the level keys."""
    if isinstance(value, dict):
        return {
            values.level_key(key) if isinstance(key, str) else key: v for key, v in value.items()
        }
    return value


def _spellings_schema(schema: dict[str, Any]) -> None:
    """Let editors accept « 1ère » and the other spellings of level keys."""
    properties = schema.get("properties", {})
    for spelled, key in LEVEL_SPELLINGS.items():
        if key in properties:
            properties[spelled] = properties[key]


class Inscrits(Section):
    """Children and young people registered, by school level."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        populate_by_name=True,
        json_schema_extra=_spellings_schema,
    )

    CP: Count = Field(None, json_schema_extra=_label("public.inscrits.CP"))
    CE1: Count = Field(None, json_schema_extra=_label("public.inscrits.CE1"))
    CE2: Count = Field(None, json_schema_extra=_label("public.inscrits.CE2"))
    CM1: Count = Field(None, json_schema_extra=_label("public.inscrits.CM1"))
    CM2: Count = Field(None, json_schema_extra=_label("public.inscrits.CM2"))
    sixieme: Count = Field(None, alias="6e", json_schema_extra=_label("public.inscrits.6e"))
    cinquieme: Count = Field(None, alias="5e", json_schema_extra=_label("public.inscrits.5e"))
    quatrieme: Count = Field(None, alias="4e", json_schema_extra=_label("public.inscrits.4e"))
    troisieme: Count = Field(None, alias="3e", json_schema_extra=_label("public.inscrits.3e"))
    seconde: Count = Field(None, alias="2de", json_schema_extra=_label("public.inscrits.2de"))
    premiere: Count = Field(None, alias="1ere", json_schema_extra=_label("public.inscrits.1ere"))
    T: Count = Field(None, json_schema_extra=_label("public.inscrits.T"))
    autre: Count = Field(None, json_schema_extra=_label("public.inscrits.autre"))

    def by_key(self) -> dict[str, int | None]:
        """Counts keyed as in the answers file ("6e", "1ere", "autre"…)."""
        return self.model_dump(by_alias=True)


class Public(Section):
    """3. Le public."""

    inscrits: Annotated[Inscrits, BeforeValidator(_level_aliases)] = Field(
        default_factory=Inscrits,
        description="Nombre d’enfants / de jeunes différents inscrits par niveau scolaire",
    )
    total: Count = Field(None, description="TOTAL (facultatif : calculé s’il est absent)")
    nombre_collectifs: Count = Field(None, json_schema_extra=_label("public.nombre_collectifs"))


class Etablissement(Section):
    """A school of a territory."""

    nom: Line = Field(None, description="Nom de l’établissement scolaire")
    adresse: Line = Field(None, description="Adresse de l’établissement scolaire")
    email: Line = Field(None, description="Mail de l’établissement scolaire")


class Territoire(Section):
    """One row of the territories table."""

    territoire: Text = Field(
        None, description="Territoire d’intervention (quartier, adresse, local)"
    )
    etablissements: list[Etablissement] = Field(
        default_factory=list, description="Etablissements scolaires concernés"
    )


class BonusEnfants(Section):
    """The « BONIFICATION ENFANTS » criteria table."""

    collectifs_ouverture_culturelle: Count = Field(
        None, json_schema_extra=_label("axe_enfants.criteres_bonus.collectifs_ouverture_culturelle")
    )
    surcout_materiel_pedagogique: YesNo = Field(
        None, json_schema_extra=_label("axe_enfants.criteres_bonus.surcout_materiel_pedagogique")
    )
    surcout_intervenants_exterieurs: YesNo = Field(
        None, json_schema_extra=_label("axe_enfants.criteres_bonus.surcout_intervenants_exterieurs")
    )
    surcout_sorties_culturelles: YesNo = Field(
        None, json_schema_extra=_label("axe_enfants.criteres_bonus.surcout_sorties_culturelles")
    )


class AxeEnfants(Section):
    """Axe d'intervention auprès des enfants et des jeunes."""

    criteres_bonus: BonusEnfants = Field(
        default_factory=BonusEnfants, description="BONIFICATION ENFANTS"
    )
    actions: Text = Field(None, json_schema_extra=_label("axe_enfants.actions"))
    projet_annee: Text = Field(None, json_schema_extra=_label("axe_enfants.projet_annee"))
    ecarts: Text = Field(None, json_schema_extra=_label("axe_enfants.ecarts"))
    retours_enfants: Text = Field(None, json_schema_extra=_label("axe_enfants.retours_enfants"))
    projet_suivant: Text = Field(None, json_schema_extra=_label("axe_enfants.projet_suivant"))


class BonusParents(Section):
    """The « BONFICATION PARENTS » criteria table."""

    collectifs_accompagnement_parents: Count = Field(
        None,
        json_schema_extra=_label("axe_parents.criteres_bonus.collectifs_accompagnement_parents"),
    )
    surcout_intervenants_exterieurs: YesNo = Field(
        None, json_schema_extra=_label("axe_parents.criteres_bonus.surcout_intervenants_exterieurs")
    )
    surcout_sorties_parents_enfants: YesNo = Field(
        None, json_schema_extra=_label("axe_parents.criteres_bonus.surcout_sorties_parents_enfants")
    )


class AxeParents(Section):
    """Axe d'intervention auprès des parents."""

    criteres_bonus: BonusParents = Field(
        default_factory=BonusParents, description="BONFICATION PARENTS"
    )
    actions: Text = Field(None, json_schema_extra=_label("axe_parents.actions"))
    ecarts: Text = Field(None, json_schema_extra=_label("axe_parents.ecarts"))
    avis_parents: Text = Field(None, json_schema_extra=_label("axe_parents.avis_parents"))
    projet_suivant: Text = Field(None, json_schema_extra=_label("axe_parents.projet_suivant"))


class AxeEtablissements(Section):
    """Axe de concertation et de coordination avec l'école / le collège."""

    actions: Text = Field(None, json_schema_extra=_label("axe_etablissements.actions"))
    ecarts: Text = Field(None, json_schema_extra=_label("axe_etablissements.ecarts"))
    retours: Text = Field(None, json_schema_extra=_label("axe_etablissements.retours"))


class Conclusion(Section):
    """Conclusion / Suggestion."""

    bilan: Text = Field(None, json_schema_extra=_label("conclusion.bilan"))
    suggestions_caf: Text = Field(None, json_schema_extra=_label("conclusion.suggestions_caf"))


class Signature(Section):
    """The signature block: « Fait à …, le … », name and role of the signatory."""

    lieu: Line = Field(None, description="Fait à (commune)")
    date: Date = Field(None, description="Le (date de signature, par exemple 30/06/2026)")
    nom: Line = Field(None, description="Nom et prénom du signataire")
    qualite: Line = Field(None, description="Qualité du signataire (présidente, directeur…)")
    image: Line = Field(
        None,
        description="Signature scannée et tampon (facultatif) : image PNG ou JPEG placée sous "
        "« Signature : » ; chemin relatif au fichier de réponses, par exemple signature.png",
    )


class Reponses(Section):
    """Every answer of the Bilan CLAS form; a campaign that asks more subclasses it."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        populate_by_name=True,
        title="Réponses au bilan CLAS",
        json_schema_extra=_title,
    )

    campagne: Line = Field(
        default_factory=lambda: None,  # none in the schema; loading gives the current code
        description="Campagne du bilan ; doit correspondre au modèle utilisé",
    )
    gestionnaire: Gestionnaire = Field(
        default_factory=Gestionnaire, json_schema_extra=_label("gestionnaire.nom")
    )
    equipement: Equipement = Field(
        default_factory=Equipement, json_schema_extra=_label("equipement.nom")
    )
    intitule_projet: Text = Field(None, json_schema_extra=_label("intitule_projet"))
    moyens_humains: MoyensHumains = Field(
        default_factory=MoyensHumains, description="1. Moyens humains mobilisés"
    )
    formations: Formations = Field(
        default_factory=Formations, description="2. Les formations réalisées"
    )
    public: Public = Field(default_factory=Public, description="3. Le public")
    territoires: list[Territoire] = Field(
        default_factory=list,
        description="4. Synthèse territoriale de la mise en œuvre du projet Clas",
    )
    axe_enfants: AxeEnfants = Field(
        default_factory=AxeEnfants,
        description="Axe d’intervention auprès des enfants et des jeunes",
    )
    axe_parents: AxeParents = Field(
        default_factory=AxeParents, description="Axe d’intervention auprès des parents"
    )
    axe_etablissements: AxeEtablissements = Field(
        default_factory=AxeEtablissements,
        description="Axe de concertation et de coordination avec l’école / le collège",
    )
    conclusion: Conclusion = Field(
        default_factory=Conclusion, description="Conclusion / Suggestion"
    )
    signature: Signature = Field(default_factory=Signature, description="Bloc de signature")


def get(answers: BaseModel, key: str) -> Any:
    """Return the value at a dotted answers-file key ("public.inscrits.6e")."""
    value: Any = answers
    for part in keys.split(key):
        if isinstance(value, BaseModel):
            value = getattr(value, _attribute(type(value), part))
        else:
            raise KeyError(key)
    return value


def set_value(answers: BaseModel, key: str, new: Any) -> None:
    """Set the value at a dotted answers-file key, validating it."""
    *parents, last = keys.split(key)
    target: Any = answers
    for part in parents:
        target = getattr(target, _attribute(type(target), part))
    setattr(target, _attribute(type(target), last), new)


def _attribute(model: type[BaseModel], name: str) -> str:
    """Map an answers-file key ("6e") to the model attribute ("sixieme")."""
    if name in model.model_fields:
        return name
    for attribute, info in model.model_fields.items():
        if info.alias == name:
            return attribute
    raise KeyError(name)


# Computed values -------------------------------------------------------------


def etp_salaries(salaries: Salaries, campaign: Campaign) -> float | None:
    """ETP of the salaried staff: given, else hours worked, else hours paid, over the bases."""
    if salaries.etp is not None:
        return salaries.etp
    if salaries.heures_travaillees is not None:
        return salaries.heures_travaillees / campaign.worked_hours
    if salaries.heures_payees is not None:
        return salaries.heures_payees / campaign.paid_hours
    return None


def etp_benevoles(benevoles: Benevoles, campaign: Campaign) -> float | None:
    """ETP of the volunteers: given, else hours over the campaign's worked-hours base."""
    if benevoles.etp is not None:
        return benevoles.etp
    if benevoles.heures is not None:
        return benevoles.heures / campaign.worked_hours
    return None


def subtotals(inscrits: Inscrits) -> dict[str, int | None]:
    """Subtotals of the public table (elementaire, college, lycee, autre) and the total."""
    counts = inscrits.by_key()
    result: dict[str, int | None] = {}
    for cycle, levels in form.CYCLES.items():
        values = [counts[level] for level in levels if counts[level] is not None]
        result[cycle] = sum(v for v in values if v is not None) if values else None
    result["autre"] = counts["autre"]
    given = [v for v in counts.values() if v is not None]
    result["total"] = sum(given) if given else None
    return result
