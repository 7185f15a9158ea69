"""Each kind of value is read the same from the answers file and from the filled Word form.

One input table per kind; every input is typed once in a YAML answers file (quoted and
unquoted), once in the blank Word form and once in the browser form's input, and the
readings must agree. The formatters are checked by reading back what they write.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from typing import Any

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clas_bilan import (
    campaigns,
    checks,
    codec,
    extract,
    form,
    loading,
    mailing,
    models,
    recognise,
    values,
)
from clas_bilan.docx import fill, locate
from clas_bilan.docx.template import template_path
from clas_bilan.errors import UsageError
from clas_bilan.web import fields, session

REFUSED = "refusé"
"""What a side makes of an input it cannot read (it says so and keeps no value)."""


# The two sides ------------------------------------------------------------------------


def _nested(key: str, text: str) -> str:
    """A YAML answers file holding ``text`` as typed at a dotted key."""
    *parents, last = key.split(".")
    lines = [f"{'  ' * depth}{part}:" for depth, part in enumerate(parents)]
    lines.append(f"{'  ' * len(parents)}{last}: {text}")
    return "\n".join(lines) + "\n"


def yaml_side(key: str, text: str, *, quoted: bool) -> Any:
    """The value the answers file reads at ``key``, or REFUSED."""
    typed = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' if quoted else text
    loaded = loading.load(_nested(key, typed))
    if any(finding.is_error and finding.key == key for finding in loaded.findings):
        return REFUSED
    assert loaded.answers is not None
    return models.get(loaded.answers, key)


@functools.cache
def _blank_body() -> Any:
    return docx.Document(str(template_path())).element.body


def _type_in_form(body: Any, key: str, text: str) -> None:
    """Type ``text`` where the form asks for ``key``, as a person would in Word."""
    found = recognise.located(body, "bilan.docx")
    for block, place in zip(found.campaign.blocks, found.places, strict=True):
        assert place is not None
        if isinstance(block, form.Question) and key in block.keys:
            if block.codec == "place_date":
                fill.replace_text(place.element, [(f"Fait à Bourg, le {text}", True)])
            elif block.codec == "etp" and key != block.keys[0]:
                fill.write_inline(place.element, f"0 (calculé : {text} heures)")
            else:
                fill.write_inline(place.element, text)
            return
        if isinstance(block, form.Table) and block.items_key is None:
            for spec, tr in zip(block.rows, locate.rows(place.element), strict=False):
                for cell, tc in zip(spec, locate.cells(tr), strict=False):
                    if cell.key == key:
                        fill.write_cell(tc, [text])
                        return
    raise AssertionError(f"no place for {key} in the form")


def word_side(key: str, text: str) -> Any:
    """The value ``extract`` reads at ``key`` in the blank form where ``text`` is typed."""
    body = copy.deepcopy(_blank_body())
    _type_in_form(body, key, text)
    extracted = extract.read_body(body, "bilan.docx")
    value = models.get(extracted.answers, key)
    if value is None and extracted.problems:
        return REFUSED
    return value


def web_side(key: str, text: str) -> Any:
    """The value the browser form's answers hold at ``key`` when ``text`` is typed in its input."""
    loaded = loading.load(session.answers_text(fields.nest({key: text})))
    if any(finding.is_error and finding.key == key for finding in loaded.findings):
        return REFUSED
    assert loaded.answers is not None
    return models.get(loaded.answers, key)


def _agree(key: str, text: str, expected: Any) -> None:
    assert word_side(key, text) == expected
    assert web_side(key, text) == expected
    assert yaml_side(key, text, quoted=True) == expected
    if text.strip() and not text.startswith(("+", "-", " ")):
        assert yaml_side(key, text, quoted=False) == expected


# One input table a kind ---------------------------------------------------------------

COUNTS = [
    ("12", 12),
    ("0", 0),
    ("1 200", 1200),
    ("1\u202f200", 1200),
    ("1\u00a0200", 1200),
    ("12,0", 12),
    ("+4", 4),
    (".0", 0),
    ("12.0", 12),
    (" 7 ", 7),
    ("12,5", REFUSED),
    ("1 5", REFUSED),
    ("douze", REFUSED),
    ("-3", REFUSED),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), COUNTS)
@pytest.mark.parametrize("key", ["public.inscrits.CP", "public.nombre_collectifs"])
def test_counts(key: str, text: str, expected: Any) -> None:
    _agree(key, text, expected)


DECIMALS = [
    ("1,5", 1.5),
    ("1.50", 1.5),
    ("0,25", 0.25),
    ("2 410", 2410),
    ("2\u202f410,5", 2410.5),
    ("1 5", REFUSED),
    ("beaucoup", REFUSED),
]


@pytest.mark.parametrize(("text", "expected"), DECIMALS)
def test_etp(text: str, expected: Any) -> None:
    _agree("moyens_humains.benevoles.etp", text, expected)


@pytest.mark.parametrize(("text", "expected"), [row for row in DECIMALS if row[1] != REFUSED])
def test_hours(text: str, expected: Any) -> None:
    _agree("moyens_humains.benevoles.heures", text, expected)


