"""The Bilan CLAS form, described once: its text in order and where each answer lives.

This description is the single source for three things:

* ``scripts/build_template.py`` builds ``templates/bilan_2025_2026.docx`` from it;
* ``render`` writes each answer at the place named here;
* ``extract`` reads each answer back from the same place.

Wording is the Caf's own, typos included ("BONFICATION PARENTS", "lequels").
A key is a dotted path in the answers file (``moyens_humains.salaries.nombre``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

CAMPAIGN = "2025-2026"
CAMPAIGN_LABEL = "2025/2026"
DEADLINE_TEXT = "1er août 2026"
CAF_EMAIL = "parentalite@caf01.caf.fr"
TITLE = "Bilan CLAS 2025/2026"

Layout = Literal["inline", "below", "field"]
"""Where a question's answer goes.

* ``inline``: in the label's own paragraph, after the label (short answers);
* ``below``: in new paragraphs right after the label's paragraph;
* ``field``: in the legacy text form field (FORMTEXT) of the paragraph after the label.
"""

Codec = Literal["text", "lines", "integer", "etp", "coordination", "place_date"]
"""How the answer's values become text and back.

* ``text``: one free-text value, one paragraph a line;
* ``lines``: several one-line values, one paragraph each, the last taking the rest;
* ``integer``: a count;
* ``etp``: ``keys`` = (etp, hours worked or hours, [hours paid]); written as
  ``1,50`` when given, ``1,50 (calculé : 2 410 heures travaillées / 1 607)`` when computed;
* ``coordination``: ``keys`` = (nom, prénom, e-mail), written ``Nom, Prénom, e-mail``;
* ``place_date``: ``keys`` = (lieu, date), written ``Fait à Lieu, le 30/06/2026``.
"""


@dataclass(frozen=True)
class Cover:
    """A line of the cover page; ``lines`` are joined by line breaks in one paragraph."""

    lines: tuple[str, ...]
    size: int = 20


@dataclass(frozen=True)
class Heading:
    """A section title, as a real Word heading (level 1 or 2)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Note:
    """Static text of the form, with no answer."""

    text: str
    style: Literal["normal", "strong", "link", "bullet", "centered"] = "normal"


@dataclass(frozen=True)
class Box:
    """A framed one-cell table holding a line of text, and maybe an inline answer."""

    text: str
    key: str | None = None
    shaded: bool = False


@dataclass(frozen=True)
class Question:
    """A question of the form and the answer values that go with it."""

    label: str
    keys: tuple[str, ...]
    layout: Layout = "below"
    codec: Codec = "text"
    optional: bool = False
    """True when leaving it empty is a legitimate answer ("S'il existe des écarts…")."""
    space: int = 2
    """Empty paragraphs left under the question in the blank template."""


@dataclass(frozen=True)
class Choice:
    """A Oui/Non question answered by ticking one of two legacy check boxes."""

    label: str
    key: str
    options: tuple[str, str] = ("Oui", "Non")


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (one paragraph an item), spans, and the answer it holds."""

    text: tuple[str, ...] = ()
    span: int = 1
    """Columns of the grid this cell covers (w:gridSpan)."""
    vmerge: Literal["restart", "continue"] | None = None
    key: str | None = None
    """Answer key written in this cell (a count, or "oui"/"non")."""
    computed: str | None = None
    """Name of a computed value written here, never read back as an answer."""
    header: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the form.

    Fixed tables name their answers cell by cell. List tables (``items_key`` set)
    print ``blank_rows`` empty rows, filled one list item a row, and grow by
    copying the last row when there are more items.
    """

    name: str
    widths: tuple[float, ...]
    """Grid column widths in centimetres."""
    rows: tuple[tuple[Cell, ...], ...]
    items_key: str | None = None
    item_keys: tuple[str, ...] = ()
    """For list tables: the key, inside one item, of each grid column."""
    item_lists: tuple[str, ...] = ()
    """Those of ``item_keys`` holding a list of établissements: one paragraph an entry."""
    blank_rows: int = 0


Block = Cover | Heading | Note | Box | Question | Choice | Table


def _c(*text: str, **kwargs: object) -> Cell:
    return Cell(text=tuple(text), **kwargs)  # type: ignore[arg-type]


def _h(*text: str, **kwargs: object) -> Cell:
    return Cell(text=tuple(text), header=True, **kwargs)  # type: ignore[arg-type]


