"""``carmine_levels``: measured levels with their units ("350, 758 copies/μg", "6.3×10⁴ copies/µg
DNA", "41.5 cells/μL"), whatever they measure. Percentages are the ``quantities`` detector's.

Writes ``doc.spans["levels"]`` (value :class:`~pipeline.extract.spans.Level`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import text_of
from pipeline.extract.detectors.base import rules_of, scan
from pipeline.extract.numbers import parse_number
from pipeline.extract.spans import Level, add_span

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


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

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        if "/" not in text:
            return doc  # every unit is a ratio
        for m, rule in scan(text, self.rules):
            g = m.groupdict()
            value = parse_number(g["value"])
            if value is None:
                continue
            if g.get("pow"):
                value = round(value * 10 ** int(g["pow"].translate(_SUPERSCRIPTS)), 6)
                value = int(value) if float(value).is_integer() else value
            add_span(doc, "levels", Level(m.start(), m.end(), value, normalize_unit(g["unit"]), form=rule["id"]))
        return doc


@Language.factory("carmine_levels", assigns=["doc.spans"], default_config={"configs": None})
def make_carmine_levels(nlp: Language, name: str, configs: str | None) -> CarmineLevels:
    return CarmineLevels(name, configs)