DATES = [
    ("30/06/2026", dt.date(2026, 6, 30)),
    ("3/6/2026", dt.date(2026, 6, 3)),
    ("30.06.2026", dt.date(2026, 6, 30)),
    ("2026-06-30", dt.date(2026, 6, 30)),
    ("30 juin 2026", dt.date(2026, 6, 30)),
    ("1er juillet 2026", dt.date(2026, 7, 1)),
    ("15 Février 2026", dt.date(2026, 2, 15)),
    ("15 fevr. 2026", dt.date(2026, 2, 15)),
    ("31/06/2026", REFUSED),
    ("30 juinn 2026", REFUSED),
    ("bientôt", REFUSED),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_dates(text: str, expected: Any) -> None:
    _agree("signature.date", text, expected)


YES_NO = [
    ("Oui", True),
    ("oui", True),
    ("OUI", True),
    ("Oui.", True),
    ("vrai", True),
    ("Non", False),
    ("non", False),
    ("faux", False),
    ("x", REFUSED),
    ("peut-être", REFUSED),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), YES_NO)
def test_yes_no(text: str, expected: Any) -> None:
    _agree("axe_enfants.criteres_bonus.surcout_materiel_pedagogique", text, expected)


def test_levels_spelled_with_accent() -> None:
    for spelled in ("1ère", "1re", "1ere"):
        loaded = loading.load(f"public:\n  inscrits:\n    {spelled}: 3\n")
        assert loaded.answers is not None
        assert loaded.answers.public.inscrits.premiere == 3
    assert values.level_key("1ère") == "1ere" == values.level_key("1ere")


# E-mail: the checks and the sending agree ---------------------------------------------

EMAILS = [
    ("helene.dupre@lilas.example.org", True),
    ("ce.0011234a@ac-lyon.fr", True),
    ("prenom+clas@exemple.fr", True),
    ("moi@", False),
    ("moi@exemple", False),
    ("moi@exemple.f", False),
    ("deux@@exemple.fr", False),
    ("nom prenom@exemple.fr", False),
    ("contact@exemple_fr.fr", False),
]


def _checks_accept(address: str) -> bool:
    answers = campaigns.current().answers()
    answers.moyens_humains.coordination.email = address
    return not any(
        finding.key == "moyens_humains.coordination.email" for finding in checks.check(answers, {})
    )


def _mailing_accepts(address: str, tmp_path: Any) -> bool:
    bilan = tmp_path / "bilan.docx"
    docx.Document(str(template_path())).save(str(bilan))
    try:
        mailing.build_draft(bilan, sender=address, answers=None)
    except UsageError:
        return False
    return True


@pytest.mark.parametrize(("address", "valid"), EMAILS)
def test_email_read_alike(address: str, valid: bool, tmp_path: Any) -> None:
    assert values.is_email(address) is valid
    assert _checks_accept(address) is valid
    assert _mailing_accepts(address, tmp_path) is valid


def test_accented_email_is_checked_alike_but_not_sent() -> None:
    """An accented address passes the checks; a mail header cannot carry it, so ``email``
    asks for another (the checks are not the place to refuse it)."""
    assert values.is_email("hélène@exemple.fr")
    assert _checks_accept("hélène@exemple.fr")


# Formatters: what is written is read back ---------------------------------------------


@given(st.integers(min_value=0, max_value=models.LARGEST))
def test_count_round_trip(number: int) -> None:
    assert values.parse_count(values.format_count(number)) == number


@given(st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False))
def test_decimal_round_trip(number: Any) -> None:
    assert values.parse_decimal(values.format_number(float(number))) == float(number)
    assert values.parse_decimal(values.format_typed(float(number))) == float(number)


@given(st.dates(min_value=dt.date(1900, 1, 1)))
def test_date_round_trip(date: dt.date) -> None:
    assert values.parse_date(values.format_date(date)) == date


@pytest.mark.parametrize("answer", [True, False])
def test_yes_no_round_trip(answer: bool) -> None:
    assert values.parse_yes_no(values.format_yes_no(answer)) is answer


def test_formats() -> None:
    assert values.format_count(2410) == "2\u202f410"
    assert values.format_etp(0.5) == "0,50"
    assert values.format_rounded(2 / 3) == "0,67"
    assert values.format_rounded(3214, 0) == "3214"
    assert values.format_number(1.25, decimals=1) == "1,25"
    assert values.format_typed(2410.5) == "2410,5"
    assert values.format_date(dt.date(2026, 6, 3)) == "03/06/2026"
    assert values.format_size(2_500_000) == "2,5 Mo"
    assert values.format_size(20_000_000) == "20 Mo"
    assert values.format_size(53_687_091_200) == "53\u202f687,1 Mo"


def test_etp_question_written_and_read_back() -> None:
    """The ETP question's text (« 0,50 (2 410,5 heures travaillées) ») reads back to its values."""
    keys = ("moyens_humains.salaries.etp", "moyens_humains.salaries.heures_travaillees")
    text = codec.encode("etp", keys, [0.5, 2410.5])
    assert text == "0,50 (2\u202f410,5 heures travaillées)"
    assert codec.decode("etp", [*keys, "moyens_humains.salaries.heures_payees"], text) == {
        keys[0]: 0.5,
        keys[1]: 2410.5,
        "moyens_humains.salaries.heures_payees": None,
    }