LEVELS: tuple[tuple[str, str], ...] = (
    ("CP", "CP"),
    ("CE1", "CE1"),
    ("CE2", "CE2"),
    ("CM1", "CM1"),
    ("CM2", "CM2"),
    ("6e", "6e"),
    ("5e", "5e"),
    ("4e", "4e"),
    ("3e", "3e"),
    ("2de", "2de"),
    ("1ere", "1ère"),
    ("T", "T"),
)
"""School levels: (answers-file key, form label)."""

CYCLES: dict[str, tuple[str, ...]] = {
    "elementaire": ("CP", "CE1", "CE2", "CM1", "CM2"),
    "college": ("6e", "5e", "4e", "3e"),
    "lycee": ("2de", "1ere", "T"),
}
"""The subtotals of the public table, by answers-file level key."""

MANDATORY_CHOICES = (
    "formations.suivie",
    "axe_enfants.criteres_bonus.surcout_materiel_pedagogique",
    "axe_enfants.criteres_bonus.surcout_intervenants_exterieurs",
    "axe_enfants.criteres_bonus.surcout_sorties_culturelles",
    "axe_parents.criteres_bonus.surcout_intervenants_exterieurs",
    "axe_parents.criteres_bonus.surcout_sorties_parents_enfants",
)
"""Oui/Non answers the form marks mandatory: missing is an error, not a warning."""

ETP_WORKED_HOURS = 1607
ETP_PAID_HOURS = 1820

_FORMATIONS = Table(
    name="formations",
    widths=(3.6, 4.6, 2.6, 2.1, 2.1, 2.1),
    rows=(
        (
            _h("Nom de l’organisme\nen charge de la formation", vmerge="restart"),
            _h("Intitulé et objet de la formation", vmerge="restart"),
            _h("Dates de formation", vmerge="restart"),
            _h("Nombre de personnes formées", span=3),
        ),
        (
            _h(vmerge="continue"),
            _h(vmerge="continue"),
            _h(vmerge="continue"),
            _h("Salariés "),
            _h("Volontaires "),
            _h("Bénévoles"),
        ),
    ),
    items_key="formations.sessions",
    item_keys=(
        "organisme",
        "intitule",
        "dates",
        "personnes_formees.salaries",
        "personnes_formees.volontaires",
        "personnes_formees.benevoles",
    ),
    blank_rows=4,
)

_PUBLIC = Table(
    name="public",
    widths=(1.2,) * 12 + (1.5, 1.8),
    rows=(
        (
            _h("Elémentaire", span=5),
            _h("Collège", span=4),
            _h("Lycée", span=3),
            _h("Autre"),
            _h("TOTAL"),
        ),
        (
            _c(span=5, computed="elementaire"),
            _c(span=4, computed="college"),
            _c(span=3, computed="lycee"),
            _c(computed="autre"),
            _c(key="public.total", computed="total"),
        ),
        (*(_h(label) for _, label in LEVELS), _h(), _h("/")),
        (
            *(_c(key=f"public.inscrits.{key}") for key, _ in LEVELS),
            _c(key="public.inscrits.autre"),
            _c(),
        ),
    ),
)

_TERRITOIRES = Table(
    name="territoires",
    widths=(7.5, 9.6),
    rows=(
        (
            _h("TERRITOIRES D’INTERVENTION\n(Quartier, adresse, local)"),
            _h("ETABLISSEMENTS SCOLAIRES CONCERNES\u00a0: NOM ADRESSE, MAIL"),
        ),
    ),
    items_key="territoires",
    item_keys=("territoire", "etablissements"),
    item_lists=("etablissements",),
    blank_rows=8,
)

