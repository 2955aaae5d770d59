"""``carmine_levels``: measured levels with their units ("350, 758 copies/μg", "6.3×10⁴ copies/µg
DNA", "41.5 cells/μL"), whatever they measure; levels listed before one unit ("38.2 vs 11.6 cells/μL")
one level each. Percentages are the ``quantities`` detector's.

Writes ``doc.spans["levels"]`` (value :class:`~pipeline.extract.spans.Level`).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import text_of
from pipeline.extract.detectors.base import rules_of, scan
from pipeline.extract.lexicon import load_resources
from pipeline.extract.numbers import parse_number
from pipeline.extract.spans import Level, add_span

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
#: a level's power of ten, after its number ("1.02 × 10^5", "6.3×10⁴")
_POWER = re.compile(r"\s*[×xX]\s*10\s*\^?\s*([⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d{1,2})$")


def level_value(raw: str) -> float | int | None:
    """The number of a level as written: '350, 758' -> 350758, '1.02 × 10^5' -> 102000, '6.3×10⁴' -> 63000."""
    power = _POWER.search(raw)
    value = parse_number(raw[:power.start()] if power else raw)
    if value is None or power is None:
        return value
    value = round(value * 10 ** int(power.group(1).translate(_SUPERSCRIPTS)), 6)
    return int(value) if float(value).is_integer() else value


def normalize_unit(raw: str) -> str:
    """The GUIDE's unit of a level: ``copies/ug``, ``cells/ul`` (``percent`` for a percentage)."""
    low = raw.lower()
    if "copies" in low:
        return "copies/ug"
    if "%" in low:
        return "percent"
    return "cells/ul"


class CarmineLevels:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.rules = rules_of(configs, "levels")
        self._member = re.compile(load_resources(configs).patterns.macros["LEVEL_NUM"])

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        if "/" not in text:
            return doc  # every unit is a ratio
        for m, rule in scan(text, self.rules):
            g = m.groupdict()
            unit = normalize_unit(g["unit"])
            if rule.get("split"):  # "38.2 vs 11.6 cells/μL": each level where it stands, with the shared unit
                at = m.start("list")
                for member in self._member.finditer(g["list"]):
                    value = level_value(member.group(0))
                    if value is not None:
                        add_span(doc, "levels", Level(at + member.start(), at + member.end(), value, unit,
                                                      form=rule["id"]))
                continue
            value = level_value(text[m.start("value"):m.end("exp") if g.get("exp") else m.end("value")])
            if value is not None:
                add_span(doc, "levels", Level(m.start(), m.end(), value, unit, form=rule["id"]))
        return doc


@Language.factory("carmine_levels", assigns=["doc.spans"], default_config={"configs": None})
def make_carmine_levels(nlp: Language, name: str, configs: str | None) -> CarmineLevels:
    return CarmineLevels(name, configs)
