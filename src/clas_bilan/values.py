"""One parser and one formatter per kind of answer value, shared by every side of the tool.

The answers file (``models`` validators), the filled Word form (``codec``, ``extract``) and
the browser form (``web``) read a count, a number of hours, an ETP, a date, a « Oui / Non »
or an e-mail with the functions below, so a value typed the same way is read the same way
wherever it is typed. Parsers take the text a person typed and raise ``Refused`` (a
``ValueError``) with a French reason and the finding's code; ``NotThisKind`` says the text is
not this kind of value at all, so a caller may let its own type check explain it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal

NARROW_NBSP = "\u202f"
"""Thousands separator of French typography."""

LONGEST_COUNT = 15
"""Most digits of a count: beyond it, a typing slip."""

NOT_WHOLE = "nombre entier attendu (pas de décimale)"


class Refused(ValueError):
    """A value that cannot be taken; ``code`` names the kind of problem (``Finding.code``)."""

    code = "invalid-value"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class NotThisKind(Refused):
    """The text is not a value of the kind asked for (« 6 enfants » for a count)."""

    code = "wrong-type"


# Numbers: counts, hours, ETP ---------------------------------------------------------

_BLANKS = "\u00a0\u202f\u2007\u2009 "
_GROUPED = re.compile(rf"[+-]?\d{{1,3}}(?:[{_BLANKS}]\d{{3}})+(?:[.,]\d*)?")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


def _digits(text: str) -> str | None:
    """The number in ``text`` without thousands separators; None when it is not a number.

    Spaces are thousands separators only between groups of three digits (« 1 200 »), so
    « 1 5 » is not read as 15.
    """
    compact = text.strip(_BLANKS + "\t\n\r")
    if _GROUPED.fullmatch(compact):
        compact = re.sub(f"[{_BLANKS}]", "", compact)
    return compact if _NUMBER.fullmatch(compact) else None


def parse_decimal(text: str) -> float | None:
    """Read hours or an ETP (« 1,5 », « 1.50 », « 2 410 »); None when nothing is typed."""
    if not text.strip():
        return None
    compact = _digits(text)
    if compact is None:
        raise NotThisKind("nombre attendu, par exemple 1,5")
    return float(compact.replace(",", "."))


def parse_count(text: str) -> int | None:
    """Read a whole number (« 12 », « 1 200 », « 12,0 »); None when nothing is typed."""
    if not text.strip():
        return None
    compact = _digits(text)
    if compact is None:
        raise NotThisKind(f"« {text.strip()} » n'est pas un nombre entier")
    whole = re.split("[.,]", compact)[0].lstrip("+-0")
    if len(whole) > LONGEST_COUNT:
        raise Refused("nombre bien trop long : vérifiez la saisie", code="number-too-big")
    number = Decimal(compact.replace(",", "."))
    if number != int(number):
        raise Refused(NOT_WHOLE, code="not-whole-number")
    return int(number)


def format_number(value: float, *, decimals: int = 0) -> str:
    """French text of a number (« 2 410 », « 1,50 »): at least ``decimals``, more when needed."""
    if not math.isfinite(value):
        return str(value)
    text = format(Decimal(repr(float(value))), "f")
    sign = "-" if text.startswith("-") else ""
    integer, _, fraction = text.lstrip("-").partition(".")
    fraction = fraction.rstrip("0").ljust(decimals, "0")
    grouped = f"{int(integer):,}".replace(",", NARROW_NBSP)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_rounded(value: float, digits: int = 2) -> str:
    """French text of a number rounded to ``digits`` decimals (« 1,50 »), for messages."""
    return f"{value:.{digits}f}".replace(".", ",")


def format_count(value: int) -> str:
    """French text of a whole number (« 1 200 »)."""
    return format_number(value)


def format_etp(value: float) -> str:
    """French text of an ETP, two decimals at least (« 0,50 »)."""
    return format_number(value, decimals=2)


def format_typed(value: float) -> str:
    """A number as a person types it (« 2410 », « 1,5 »): no thousands separator."""
    return format_number(value).replace(NARROW_NBSP, "")


def format_size(size: int) -> str:
    """A file size in Mo to a tenth, French style (« 2,5 Mo », « 20 Mo »)."""
    return f"{format_number(round(size / 1_000_000, 1))} Mo"


# Oui / Non ---------------------------------------------------------------------------

_YES = frozenset({"oui", "o", "yes", "y", "true", "on", "vrai"})
_NO = frozenset({"non", "n", "no", "false", "off", "faux"})
YES_NO_REASON = "répondez par « oui » ou « non »"


def parse_yes_no(text: str) -> bool | None:
    """Read « Oui » / « Non » (any case or accent, a final dot); None when nothing is typed.

    A lone « x » is refused: typed in a cell that asks « Oui ou Non », a cross does not say
    which; only a check box (read by its state, not its text) makes a cross mean « Oui ».
    """
    word = plain(text).strip(" .\t\n\r\u00a0")
    if not word:
        return None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise NotThisKind(YES_NO_REASON)


def format_yes_no(value: bool) -> str:
    """The form's word for a boolean answer (« Oui », « Non »)."""
    return "Oui" if value else "Non"