_BONUS_ENFANTS = Table(
    name="bonus_enfants",
    widths=(3.0, 11.1, 3.0),
    rows=(
        (
            _h("Nature des critères"),
            _h(
                "BONIFICATION ENFANTS",
                "Rappel des objectifs\u00a0: ",
                "- Elargir les centres d’intérêt des enfants et des jeunes afin d’ouvrir leur "
                "accès à la culture, environnement et à la citoyenneté",
                "- Mobiliser les enfants et les jeunes pour les rendre acteurs au travers la "
                "conduite des projets élaborés avec et pour eux",
            ),
            _h("Répondez par", "Oui ou Non"),
        ),
        (
            _c(),
            _c(
                "Nombre de collectifs concernés par un projet complémentaire d’ouverture "
                "culturelle, structuré et organisé sur l’année\u00a0?"
            ),
            _c(key="axe_enfants.criteres_bonus.collectifs_ouverture_culturelle"),
        ),
        (
            _h("AU MOINS UN", vmerge="restart"),
            _c(
                "Surcoût généré par des dépenses pour l’achat de matériel pédagogique "
                "(ordinateur, …) propre à ce projet complémentaire ?"
            ),
            _c(key="axe_enfants.criteres_bonus.surcout_materiel_pedagogique"),
        ),
        (
            _h(vmerge="continue"),
            _c(
                "Surcoût généré par des dépenses pour la mobilisation d'intervenants "
                "extérieurs propre à ce projet complémentaire ?"
            ),
            _c(key="axe_enfants.criteres_bonus.surcout_intervenants_exterieurs"),
        ),
        (
            _h(vmerge="continue"),
            _c(
                "Surcoût généré par des dépenses pour l’organisation de sorties et/ou "
                "d'activités culturelles propre à ce projet complémentaire ?"
            ),
            _c(key="axe_enfants.criteres_bonus.surcout_sorties_culturelles"),
        ),
    ),
)

_BONUS_PARENTS = Table(
    name="bonus_parents",
    widths=(3.0, 11.1, 3.0),
    rows=(
        (
            _h("NATURE CRITERE"),
            _h(
                "BONFICATION PARENTS ",
                "Rappel des objectifs\u00a0: ",
                "- Soutenir les parents en proposant des temps de rencontres réguliers",
                "- Renforcer la coopération des parents au projet Clas en les associant aux "
                "actions",
            ),
            _h("Répondez par", "Oui ou Non"),
        ),
        (
            _h("OBLIGATOIRE"),
            _c(
                "Nombre de collectifs concernés par un projet spécifique d’accompagnement des "
                "parents des enfants du CLAS organisé sur la totalité de l'année "
            ),
            _c(key="axe_parents.criteres_bonus.collectifs_accompagnement_parents"),
        ),
        (
            _h("AU MOINS UN", vmerge="restart"),
            _c(
                "Surcoût généré par des dépenses pour la mobilisation d'intervenants "
                "extérieurs propre à ce projet spécifique ?"
            ),
            _c(key="axe_parents.criteres_bonus.surcout_intervenants_exterieurs"),
        ),
        (
            _h(vmerge="continue"),
            _c(
                "Surcoût généré par des dépenses pour l’organisation de sorties et/ou "
                "d'activités culturelles Parents-enfants propre à ce projet spécifique ?"
            ),
            _c(key="axe_parents.criteres_bonus.surcout_sorties_parents_enfants"),
        ),
    ),
)

