"""``carmine_people``: ages ("a 61-year-old", "aged 61", "a 33-year-male", "was 45 years old",
"8-month-old": years), sexes ("man", "female", and pronouns, marked weak) and patient
markers ("Patient 2", "Case 1", "the second patient").

Writes ``doc.spans["ages"]``, ``["sexes"]``, ``["markers"]`` (values
:class:`~pipeline.extract.spans.Age`, ``Sex``, ``Marker``).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import text_of
from pipeline.extract.detectors.base import rules_of, scan
from pipeline.extract.numbers import ORDINALS, parse_number
from pipeline.extract.spans import Age, Marker, Sex, add_span

MALE = {"male", "man", "boy", "gentleman", "he", "his", "him"}
FEMALE = {"female", "woman", "girl", "lady", "she", "her"}
#: a marker's number: "the second patient", "another patient" (the other one of two)
_ORDINALS = {**ORDINALS, "other": 2, "another": 2}
_PER_YEAR = {"year": 1, "month": 12, "week": 52.18, "day": 365.25}


class CarminePeople:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.groups = {g: rules_of(configs, g) for g in ("ages", "sexes", "markers")}

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        for m, rule in scan(text, self.groups["ages"]):
            age = parse_number(m.group("age") or m.groupdict().get("age2") or "")
            if age is None:
                continue
            unit = (m.groupdict().get("unit") or "year").lower()
            years = age if unit == "year" else round(age / _PER_YEAR[unit], 2)
            add_span(doc, "ages", Age(m.start(), m.end(), years, form=rule["id"]))
        for m, rule in scan(text, self.groups["sexes"]):
            word = m.group("sex").lower()
            sex = "male" if word in MALE else "female" if word in FEMALE else None
            if sex is not None:
                add_span(doc, "sexes", Sex(m.start(), m.end(), sex, pronoun=bool(rule.get("pronoun")), form=rule["id"]))
        for m, rule in scan(text, self.groups["markers"]):
            g = m.groupdict()
            number = int(g["id"]) if g.get("id") else _ORDINALS.get((g.get("ord") or g.get("ord2") or "").lower())
            if number:
                add_span(doc, "markers", Marker(m.start(), m.end(), number, form=rule["id"]))
        return doc


@Language.factory("carmine_people", assigns=["doc.spans"], default_config={"configs": None})
def make_carmine_people(nlp: Language, name: str, configs: str | None) -> CarminePeople:
    return CarminePeople(name, configs)
