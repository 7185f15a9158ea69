"""The Bilan CLAS 2025/2026 campaign: its dates, hour bases and form, as the Caf printed it.

Wording is the Caf's own, typos included ("BONFICATION PARENTS", "lequels").
"""

from __future__ import annotations

import datetime as dt

from clas_bilan.campaigns.campaign import Campaign
from clas_bilan.form import (
    LEVELS,
    Block,
    Box,
    Choice,
    Cover,
    Heading,
    Note,
    Question,
    Table,
    cell,
    head,
)

_FORMATIONS = Table(
    name="formations",
    widths=(3.6, 4.6, 2.6, 2.1, 2.1, 2.1),
    rows=(
        (
            head("Nom de l’organisme\nen charge de la formation", vmerge="restart"),
            head("Intitulé et objet de la formation", vmerge="restart"),
            head("Dates de formation", vmerge="restart"),
            head("Nombre de personnes formées", span=3),
        ),
        (
            head(vmerge="continue"),
            head(vmerge="continue"),
            head(vmerge="continue"),
            head("Salariés "),
            head("Volontaires "),
            head("Bénévoles"),
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
            head("Elémentaire", span=5),
            head("Collège", span=4),
            head("Lycée", span=3),
            head("Autre"),
            head("TOTAL"),
        ),
        (
            cell(span=5, computed="elementaire"),
            cell(span=4, computed="college"),
            cell(span=3, computed="lycee"),
            cell(computed="autre"),
            cell(key="public.total", computed="total"),
        ),
        (*(head(label) for _, label in LEVELS), head(), head("/")),
        (
            *(cell(key=f"public.inscrits.{key}") for key, _ in LEVELS),
            cell(key="public.inscrits.autre"),
            cell(),
        ),
    ),
)

_TERRITOIRES = Table(
    name="territoires",
    widths=(7.5, 9.6),
    rows=(
        (
            head("TERRITOIRES D’INTERVENTION\n(Quartier, adresse, local)"),
            head("ETABLISSEMENTS SCOLAIRES CONCERNES\u00a0: NOM ADRESSE, MAIL"),
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
            head("Nature des critères"),
            head(
                "BONIFICATION ENFANTS",
                "Rappel des objectifs\u00a0: ",
                "- Elargir les centres d’intérêt des enfants et des jeunes afin d’ouvrir leur "
                "accès à la culture, environnement et à la citoyenneté",
                "- Mobiliser les enfants et les jeunes pour les rendre acteurs au travers la "
                "conduite des projets élaborés avec et pour eux",
            ),
            head("Répondez par", "Oui ou Non"),
        ),
        (
            cell(),
            cell(
                "Nombre de collectifs concernés par un projet complémentaire d’ouverture "
                "culturelle, structuré et organisé sur l’année\u00a0?"
            ),
            cell(key="axe_enfants.criteres_bonus.collectifs_ouverture_culturelle"),
        ),
        (
            head("AU MOINS UN", vmerge="restart"),
            cell(
                "Surcoût généré par des dépenses pour l’achat de matériel pédagogique "
                "(ordinateur, …) propre à ce projet complémentaire ?"
            ),
            cell(key="axe_enfants.criteres_bonus.surcout_materiel_pedagogique"),
        ),
        (
            head(vmerge="continue"),
            cell(
                "Surcoût généré par des dépenses pour la mobilisation d'intervenants "
                "extérieurs propre à ce projet complémentaire ?"
            ),
            cell(key="axe_enfants.criteres_bonus.surcout_intervenants_exterieurs"),
        ),
        (
            head(vmerge="continue"),
            cell(
                "Surcoût généré par des dépenses pour l’organisation de sorties et/ou "
                "d'activités culturelles propre à ce projet complémentaire ?"
            ),
            cell(key="axe_enfants.criteres_bonus.surcout_sorties_culturelles"),
        ),
    ),
)

_BONUS_PARENTS = Table(
    name="bonus_parents",
    widths=(3.0, 11.1, 3.0),
    rows=(
        (
            head("NATURE CRITERE"),
            head(
                "BONFICATION PARENTS ",
                "Rappel des objectifs\u00a0: ",
                "- Soutenir les parents en proposant des temps de rencontres réguliers",
                "- Renforcer la coopération des parents au projet Clas en les associant aux "
                "actions",
            ),
            head("Répondez par", "Oui ou Non"),
        ),
        (
            head("OBLIGATOIRE"),
            cell(
                "Nombre de collectifs concernés par un projet spécifique d’accompagnement des "
                "parents des enfants du CLAS organisé sur la totalité de l'année "
            ),
            cell(key="axe_parents.criteres_bonus.collectifs_accompagnement_parents"),
        ),
        (
            head("AU MOINS UN", vmerge="restart"),
            cell(
                "Surcoût généré par des dépenses pour la mobilisation d'intervenants "
                "extérieurs propre à ce projet spécifique ?"
            ),
            cell(key="axe_parents.criteres_bonus.surcout_intervenants_exterieurs"),
        ),
        (
            head(vmerge="continue"),
            cell(
                "Surcoût généré par des dépenses pour l’organisation de sorties et/ou "
                "d'activités culturelles Parents-enfants propre à ce projet spécifique ?"
            ),
            cell(key="axe_parents.criteres_bonus.surcout_sorties_parents_enfants"),
        ),
    ),
)

BLOCKS: tuple[Block, ...] = (
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


CAMPAIGN = Campaign(
    code="2025-2026",
    label="2025/2026",
    deadline=dt.date(2026, 8, 1),
    blocks=BLOCKS,
    worked_hours=1607,
    paid_hours=1820,
)