# Dates -------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("janvier", "janv"),
            ("fevrier", "fevr", "fev"),
            ("mars",),
            ("avril", "avr"),
            ("mai",),
            ("juin",),
            ("juillet", "juil"),
            ("aout",),
            ("septembre", "sept"),
            ("octobre", "oct"),
            ("novembre", "nov"),
            ("decembre", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDED_DATE = re.compile(r"(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})")


def parse_date(text: str) -> dt.date | None:
    """Read a date (« 30/06/2026 », « 30 juin 2026 », « 1er juin 2026 », ISO); None when empty."""
    words = plain(text).strip(" .\t\n\r\u00a0")
    if not words:
        return None
    day = month = year = 0
    if match := _NUMERIC_DATE.fullmatch(words):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.fullmatch(words):
        year, month, day = (int(part) for part in match.groups())
    elif (match := _WORDED_DATE.fullmatch(words)) and match.group(2) in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    else:
        raise NotThisKind(f"« {text.strip()} » n'est pas une date (attendu par exemple 30/06/2026)")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Refused(f"la date « {text.strip()} » n’existe pas", code="impossible-date") from None


def format_date(value: dt.date) -> str:
    """A date as the form writes it (« 30/06/2026 »)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


_MONTH_NAMES = (
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


def format_long_date(value: dt.date) -> str:
    """A date as a letter writes it (« 1er août 2026 », « 15 septembre 2026 »)."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTH_NAMES[value.month - 1]} {value.year}"


# E-mail ------------------------------------------------------------------------------

_NOT_IN_ADDRESS = r"@\s<>(),;:\"\[\]"
EMAIL = re.compile(
    rf"[^{_NOT_IN_ADDRESS}]+@[^{_NOT_IN_ADDRESS}._]+(?:\.[^{_NOT_IN_ADDRESS}._]+)*\.[A-Za-z]{{2,}}"
)
"""An e-mail address: a local part, an @, a domain ending in letters (« .fr »)."""


def is_email(text: str) -> bool:
    """True when the whole text is one e-mail address."""
    return EMAIL.fullmatch(text.strip()) is not None


# School levels -----------------------------------------------------------------------

LEVEL_SPELLINGS = {"1ère": "1ere", "1re": "1ere", "Autre": "autre", "AUTRE": "autre"}
"""Accepted spellings of the public table's level keys, and the key each stands for."""


def level_key(spelled: str) -> str:
    """The answers-file key of a school level as typed (« 1ère » → « 1ere »)."""
    return LEVEL_SPELLINGS.get(spelled, spelled)


# Helpers -----------------------------------------------------------------------------


def plain(text: str) -> str:
    """Lower case without accents, for lenient matching of hand-typed words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
