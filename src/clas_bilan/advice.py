"""What to do about a finding, said for the place where a person reads it.

A finding's ``message`` says what is wrong in words true everywhere; its ``hint`` is the
fix in the answers file (the YAML line to write). The browser form and the Caf's workbook
need the same fix said for their reader: « Cochez Oui ou Non » in the page, « demandez au
projet… » for the Caf's agent. Those texts live here, keyed by the finding's stable code,
so that each finding keeps one source of wording with a fix per medium.
"""

from __future__ import annotations

from typing import Literal

from clas_bilan.report import Finding

Medium = Literal["fichier", "page", "caf"]
"""Who reads the fix: the answers file's author, the browser form's user, the Caf's agent."""

HINT = "{hint}"
"""A fix that reads the same everywhere: the finding's own ``hint``, shown as it is."""

PAGE: dict[str, str] = {
    # The answers' checks (checks.py)
    "campaign-mismatch": "Ce fichier de réponses a été préparé pour une autre campagne : "
    "arrêtez le formulaire et partez d’un fichier créé pour celle-ci (les réponses de l’an "
    "dernier peuvent y être reprises).",
    "mandatory-missing": "Cochez Oui ou Non.",
    "training-sessions-mismatch": "Cochez Oui et décrivez chaque session avec « + Ajouter : "
    "session de formation » (organisme, intitulé, dates, personnes formées), ou cochez Non et "
    "retirez les sessions avec « ✕ Supprimer ».",
    "trained-above-headcount": HINT,
    "total-mismatch": HINT,
    "total-unchecked": "Corrigez d’abord ce nombre dans le tableau des inscrits.",
    "too-many-per-collectif": HINT,
    "etp-hours-mismatch": HINT,
    "etp-above-headcount": HINT,
    "etp-per-person-low": "Donnez dans ce champ le total de l’ensemble des personnes sur "
    "l’année (la somme de ce que chacune a fait), ou corrigez leur nombre.",
    "bonus-collectifs-above-total": HINT,
    "surcout-without-collectif": "Indiquez le nombre de collectifs concernés, ou cochez Non.",
    "invisible-character": HINT,
    "email-invalid": HINT,
    "signature-missing": "Remplissez sous « Signature » le lieu, la date, le nom et la qualité "
    "du signataire.",
    "question-unanswered": HINT,
    "signature-image-unusable": "Choisissez une autre image (PNG ou JPEG) avec « Choisir une "
    "image… », ou retirez celle-ci avec « Retirer l’image ».",
    # A value of the wrong kind typed in a field (validation.py, values.py)
    "wrong-type": HINT,
    "number-too-big": HINT,
}
"""Finding code → the fix as a gesture in the browser form (never a YAML key or an option).

``{label}`` is replaced by the question's label, ``{hint}`` (:data:`HINT`) by the finding's
own fix when that one is true in the page too. A code without an entry shows no fix in
the page rather than the answers file's.
"""

_RESEND = "et de renvoyer son bilan corrigé (au format Word)."
_CHECK = "demandez au projet de vérifier « {label} » " + _RESEND
_CHECK_ALONE = "D" + _CHECK[1:]
_SLIP = (
    "Le fichier de réponses du projet est mal écrit à cet endroit : demandez-lui de le "
    "vérifier avec « clas-bilan validate » " + _RESEND
)

