"""``carmine_durations``: time spans of the treatment course (GUIDE "Durations").

Each rule of ``configs/patterns/durations.jsonl`` names its ``measure``
(``follow_up``, ``response_duration``, ``time_to_response``, ``survival``,
``time_to_relapse``, ``prior_remission``, ``other``) and captures ``value`` and
``unit``; optional groups set the qualifier: ``median`` -> ``"median"``, ``gt`` ->
``">"``, ``within`` ("within 1 month") -> ``"<="``, ``ongoing`` with ``todate`` ("ongoing
for 9 months to date") or ``now`` ("remains in CR at 3 years") -> ``"ongoing"``. A remission that ended "before a relapse"
(group ``prior``) is ``prior_remission``. Rules marked ``single_patient`` apply only to
case reports ("leukemia-free survival > 2 years" of one patient is how long the
remission lasted). Numbers in words count ("four months"); a list ("for 14 and 6 months",
group ``values``) gives one duration per number. ``car_before`` rules need a CAR named
earlier in the sentence ("a CR to CD19 CAR-T but relapsed 15 months later");
``unless_sentence`` rules skip sentences matching it (a peak's day is ``expansion_peak``).
A response duration in a sentence saying it still lasts ("To date, ...") is ``ongoing``.

Only runs of sentences that hold a number with a time unit (or "day N") are searched.

Writes ``durations`` findings with value ``{"measure", "value", "unit", "qualifier"}``.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import (
    Finding,
    add_finding,
    is_background,
    lowered_text,
    may_match,
    sentence_at,
    text_of,
)
from pipeline.extract.lexicon import case_folded, load_resources
from pipeline.extract.numbers import parse_number, parse_unit

#: a response duration stated in a sentence that says it still lasts
_STILL = re.compile(r"\b(?:to\s+date|so\s+far|until\s+now|still|currently|at\s+the\s+time\s+of\s+(?:this\s+)?"
                    r"(?:writing|report|publication|last\s+follow))\b", re.I)


_BRACKETS = re.compile(r"\([^()]*\)")
#: a sentence about one patient ("His LFS was ...", "the patient remained ..."): a single-patient rule holds
_ONE_PATIENT = re.compile(r"\b(?:[Hh]is|[Hh]er|[Hh]e|[Ss]he|[Tt]he\s+(?:patient|child|boy|girl)|[Pp]atient\s+\d+)\b")


class CarmineDurations:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        self.rules = res.patterns.rules("durations")
        macros = res.patterns.macros
        #: every rule needs a number with a time unit or a "day N": only sentences holding one are read
        self._anchor = case_folded(
            re.compile(f"{macros['NUM']}[-\\s]*(?:\\([^)]*\\)\\s*|\\[[^\\]]*\\]\\s*)?{macros['UNIT']}|\\bday\\s*\\+?\\d|\\d\\s?d\\s+of\\b", re.I))
        self._car = re.compile(macros["CAR"], re.I)
        self._num = re.compile(f"\\b{macros['NUM']}\\b", re.I)
        self._unless = {r["id"]: re.compile(r["unless_sentence"], re.I) for r in self.rules if r.get("unless_sentence")}

    def _windows(self, doc: Doc, text: str) -> list[tuple[int, int]]:
        """Runs of consecutive sentences that hold a time span."""
        out: list[tuple[int, int]] = []
        for m in self._anchor.finditer(text):
            s, e = sentence_at(doc, m.start())
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        return out

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        windows = self._windows(doc, text)
        if not windows:
            return doc
        taken: list[tuple[int, int]] = []
        low = lowered_text(doc)
        # each window's text (and lower-cased text) once: a rule's gate is checked per window, since
        # a match lies inside its window (finditer's endpos) and so holds one of the gate's literals
        pieces = [(w_start, w_end, text[w_start:w_end], low[w_start:w_end] if low is not None else None)
                  for w_start, w_end in windows]
        for rule in self.rules:
            rx = rule["fast"]
            gate = rule["gate"]
            if not may_match(doc, gate):
                continue
            for w_start, w_end, w_text, w_low in pieces:
                if gate is not None and not gate.open(w_text, w_low):
                    continue
                for m in rx.finditer(text, w_start, w_end):
                    if any(s < m.end() and m.start() < e for s, e in taken):
                        continue
                    if is_background(doc, m.start()):
                        continue
                    if not self._context_ok(doc, text, m, rule):
                        continue
                    self._emit(doc, text, m, rule)
                    taken.append(m.span())
        return doc

    def _context_ok(self, doc: Doc, text: str, m: re.Match[str], rule: dict) -> bool:
        s, e = sentence_at(doc, m.start())
        if rule.get("car_before") and not self._car.search(text, s, m.start()):
            return False
        unless = self._unless.get(rule["id"])
        return not (unless is not None and unless.search(text, s, e))

    def _emit(self, doc: Doc, text: str, m: re.Match[str], rule: dict) -> None:
        groups = m.groupdict()
        unit = parse_unit(groups.get("unit") or "")
        if groups.get("day"):
            values, unit = [parse_number(groups["day"])], "day"
        elif groups.get("values"):
            # "9.0 (95% CI, 6.1-11.2) months and 16.4": numbers in brackets are not listed values
            values = [parse_number(v) for v in self._num.findall(_BRACKETS.sub(" ", groups["values"]))]
        else:
            values = [parse_number(groups.get("value") or "")]
        if unit is None or not values or any(v is None for v in values):
            return
        measure = rule["measure"]
        qualifier = None
        if groups.get("median"):
            qualifier = "median"
        elif groups.get("gt"):
            qualifier = ">"
        elif (groups.get("within") or "").lower() == "within":
            qualifier = "<="
        elif groups.get("todate") or groups.get("now") or (groups.get("ongoing") or "").lower() == "ongoing":
            qualifier = "ongoing"
        if groups.get("prior"):
            measure, qualifier = "prior_remission", None
        if measure == "response_duration" and qualifier is None:
            s, e = sentence_at(doc, m.start())
            if _STILL.search(text, s, e):
                qualifier = "ongoing"
        detail: dict[str, Any] = {"matched": m.group(0)}
        if rule.get("single_patient"):
            s, e = sentence_at(doc, m.start())
            if not _ONE_PATIENT.search(text, s, e):
                detail["single_patient_only"] = True  # "His LFS was >3 years" holds in any design
        for value in values:
            value_dict = {"measure": measure, "value": value, "unit": unit, "qualifier": qualifier}
            add_finding(doc, Finding("durations", value_dict, m.start(), m.end(), f"{self.name}.{rule['id']}",
                                     0.8, detail=dict(detail)))


@Language.factory(
    "carmine_durations",
    assigns=["doc._.carmine_findings", "doc.spans"],
    default_config={"configs": None},
)
def make_carmine_durations(nlp: Language, name: str, configs: str | None) -> CarmineDurations:
    return CarmineDurations(name, configs)