FORM: tuple[Block, ...] = (
    Cover(("Contrat Local d’Accompagnement", " à la Scolarité (CLAS)"), size=22),
    Cover(("   Bilan CLAS 2025/2026",), size=26),
    Question(
        "Nom du gestionnaire et adresse\u00a0:",
        ("gestionnaire.nom", "gestionnaire.adresse"),
        codec="lines",
    ),
    Question(
        "Nom et commune de l’équipement concerné: ",
        ("equipement.nom", "equipement.commune"),
        codec="lines",
    ),
    Note(
        "Ce dossier doit être retourné uniquement par courriel à l’adresse mail suivante en "
        "complément du bilan qui est transmis sur AFAS et ESPADA",
        "centered",
    ),
    Note("parentalite@caf01.caf.fr", "link"),
    Note(
        "Ce dossier doit être utilisé par tout organisme bénéficiant d’un financement C.L.A.S. ",
        "centered",
    ),
    Note("Complété et signé avant le 1er août 2026", "strong"),
    Box("Bilan qualitatif du projet Clas 2025-2026", shaded=True),
    Box("Intitulé du projet :  ", key="intitule_projet"),
    Heading("DESCRIPTION DE LA MISE EN ŒUVRE DU PROJET", 1),
    Heading("1. Moyens humains mobilisés ", 2),
    Question(
        "Nombre de salariés\u00a0: ",
        ("moyens_humains.salaries.nombre",),
        layout="inline",
        codec="integer",
    ),
    Question(
        "Soit en ETP (un Etp correspond à une base annuelle de travail de généralement 1820 "
        "heures payées ou de 1607 heures travaillées)\u00a0: ",
        (
            "moyens_humains.salaries.etp",
            "moyens_humains.salaries.heures_travaillees",
            "moyens_humains.salaries.heures_payees",
        ),
        layout="inline",
        codec="etp",
    ),
    Question(
        "Nombre de bénévoles (volontaires inclus)\u00a0: ",
        ("moyens_humains.benevoles.nombre",),
        layout="inline",
        codec="integer",
    ),
    Question(
        "Soit en ETP\u00a0:",
        ("moyens_humains.benevoles.etp", "moyens_humains.benevoles.heures"),
        layout="inline",
        codec="etp",
    ),
    Note("Qui assure la coordination du CLAS\u00a0:"),
    Question(
        "Nom, prénom, adresse mail\u00a0:",
        (
            "moyens_humains.coordination.nom",
            "moyens_humains.coordination.prenom",
            "moyens_humains.coordination.email",
        ),
        layout="inline",
        codec="coordination",
    ),
    Question(
        "S’il existe des écarts entre le prévisionnel et le réel concernant les intervenants, "
        "pouvez-vous en expliquer-en les raisons\u00a0:",
        ("moyens_humains.ecarts_intervenants",),
        layout="field",
        optional=True,
    ),
    Heading("2. Les formations réalisées", 2),
    Choice(
        "Une formation a-t-elle été suivie par les accompagnateurs du Clas au cours de l’année "
        "scolaire 2025-2026 ? ",
        "formations.suivie",
    ),
    Note("Si oui, merci de renseigner le tableau suivant\u00a0: "),
    _FORMATIONS,
    Question(
        "Quelle appréciation avez-vous des formations suivies et dans quelle mesure ont-elles "
        "été utiles pour les intervenants et la conduite de votre projet\u00a0?",
        ("formations.appreciation",),
    ),
    Question(
        "Avez-vous des besoins de formation en lien avec le Clas qui sont non couverts par une "
        "proposition de formation ? si oui, lequels\u00a0?",
        ("formations.besoins_non_couverts",),
        optional=True,
    ),
    Heading("3. Le public ", 2),
    Note(
        "· Nombre d’enfants / de jeunes différents inscrits par niveau scolaire au cours de "
        "l’année scolaire 2025-2026 dans le cadre du Clas\u00a0:"
    ),
    _PUBLIC,
    Question(
        "Nombre de collectifs\u00a0:",
        ("public.nombre_collectifs",),
        layout="inline",
        codec="integer",
    ),
    Heading("4. Synthèse territoriale de la mise en œuvre du projet Clas", 2),
    _TERRITOIRES,
    Heading("Axe d’intervention auprès des enfants et des jeunes", 1),
    _BONUS_ENFANTS,
    Question(
        "Quelles actions avez-vous développées auprès des enfants et des jeunes\u00a0? "
        "(Contenu des actions, organisation\u00a0?)",
        ("axe_enfants.actions",),
    ),
    Question(
        "Avez-vous conduit un projet sur l’ensemble de l’année scolaire\u00a0? De quelle "
        "nature\u00a0? Quelles sont les dépenses occasionnées par ce projet\u00a0?",
        ("axe_enfants.projet_annee",),
    ),
    Question(
        "S’il existe des écarts entre ce qui avait été envisagé dans le projet et ce qui a été "
        "réalisé concernant l’axe d’intervention auprès des enfants et des jeunes, expliquez-en "
        "les raisons\u00a0?",
        ("axe_enfants.ecarts",),
        optional=True,
    ),
    Question(
        "Qu’est-ce que les enfants vous ont-ils rapporté sur l’intérêt du clas\u00a0? Quelle "
        "incidence sur leur scolarité\u00a0? Sont-ils satisfaits de participer au clas et "
        "pourquoi\u00a0?",
        ("axe_enfants.retours_enfants",),
        space=4,
    ),
    Question(
        "Quel projet envisagez-vous de développer en 2026 – 2027 permettant de justifier "
        "l’attribution du bonus enfants\u00a0? Quelles seront les dépenses engagées\u00a0?",
        ("axe_enfants.projet_suivant",),
        space=3,
    ),
    Heading("Axe d’intervention auprès des parents", 1),
    _BONUS_PARENTS,
    Question(
        "Quelles actions avez-vous développées auprès des parents ? (Contenu des actions, "
        "modalités d’organisation).",
        ("axe_parents.actions",),
    ),
    Question(
        "S’il existe des écarts entre ce qui avait été envisagé dans le projet et ce qui a été "
        "réalisé concernant vos interventions auprès des parents, expliquez -en les "
        "raisons\u00a0?",
        ("axe_parents.ecarts",),
        optional=True,
    ),
    Question(
        "A l’issue d’une année de Clas, que pensent les parents de ce dispositif\u00a0? Quels "
        "effets selon eux sur leur enfant\u00a0? Est-ce que la participation de leur enfant au "
        "Clas et leur propre participation a changé leur façon d’aborder la scolarité de leur "
        "enfant\u00a0? Comment\u00a0?",
        ("axe_parents.avis_parents",),
        layout="field",
    ),
    Question(
        "Quel projet envisagez-vous de développer en 2026 – 2027 permettant de justifier "
        "l’attribution du bonus parents ? Quelles seront les dépenses engagées ?",
        ("axe_parents.projet_suivant",),
        space=3,
    ),
    Heading("Axe de concertation et de coordination avec l’école / le collège", 1),
    Question(
        "Quelles actions avez-vous mises en œuvre\u00a0avec les établissements "
        "scolaires\u00a0(bilan, présentation du projet, échanges sur l’orientation et le suivi "
        "des enfants, projet commun…)\u00a0?",
        ("axe_etablissements.actions",),
    ),
    Question(
        "S’il existe des écarts entre ce qui avait été envisagé dans le projet et ce qui a été "
        "réalisé concernant la collaboration avec les établissements scolaires, pouvez-vous en "
        "donner-en les raisons\u00a0:",
        ("axe_etablissements.ecarts",),
        optional=True,
    ),
    Question(
        "A l’issue d’une année scolaire, quels retours les établissements vous font ils de la "
        "participation des enfants au dispositif clas\u00a0? ",
        ("axe_etablissements.retours",),
        space=4,
    ),
    Heading("Conclusion / Suggestion", 1),
    Question(
        "Globalement, quelle conclusion tirez-vous de cette année de conduite du projet Clas "
        "(éléments positifs, freins)\u00a0?",
        ("conclusion.bilan",),
        space=3,
    ),
    Question(
        "Avez-vous des remarques, des suggestions à faire dans la conduite du dispositif par la "
        "Caf ?",
        ("conclusion.suggestions_caf",),
        optional=True,
        space=3,
    ),
    Heading("Signature", 2),
    Question(
        "Fait à ………………………………, le ………………………",
        ("signature.lieu", "signature.date"),
        layout="inline",
        codec="place_date",
    ),
    Question("Nom et prénom du signataire\u00a0: ", ("signature.nom",), layout="inline"),
    Question("Qualité du signataire\u00a0: ", ("signature.qualite",), layout="inline"),
    Note("Signature\u00a0:"),
)
"""The whole form, in the order of the official document."""


