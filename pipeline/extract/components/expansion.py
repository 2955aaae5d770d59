"""``carmine_expansion``: CAR expansion peaks stated with a number.

Rules in ``configs/patterns/expansion.jsonl`` capture ``value`` (thousands separated by
a comma, with or without a space: "350, 758" is 350758), ``unit`` (copies/μg,
percent, cells/μL) and the day of the peak where given ("on day 6"). Writes
``expansion_peak`` findings with value ``{"value", "unit", "day"}``.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import (
    Finding,
    add_finding,
    is_background,
    may_match,
    sentence_at,
    text_of,
)
from pipeline.extract.lexicon import load_resources
from pipeline.extract.numbers import parse_number

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_TIME_TO_PEAK = re.compile(r"\btime\s+to\s+(?:the\s+)?peak\b[^.;]{0,40}?\b(?:was|of|:)?\s*(?P<day>\d+)\s*days?\b", re.I)


def normalize_unit(raw: str) -> str:
    low = raw.lower()
    if "copies" in low:
        return "copies/ug"
    if "%" in low:
        return "percent"
    return "cells/ul"


class CarmineExpansion:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.rules = load_resources(configs).patterns.rules("expansion")

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        taken: list[tuple[int, int]] = []
        for rule in self.rules:
            if not may_match(doc, rule["gate"]):
                continue
            for m in rule["fast"].finditer(text):
                if is_background(doc, m.start()) or any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                if not re.search(r"CAR|copies|expan|transgene|vector", text[max(0, m.start() - 120):m.end()], re.I):
                    continue
                g = m.groupdict()
                value = parse_number(g["value"])
                if value is None:
                    continue
                if g.get("pow"):
                    value = round(value * 10 ** int(g["pow"].translate(_SUPERSCRIPTS)), 6)
                    value = int(value) if float(value).is_integer() else value
                day = g.get("day") or g.get("day2")
                if not day:
                    # "Median time to peak expansion was 14 days ..., with a median peak level of 6.3×10⁴"
                    s, _ = sentence_at(doc, m.start())
                    dm = _TIME_TO_PEAK.search(text, s, m.start())
                    day = dm.group("day") if dm else None
                peak = {"value": value, "unit": normalize_unit(g["unit"]), "day": int(day) if day else None}
                add_finding(doc, Finding("expansion_peak", peak, m.start(), m.end(), f"{self.name}.{rule['id']}",
                                         0.85, detail={"matched": m.group(0)}))
                taken.append(m.span())
        return doc


@Language.factory(
    "carmine_expansion",
    assigns=["doc._.carmine_findings", "doc.spans"],
    default_config={"configs": None},
)
def make_carmine_expansion(nlp: Language, name: str, configs: str | None) -> CarmineExpansion:
    return CarmineExpansion(name, configs)
