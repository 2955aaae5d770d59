"""``carmine_patients``: individual patients (age, sex) and the number treated.

Rules in ``configs/patterns/patients.jsonl`` of three kinds:

- ``age_sex``: "a 34-year-old male patient", "a male patient aged 34"; a "patient"
  without a sex word takes the sentence's pronoun (he/his, she/her); months are
  converted to years;
- ``marker``: "Patient 1", "Case 2": later age/sex statements belong to that patient
  until the next marker;
- ``n`` / ``n_sum``: candidate counts of treated patients ("a total of 200 patients",
  "Five cHL patients and 1 ALCL patient were enrolled" = 6), each with a confidence.

A case report's patient without a sex word takes the sex that all of the text's pronouns
agree on (``pronoun_sex`` finding). Writes ``patients`` findings (value ``{"age_years", "sex"}``, ``subject`` ``P1``...),
``n_candidate`` findings (value: int) and ``patient_marker`` findings (value: the
patient's number).
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

MALE = {"male", "man", "boy", "gentleman"}
_HE = re.compile(r"\b(?:[Hh]e|[Hh]is|[Hh]im|[Hh]imself)\b")
_SHE = re.compile(r"\b(?:[Ss]he|[Hh]er|[Hh]ers|[Hh]erself)\b")
FEMALE = {"female", "woman", "girl", "lady"}


class CarminePatients:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        rules = load_resources(configs).patterns.rules("patients")
        self.rules = [r for r in rules if r["kind"] != "exclude_before"]
        #: words right before a count that make it a subgroup ("an additional 20 patients")
        self.subgroup_before = next(r["rx"] for r in rules if r["kind"] == "exclude_before")

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        self._pronoun_sex(doc, text)
        for rule in self.rules:
            kind = rule["kind"]
            if not may_match(doc, rule["gate"]):
                continue
            for m in rule["fast"].finditer(text):
                g = m.groupdict()
                start = m.start()
                if rule.get("lead_rx") is not None:
                    # the count sits before the match ("12 patients with X, including 3 ..., were enrolled")
                    lead = rule["lead_rx"].search(text, max(0, start - 120), start)
                    if lead is None:
                        continue
                    g, start = {**g, **lead.groupdict()}, lead.start()
                if kind == "marker":
                    add_finding(doc, Finding("patient_marker", int(g["id"]), m.start(), m.end(),
                                             f"{self.name}.{rule['id']}", 0.9))
                elif kind == "age_sex":
                    self._age_sex(doc, text, m, rule)
                elif not is_background(doc, start) and not self.subgroup_before.search(
                        text, max(0, start - 12), start):
                    n = parse_number(g["n"].replace(",", "")) if g.get("n") else None
                    if kind == "n_sum" or g.get("n2"):
                        n2 = parse_number(g["n2"])
                        n = n + n2 if n is not None and n2 is not None else None
                    if isinstance(n, int) and 0 < n < 100000:
                        add_finding(doc, Finding("n_candidate", n, start, m.end(),
                                                 f"{self.name}.{rule['id']}", rule.get("confidence", 0.5),
                                                 detail={"matched": text[start:m.end()]}))
        return doc

    def _pronoun_sex(self, doc: Doc, text: str) -> None:
        """The sex that the text's pronouns give one patient ("She then received ..."), when they agree."""
        he = _HE.search(text)
        she = _SHE.search(text)
        if bool(he) != bool(she):
            m = he or she
            assert m is not None
            add_finding(doc, Finding("pronoun_sex", "male" if he else "female", m.start(), m.end(),
                                     f"{self.name}.pronoun", 0.7, detail={"matched": m.group(0)}))

    def _age_sex(self, doc: Doc, text: str, m: re.Match[str], rule: dict) -> None:
        g = m.groupdict()
        age = parse_number(g["age"])
        unit = (g.get("unit") or "year").lower()
        if age is not None and unit != "year":
            age = round(age / {"month": 12, "week": 52.18, "day": 365.25}[unit], 2)
        word = g["sex"].lower()
        sex = "male" if word in MALE else "female" if word in FEMALE else None
        if sex is None:
            s, e = sentence_at(doc, m.start())
            sent = text[s:e].lower()
            he, she = re.search(r"\b(?:he|his|him)\b", sent), re.search(r"\b(?:she|her)\b", sent)
            sex = "male" if he and not she else "female" if she and not he else None
        add_finding(doc, Finding("patients", {"age_years": age, "sex": sex}, m.start(), m.end(),
                                 f"{self.name}.{rule['id']}", 0.9, detail={"matched": m.group(0)}))


@Language.factory(
    "carmine_patients",
    assigns=["doc._.carmine_findings", "doc.spans"],
    default_config={"configs": None},
)
def make_carmine_patients(nlp: Language, name: str, configs: str | None) -> CarminePatients:
    return CarminePatients(name, configs)
