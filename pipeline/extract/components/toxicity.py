"""``carmine_toxicity``: CRS and ICANS grades, negation, counts and rates.

For every CRS/ICANS mention in ``doc._.carmine_terms["toxicities"]`` (synonyms and
abbreviations, incl. "neurotoxicity", "CRES"), the rules of
``configs/patterns/toxicity.jsonl`` read the words around it:

- a grade after or before the term: "CRS 1", "CRS grade ≥3", "grade 2 CRS",
  "grade 1-2", "grade IV ICANS", "severe CRS (grade ≥ 3)"; "all of which were grade 1";
- severity words without a number: "severe" -> ``>=3``, "low-grade" -> ``1-2``,
  "mild" -> ``any``;
- negation: "no ICANS was found", "without neurotoxicity", "No neurotoxicity was
  observed", "CRS was not observed" -> ``0``;
- otherwise an event sentence ("CRS occurred in 94%") -> ``any``.

Counts and percentages come from the mention's clause (``base.clause_counts``).
Background sections and sentences about the field ("CAR-T cells induce numerous adverse
events, especially CRS") yield nothing. Writes ``crs``/``icans`` findings with value
``{"grade", "n", "pct"}``.
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
from pipeline.extract.numbers import parse_grade

#: grades stated as a list ("grade 1 or 2", "grades 1, 2 and 3"), not a range ("grade 1-2")
LISTED_GRADES = re.compile(r"\b(?:or|and)\b|,|/", re.I)
#: rules that read a severity word or an event, not a stated grade
VAGUE_RULES = frozenset({"severe_before", "low_grade_before", "mild_before", "severe_term", "event"})
_NO_BEFORE_GRADE = re.compile(r"(?:\bno\b|\bwithout\b|\bnone\b|\bnor\b|\bdid\s+not\s+\w+|\bwere\s+not\b)"
                              r"(?:\s+[\w-]+){0,4}\s*$", re.I)
#: where a clause before a mention ends: not "and" between grades ("grade 3 and 4 CRS")
_CLAUSE_SPLIT = re.compile(r"[;,]\s|(?<![0-5IV]\s)\band\b|\band\b(?!\s+(?:[0-5]|IV|V|I{1,3})\b)"
                           r"|\bwhile\b|\bwhereas\b")
#: a word that may open a negation (checked before reading a wider window for one)
_NEGATION_WORD = re.compile(r"\b(?:no|without|absence|free|nor|neither|not|none)\b", re.I)
#: a stated grade inside a negated stretch ("no grade ≥3 CRS")
_GRADE_WORD = re.compile(r"\b(?:grades?|gr\.?)\s*(?P<grade>(?:(?:≥|>=|≤|<=|>|<)\s*)?(?:[0-5]|IV|V|I{1,3})\b"
                         r"(?:\s*(?:-|–|—|to|or|and|/)\s*(?:[0-5]|IV|V|I{1,3})\b)?"
                         r"(?:\s*or\s+(?:higher|above|more|greater|worse|less|lower|below))?(?:\s*\+)?)", re.I)
#: only a conjunction between two toxicity terms ("CRS and ICANS", "CRS (cytokine ...) or neurotoxicity")
_COORDINATED = re.compile(r"^\)?\s*(?:\([^()]*\)\s*)?(?:,\s*)?(?:and|or|and/or|/|&)\s*$", re.I)
_COMPARATORS = (("≥", ">="), (">=", ">="), ("≤", "<="), ("<=", "<="), (">", ">"), ("<", "<"))


def text_between(before: str, t, a, b) -> str:
    """The characters between mentions ``a`` and ``b`` (both inside ``before``, which ends at ``t``)."""
    return before[len(before) - (t.start - a.end):len(before) - (t.start - b.start)]


def normalize_grade(raw: str) -> str | None:
    """'≥3' -> '>=3', '3 or higher' -> '>=3', 'III/IV' -> '3-4', '1 or 2' -> '1-2', 'IV' -> '4'."""
    t = re.sub(r"\bgrades?\b", "", raw.strip(), flags=re.I).strip()
    t = t.rstrip("+").strip() if not t.endswith("+") else t[:-1].strip() + " or higher"
    op = None
    for sym, name in _COMPARATORS:
        if t.startswith(sym):
            op, t = name, t[len(sym):].strip()
            break
    if t.startswith("="):
        t = t[1:].strip()
    m = re.match(r"^(\w+)\s*(?:or\s+(higher|above|more|greater|worse|less|lower|below))?$", t, re.I)
    if m:
        g = parse_grade(m.group(1))
        if g is None:
            return None
        if m.group(2):
            op = ">=" if m.group(2).lower() in ("higher", "above", "more", "greater", "worse") else "<="
        if op == ">":
            op, g = ">=", g + 1
        elif op == "<":
            op, g = "<=", g - 1
        return f"{op}{g}" if op else str(g)
    m = re.match(r"^(\w+)\s*(?:-|–|—|to|or|and|/)\s*(\w+)$", t, re.I)
    if m:
        a, b = parse_grade(m.group(1)), parse_grade(m.group(2))
        if a is None or b is None:
            return None
        return f"{min(a, b)}-{max(a, b)}" if a != b else str(a)
    return None


def grade_rank(grade: str) -> float:
    """Order grades for 'the maximum grade reported' (0 < any < 1 < 1-2 < 2 ...)."""
    if grade == "0":
        return 0.0
    if grade == "any":
        return 0.5
    nums = [int(x) for x in re.findall(r"\d", grade)]
    if not nums:
        return 0.5
    return max(nums) + (0.25 if grade.startswith(">=") else 0.0) - (0.1 if "-" in grade else 0.0)


class CarmineToxicity:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        self.rules = {row["id"]: row for row in res.patterns.rules("toxicity")}
        self.context = {row["id"]: row["rx"] for row in res.patterns.rules("context")}
        #: a sentence naming a measure instead of reporting it (the response rules' ``endpoint``)
        self._endpoint = res.patterns.rx("response", "endpoint")

    def _rx(self, rule_id: str) -> re.Pattern[str]:
        return self.rules[rule_id]["rx"]

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        seen: set[tuple[str, int, str]] = set()
        mentions = (doc._.carmine_terms or {}).get("toxicities", [])
        for t in mentions:
            field = t.label
            s, e = sentence_at(doc, t.start)
            if is_background(doc, t.start):
                continue
            sent = text[s:e]
            before, after = text[max(s, t.start - 60):t.start], text[t.end:e]
            if self._rx("subgroup_after").match(after) or self._rx("subgroup_before").search(before):
                continue  # "in the severe CRS group": a subgroup's label
            grade, rule, raw = self._grade(text[t.start:t.end], before, after, sent, field, mentions, t,
                                           text[max(s, t.start - 140):t.start])
            if grade is None:
                continue
            numeric = grade != "0" and bool(re.search(r"\d", sent))
            if zone_at(doc, t.start)[2] != "title" and self.context["generic_cue"].search(sent) and not (
                numeric or self.context["patient_cue"].search(sent)
            ):
                continue
            if not numeric and grade != "0" and self.context["aim_cue"].search(sent):
                continue  # "models predicting severe CRS": what a study looks at
            if not numeric and grade != "0" and self._endpoint.search(sent):
                continue  # "the safety indices, including CRS and ICANS, were evaluated": a measure named
            n, pct = (None, None) if grade == "0" else clause_counts(text, (s, e), t.start, t.end)
            if rule == "all_were":
                n2, _ = clause_counts(text, (s, e), t.start, t.end)
                n = n2 if n2 is not None else n
            if rule == "negated_grade":
                n, pct = 0, None  # "no CRS grade ≥3": that grade in no patient
            # the mention's own clause ends at the next CRS/ICANS mention ("CRS in 80% (2% grade 3), ICANS in 8%")
            clause_end = min([o.start for o in mentions if t.end <= o.start < e and o.label != field] + [e])
            qm = self._rx("qualified_paren").match(text[t.end:clause_end])
            if qm and grade not in ("0",) and rule in VAGUE_RULES:
                g2 = normalize_grade(qm.group("grade"))
                if g2 is not None and qm.group("mostly"):
                    extra_obs: list[tuple[str, int | None, float | None]] = [(g2, None, None)]
                elif g2 is not None:
                    grade, rule, extra_obs = g2, "qualified_paren", []
                else:
                    extra_obs = []
            else:
                extra_obs = []
            observations = [(grade, n, pct), *extra_obs]
            if rule in ("grade_before", "grade_after") and "-" in grade:
                observations = self._respectively(text, t, e, raw) or observations
            pm = self._rx("paren_grade").match(text[t.end:clause_end]) if grade not in ("0",) else None
            if pm:
                g2 = normalize_grade(pm.group("grade") or pm.group("grade2"))
                count = pm.group("count") or pm.group("count2")
                if g2 is not None and g2 != grade:
                    observations.append((g2, *self._count(count)))
            for em in self._rx("elliptic_grade").finditer(text, t.end, e):
                g2 = normalize_grade(em.group("grade"))
                if g2 is not None and grade not in ("0",):
                    observations.append((g2, *self._count(em.group("count"))))
            for grade, n, pct in observations:
                key = (field, s, grade)
                if key in seen:
                    continue
                seen.add(key)
                value = {"grade": grade, "n": n, "pct": pct}
                add_finding(doc, Finding(field, value, t.start, t.end, f"{self.name}.{rule}",
                                         0.9 if rule not in VAGUE_RULES else 0.7,
                                         detail={"matched": text[t.start:t.end], "vague": rule in VAGUE_RULES}))
        return doc

    @staticmethod
    def _count(count: str) -> tuple[int | None, float | None]:
        """'12%' -> (None, 12); '3 (15%) patients' -> (3, 15); '2/20' -> (2, None)."""
        mp = re.search(r"(\d+(?:\.\d+)?)\s*%", count)
        mn = re.match(r"(\d+)\s*(?:\(|patients?|cases?|/)", count)
        p2 = float(mp.group(1)) if mp else None
        return int(mn.group(1)) if mn else None, int(p2) if p2 is not None and p2.is_integer() else p2

    def _respectively(self, text: str, t, end: int, raw: str) -> list[tuple[str, int | None, float | None]] | None:
        """"Grade 1 or 2 CRS was observed in 25% (3/11) and 50% (6/11), respectively": one
        observation per listed grade, each with its own count (None unless the lists agree)."""
        if not LISTED_GRADES.search(raw):
            return None
        grades = [g for g in (parse_grade(x) for x in re.findall(r"\b(?:[0-5]|IV|V|I{1,3})\b", raw)) if g is not None]
        items = respective_items(text, t.end, end)
        if not items or len(items) != len(grades):
            return None
        return [(str(g), n, pct) for g, (n, pct) in zip(grades, items, strict=True)]

    def _grade(self, term: str, before: str, after: str, sent: str, field: str, mentions, t, wide: str = ""
               ) -> tuple[str | None, str, str]:
        left = re.split(_CLAUSE_SPLIT, before)[-1]
        negated = self._rx("negated_before").search(before) or self._rx("negated_after").match(after)
        if not negated and len(wide) > len(before) and _NEGATION_WORD.search(wide, 0, len(wide) - len(before) + 12):
            # a negation further back that covers a list ("No DLTs, cytokine release syndrome, or ... neurotoxicity")
            negated = self._rx("negated_before").search(wide)
        if negated:
            m = self._rx("grade_after").match(after)
            if m and normalize_grade(m.group("grade")) is not None:
                return normalize_grade(m.group("grade")), "negated_grade", m.group("grade")  # "no CRS grade ≥3"
            # "no grade ≥3 CRS", "No grade 3 or higher CRS or neurotoxicities" (the grade heads the list)
            graded = list(_GRADE_WORD.finditer(negated.group(0)))
            if graded and normalize_grade(graded[-1].group("grade")) is not None:
                g = graded[-1].group("grade")
                return normalize_grade(g), "negated_grade", g
            return "0", "negated", ""
        for rule in ("grade_after", "bare_grade_after"):
            m = self._rx(rule).match(after)
            if m:
                g = normalize_grade(m.group("grade"))
                if g is not None:
                    return g, rule, m.group("grade")
        m = self._rx("grade_before").search(left)
        if m:
            g = normalize_grade(m.group("grade"))
            if g is not None and _NO_BEFORE_GRADE.search(left, 0, m.start()):
                return g, "negated_grade", m.group("grade")  # "no patient had grades 3-4 CRS": that grade, n=0
            if g is not None:
                return g, "grade_before", m.group("grade")
        # "Grade 3 or higher CRS and neurotoxicity occurred in 8% and 32%": the grade heads both terms
        prev = [o for o in mentions if o.label != field and o.end <= t.start and t.start - o.end <= 30
                and len(before) >= t.start - o.start]
        if prev and _COORDINATED.match(before[len(before) - (t.start - prev[-1].end):]):
            o = prev[-1]
            # "grade 1 cytokine release syndrome (CRS) and ICANS": the bracketed abbreviation's long form heads
            for o2 in reversed(prev[:-1]):
                if o2.label == o.label and 0 <= o.start - o2.end < 4 and "(" in text_between(before, t, o2, o):
                    o = o2
                    break
            head = re.split(_CLAUSE_SPLIT, before[:len(before) - (t.start - o.start)])[-1]
            m = self._rx("grade_before").search(head)
            if m and normalize_grade(m.group("grade")) is not None:
                return normalize_grade(m.group("grade")), "grade_before", m.group("grade")
        m = self._rx("all_were").match(after)
        if m:
            g = normalize_grade(m.group("grade"))
            if g is not None:
                return g, "all_were", m.group("grade")
        if self._rx("severe_term").match(term):
            return ">=3", "severe_term", ""
        for rule in ("low_grade_before", "severe_before", "mild_before"):
            if self._rx(rule).search(left):
                return self.rules[rule]["label"], rule, ""
        # an abbreviation in brackets right after its long form is the same mention
        if re.search(r"\(\s*$", before) and any(o.end <= t.start and t.start - o.end < 4 for o in mentions):
            return None, "", ""
        if self._rx("event_cue").search(sent):
            return "any", "event", ""
        return None, "", ""


@Language.factory(
    "carmine_toxicity",
    assigns=["doc._.carmine_findings", "doc.spans"],
    requires=["doc._.carmine_terms"],
    default_config={"configs": None},
)
def make_carmine_toxicity(nlp: Language, name: str, configs: str | None) -> CarmineToxicity:
    return CarmineToxicity(name, configs)
