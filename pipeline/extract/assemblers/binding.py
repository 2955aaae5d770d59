"""``carmine_rates``: binds each stated count or rate to the grade or category it qualifies.

Anchors are the statements the toxicity and response assemblers made (``Anchor``: a CRS grade,
a response category); quantities are the ``quantities`` detector's spans outside asides
(intervals, ranges, statistics). Per sentence, in three steps:

1. **respectively**: k anchors listed, then k quantities, then "respectively": the i-th
   quantity to the i-th anchor ("The ORR and CR rate were 81.8% and 45.5%, respectively"); or the
   k values first, then the k statements ("78%, 6% and 41% experienced CRS, severe CRS and
   neurotoxicity, respectively").
2. **comparisons**: quantities joined by "vs"/"versus" bind together to one anchor (each arm's
   rate is an observation: "ORR (69% vs 75%)").
3. **nearest by cost**: every (anchor, quantity) pair in the sentence gets a cost from the
   characters between them (:func:`pair_cost`): a quantity after its anchor ("CRS occurred in
   17 (85%)") costs its distance; before it ("87% of patients achieved CR", "Five patients
   developed CRS") more, and only through a verb or "of patients"; a clause break, or another
   anchor between them, forbids the pair. Pairs are taken cheapest first, each quantity and
   each anchor once.

4. **groups**: a bound statement's value goes on for other groups ("80% in the 2-day group and 60%
   in the 3-day group", "45.9% (cilta-cel) and 41.8% (ide-cel)", "in 15.4% and 11.8%,
   respectively", "higher in ALL (93%) than in CLL (62%)"), each its own observation; a bare grade
   labelling a later value ("(all-grade: 81%; grade >= 3: 29%)") is its grade's statement again.

The bound quantity's ``n`` and ``pct`` fill every finding of the anchor. The rules (costs,
breaks, connectors) are data in ``configs/patterns/binding.jsonl``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.assemblers.common import Anchor, anchors, outside
from pipeline.extract.components.base import sentences, text_of
from pipeline.extract.lexicon import load_resources
from pipeline.extract.numbers import parse_number
from pipeline.extract.qualifiers.context import qualifier_at
from pipeline.extract.spans import Grade, Quantity, values_of

#: "in the 32 patients ...": a group named by its size right after a statement
_DENOMINATOR_BEFORE = re.compile(r"\b(?:in|among)\s+(?:the|these|those|all(?:\s+the)?)\s+$")
#: a count that is a share of the group just named: "61 of them with MRD-negative marrow"
_SHARE_OF_GROUP = re.compile(r"\bof\s+(?:them|whom|these|those)\b")
#: a count's verb right before its statement: "Twenty-four children had CRS (86%)"
_HAD = re.compile(r"\s+(?:had|developed|experienced|presented\s+with|showed)\s+(?:an?\s+)?")
#: a conjunction opening a clause ("..., and grade 3 or higher CRS in 7% and 3%"), not coordinating its subject
_OPENING_CONJUNCTION = re.compile(r"^\s*(?:and|or|but)\b")
#: "..., respectively" closing a list of values soon after one
_RESPECTIVELY_SOON = re.compile(r"[^.;]{0,40}?\brespectively\b")


class CarmineRates:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        rows = {r["id"]: r for r in load_resources(configs).patterns.rules("binding")}
        self.rx = {k: r["rx"] for k, r in rows.items()}
        self.limits = rows

    def __call__(self, doc: Doc) -> Doc:
        found = anchors(doc)
        if not found:
            return doc
        text = text_of(doc)
        asides = doc.user_data.get("carmine_asides", [])
        quantities = [q for _, q in values_of(doc, "quantities")
                      if not qualifier_at(doc, "reported", q.start) and not qualifier_at(doc, "comparator", q.start)
                      and not self._comparator_arm(text, q)
                      and not (q.pct is not None and q.n is None and self.rx["share_of_cells"].match(text, q.end))]
        grades = [g for _, g in values_of(doc, "grades")]
        # statements in a sentence that names measures ("Approval was based on ORR ... in 97 patients")
        endpoint = frozenset(id(a) for a in found if qualifier_at(doc, "hypothesis", a.start) == "endpoint")
        car_first = self._car_first(text)
        earlier: list[tuple[Anchor, list[Quantity]]] = []  # the statements bound so far, in text order
        for s, e in sentences(doc):
            sa = sorted((a for a in found if s <= a.start < e), key=lambda a: a.start)
            sq = [q for q in quantities if s <= q.start < e]
            if not sa or not sq:
                continue
            bound = self.bind(text, sa, sq, asides, endpoint)
            used = {id(q) for _, group in bound for q in group}
            for a, group in bound:
                if len(group) == 2 and car_first is not None and car_first < a.start:
                    del group[1:]  # "CAR-T and standard of care ... CR rates were 61% vs 33%": the comparator's second
                self._fill(a, group)
                self._restated_rate(text, a, group, [q for q in sq if id(q) not in used])
                self._count_of_rate(text, a, group[0], sq)
                self._group_values(text, a, group, sq)
            for a, group in sorted(bound, key=lambda pair: pair[0].start):
                self._corresponding(text, a, group, earlier)
                earlier.append((a, group))
            self._share(text, sa, bound)
            self._elliptic(text, [g for g in grades if s <= g.start < e], bound, sq)
        for a in found:
            self._count_before(text, a)
        return doc

    def _restated_rate(self, text: str, a: Anchor, group: list[Quantity], free: list[Quantity]) -> None:
        """A count before its statement, the rate restated right after it in a bracket under the statement's
        abbreviation: "All 12 DL3 pts responded (ORR 100%)" is ORR 12 at 100%."""
        first = group[0]
        if len(group) != 1 or first.n is None or first.pct is not None or first.end > a.start:
            return
        q = next((q for q in free if q.start >= a.end), None)
        if q is None or q.pct is None or q.n is not None or not self.rx["restated_rate_gap"].fullmatch(
                text, a.end, q.start):
            return
        for f in a.findings:
            if f.value.get("n") == first.n and f.value.get("pct") is None:
                f.value["pct"] = q.pct
                f.detail["pct_from"] = "restated"

    @staticmethod
    def _count_of_rate(text: str, a: Anchor, q: Quantity, sq: list[Quantity]) -> None:
        """A rate bound without its count takes the count written before its statement when the numbers agree:
        "Eight of the 12 patients responded (66.7%), five with complete remission (41.7%)": 8/12 and 5/12 are the
        rates, so the counts are 8 and 5 (a count whose share of a total in the sentence is the rate, within 0.6); or
        the people counted right before it through a verb, the rate bracketed right after it ("24 children had CRS
        (86%)")."""
        if q.pct is None or q.n is not None or not a.findings:
            return
        totals = {x.total for x in sq if x.total} | {x.n for x in sq if x.n and x.people and x.pct is None}
        before = [(c, c.n) for c in sq if c.end <= min(a.start, q.start) and c.n is not None and c.pct is None
                  and ";" not in text[c.end:a.start]]
        for c, n in reversed(before[-2:]):
            # "Twenty-four children had CRS (86%)": the count, its verb, the statement, its bracketed rate
            told = c.people and _HAD.fullmatch(text, c.end, a.start) is not None and q.start - a.end <= 3
            if told or any(t > n and abs(100 * n / t - float(q.pct)) <= 0.6 for t in totals):
                for f in a.findings:
                    if f.value.get("n") is None and f.value.get("pct") == q.pct:
                        f.value["n"] = n
                        f.detail["count_from"] = "rate_agrees"
                return

    def _count_before(self, text: str, a: Anchor) -> None:
        """A bare count written right before a statement that has no count of its own is that
        statement's count ("11 complete responses (55%)", "six CRs and four PRs")."""
        if not a.findings or any(f.value.get("n") is not None for f in a.findings):
            return
        m = self.rx["count_before"].search(text, max(0, a.start - 16), a.start)
        if m is None or self.rx["not_a_count_before"].search(text, max(0, m.start() - 12), m.start()):
            return
        n = parse_number(m.group("n"))
        if not isinstance(n, (int, float)) or not float(n).is_integer():
            return
        for f in a.findings:
            f.value["n"] = int(n)
            f.detail.setdefault("rate_from", "count_before")

    def _car_first(self, text: str) -> int | None:
        """Where a two-arm comparison names the CAR arm first and the comparator second, if anywhere: looked for only
        before a comparator's name (a search of the whole text cost about 1 ms per abstract)."""
        for cmp in self.rx["arms_comparator"].finditer(text):
            m = self.rx["arms_car_first"].search(text, max(0, cmp.start() - 200), cmp.end())
            if m is not None:
                return m.start()
        return None

    def _elliptic(self, text: str, grades: list[Grade], bound: list[tuple[Anchor, list[Quantity]]],
                  sq: list[Quantity]) -> None:
        """A bare grade labelling a value later in the sentence is a bound statement of that grade
        again, for another group: "all-grade CRS and grade >= 3 CRS were 77% and 29%, higher in
        haematologic malignancies (all-grade: 81%; grade >= 3: 29%)": each is its own observation."""
        used = {id(q) for _, group in bound for q in group}
        for g in grades:  # the sentence's
            if any(a.start <= g.start < a.end for a, _ in bound):
                continue
            q = next((q for q in sq if q.start >= g.end and id(q) not in used), None)
            if q is None or not self.rx["grade_label"].fullmatch(text, g.end, q.start):
                continue
            owners = [a for a, _ in bound if a.end <= g.start and a.key[1] == g.grade]
            if owners:
                used.add(id(q))
                self._add_arm(owners[-1], q)

    # -- binding ------------------------------------------------------------------------------
    def bind(self, text: str, sa: list[Anchor], sq: list[Quantity], asides: list[tuple[int, int]],
             endpoint: frozenset[int] = frozenset()) -> list[tuple[Anchor, list[Quantity]]]:
        """Each statement of the sentence with its values; ``endpoint``: ids of statements in a sentence that
        names measures (a count of people there is the cohort, not a value)."""
        out: list[tuple[Anchor, list[Quantity]]] = []
        free_a, free_q = list(sa), list(sq)

        def take(listed: list[Anchor], items: list[list[Quantity]]) -> None:
            """Pair two lists in order; the pairs leave the free statements and values."""
            for a, listed_group in zip(listed, items, strict=True):
                out.append((a, listed_group))
                free_a.remove(a)
                for q in listed_group:
                    free_q.remove(q)

        # 1. "..., respectively"
        for m in self.rx["respectively"].finditer(text, sa[0].start, max(sq[-1].end, sa[-1].end) + 40):
            listed = [a for a in free_a if a.end <= m.start()]
            # "CR/sCR 71.1% and 67.6%, respectively": statements joined by a slash are one, sharing each value
            listed = [a for k, a in enumerate(listed) if not (k and text[listed[k - 1].end:a.start] == "/")]
            items = self._groups(text, [q for q in free_q
                                        if q.start < m.start() and (not listed or q.start >= listed[-1].end)], asides)
            if len(listed) >= 2 and len(items) >= 2:
                k = min(len(items), len(listed))
                if self._is_run(text, listed[-k:]):
                    take(listed[-k:], items[:k])
            elif len(listed) >= 2 and not items:
                self._respectively_before(text, m.start(), free_a, free_q, asides, take)
        # 1b. a list of statements, then a list of as many values: "The ORR, CR and PR rates were 90%, 60% and 30%"
        for listed, items in self._parallel_lists(text, free_a, self._groups(text, free_q, asides), asides):
            take(listed, items)
        # 2 + 3. comparisons bind as one; cheapest pairs first
        groups = self._groups(text, free_q, asides)
        pairs: list[tuple[float, int, int, Anchor]] = []
        for a in free_a:
            for gi, group in enumerate(groups):
                cost = self.pair_cost(text, a, group, sa, asides, id(a) in endpoint, sq)
                if cost is not None:
                    pairs.append((cost, a.start, gi, a))
        pairs.sort(key=lambda p: p[:3])
        taken_a: set[int] = set()
        taken_g: set[int] = set()
        for _cost, _start, gi, a in pairs:
            if id(a) in taken_a or gi in taken_g:
                continue
            taken_a.add(id(a))
            taken_g.add(gi)
            out.append((a, groups[gi]))
        # 4. the same statement's value in other groups: "ORR was 80% in the 2-day group and 60% in the 3-day group",
        # "68% in ALL (n = 116) and 64% in NHL (n = 28)"
        for a, group in out:
            last = group[-1]
            bracketed = False  # "higher in ALL (93%) than in CLL (62%)": an "and" may then add "and lymphoma (36%)"
            for gi, g in enumerate(groups):
                if gi in taken_g or g[0].start < last.end:
                    continue
                if self._group_size(text, g):
                    continue
                if any(last.end <= b.start < g[0].start for b in sa):
                    break
                between = self.rx["group_size"].sub("", outside(text, last.end, g[0].start, asides))
                after = outside(text, g[-1].end, g[-1].end + 80, asides)
                in_brackets = self.rx["arm_bracketed_between"].fullmatch(between) is not None
                if not ((self.rx["arm_between"].fullmatch(between) and self.rx["arm_after"].match(after))
                        or (self.rx["arm_named_between"].fullmatch(between) and self.rx["arm_named_after"].match(after))
                        or (self.rx["arm_time_between"].fullmatch(between) and self.rx["arm_time_after"].match(after))
                        or (self.rx["and_only"].fullmatch(between) and not self._statement_follows(text, g, sa)
                            and not self._coordinated_subject(text, a, group[0]))
                        or (in_brackets and (bracketed or self.rx["versus_word"].search(between)))
                        or (self.rx["value_list"].fullmatch(between) and self._by_groups(text, a))
                        or self._respective_values(text, a, group[0], last, groups, gi, asides)):
                    break
                bracketed = bracketed or in_brackets
                taken_g.add(gi)
                group.extend(g)
                last = g[-1]
        return out

    def _by_groups(self, text: str, statement: Anchor) -> bool:
        """The statement's clause lists its values by group: "by product, ORR was 77%, 65% and 78%"."""
        lead = text[max(0, statement.start - 60):statement.start]
        return bool(self.rx["by_groups"].search(re.split(r"[;.]\s", lead)[-1]))

    def _coordinated_subject(self, text: str, statement: Anchor, first: Quantity) -> bool:
        """The statement's clause coordinates its subject: a list of values after it is the subjects' ("the
        response rate, 6-month and 1-year PFS rates were 67%, 66% and 44%"), not groups' values of it."""
        lead = text[max(0, statement.start - 200):statement.start]
        # "grade 3 or higher" is one grade; ", and grade >=3 CRS in 7% and 3%": the "and" opens the clause
        clause = _OPENING_CONJUNCTION.sub("", self.rx["grade_words"].sub(" ", self.rx["clause_start"].split(lead)[-1]))
        gap = self.rx["group_phrase"].sub(" ", text[statement.end:first.start])  # "in the A, B and C groups"
        return bool(self.rx["coordination"].search(clause) or self.rx["coordination"].search(gap))

    @staticmethod
    def _statement_follows(text: str, g: list[Quantity], sa: list[Anchor]) -> bool:
        """A statement comes right after value ``g`` in its clause ("40%, and 20% had PR"): the value may be that
        statement's, not another group's value of the statement before ("CRS in 83% and 85% of patients")."""
        end = g[-1].end
        soon = _RESPECTIVELY_SOON.match(text, end)
        if soon and not any(end <= b.start < soon.end() for b in sa):
            # "The pooled ORR and MRD negativity rate were 89% and 81%, respectively": a list of measures (not
            # "were 18% and 16%, and grade >=3 ICANS 3% and 4%, respectively": that one closes the next clause)
            return True
        return any(b.start >= end and len(text[end:b.start]) < 40 and not any(c in text[end:b.start] for c in ",;")
                   for b in sa)

    def _respective_values(self, text: str, statement: Anchor | None, first: Quantity, last: Quantity,
                           groups: list[list[Quantity]], gi: int, asides: list[tuple[int, int]]) -> bool:
        """One statement's values listed for as many groups named elsewhere, closed by "respectively"
        ("ICANS was observed in 15.4% and 11.8%, respectively"): group ``gi`` continues the list. Not
        where the statement's clause coordinates its subject ("the rates of CV events and CV events
        with CRS were 25.6% and 14.2%, respectively": the values are the subjects')."""
        if statement is not None and self._coordinated_subject(text, statement, first):
            return False  # "the response rate, 6-month and 1-year PFS rates were 67%, 66% and 44%"
        prev_end = last.end
        for g in groups[gi:]:
            if not self.rx["value_list"].fullmatch(outside(text, prev_end, g[0].start, asides)):
                return False
            prev_end = g[-1].end
            if self.rx["respectively_after"].match(text, prev_end):
                return True
        return False

    def _is_run(self, text: str, listed: list[Anchor]) -> bool:
        """Statements of one list ("ORR, CR and PR"), not statements of separate clauses."""
        return all(self.rx["statement_list"].fullmatch(text[x.end:y.start]) for x, y in pairwise(listed))

    def _respectively_before(self, text: str, at: int, free_a: list[Anchor], free_q: list[Quantity],
                             asides: list[tuple[int, int]],
                             take: Callable[[list[Anchor], list[list[Quantity]]], None]) -> None:
        """The values listed first, then their statements, then "respectively": "78%, 6% and 41%
        experienced CRS, severe CRS and neurotoxicity, respectively". The statements are the run
        right before the word; the values the run of as many right before the statements, joined
        by list words and reaching them through a verb ("experienced", "had", "of patients")."""
        run = [a for a in free_a if a.end <= at]
        if not run or text[run[-1].end:at].strip(" ,"):
            return
        k = len(run) - 1
        while k > 0 and self.rx["statement_list"].fullmatch(text[run[k - 1].end:run[k].start]):
            k -= 1
        run = run[k:]
        groups = [g for g in self._groups(text, free_q, asides) if g[-1].end <= run[0].start]
        if len(run) < 2 or len(groups) < len(run):
            return
        values = groups[-len(run):]
        lead = outside(text, values[-1][-1].end, run[0].start, asides)
        if len(lead) > int(self.limits["before"]["max_chars"]) or self.rx["clause_break"].search(lead) \
                or not self.rx["before_connector"].search(lead):
            return
        if all(self.rx["value_list"].fullmatch(outside(text, x[-1].end, y[0].start, asides))
               for x, y in pairwise(values)):
            take(run, values)

    def _comparator_arm(self, text: str, q: Quantity) -> bool:
        """A value named for a comparator arm right after it ("74% for liso-cel vs 43% for SOC")."""
        return bool(self.rx["comparator_after"].match(text, q.end))

    def _group_size(self, text: str, group: list[Quantity]) -> bool:
        """A group's size in brackets ("in ALL (n = 116)"): a total only, not a statement's value."""
        q = group[0]
        if len(group) > 1 or q.n is not None or q.pct is not None or q.total is None:
            return False
        opening = text.rfind("(", max(0, q.start - 3), q.start)
        return opening >= 0 and bool(self.rx["group_size"].match(text, opening))

    def _parallel_lists(self, text: str, sa: list[Anchor], groups: list[list[Quantity]],
                        asides: list[tuple[int, int]]) -> list[tuple[list[Anchor], list[list[Quantity]]]]:
        """Runs of k >= 2 statements joined by list words, followed in their clause by a run of k values
        joined by list words: pairs in order (a "respectively" without the word)."""
        out = []
        runs: list[list[Anchor]] = []
        for a in sa:
            if runs and self.rx["statement_list"].fullmatch(text[runs[-1][-1].end:a.start]):
                runs[-1].append(a)
            else:
                runs.append([a])
        used: set[int] = set()
        for run in runs:
            if len(run) < 2:
                continue
            after = [g for g in groups if g[0].start >= run[-1].end and id(g[0]) not in used]
            if not after or not self.rx["list_lead"].fullmatch(outside(text, run[-1].end, after[0][0].start, asides)):
                continue
            values = [after[0]]
            for g in after[1:]:
                if len(values) == len(run) or not self.rx["value_list"].fullmatch(
                        outside(text, values[-1][-1].end, g[0].start, asides)):
                    break
                values.append(g)
            if len(values) == len(run) and len({g[0].pct is None for g in values}) == 1:
                # values of one shape ("90%, 60% and 30%"); "The CR/CRi rate was 66.7% (14/21), and 10 patients
                # achieved ..." is one rate, then another statement's count
                out.append((run, values))
                used.update(id(g[0]) for g in values)
        return out

    def _groups(self, text: str, qs: list[Quantity], asides: list[tuple[int, int]]) -> list[list[Quantity]]:
        """Quantities in text order, those joined by 'vs'/'versus' in one group."""
        groups: list[list[Quantity]] = []
        for q in qs:
            if groups and self.rx["versus"].fullmatch(outside(text, groups[-1][-1].end, q.start, asides)):
                groups[-1].append(q)
            else:
                groups.append([q])
        return groups

    def pair_cost(self, text: str, a: Anchor, group: list[Quantity], sa: list[Anchor],
                  asides: list[tuple[int, int]], endpoint: bool = False, others: Sequence[Quantity] = ()
                  ) -> float | None:
        """How far apart anchor and quantity are, in characters outside asides; None: they cannot pair.
        ``others``: the sentence's quantities (a value after the anchor does not reach past another one)."""
        q0, q1 = group[0], group[-1]
        if q0.start >= a.end:
            lo, hi, after = a.end, q0.start, True
        elif q1.end <= a.start:
            lo, hi, after = q1.end, a.start, False
        else:
            return None  # overlapping (a grade inside a count's brackets)
        raw_gap = outside(text, lo, hi, asides)
        if after and (q0.form == "q_of_whom" or _SHARE_OF_GROUP.search(text, q0.start, q0.end)
                      or any(lo <= q.start and q.end <= hi and q.pct is not None for q in others)):
            # "45 (86.5%) were in CR, 40 of them MRD-negative": a share of the statement's group, not its count;
            # "CR/CRi rate was 66.7% (14/21), and 10 patients achieved ...": a rate between them is the nearer one's
            return None
        if after and q0.pct is None and _DENOMINATOR_BEFORE.search(raw_gap):
            return None  # "The ORR in the 32 patients with active disease was 72%": a group's size, not a count
        gap = self.rx["abbrev_in_gap"].sub("", raw_gap)
        if self.rx["clause_break"].search(gap) or self.rx["other_measure"].search(gap) or (
                after and self.rx["new_clause"].search(gap)):
            return None  # "CR at 3 months, the PFS and OS rates at 12 months were 66.7%": another measure's value
        if any(lo <= b.start < hi and b.key != a.key for b in sa):
            return None  # another statement between them
        # "95 patients who received ... after achieving CR": a cohort counted by the response its relative clause states
        relative = (not after and q0.people and q0.pct is None
                    and self.rx["before_relative"].fullmatch(gap) is not None)
        if q0.pct is None and q1.pct is None and endpoint and not relative \
                and (q0.people or q0.form in ("q_people", "q_people_far", "q_n_eq")):
            return None  # "Approval was based on ORR, CR rate and DoR in 97 patients": the cohort, not a count of CRs
        limit = self.limits["after"] if after else self.limits["before"]
        if relative:
            limit = self.limits["before_relative"]
        if len(gap) > int(limit["max_chars"]):
            return None
        cost = len(gap) * float(limit["weight"])
        if not after and a.key[1] not in ("any", "0") and self.rx["value_at_grade"].fullmatch(gap):
            return cost - 20  # "CRS in 87% (n=48) at grades 1-2 and 11% (n=6) at grade 3": each value's grade
        if not after and self.rx["value_for"].fullmatch(gap):
            return cost - 5  # "rates of 40% for CR, 25% for PR"
        if not after and "," in gap and not self.rx["comma_continuation"].fullmatch(gap, gap.rindex(",") + 1):
            return None  # "73 patients who received ide-cel, the best responses were CR": a value before a comma is its clause's
        if not after:
            people = q0.people or q0.n is not None
            if len(gap.strip()) > 2 and not relative and not (self.rx["before_connector"].search(gap) or (
                    people and self.rx["before_connector_people"].search(gap))):
                return None
            if q0.people or q0.n is not None:
                cost -= 5
        elif any(b is not a and b.start >= q1.end and (
                self.rx["value_of_next"].fullmatch(text, q1.end, b.start)
                or (q1.pct is None and self.rx["count_of_next"].fullmatch(text, q1.end, b.start))) for b in sa):
            # "grade 1 CRS, 5 (25%) grade 2 CRS", "responded, seven with complete remission": a value right
            # before a statement is that one's
            return None
        elif self.rx["grade_label"].fullmatch(raw_gap) or not raw_gap.strip():
            return cost - 20  # "grade 2 = 2", "Grade 1-2, 178 (37.8)": the value written right after its statement
        elif self.rx["conjunction_only"].fullmatch(gap):
            return None  # "achieved CR and 4 (20%) achieved PR": the value opens the next clause
        elif self.rx["after_connector"].fullmatch(gap):
            cost -= 10
        if after and ":" in gap and others and any(q.end <= a.start and q.n is not None and q.pct is not None
                                                   and a.start - q.end <= 40 for q in others):
            # "23 patients (85.2%) were in complete remission (CR): 12 of 15 after ...": a breakdown after a colon,
            # where the statement's own count and rate stand right before it
            cost += 60
        return cost

    def _share(self, text: str, sa: list[Anchor], bound: list[tuple[Anchor, list[Quantity]]]) -> None:
        """Statements joined by "or" or "/" to a bound one share its value ("CR or CRi was achieved in
        27 of 30 (90%)"), when they have none of their own."""
        taken = {id(a) for a, _ in bound}
        for a, group in bound:
            # before it, then after it ("83% achieving a complete remission or stringent complete remission")
            for step in (-1, 1):
                k = sa.index(a)
                while 0 <= k + step < len(sa) and id(sa[k + step]) not in taken:
                    left, right = sorted((sa[k], sa[k + step]), key=lambda x: x.start)
                    if not self.rx["shared_statements"].fullmatch(text[left.end:right.start]):
                        break
                    k += step
                    self._fill(sa[k], group)  # with the other groups' values: "CR/CRi in 82% with CD19, 71% with CD22"

    def _group_values(self, text: str, a: Anchor, group: list[Quantity], sq: list[Quantity]) -> None:
        """A bound value broken down by group right after it: each group's value its own observation ("the complete
        response rate 53.6% (45/84), namely 58.8% with axi-cel and 45.5% with tisa-cel"); two groups at least."""
        later = [q for q in sq if q.start >= group[-1].end]
        if len(later) < 2 or later[0].pct is None:
            return
        # "namely 58.8% with axi-cel and 45.5% with tisa-cel" (each group after its value), or "(axi-cel 89.1%,
        # tisa-cel 73.6%)" (each group before its value, in a bracket)
        for lead, gap, last in (("group_values_lead", "group_value_gap", "group_value_last"),
                                ("group_named_lead", "group_named_gap", "group_named_last")):
            if not self.rx[lead].fullmatch(text, group[-1].end, later[0].start):
                continue
            listed = [later[0]]
            for prev, q in pairwise(later):
                if q.pct is None or not self.rx[gap].fullmatch(text, prev.end, q.start):
                    break
                listed.append(q)
            if len(listed) >= 2 and self.rx[last].match(text, listed[-1].end):
                for q in listed:
                    self._add_arm(a, q)
                return

    def _corresponding(self, text: str, a: Anchor, group: list[Quantity],
                       earlier: list[tuple[Anchor, list[Quantity]]]) -> None:
        """A toxicity's values that follow the grades of the statements just before it take those grades, in
        order: "Any-grade CRS occurred in 81% and grade >= 3 CRS in 8%; the corresponding figures for ICANS were
        37% and 14%" (ICANS any 37%, >= 3 14%)."""
        if len(group) < 2 or a.key[0] not in ("crs", "icans") \
                or not self.rx["corresponding"].search(text[max(0, a.start - 60):a.start]):
            return
        model = [b for b, _ in earlier if b.key[0] in ("crs", "icans") and b.key[0] != a.key[0]][-len(group):]
        grades = [b.key[1] for b in model]
        if len(grades) < len(group) or len(set(grades)) < len(grades):
            return
        for f in a.findings:
            f.value["grade"] = grades[0]
            for arm, grade in zip(f.detail.get("arms", []), grades[1:], strict=False):
                arm["grade"] = grade
            f.detail["grades_from"] = "corresponding"

    @staticmethod
    def _add_arm(a: Anchor, q: Quantity) -> None:
        """Another group's value of a bound statement: its own observation."""
        for f in a.findings:
            f.detail.setdefault("arms", []).append(dict(f.value, n=q.n, pct=q.pct))

    @staticmethod
    def _fill(a: Anchor, group: list[Quantity]) -> None:
        first = True
        for q in group:
            n = q.n
            if n is None and q.total is not None and q.pct is None:
                n = q.total  # "CR (n = 9)"
            for f in a.findings:
                value: dict[str, Any] = f.value
                if first:
                    value["n"], value["pct"] = n, q.pct
                    f.detail["rate_from"] = q.form
                    if q.form == "q_all":
                        f.detail["all_patients"] = True  # "All patients had CRS": n is the study's count
                else:  # a comparison's second arm: its own observation
                    extra = dict(value, n=n, pct=q.pct)
                    f.detail.setdefault("arms", []).append(extra)
            first = False


@Language.factory("carmine_rates", assigns=["doc._.carmine_findings"], requires=["doc.spans"],
                  default_config={"configs": None})
def make_carmine_rates(nlp: Language, name: str, configs: str | None) -> CarmineRates:
    return CarmineRates(name, configs)
