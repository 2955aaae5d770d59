"""``carmine_expansion``: CAR expansion peaks stated with a number.

A value is a level of the ``levels`` detector ("350, 758 copies/μg", "6.3×10⁴ copies/µg",
"41.5 cells/μL") or a percentage of the ``quantities`` detector ("45.6%"). It is a peak when a
peak cue (``configs/patterns/expansion.jsonl``: "peaked", "peak level of", "reached") stands before
it in its clause, with at most a few words and day notations between, and the words before it are
about CAR cells; a percentage of patients ("in 80% of patients") is a rate, not a level. The
peak's day is the times detector's day notation between cue and value ("peaked on day 10 at
45.6%") or right after the value ("... copies/μg on day 6"), else a stated time to peak in the
sentence ("time to peak expansion was 14 days").

Writes ``expansion_peak`` findings with value ``{"value", "unit", "day"}``.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import Finding, add_finding, is_background, sentence_at, text_of
from pipeline.extract.lexicon import load_resources
from pipeline.extract.spans import Time, values_of

#: how far before a value its peak cue may stand
CUE_WINDOW = 90


class CarmineExpansion:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.rx = {r["id"]: r["rx"] for r in load_resources(configs).patterns.rules("expansion")}

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        values: list[tuple[int, int, Any, str]] = [(v.start, v.end, v.value, v.unit) for _, v in values_of(doc, "levels")]
        values += [(q.start, q.end, q.pct, "percent") for _, q in values_of(doc, "quantities")
                   if q.pct is not None and q.n is None and q.total is None]
        if not values:
            return doc
        days = [t for _, t in values_of(doc, "times") if t.day]
        for start, end, value, unit in sorted(values, key=lambda v: v[0]):
            if is_background(doc, start):
                continue
            s, e = sentence_at(doc, start)
            cue = self._cue(text, max(s, start - CUE_WINDOW), start, days)
            if cue is None or not self.rx["car_context"].search(text, max(0, start - 120), end):
                continue
            if unit == "percent" and (self.rx["rate_after"].match(text[end:e])
                                      or not self.rx["percent_context"].search(text, max(s, cue - 60), start)):
                continue
            day = self._day(text, cue, start, end, e, s, days)
            add_finding(doc, Finding("expansion_peak", {"value": value, "unit": unit, "day": day}, cue, end,
                                     f"{self.name}.peak_{'percent' if unit == 'percent' else 'level'}", 0.85,
                                     detail={"matched": text[cue:end]}))
        return doc

    def _cue(self, text: str, lo: int, start: int, days: list[Time]) -> int | None:
        """Where the peak cue before a value starts, if one stands close enough (the last one)."""
        found = None
        for m in self.rx["peak_cue"].finditer(text, lo, start):
            gap = _without(text, m.end(), start, days)
            if self.rx["lead_gap"].match(gap):
                found = m.start()
                break
        return found

    def _day(self, text: str, cue: int, start: int, end: int, e: int, s: int, days: list[Time]) -> int | None:
        for t in days:
            if cue <= t.start < start or (end <= t.start < e and self.rx["day_window"].match(text[end:t.start])):
                return int(t.values[0])
        m = self.rx["time_to_peak"].search(text, s, start)
        return int(m.group("day")) if m else None


def _without(text: str, lo: int, hi: int, days: list[Time]) -> str:
    """``text[lo:hi]`` without the day notations inside it."""
    parts, pos = [], lo
    for t in days:
        if lo <= t.start and t.end <= hi:
            parts.append(text[pos:t.start])
            pos = t.end
    parts.append(text[pos:hi])
    return " ".join(parts)


@Language.factory("carmine_expansion", assigns=["doc._.carmine_findings"], requires=["doc.spans"],
                  default_config={"configs": None})
def make_carmine_expansion(nlp: Language, name: str, configs: str | None) -> CarmineExpansion:
    return CarmineExpansion(name, configs)
