"""``carmine_response``: the best responses to the study's CAR therapy, with n and %.

Response mentions come from the ``responses`` lexicon (``CR``, "complete remission",
"MRD-negative CR", "objective response", ...). A mention is dropped when its clause puts
it before the CAR therapy ("remained in CR for four months before a relapse", "SD/PD at
enrollment", "first complete remission (CR1)"), when it did not happen ("failed to
achieve CR"), in Background sections, in sentences naming endpoints, and in sentences
about the field rather than this study (``context.jsonl`` ``generic_cue``).
``MRD_negative_CR`` also yields ``CR`` (``implies`` in the lexicon). Progressive disease
"after remission" is a relapse, not a best response: such a document's PD mentions are
dropped, as is PD named as a later event ("reboosted after PD").

Writes ``response`` findings with value ``{"category", "n", "pct"}``.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import (
    Finding,
    add_finding,
    clause_counts,
    is_background,
    respective_items,
    sentence_at,
    text_of,
    zone_at,
)
from pipeline.extract.lexicon import load_resources


class CarmineResponse:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        self.rx = {row["id"]: row["rx"] for row in res.patterns.rules("response")}
        self.context = {row["id"]: row["rx"] for row in res.patterns.rules("context")}
        self.lexicon = res.lexicons["responses"]
        self._car = re.compile(res.patterns.macros["CAR"], re.I)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        seen: set[tuple[str, int]] = set()
        terms = (doc._.carmine_terms or {}).get("responses", [])
        # "PD after remission": in this document PD is progression after a response (a relapse)
        pd_is_relapse = any(t.label == "PD" and self.rx["progression_after_response"].match(text[t.end:t.end + 80])
                            for t in terms)
        for t in terms:
            if t.label == "PD" and (pd_is_relapse or self.rx["event_after"].search(text[max(0, t.start - 30):t.start])):
                continue
            zone = zone_at(doc, t.start)
            if is_background(doc, t.start):
                continue
            s, e = sentence_at(doc, t.start)
            sent = text[s:e]
            if zone[2] == "abstract":
                if self.rx["endpoint"].search(sent):
                    continue
                if self.context["generic_cue"].search(sent) and not self.rx["own_study"].search(sent):
                    continue
            before, after = text[max(s, t.start - 80):t.start], text[t.end:e]
            left = re.split(r"[;]\s|,\s(?=and\b)", before)[-1]
            prior = bool(self.rx["prior_before"].search(left) or self.rx["prior_after"].match(after))
            other = not prior and bool(self.rx["other_therapy"].match(after) or self.rx["other_therapy"].search(left))
            if (prior or (other and not self._car.search(sent))) and not self.rx["caused_by_car"].search(left):
                # an earlier response, or one to another therapy ("achieved CR after six courses of R-CHOP"),
                # unless the CAR therapy brought it ("This treatment led to a second CR")
                continue
            if self.rx["not_achieved"].search(left):
                continue
            n, pct = clause_counts(text, (s, e), t.start, t.end) if zone[2] == "abstract" else (None, None)
            listed = self._respectively(terms, text, s, e) if zone[2] == "abstract" else None
            if listed is not None and t.label in listed:
                n, pct = listed[t.label]
            for category in [t.label, *self.lexicon.row(t.label).get("implies", [])]:
                key = (category, s)
                if key in seen:
                    continue
                seen.add(key)
                value = {"category": category, "n": n, "pct": pct}
                add_finding(doc, Finding("response", value, t.start, t.end, f"{self.name}.response_lexicon",
                                         0.85, detail={"matched": text[t.start:t.end]}))
        return doc


    def _respectively(self, terms, text: str, s: int, e: int) -> dict[str, tuple] | None:
        """"The ORR and CR rate were 81.8% (9/11) and 45.5% (5/11), respectively": the k-th
        category named in the sentence takes the k-th count (None unless the lists agree)."""
        labels: list[str] = []
        last = s
        for t in terms:
            if s <= t.start < e:
                if t.label not in labels:
                    labels.append(t.label)
                last = max(last, t.end)
        if len(labels) < 2:
            return None
        items = respective_items(text, last, e)
        if not items or len(items) != len(labels):
            return None
        return dict(zip(labels, items, strict=True))


@Language.factory(
    "carmine_response",
    assigns=["doc._.carmine_findings", "doc.spans"],
    requires=["doc._.carmine_terms"],
    default_config={"configs": None},
)
def make_carmine_response(nlp: Language, name: str, configs: str | None) -> CarmineResponse:
    return CarmineResponse(name, configs)
