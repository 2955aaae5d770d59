"""``carmine_toxicity``: CRS and ICANS observations from term mentions, grade spans and
qualifiers.

For each CRS/ICANS mention (``doc._.carmine_terms["toxicities"]``):

- its grade is the grade span (``doc.spans["grades"]``) attached to it: after it ("CRS
  grade 2", "CRS (grade ≥3)", "CRS 1"), before it ("grade ≥3 ICANS", "grade 3 or higher CRS
  and neurotoxicity": a grade heads coordinated terms), or a severity word ("severe CRS":
  ``>=3``); grades coordinated before a term each give an observation ("grade 1-2 and grade 3
  CRS"); a grade standing alone after the term in its sentence shares the term ("CRS in 94%,
  grade ≥3 in 12%");
- negated (``span._.negated``): that grade with ``n = 0`` ("no grade ≥3 CRS"), else ``0``;
- no grade: ``any`` when the sentence reports an event ("CRS occurred in 94%");
- a mention in a sentence that is not a result (``hypothesis``), from other studies
  (``reported``), of a comparator arm, or naming a subgroup ("in the severe CRS group") gives
  nothing.

Counts and rates are bound afterwards by ``carmine_rates`` (:mod:`.binding`). Writes
``crs``/``icans`` findings with value ``{"grade", "n", "pct"}``.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.assemblers.common import NOT_RESULT, emit, qualifiers
from pipeline.extract.components.base import Finding, sentence_at, text_of
from pipeline.extract.detectors.grades import normalize_grade
from pipeline.extract.lexicon import load_resources
from pipeline.extract.spans import Grade, values_of

#: a list of values after a list of grades: "grades 0, 1, 2 and 3 were recorded in 4, 15, 12 and 4 patients"
_VALUE_LIST = re.compile(r"[^.;]*?(?:\bin\b|:)\s+((?:\d+(?:\.\d+)?\s*%?(?:\s*\([^()]*\))?\s*(?:,\s*(?:and\s+)?|and\s+|or\s+)?){2,})")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?![^()]*\))")


def _values_listed(text: str, start: int, end: int) -> int:
    """How many values a list after a list of grades holds (0: none): the grades pair with them in order, as with
    "respectively"."""
    m = _VALUE_LIST.match(text, start, end)
    return len(_NUMBER.findall(m.group(1))) if m else 0


class CarmineToxicity:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        self.rx = {row["id"]: row["rx"] for row in res.patterns.rules("toxicity")}

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        mentions = [t for t in (doc._.carmine_terms or {}).get("toxicities", [])]
        grades = sorted((g for _, g in values_of(doc, "grades")), key=lambda g: g.start)
        grade_starts = [g.start for g in grades]
        used: set[int] = set()  # grade starts attached to a term
        emitted: set[tuple[str, int, str]] = set()
        plans = []
        same: dict[int, object] = {}  # a bracketed abbreviation -> the long form it repeats
        for i, t in enumerate(mentions):
            s, e = sentence_at(doc, t.start)
            q = qualifiers(doc, t.start)
            if q["reported"] or q["comparator"]:
                continue
            before, after = text[max(s, t.start - 60):t.start], text[t.end:e]
            if self.rx["subgroup_after"].match(after) or self.rx["subgroup_before"].search(before):
                continue
            prev = mentions[i - 1] if i else None
            if prev is not None and prev.label == t.label and 0 <= t.start - prev.end < 4 and "(" in text[prev.end:t.start]:
                same[id(t)] = same.get(id(prev), prev)
                continue  # "cytokine release syndrome (CRS)": one mention
            attached = self._attached(text, t, s, e, grades, mentions, i, used)
            for g, _rule in attached:
                used.add(g.start)
            plans.append((t, s, e, q, attached))
        for t, s, e, q, attached in plans:
            negated = bool(q["negated"])
            extra = [(g, r) for g, r in attached if r == "elliptic"]
            attached = [(g, r) for g, r in attached if r != "elliptic"]
            stated = [(g, r) for g, r in attached if not g.vague]
            # a severity word alone, or with the grades coordinated before it ("all-grade and severe CRS")
            chosen = stated or attached[:1]
            chosen += [(g, r) for g, r in attached if r == "grade_coordinated" and (g, r) not in chosen]
            if q["hypothesis"] in NOT_RESULT and not negated and not stated:
                continue
            observations: list[tuple[str, int | None, str, Any]] = []
            share: float | None = None  # the percentage an absence's count comes with ("11 (35%) did not develop CRS")
            if negated:
                severity = [(g, r) for g, r in attached if g.vague and g.grade != "any"]
                if stated or severity:
                    # "no grade ≥3 CRS", "no cases of severe neurotoxicity": that grade with n 0 (GUIDE)
                    observations = [(g.grade, 0, r, g) for g, r in stated or severity[:1]]
                else:
                    # "52 had no CRS", "those without CRS (n = 347)": the absence with the count it names
                    absent = self._absent_count(doc, text, t, s, e)
                    if absent is None:
                        observations = [("0", None, "negated", None)]
                    else:
                        observations, share = [("0", absent[0], "absent_count", None)], absent[1]
            elif not chosen and self.rx["absent_group_before"].search(text, max(s, t.start - 40), t.start) and (
                    absent := self._absent_count(doc, text, t, s, e)) is not None:
                # "those without CRS (n = 347)": a group without the event, with its size
                observations, share = [("0", absent[0], "absent_group", None)], absent[1]
            elif chosen:
                observations = [(g.grade, None, r, g) for g, r in chosen]
                listed = chosen[0][0]
                if len(chosen) == 1 and (per_grade := self._per_grade(text, listed, t.end, e)):
                    # "Grade 1 or 2 CRS was observed in 25% and 50%, respectively": one statement per grade
                    observations = per_grade
            elif self.rx["event_cue"].search(text, s, e):
                observations = [("any", None, "event", None)]
            if not negated:
                observations += [(g.grade, None, "elliptic", g) for g, _ in extra]
            # an orphan grade after the term in its sentence shares it: "CRS in 94%, grade ≥3 in 12%"
            valued: set[int] = set()  # orphan severity words: an observation only with a bound value
            if not negated:
                for g in grades[bisect.bisect_left(grade_starts, t.end):bisect.bisect_left(grade_starts, e)]:
                    if g.start in used or (g.vague and g.grade == "any"):
                        continue  # the cheap test first: on long texts the term look-up below dominated
                    if self.rx["grade_of_other"].match(text, g.end):
                        continue  # "grade >=3 cytopenia": another event's grade
                    last = self._last_term_before(mentions, g.start, s)
                    if same.get(id(last), last) is t:
                        used.add(g.start)
                        if g.vague:
                            valued.add(g.start)  # "CRS in all ten; 4 cases were low-grade"
                        if per_grade := self._per_grade(text, g, g.end, e):
                            # "CRS in 49 (66%), graded 1, 2 and 3 in 22, 15 and 12, respectively": one per grade
                            observations += per_grade
                            continue
                        # "ten had grade 3 neurologic events, but no grade 4 events": that grade with n 0
                        observations.append((g.grade, 0 if qualifiers(doc, g.start)["negated"] else None, "elliptic", g))
            clause = max(s, text.rfind(";", s, t.start))  # "...; the rates of grade ≥3 CRS were ...": a new statement
            for grade, n, rule, g in observations:
                key = (t.label, clause, grade)
                if key in emitted:
                    continue
                emitted.add(key)
                vague = rule in ("vague", "event")
                value = {"grade": grade, "n": n, "pct": share if rule in ("absent_count", "absent_group") else None}
                if g is not None and rule in ("elliptic", "grade_listed", "grade_coordinated"):
                    span = (g.start, g.end)
                elif g is not None and rule not in ("qualified_paren", "grade_heads", "vague_heads", "grade_heads_list", "all_were"):
                    span = (min(g.start, t.start), max(g.end, t.end))
                else:
                    span = (t.start, t.end)
                f = Finding(t.label, value, t.start, t.end, f"{self.name}.{rule}", 0.7 if vague else 0.9,
                            detail={"matched": text[t.start:t.end], "vague": vague, "sentence": s,
                                    # a measure named in a methods sentence counts only with its value
                                    "needs_rate": q["hypothesis"] == "endpoint" or (g is not None and g.start in valued)})
                # "Grade 0, 193 (41.0)" in a table states its count; "no CRS" has none
                emit(doc, f, None if (negated or (grade == "0" and g is None)) else span)
        return doc

    def _per_grade(self, text: str, listed: Grade, after: int, e: int) -> list[tuple[str, int | None, str, Any]]:
        """A grade list's items as one statement each when its values follow in as many ("..., respectively", or
        "grades 0, 1 and 2 were recorded in 4, 15 and 12"); [] otherwise. ``after``: where "respectively" is looked
        for from (the term's end or the list's)."""
        if len(listed.items) < 2 or not (self.rx["respectively"].search(text, after, e)
                                         or _values_listed(text, listed.end, e) == len(listed.items)):
            return []
        return [(item, None, "grade_listed", Grade(at, at + 1, item)) for item, at in listed.items]

    def _attached(self, text, t, s, e, grades, mentions, i, used):
        """The grades that qualify mention ``t``: ``[(Grade, rule)]``, stated ones first."""
        out = []
        starts = [g.start for g in grades]  # grades come in text order: the sentence's by bisection
        after = [g for g in grades[bisect.bisect_left(starts, t.end):bisect.bisect_left(starts, e)] if not g.vague]
        if after and self.rx["gap_after"].match(text[t.end:after[0].start]):
            out.append((after[0], "grade_after"))
        before = [g for g in grades[bisect.bisect_left(starts, s):bisect.bisect_left(starts, t.start)]
                  if g.end <= t.start]
        stated_before = [g for g in before if not g.vague]
        if stated_before and self.rx["gap_before"].match(text[stated_before[-1].end:t.start]):
            g = stated_before[-1]
            out.append((g, "grade_before"))
            out += self._coordinated(text, before, g)
        elif i and not out:
            # "grade ≥3 CRS and neurotoxicity": the grade of the coordinated term before heads this one
            prev = mentions[i - 1]
            if prev.label != t.label and prev.end <= t.start and self.rx["coordinated"].match(text[prev.end:t.start]):
                first = prev
                if i >= 2:  # "grade 1 cytokine release syndrome (CRS) and ICANS": the long form before "(CRS)"
                    o = mentions[i - 2]
                    if o.label == prev.label and 0 <= first.start - o.end < 4 and "(" in text[o.end:first.start]:
                        first = o
                head = [g for g in stated_before if g.end <= first.start]
                if head and self.rx["gap_before"].match(text[head[-1].end:first.start]):
                    out.append((head[-1], "grade_heads"))
                else:
                    # "severe CRS and ICANS occurred in 9% and 21%": a severity word heads both terms
                    word = [g for g in before if g.vague and g.grade != "any" and g.end <= first.start]
                    if word and self.rx["gap_vague"].match(text[word[-1].end:first.start]) \
                            and self.rx["coordinated_pair"].match(text[prev.end:t.start]):
                        out.append((word[-1], "vague_heads"))
        tail = text[t.end:e]
        if not any(r == "grade_after" for _, r in out):
            g = _grade_in(self.rx["bare_grade_after"].match(tail), t.end, "bare")
            if g is not None:
                out.append((g, "bare_grade_after"))
            g = _grade_in(self.rx["all_were"].match(tail), t.end, "all_were")
            if g is not None and not out:
                out.append((g, "all_were"))
        if not out:
            m = self.rx["qualified_paren"].match(tail)
            g = _grade_in(m, t.end, "qualified_paren")
            if m and g is not None:
                # "ICANS ... was mild (grade 2)": the event's grade; "was mostly mild (grades 1-2)": a second statement
                used.add(g.start)
                out.append((g, "elliptic" if m.group("mostly") or m.group("own") else "qualified_paren"))
        if not out:
            # "Grade 3 or 4 adverse events ... included CRS (22%)": the grade heads the list the term is in
            g = _grade_in(self.rx["list_grade_head"].search(text, s, t.start), s, "list_head")
            if g is not None:
                out.append((g, "grade_heads_list"))
        vague = [g for g in before if g.vague]
        if vague and self.rx["gap_vague"].match(text[vague[-1].end:t.start]):
            out.append((vague[-1], "vague"))
            if not any(r == "grade_before" for _, r in out):
                out += self._coordinated(text, before, vague[-1])
        return out

    def _coordinated(self, text: str, before: list[Grade], head: Grade) -> list[tuple[Grade, str]]:
        """The grades coordinated before ``head``, which heads the term: "grade 1-2 and grade 3 CRS",
        "all-grade and severe CRS" (each its own statement)."""
        out = []
        k = before.index(head)
        while k > 0 and self.rx["coordinated"].match(text[before[k - 1].end:before[k].start]):
            k -= 1
            out.append((before[k], "grade_coordinated"))
        return out

    def _absent_count(self, doc: Doc, text: str, t, s: int, e: int) -> tuple[int, float | None] | None:
        """The count of people an absence states, from the quantities detector: a count right before the negation
        ("52 had no CRS"), or a bracketed group size right after the term ("those without CRS (n = 347)")."""
        for _, q in values_of(doc, "quantities"):
            if s <= q.start and q.end <= t.start and q.n is not None \
                    and self.rx["absent_count_before"].match(text[q.end:t.start]):
                return q.n, q.pct
            if t.end <= q.start < e and q.form == "q_n_eq" and q.total is not None \
                    and self.rx["absent_count_after"].match(text[t.end:q.start]):
                return q.total, None
        return None

    @staticmethod
    def _last_term_before(mentions, char: int, s: int):
        last = None
        for t in mentions:
            if s <= t.start < char:
                last = t
        return last


def _grade_in(m: re.Match[str] | None, offset: int, form: str) -> Grade | None:
    """The grade a context rule's ``grade`` group reads in a stretch that starts at ``offset``."""
    if m is None:
        return None
    grade = normalize_grade(m.group("grade"))
    return None if grade is None else Grade(offset + m.start("grade"), offset + m.end("grade"), grade, form=form)


@Language.factory("carmine_toxicity", assigns=["doc._.carmine_findings", "doc.spans"],
                  requires=["doc._.carmine_terms", "doc.spans"], default_config={"configs": None})
def make_carmine_toxicity(nlp: Language, name: str, configs: str | None) -> CarmineToxicity:
    return CarmineToxicity(name, configs)