CAF: dict[str, str] = {
    "campaign-mismatch": "Ce bilan n'est pas celui de cette année : demandez au projet le "
    "bilan de la campagne en cours, sur le formulaire de cette année.",
    "mandatory-missing": "Réponse Oui/Non obligatoire : demandez au projet de cocher Oui ou "
    "Non à « {label} » " + _RESEND,
    "training-sessions-mismatch": "Les formations déclarées ne concordent pas : demandez au "
    "projet s'il a suivi une formation et, si oui, de décrire chaque session " + _RESEND,
    "trained-above-headcount": "Plus de personnes formées que de personnes dans l'équipe : "
    + _CHECK,
    "total-mismatch": "Le total n'est pas la somme des inscrits par niveau ; les totaux de la "
    "synthèse comptent la somme par niveau : " + _CHECK,
    "total-unchecked": "Un nombre d'inscrits n'a pas pu être lu : " + _CHECK,
    "too-many-per-collectif": "Groupes plus grands que ceux que la Caf recommande : demandez "
    "au projet le nombre de collectifs et la taille des groupes.",
    "etp-hours-mismatch": "L'ETP déclaré ne correspond pas aux heures ; la synthèse compte "
    "l'ETP déclaré : " + _CHECK,
    "etp-above-headcount": "Plus d'ETP que de personnes : demandez au projet de vérifier les "
    "heures ou l'ETP de « {label} ».",
    "etp-per-person-low": "Très peu d'heures par personne : ce sont peut-être les heures d'une "
    "seule personne ; demandez au projet le total des heures de l'ensemble des personnes.",
    "bonus-collectifs-above-total": "Plus de collectifs concernés par le bonus que de "
    "collectifs du projet : " + _CHECK,
    "surcout-without-collectif": "Un surcoût est déclaré sans collectif concerné : demandez "
    "au projet combien de collectifs sont concernés.",
    "bonus-criteria-unmet": "Critères du bonus non remplis : voir la feuille « Bonifications ».",
    "invisible-character": "Un caractère invisible gêne la relecture de « {label} » : " + _CHECK,
    "email-invalid": "L'adresse mail n'en est pas une : demandez au projet la bonne adresse.",
    "signature-missing": "Le bilan n'est pas signé : demandez au projet de le dater, de le "
    "signer et de le renvoyer.",
    "deadline-passed": "Bilan signé après la date limite : à signaler, selon les règles de la Caf.",
    "question-unanswered": "Question sans réponse : demandez au projet de répondre à "
    "« {label} » " + _RESEND,
    "docx-answer-unread": "Une réponse du document Word n'a pas pu être relue (saisie hors des "
    "cases ou mise en forme modifiée) : vérifiez-la dans le document et, si besoin, "
    "demandez au projet de la corriger.",
    "duplicate-bilan": "Plusieurs versions reçues : vérifiez que la version comptée est bien "
    "la dernière envoyée.",
    "versions-undecided": "Rien ne dit quelle version est la dernière : ouvrez les deux "
    "fichiers, ou demandez au projet laquelle compte ; pour compter l'autre, mettez « Non » "
    "dans la colonne « Compté dans la synthèse » de la feuille Bilans pour celle-ci et "
    "« Oui » pour l'autre.",
    "signature-image-unusable": "L'image de signature n'a pas pu être utilisée : demandez au "
    "projet de signer le bilan à la main et de renvoyer le scan avec le fichier Word.",
    "not-utf8": "Fichier de réponses mal enregistré (encodage) : vérifiez les lettres "
    "accentuées de ce bilan.",
    "wrong-type": _CHECK_ALONE,
    "negative-number": _CHECK_ALONE,
    "number-too-big": _CHECK_ALONE,
    "not-whole-number": _CHECK_ALONE,
    "impossible-date": _CHECK_ALONE,
    "invalid-value": _CHECK_ALONE,
    "section-expected": _SLIP,
    "unknown-key": _SLIP,
    "text-cut-by-comment": _SLIP,
    **dict.fromkeys(
        (
            "tab-indent",
            "missing-space-after-colon",
            "answer-in-comment",
            "tab-in-answer",
            "unclosed-quote",
            "text-without-pipe",
            "key-not-indented",
            "list-dash-missing",
            "block-text-not-indented",
            "colon-missing",
            "key-misaligned",
            "too-many-syntax-errors",
            "too-many-values",
            "too-deep",
            "key-not-text",
            "comment-only-answer",
            "yaml-anchor",
            "yaml-tag",
            "yaml-alias",
            "duplicate-key",
            "thousands-dot",
            "backslash-escape",
            "yaml-syntax",
            "needs-quotes",
            "empty-file",
            "not-a-mapping",
        ),
        _SLIP,
    ),
}
"""Finding code → what the Caf's agent should check or ask the project for.

``{label}`` is replaced by the question's label. Never an answers-file key or YAML.
"""


def advice(finding: Finding, medium: Medium) -> str | None:
    """The fix of ``finding`` said for ``medium``'s reader, or None when there is none."""
    if medium == "fichier":
        return finding.hint
    table = PAGE if medium == "page" else CAF
    text = table.get(finding.code)
    if text is None or (text == HINT and not finding.hint):
        return None
    return text.format(label=finding.label, hint=finding.hint or "")
