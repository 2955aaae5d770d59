"""``carmine_response``: best responses to the study's CAR therapy from response mentions and
qualifiers.

A mention of the ``responses`` lexicon (``CR``, "complete remission", "MRD-negative CR",
"objective response"...) gives its category unless a qualifier says it is not this study's
CAR response: negated ("failed to achieve CR"), before the CAR therapy (``history``: "first
complete remission", "SD at enrollment"), reported from other studies, of a comparator arm,
or in a sentence that is not a result (``hypothesis``). A response to another therapy in a
sentence without a CAR ("CR after six courses of R-CHOP") is dropped; progressive disease
"after remission" is a relapse, not a best response. ``MRD_negative_CR`` also yields ``CR``
(``implies`` in the lexicon); both share one anchor for ``carmine_rates``.

Writes ``response`` findings with value ``{"category", "n", "pct"}``.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.assemblers.common import NOT_RESULT, emit, qualifiers
from pipeline.extract.components.base import Finding, sentence_at, text_of
from pipeline.extract.lexicon import load_resources
from pipeline.extract.numbers import parse_number

#: the complete remissions whose share may be stated MRD-negative
_CR_FAMILY = frozenset({"CR", "CRi", "sCR"})


class CarmineResponse:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        self.rx = {row["id"]: row["rx"] for row in res.patterns.rules("response")}
        self.generic = res.patterns.rx("context", "generic_cue")
        self.lexicon = res.lexicons["responses"]
        self._car = re.compile(res.patterns.macros["CAR"], re.I)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        seen: dict[tuple[str, int], int] = {}  # (category, sentence) -> end of its last mention
        cr_at: dict[int, list[int]] = {}  # sentence -> ends of its complete-remission mentions
        terms = (doc._.carmine_terms or {}).get("responses", [])
        pd_is_relapse = any(t.label == "PD" and self.rx["progression_after_response"].match(text[t.end:t.end + 80])
                            for t in terms)
        for t in terms:
            if t.label == "PD" and (pd_is_relapse or self.rx["event_after"].search(text[max(0, t.start - 30):t.start])):
                continue
            if self.rx["duration_of"].search(text, max(0, t.start - 30), t.start) or self.rx["group_name"].match(text[t.end:t.end + 20]):
                continue  # "duration of response": a duration, not a response; "PD patients": a group
            if t.label == "SD" and self.rx["sd_statistic"].search(text, max(0, t.start - 80), t.end + 40):
                continue  # "the mean and standard (Standard Deviation, SD)": a statistic, not stable disease
            if t.label == "ORR" and self.rx["mrd_before"].search(text, max(0, t.start - 40), t.start):
                continue  # "MRD-negative response rate": MRD negativity, not an overall response
            q = qualifiers(doc, t.start)
            s, e = sentence_at(doc, t.start)
            lead = text[max(0, t.start - 60):t.start]
            absent = bool(q["negated"]) and t.label != "NR" and not q["reported"] and not q["comparator"] \
                and q["hypothesis"] not in NOT_RESULT and (
                    (self.rx["absent_no_before"].search(lead) is not None
                     and self.rx["absent_after"].match(text[t.end:e]) is not None)
                    or self.rx["absent_none_before"].search(lead) is not None)
            if absent:
                # "No CR was observed", "no patient achieved a complete response": that category with n 0 in a cohort
                f = Finding("response", {"category": t.label, "n": 0, "pct": None}, t.start, t.end,
                            f"{self.name}.absent", 0.8, detail={"matched": text[t.start:t.end], "absent": True})
                emit(doc, f, None)
                continue
            # "no response" states its own negation (NR): the negation qualifier does not undo it
            if (q["negated"] and t.label != "NR") or q["reported"] or q["comparator"] or q["hypothesis"] in NOT_RESULT:
                continue
            sent = text[s:e]
            needs_rate = q["hypothesis"] == "endpoint"  # a methods sentence: only a stated value counts
            # a verb ("8 of 11 patients (73%) had a response", "responded") states a response only with its count
            needs_rate = needs_rate or self.rx["verb_form"].fullmatch(text[t.start:t.end]) is not None
            if q["history"] and not self.rx["to_the_car"].match(text[t.end:min(e, t.end + 80)]):
                continue  # "CR after six courses" is history; "after achieving CR from CAR-T therapy" is not
            left = text[max(s, t.start - 80):t.start]
            after = text[t.end:e]
            if (self.rx["other_therapy"].match(after) or self.rx["other_therapy"].search(left)) and not self._car.search(sent):
                continue  # "achieved CR after six courses of R-CHOP"
            if t.label == "ORR" and self.rx["responded_to_other"].match(after):
                continue  # "CRS responded to tocilizumab"
            row = self.lexicon.row(t.label)
            for category in [*([] if row.get("composite") else [t.label]), *row.get("implies", [])]:
                # the same category again in the sentence is another statement only with its own value
                # ("a CR of 48% and a 3-month CR rate of 41%")
                key = (category, s)
                repeat = key in seen
                if repeat and not text[seen[key]:t.start].strip(" ([/≥"):
                    seen[key] = t.end
                    continue  # "complete response (CR)", "complete response or better (≥CR)": one statement
                seen[key] = t.end
                f = Finding("response", {"category": category, "n": None, "pct": None}, t.start, t.end,
                            f"{self.name}.mention", 0.85,
                            detail={"matched": text[t.start:t.end], "needs_rate": needs_rate or repeat,
                                    "site": bool(self.rx["site_specific"].match(after)),
                                    "restated": bool(self.rx["response_restated"].search(sent)),
                                    **({"implied_by": t.label} if category != t.label and not row.get("composite") else {})})
                emit(doc, f, (t.start, t.end))
                if category in _CR_FAMILY and f.detail.get("implied_by") is None:
                    cr_at.setdefault(s, []).append(t.end)
        self._mrd_shares(doc, text, terms, cr_at)
        return doc

    def _mrd_shares(self, doc: Doc, text: str, terms: list, cr_at: dict[int, list[int]]) -> None:
        """MRD negativity stated for a share of the complete remissions just reported is an MRD-negative CR
        with that share's count ("66 (85%) attained CR, 61 of them with MRD-negative marrow", "Of the 19
        patients with a complete response or better, 16 were MRD-negative"); MRD negativity on its own is
        none (GUIDE)."""
        for s, ends in cr_at.items():
            e = sentence_at(doc, s)[1]
            if any(t.label == "MRD_negative_CR" and s <= t.start < e for t in terms):
                continue  # the sentence states its MRD-negative CR in so many words
            for m in self.rx["mrd_negative_word"].finditer(text, min(ends), e):
                if any(t.start <= m.start() < t.end for t in terms):
                    continue
                q = qualifiers(doc, m.start())
                if q["negated"] or q["reported"] or q["comparator"] or q["history"]:
                    continue
                lead = text[max(s, m.start() - 120):m.start()]
                share = self.rx["mrd_share_of"].search(lead)
                if share is None:
                    share = self.rx["mrd_lead_group"].match(text[s:m.start()])
                    if share is None or not any(end <= s + share.start("n") for end in ends):
                        continue
                n = parse_number(share.group("n"))
                pct = share.groupdict().get("pct") or share.groupdict().get("pct2")
                f = Finding("response", {"category": "MRD_negative_CR", "n": int(n) if n is not None else None,
                                         "pct": parse_number(pct) if pct else None},
                            m.start(), m.end(), f"{self.name}.mrd_share", 0.85,
                            detail={"matched": text[m.start():m.end()], "share": share.group(0).strip()})
                emit(doc, f, None)
                break


@Language.factory("carmine_response", assigns=["doc._.carmine_findings", "doc.spans"],
                  requires=["doc._.carmine_terms"], default_config={"configs": None})
def make_carmine_response(nlp: Language, name: str, configs: str | None) -> CarmineResponse:
    return CarmineResponse(name, configs)
