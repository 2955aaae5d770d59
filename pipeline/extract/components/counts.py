"""``carmine_counts``: candidate counts of treated patients for the design component.

Rules of ``configs/patterns/patients.jsonl`` (kinds ``n`` / ``n_sum``): "a total of 200
patients", "Five cHL patients and 1 ALCL patient were enrolled" = 6, each with a confidence;
words right before a count that make it a subgroup ("an additional 20 patients") exclude it.
Counts in Background sections are not this study's.

Writes ``n_candidate`` findings (value: int). Not yet rebuilt on the ``quantities`` detector
(see "Known limitations" in docs/extraction.md).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import Finding, add_finding, is_background, may_match, text_of
from pipeline.extract.lexicon import load_resources
from pipeline.extract.numbers import parse_number
from pipeline.extract.spans import values_of

#: a count that is part of a group named before it
_SHARE_BEFORE = re.compile(r"\b(?:of\s+(?:which|whom|them|these)|among\s+(?:them|whom|these|those)|including)\s*,?\s*$", re.I)


class CarmineCounts:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        rules = load_resources(configs).patterns.rules("patients")
        self.rules = [r for r in rules if r["kind"] in ("n", "n_sum")]
        for r in self.rules:  # words right before a rule's count that rule it out (a part of a sum)
            r["unless_before_rx"] = re.compile(r["unless_before"], re.I) if r.get("unless_before") else None
        #: words right before a count that make it a subgroup ("an additional 20 patients")
        self.subgroup_before = next(r["rx"] for r in rules if r["kind"] == "exclude_before")

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        # counts that come with a percentage, once per Doc (a candidate inside one is a share of the cohort)
        shares = [(q.start, q.end) for _, q in values_of(doc, "quantities") if q.pct is not None]
        for rule in self.rules:
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
                if is_background(doc, start) or self.subgroup_before.search(text, max(0, start - 12), start):
                    continue
                n = parse_number(g["n"].replace(",", "")) if g.get("n") else None
                if rule["kind"] == "n_sum" or g.get("n2"):
                    n2 = parse_number(g["n2"])
                    n = n + n2 if n is not None and n2 is not None else None
                if self._subgroup(shares, text, start):
                    continue
                if rule["unless_before_rx"] is not None and rule["unless_before_rx"].search(text, max(0, start - 40), start):
                    continue
                if isinstance(n, int) and 0 < n < 100000:
                    add_finding(doc, Finding("n_candidate", n, start, m.end(), f"{self.name}.{rule['id']}",
                                             rule.get("confidence", 0.5),
                                             detail={"matched": text[start:m.end()], "described": bool(rule.get("described"))}))
        return doc

    @staticmethod
    def _subgroup(shares: list[tuple[int, int]], text: str, start: int) -> bool:
        """A count that is a share of another ("Sixteen patients (64%) received ...", "of which 33 patients
        received ..."): the quantities detector gave it a percentage (``shares``), or a subgroup cue stands
        before it."""
        if any(a <= start < b for a, b in shares):
            return True
        return bool(_SHARE_BEFORE.search(text, max(0, start - 30), start))


@Language.factory("carmine_counts", assigns=["doc._.carmine_findings"], default_config={"configs": None})
def make_carmine_counts(nlp: Language, name: str, configs: str | None) -> CarmineCounts:
    return CarmineCounts(name, configs)