@dataclass(frozen=True)
class AnswerSpot:
    """One answer key and the form text a user would recognise it by."""

    key: str
    label: str
    block: Block = field(compare=False)


def answer_spots() -> Iterator[AnswerSpot]:
    """Yield every answer key of the form, in form order, with its label."""
    for block in FORM:
        if isinstance(block, Question):
            for key in block.keys:
                yield AnswerSpot(key, _clean(block.label), block)
        elif isinstance(block, Choice):
            yield AnswerSpot(block.key, _clean(block.label), block)
        elif isinstance(block, Box) and block.key:
            yield AnswerSpot(block.key, _clean(block.text), block)
        elif isinstance(block, Table):
            if block.items_key:
                yield AnswerSpot(block.items_key, _table_label(block), block)
            for row in block.rows:
                for index, cell in enumerate(row):
                    if cell.key:
                        yield AnswerSpot(cell.key, _cell_label(block, row, index), block)


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).rstrip(" :").strip()


def _table_label(table: Table) -> str:
    return " / ".join(_clean(" ".join(cell.text)) for cell in table.rows[0] if cell.text)


def _cell_label(table: Table, row: tuple[Cell, ...], index: int) -> str:
    if table.name == "public":
        return _public_label(row, index)
    texts = [_clean(" ".join(cell.text)) for cell in row[:index] if cell.text]
    return texts[-1] if texts else _table_label(table)


def _public_label(row: tuple[Cell, ...], index: int) -> str:
    if row[index].key == "public.total":
        return "TOTAL"
    if index < len(LEVELS):
        return f"Nombre d’enfants inscrits en {LEVELS[index][1]}"
    return "Nombre d’enfants inscrits : Autre"


def labels() -> dict[str, str]:
    """Map each answer key to the form's label for it (a fresh copy: callers may change it)."""
    return dict(_labels())


@functools.cache
def _labels() -> dict[str, str]:
    """The labels, worked out once: writing an answers file asks for them per section."""
    return {spot.key: spot.label for spot in answer_spots()}
