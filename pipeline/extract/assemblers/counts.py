"""``carmine_counts``: candidate counts of treated patients, for the design component.

The counts are the ``quantities`` detector's counts of people ("58 patients", "Twenty-four
children", "(n = 33)", "41" before "received", "17 of 20 patients"); the cues of
``configs/patterns/counts.jsonl`` read the words around each one and say what it counts, with
a confidence: infused or treated ("35 received CAR-T cell infusion") beats enrolled ("40
patients were enrolled"), a meta-analysis's pooled count ("18 studies including 997
patients"), a randomised trial's CAR arm, a total ("a total of 102 patients"), a weak hint
("all 20 patients", the denominator of "17 of 20 patients"). ``sum`` cues add the count
coordinated before ("Five cHL patients and 1 ALCL patient were enrolled" = 6).

A count is not a candidate when it is a share of another (it comes with a percentage, or
"of whom", "including" stand before it), except a share that was infused ("52 were enrolled and
47 (90%) received CAR-T infusion", "18 were enrolled, of whom 16 were treated": infused beats enrolled), names a subgroup ("an additional 20 patients"),
counts responders, or stands in a Background section.

Writes ``n_candidate`` findings (value: int; rule ``carmine_counts.<cue id>``, confidence from
the cue row; ``detail["described"]`` when the cue says the report describes them one by one).
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import Finding, add_finding, is_background, text_of
from pipeline.extract.lexicon import expand_macros, load_resources
from pipeline.extract.numbers import parse_number
from pipeline.extract.spans import Quantity, values_of

#: quantity forms that count people (their noun in the span, or a verb right after it; "we reviewed all 27
#: consecutive patients")
PEOPLE_FORMS = frozenset({"q_people", "q_single", "q_people_coord", "q_people_far", "q_count_list", "q_bare_count", "q_infused_in",
                          "q_all_n"})
#: forms "17 of 20", "17/20 patients (85%)": the numerator is a share, the denominator a hint
OF_FORMS = frozenset({"q_n_of_total", "q_n_of_total_pct"})
#: forms whose group size is a count of people: "n = 20", "90% of the 20 patients"
TOTAL_FORMS = frozenset({"q_n_eq", "q_pct_of_total"})
#: a count given with its share, "47 (90%)": a candidate only where a ``share_ok`` cue reads it as infused
SHARE_FORMS = frozenset({"q_n_pct"})
#: a verb that makes the numerator of "17 of 20 patients" the subject ("... were infused", "... received CAR-T"; not
#: "Ten of the 12 patients dosed were women", "17 of 20 received conditioning chemotherapy prior to CAR T cells", nor
#: "30 of 48 children were treated ... at the target dose": "treated" keeps the total)
_FINITE = r"[^.;]{0,50}?\b(?:(?:were|was|had\s+been|have\s+been)\s+(?:\w+\s+)?(?:infused|dosed)\b" \
          r"|(?:received|underwent)\s+(?:the\s+|an?\s+)?(?:[\w-]+\s+){0,2}?(?:{CAR}|{PRODUCT_TERM}|infusion\b))"
#: how far before a count its lead cue may begin
LEAD_WINDOW = 120


class CarmineCounts:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        patterns = load_resources(configs).patterns
        rows = patterns.rules("counts")
        self.cues = [r for r in rows if r["kind"] in ("cue", "sum")]
        self.denominator = next(r for r in rows if r["kind"] == "denominator")
        self.exclude_before = [r["rx"] for r in rows if r["kind"] == "exclude_before" and r["id"] != "share_before"]
        #: "of whom 16 were treated": a share of the group named before (a candidate only through the infused cue)
        self.share_before = next(r["rx"] for r in rows if r["id"] == "share_before")
        self.not_people = next(r["rx"] for r in rows if r["kind"] == "exclude_noun")
        self.people = re.compile(expand_macros(r"\b{PATIENTS}\b", patterns.macros, "counts"), re.I)
        #: a count of the comparator arm's people ("44 SOC pts", "the 81 control patients")
        self._comparator = re.compile(expand_macros(r"\b{COMPARATOR_ARM}", patterns.macros, "counts"), re.I)
        self._finite = re.compile(expand_macros(_FINITE, patterns.macros, "counts"), re.I)
        for r in self.cues:
            r["within_rx"] = re.compile(r["within"], re.I) if r.get("within") else None
            r["unless_rx"] = re.compile(
                expand_macros(r["unless_before"], patterns.macros, f"counts rule {r['id']!r}"), re.I) if r.get("unless_before") else None

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        for _, q in values_of(doc, "quantities"):
            if is_background(doc, q.start):
                continue
            if self._comparator.search(text, q.start, q.end):
                continue  # "44 SOC pts received CAR-T as subsequent therapy": the comparator arm's crossover
            if q.form in OF_FORMS and q.total is not None:
                self._denominator(doc, text, q)
                best = self._best_cue(text, q, of_form=True) if q.n else None
                if best is not None and q.n is not None and self._finite.match(text, q.end, q.end + 80):
                    # "78 of the 81 pts in the HN-19 arm were infused" (not "Ten of the 12 patients dosed were women")
                    row, start, _ = best
                    add_finding(doc, Finding("n_candidate", q.n, start, q.end, f"{self.name}.{row['id']}",
                                             float(row["confidence"]), detail={"matched": text[start:q.end],
                                                                               "described": False}))
                continue
            share = q.form in SHARE_FORMS
            n = q.n if q.form in PEOPLE_FORMS or share else (q.total if q.form in TOTAL_FORMS else None)
            if n is None or (q.pct is not None and q.form not in TOTAL_FORMS and not share) or not 0 < n < 100000:
                continue
            if self.not_people.search(text, q.start, q.end) or any(
                    rx.search(text, max(0, q.start - 40), q.start) for rx in self.exclude_before):
                continue  # "an additional 15 participants": a subgroup
            # "of whom 16 were treated": a share of the group named before is a candidate only as the infused
            # count (it beats the enrolled one), not through the weaker cues
            shared = self.share_before.search(text, max(0, q.start - 40), q.start) is not None
            best = self._best_cue(text, q, share or shared)
            if best is None:
                continue
            row, start, add = best
            add_finding(doc, Finding("n_candidate", n + add, start, q.end, f"{self.name}.{row['id']}",
                                     float(row["confidence"]),
                                     detail={"matched": text[start:q.end], "described": bool(row.get("described"))}))
        return doc

    def _best_cue(self, text: str, q: Quantity, share: bool = False, of_form: bool = False
                  ) -> tuple[dict[str, Any], int, int] | None:
        """The most confident cue row around ``q``: ``(row, start of the evidence, count to add)``; a ``share``
        (a count with its percentage) takes only the rows marked ``share_ok``, a numerator of "17 of 20" (``of_form``)
        only those marked ``of_ok``."""
        best: tuple[dict[str, Any], int, int] | None = None
        for row in self.cues:
            if (share and not row.get("share_ok")) or (of_form and not row.get("of_ok")):
                continue
            if best is not None and float(row["confidence"]) <= float(best[0]["confidence"]):
                continue
            if row["within_rx"] is not None and not row["within_rx"].search(text, q.start, q.end):
                continue
            if not row["rx"].match(text, q.end):
                continue
            start, add = q.start, 0
            lead_rx = row.get("lead_rx")
            if lead_rx is not None:
                lo = max(0, q.start - LEAD_WINDOW)
                tail = row["lead_tail"]  # a lead that ends the window on a literal: "(" in "CAR-T therapy (n=27)"
                if tail is not None and not tail.fullmatch(text[lo:q.start].rstrip()[-1:]):
                    continue
                lead = lead_rx.search(text, lo, q.start)
                if lead is None:
                    continue
                start = lead.start()
                if row["kind"] == "sum":
                    extra = parse_number(lead.group("add").replace(",", ""))
                    if not isinstance(extra, int):
                        continue
                    add = extra
            if row["unless_rx"] is not None and row["unless_rx"].search(text, max(0, q.start - 40), q.start):
                continue
            best = (row, start, add)
        return best

    def _denominator(self, doc: Doc, text: str, q: Quantity) -> None:
        """"in 17 of 20 patients": the denominator, a weak hint of the cohort (a people noun in or after it)."""
        row = self.denominator
        after = row["rx"].match(text, q.end)
        if q.total is None or not (after or self.people.search(text, q.start, q.end)):
            return
        add_finding(doc, Finding("n_candidate", q.total, q.start, after.end() if after else q.end,
                                 f"{self.name}.{row['id']}", float(row["confidence"]),
                                 detail={"matched": text[q.start:q.end], "described": False}))


@Language.factory("carmine_counts", assigns=["doc._.carmine_findings"], requires=["doc.spans"],
                  default_config={"configs": None})
def make_carmine_counts(nlp: Language, name: str, configs: str | None) -> CarmineCounts:
    return CarmineCounts(name, configs)
