"""``carmine_durations``: each time expression's measure, from the words around it.

Every span of the ``times`` detector ("12 months", "a median of 26.1 months", "within 6
months", "day +28", "14 and 6 months") is read against the cue rules of
``configs/patterns/measures.jsonl`` in file order: a rule's cue stands in the words before the
span (``left``, within its clause), after it (``right``) or anywhere in its sentence; the first
rule that holds gives the measure (``follow_up``, ``time_to_response``, ``response_duration``,
``survival``, ``time_to_relapse``, ``prior_remission``, ``other``) or ``skip`` (eligibility,
dosing, enrolment periods, a rate at a time point: no duration, GUIDE "Scope"). A rule's
``prev_sentence`` must be named in the sentence before, which names no CAR (a relapse counted from
a transplant told just before).

The qualifier comes from the detector (``>``, ``<``, ``<=``) or the measure's words: ``median``
when the measure phrase says so, ``ongoing`` when a response still lasts ("remains in CR",
"to date"). A span the ``history`` qualifier puts before the CAR therapy is a
``prior_remission`` only when it measures a remission (other history spans give nothing).
Ranges ("1-4 weeks") and spans in sentences that are not results give nothing.

Writes ``durations`` findings with value ``{"measure", "value", "unit", "qualifier"}``.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.assemblers.common import NOT_RESULT, outside, qualifiers
from pipeline.extract.components.base import Finding, add_finding, sentence_at, text_of
from pipeline.extract.lexicon import expand_macros, load_resources
from pipeline.extract.spans import Time, values_of

#: a response duration in a sentence saying it still lasts
_STILL = re.compile(r"\b(?:to\s+date|so\s+far|until\s+now|up\s+to\s+now|still|currently|at\s+the\s+time\s+of\s+(?:this\s+)?"
                    r"(?:writing|report|publication|last\s+follow))\b", re.I)
_CLAUSE = re.compile(r";|\.\s|:\s")
_MEDIAN = re.compile(r"(?i:\bmedian\b)|\bm(?:PFS|OS|EFS|DOR|DoR|TTR)\b")  # "mPFS 4.6 mo": a median
#: a sentence about one patient ("His LFS was ...", "the patient remained ..."): a single-patient rule holds
_ONE_PATIENT = re.compile(r"\b(?:[Hh]is|[Hh]er|[Hh]e|[Ss]he|[Tt]he\s+(?:patient|child|boy|girl)|[Pp]atient\s+\d+)\b")
_LASTED = re.compile(r"\b(?:lasted|lasting|sustained|persisted)\b", re.I)
_REMISSION = frozenset({"response_duration", "time_to_response", "prior_remission"})
#: several survival measures named before one value ("median PFS and median OS were 1.9 months")
_SURVIVAL_NAMES = re.compile(r"\b(?:OS|PFS|EFS|DFS|LFS|RFS|DOR|DoR|overall\s+survival|progression[-\s]free\s+survival"
                             r"|event[-\s]free\s+survival)\b")
_CANONICAL = {"overall survival": "os", "progression-free survival": "pfs", "progression free survival": "pfs",
              "event-free survival": "efs", "event free survival": "efs", "dor": "dor"}
#: between two values of one list ("8.5 months and 19.0 months", "8.9 months overall, 4.6 months with EMD")
_LISTED = re.compile(r"\s*(?:overall\b\s*)?(?:,\s*)?(?:and|or)?\s*")
#: one measure's value for one group, then for another ("21.9 months in the RI group compared to 15 months")
_ARM_NEXT = re.compile(r"\s*(?:in|for|among|with|after|following)\s+(?:the\s+)?[^,.;()%]{1,40}?(?:(?:,\s*|\s+)(?:compared\s+(?:to|with)"
                       r"|versus|vs\.?|and|whereas|while)\s+|,\s*)(?:(?:it\s+was|was|were)\s+)?(?:only\s+)?", re.I)
#: a span counted from the infusion ("relapsed six months after infusion")
_AFTER_INFUSION = re.compile(r"\s*(?:after|post|following|from)\s+(?:the\s+)?(?:first\s+|initial\s+|cell\s+)?infusion\b", re.I)
#: the next group's value names its group after it ("... compared to 15 months in the nRF group")
_ARM_AFTER = re.compile(r"\s*(?:\([^)]*\)\s*)?(?:(?:in|for|among|with|after|following)\s|without\b)", re.I)
#: a time point that bounds when something happened ("CR by day 17")
_BY = re.compile(r"\bby\s+(?:the\s+)?$", re.I)
_BY_SPAN = re.compile(r"by\s+(?!(?:an?|the)\s+median\b)", re.I)
_ARTICLE = re.compile(r"\b(?:an?|the)\s+$", re.I)
#: "a 26.3-month median follow-up": the median named after the span
_MEDIAN_RIGHT = re.compile(r"[-\s]+median\b", re.I)
#: therapies that may come before or after the CAR, named in both word lists below
_NON_CAR_DRUGS = r"chemotherapy|blinatumomab|inotuzumab"
_OTHER_THERAPY = re.compile(rf"(?<!non-)(?<!non\s)(?<!un)\b(?:transplant\w*|HSCT|HCT|ASCT|allo\w*|radiotherapy|surgery|{_NON_CAR_DRUGS})\b", re.I)
#: a therapy named as not given ("The third, who declined transplantation, relapsed ... on day +120")
_NOT_GIVEN = re.compile(r"\b(?:declined|refused|without|no|not|never|ineligible\s+for|unfit\s+for|instead\s+of)\s+"
                        r"(?:(?:an?|the|any|further|second|another)\s+)*(?:[\w-]+\s+)?$", re.I)
#: a therapy given before the CAR whose remission a sentence may measure (not a transplant: one after the CAR consolidates)
_EARLIER_THERAPY = re.compile(rf"\b(?:R-?CHOP|R-?ICE|R-?DHAP|BEAM|chemoimmunotherapy|rituximab|induction|salvage|"
                              rf"first[-\s]line|second[-\s]line|bortezomib|lenalidomide|daratumumab|ibrutinib|"
                              rf"venetoclax|hyper-?CVAD|{_NON_CAR_DRUGS})\b", re.I)
#: a measures rule's optional conditions (data keys) and where their compiled regex is kept
_CONDITIONS = (("needs_right", "needs_right_rx"), ("needs_left", "needs_left_rx"), ("unless_sentence", "unless_rx"),
               ("unless_left", "unless_left_rx"), ("prev_sentence", "prev_rx"))
LEFT_CHARS = 110
RIGHT_CHARS = 110


class CarmineDurations:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        self.rules = res.patterns.rules("measures")
        macros = res.patterns.macros
        for rule in self.rules:
            # a rule's extra conditions, compiled with the macros its regex may use ({TRANSPLANT_WORD})
            for key, compiled in _CONDITIONS:
                if rule.get(key):
                    rule[compiled] = re.compile(expand_macros(rule[key], macros, f"measures rule {rule['id']}"), re.I)
        self._car = re.compile(res.patterns.macros["CAR"], re.I)
        self._comparator = next(r["rx"] for r in self.rules if r["id"] == "comparator_arm")

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        asides = doc.user_data.get("carmine_asides", [])
        # a span inside an interval or range aside ("(95% CI, 7.7-18.1 months)") is no value of its own
        times = [t for _, t in values_of(doc, "times") if not any(a <= t.start < b for a, b in asides)]
        prev_end = 0
        last: tuple[Time, dict[str, Any] | None, str] | None = None
        for k, t in enumerate(times):
            s, e = sentence_at(doc, t.start)
            q = qualifiers(doc, t.start)
            if t.range or q["reported"] or q["comparator"] or q["hypothesis"] in NOT_RESULT:
                prev_end, last = t.end, None
                continue
            left = text[max(s, t.start - LEFT_CHARS, prev_end if prev_end > s else s):t.start]
            cut = [m.end() for m in _CLAUSE.finditer(left)]
            if cut:
                left = left[cut[-1]:]
            raw_left, left = left, _ARTICLE.sub("", left)
            right = outside(text, t.end, min(e, t.end + RIGHT_CHARS), asides)  # "8.5-month OS (95% CI: ...)"
            prev_end = t.end
            rule: dict[str, Any] | None
            between = outside(text, last[0].end, t.start, asides) if last is not None else ""
            listed_prev = last is not None and last[1] is not None and last[0].end > s and \
                (_LISTED.fullmatch(between) is not None
                 or (_ARM_NEXT.fullmatch(between) is not None and _ARM_AFTER.match(text, t.end) is not None))
            if last is not None and last[1] is not None and listed_prev:
                # "median OS and RFS were 12.9 (95% CI ...) and 6.9 months": the list goes on with its measure, unless
                # the value is a time point of its own ("9.7 months and 1-year OS was similar (64% vs 61%)")
                own = self._measure(text, t, s, e, left, right, raw_left, prev=sentence_at(doc, s - 1) if s else None)
                rule, left = (own, left) if own is not None and own["measure"] == "skip" else (last[1], last[2])
                if self._comparator.match(right):
                    rule = None  # "10.8 months with CAR-T versus 2.3 months with standard care"
            else:
                rule = self._measure(text, t, s, e, left, right, raw_left, prev=sentence_at(doc, s - 1) if s else None)
            last = (t, rule if rule is not None and rule["measure"] != "skip" else None, left)
            if rule is None or rule["measure"] == "skip":
                continue
            listed_next = k + 1 < len(times) and \
                _LISTED.fullmatch(outside(text, t.end, times[k + 1].start, asides)) is not None
            self._emit(doc, text, t, s, e, left, right, rule, q, listed_next or listed_prev)
            if rule.get("single_patient") and not _ONE_PATIENT.search(text, s, e):
                # "PFS was 21.9 months": one patient's remission, or a cohort's survival (the design decides)
                other = self._measure(text, t, s, e, left, right, raw_left, cohort=True,
                                      prev=sentence_at(doc, s - 1) if s else None)
                if other is not None and other["measure"] != "skip":
                    self._emit(doc, text, t, s, e, left, right, other, q, listed_next or listed_prev, cohort_only=True)
        return doc

    def _measure(self, text: str, t: Time, s: int, e: int, left: str, right: str, raw_left: str,
                 cohort: bool = False, prev: tuple[int, int] | None = None) -> dict[str, Any] | None:
        """The first rule that holds; with ``cohort``, the first that is not a single patient's. ``prev``: the
        sentence before (its bounds), for rules that read it."""
        for rule in self.rules:
            if cohort and rule.get("single_patient"):
                continue
            if rule.get("day_only") and not (t.day or t.form == "t_unit_point"):
                continue  # a day notation, or a point written the same way ("at week 6", "by month 3")
            if rule.get("multi_only") and len(t.values) < 2:
                continue
            side = rule["side"]
            rx = rule["rx"]  # short windows: the plain regex
            if side == "left":
                m = rx.search(left)
            elif side == "left_raw":  # with its article: "in the 90 days post infusion"
                m = rx.search(raw_left)
            elif side == "right":
                m = rx.match(right)
            elif side == "sentence_after":
                m = rx.match(text[t.end:e])
            else:
                m = rx.search(text, s, e)
            if not m:
                continue
            if rule.get("needs_right_rx") is not None and not rule["needs_right_rx"].match(right):
                continue
            if rule.get("needs_left_rx") is not None and not rule["needs_left_rx"].search(left):
                continue
            if rule.get("unless_left_rx") is not None and rule["unless_left_rx"].search(left):
                continue
            if rule.get("needs_car") and not self._car_course(text, s, t.start, right):
                continue
            if rule.get("unless_rx") is not None and rule["unless_rx"].search(text, s, e):
                continue
            if rule.get("prev_rx") is not None and not self._prev_names(text, prev, rule["prev_rx"]):
                continue
            rule = dict(rule, _match=m)
            return rule
        return None

    def _prev_names(self, text: str, prev: tuple[int, int] | None, rx: re.Pattern[str]) -> bool:
        """The sentence before (bounds ``prev``) names ``rx`` and no CAR ("underwent a cord blood transplant in
        second remission. Leukaemia recurred 7 months afterwards": counted from the transplant)."""
        return prev is not None and bool(rx.search(text, *prev)) and not self._car.search(text, *prev)

    def _car_course(self, text: str, s: int, start: int, right: str) -> bool:
        """A span counted in the CAR course: a CAR named before it in its sentence or right after it, or
        earlier in the text with no other therapy named in this sentence ("relapsed after allo-HSCT, then
        relapsed 15 months later" counts from the transplant)."""
        if self._car.search(text, s, start) or self._car.search(right[:60]) or _AFTER_INFUSION.match(right):
            return True
        return bool(self._car.search(text, 0, s)) and not any(
            not _NOT_GIVEN.search(text, max(s, m.start() - 30), m.start())
            for m in _OTHER_THERAPY.finditer(text, s, start))

    def _emit(self, doc: Doc, text: str, t: Time, s: int, e: int, left: str, right: str, rule: dict[str, Any],
              q: dict[str, Any], listed: bool = False, cohort_only: bool = False) -> None:
        measure = rule["measure"]
        if q["history"] == "hist_before_relapse" and (measure == "time_to_response" or _LASTED.search(left)) \
                and not _OTHER_THERAPY.search(text, s, e) and self._car_course(text, s, t.start, right):
            # "a PR at week 8 that lasted 5 months before progression" after the CAR; "remained in CR for four
            # months before a relapse" stays the GUIDE's prior remission
            q = dict(q, history=None)
        if rule.get("in_car_course") and not self._car.search(text, t.end, e) \
                and self._car_course(text, s, t.start, right):
            # "Complete remission persisted ... and lasted for 7.6 months before a relapse": the CAR's remission
            measure = rule["in_car_course"]
        if measure == "response_duration" and not q["history"] and _EARLIER_THERAPY.search(text, s, t.start) \
                and not self._car.search(text, s, e):
            # "R-CHOP induced a complete remission that lasted 8 months" (the CAR named later): another therapy's
            # remission before the CAR, the GUIDE's prior remission
            measure = "prior_remission"
        if q["history"] and measure not in _REMISSION:
            return  # a span before the CAR therapy that measures no remission (time since diagnosis)
        if q["history"] and measure in ("response_duration", "time_to_response"):
            measure = "prior_remission"
        qualifier = None if rule.get("no_bound") else t.qualifier
        if measure == "prior_remission" and qualifier not in ("<=", ">"):
            qualifier = "median" if t.median or _MEDIAN.search(left) else None
        groups = rule["_match"].groupdict() if rule["side"] == "left" else {}
        if measure == "response_duration":
            if groups.get("now") or (groups.get("ongoing") or "").lower() == "ongoing" or rule.get("ongoing") \
                    or _STILL.search(text, s, e):
                qualifier = "ongoing"
        elif measure == "time_to_response" and qualifier is None and (
                _BY.search(text, max(s, t.start - 12), t.start) or _BY_SPAN.match(text, t.start, t.end)):
            qualifier = "<="  # "reached MRD-negative CR by day 17": at the latest then, as "within" (GUIDE)
        elif measure in ("follow_up", "survival", "time_to_response", "time_to_relapse", "other") and (
                t.median or _MEDIAN.search(left) or _MEDIAN_RIGHT.match(right)) and qualifier is None:
            qualifier = "median"
        detail: dict[str, Any] = {"matched": text[t.start:t.end], "cue": rule["id"]}
        if rule.get("single_patient") and not _ONE_PATIENT.search(text, s, e):
            detail["single_patient_only"] = True  # "His LFS was >3 years" holds in any design
        if cohort_only:
            detail["cohort_only"] = True  # the reading of a span that a single patient's rule took first
        values = list(t.values)
        if measure == "survival" and len(values) == 1 and not listed:
            named = len({_CANONICAL.get(n.lower(), n.lower()) for n in _SURVIVAL_NAMES.findall(left)})
            if named > 1 and re.search(r"\band\b", left):
                values = values * named  # "median PFS and median OS were 1.9 months": two durations
                detail["coordinated"] = True
        for value in values:
            v = {"measure": measure, "value": value, "unit": t.unit, "qualifier": qualifier}
            add_finding(doc, Finding("durations", v, t.start, t.end, f"{self.name}.{rule['id']}", 0.8,
                                     detail=dict(detail)))


@Language.factory("carmine_durations", assigns=["doc._.carmine_findings", "doc.spans"],
                  requires=["doc.spans"], default_config={"configs": None})
def make_carmine_durations(nlp: Language, name: str, configs: str | None) -> CarmineDurations:
    return CarmineDurations(name, configs)
