"""Numbers as clinical text writes them: digits, words, Roman grades, odd separators."""

from __future__ import annotations

import re

WORDS = {
    "zero": 0, "no": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "both": 2,
}
#: ordinal words ("the seventh day"); digits with a suffix ("10th") are read by :func:`parse_ordinal`
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
UNITS = {"day": "day", "days": "day", "d": "day", "week": "week", "weeks": "week", "wk": "week", "wks": "week",
         "month": "month", "months": "month", "mo": "month", "mos": "month", "year": "year", "years": "year",
         "yr": "year", "yrs": "year"}

_SEPARATED = re.compile(r"^(\d{1,3})((?:,\s?\d{3})+)(\.\d+)?$")


def parse_number(text: str) -> float | int | None:
    """'20.4' -> 20.4, 'four' -> 4, 'twenty-one' -> 21, '350, 758' -> 350758, '1,000' -> 1000."""
    t = text.strip().lower().replace("·", ".")
    if not t:
        return None
    m = _SEPARATED.match(t)
    if m:
        t = m.group(1) + re.sub(r"[,\s]", "", m.group(2)) + (m.group(3) or "")
    try:
        value = float(t)
    except ValueError:
        parts = re.split(r"[\s\-]+", t)
        if all(p in WORDS for p in parts):
            return sum(WORDS[p] for p in parts)
        return None
    return int(value) if value.is_integer() and "." not in t else value


def parse_ordinal(text: str) -> int | None:
    """'seventh' -> 7, '10th' -> 10, '21st' -> 21, 'twenty-first' -> 21."""
    t = text.strip().lower()
    m = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", t)
    if m:
        return int(m.group(1))
    if t in ORDINALS:
        return ORDINALS[t]
    tens, _, unit = t.partition("-")
    if unit in ORDINALS and tens in WORDS and WORDS[tens] >= 20:
        return WORDS[tens] + ORDINALS[unit]
    return None


def parse_grade(text: str) -> int | None:
    """'3' -> 3, 'III' -> 3, 'IV' -> 4."""
    t = text.strip().lower()
    if t.isdigit():
        return int(t)
    return ROMAN.get(t)


def parse_unit(text: str) -> str | None:
    return UNITS.get(text.strip().lower().rstrip("."))
