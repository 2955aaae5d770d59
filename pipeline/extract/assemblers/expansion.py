"""``carmine_expansion``: CAR expansion peaks stated with a number.

A value is a level of the ``levels`` detector ("350, 758 copies/μg", "6.3×10⁴ copies/µg",
"41.5 cells/μL") or a percentage of the ``quantities`` detector ("45.6%"). It is a peak when a
peak cue (``configs/patterns/expansion.jsonl``: "peaked", "peak level of", "reached", "Cmax") stands
before it in its clause, with at most a few words and day notations between (more for a level with its
unit than for a percentage), and the words before it are about CAR cells; a percentage of patients ("in
80% of patients") is a rate, not a level, and a percentage "of CD3+ T cells" or "of lymphocytes" is a CAR
level wherever a peak is told. A value after a peak in the same clause is the next group's peak ("2,340
copies/μg at DL1, 18,900 copies/μg at DL2", "112 cells/μL, equivalent to 41% of all T cells"). The
peak's day is the times detector's day notation between cue and value ("peaked on day 10 at
45.6%") or right after the value ("... copies/μg on day 6"), else a stated time to peak in the
sentence ("time to peak expansion was 14 days").

Writes ``expansion_peak`` findings with value ``{"value", "unit", "day"}``.
"""

from __future__ import annotations

import re
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
        listed = self._listed_days(text, [lv for _, lv in values_of(doc, "levels")])
        last: tuple[int, int] | None = None  # the last peak's end and its sentence's start
        for start, end, value, unit in sorted(values, key=lambda v: v[0]):
            if is_background(doc, start):
                continue
            s, e = sentence_at(doc, start)
            percent = unit == "percent"
            of_t_cells = percent and self.rx["of_t_cells"].match(text[end:e]) is not None
            cue = self._cue(text, max(s, start - CUE_WINDOW), start, days,
                            self.rx["lead_gap"] if percent else self.rx["lead_gap_level"])
            # the next group's peak after a peak in the same clause ("2,340 copies/μg at DL1, 18,900 copies/μg at DL2")
            following = cue is None and last is not None and last[1] == s and \
                self.rx["next_level"].match(text[last[0]:start]) is not None
            if cue is None and not following and self.rx["peak_cue_after"].match(text[end:e]):
                cue = start  # "62.4% of CD3+ T cells at their peak on day 14": the peak named after the value
            if cue is None and not following:
                continue
            lo = cue if cue is not None else start
            if not following and not self.rx["car_context"].search(text, max(0, start - 120), end) and not (
                    of_t_cells and self.rx["car_context"].search(text, max(0, s - 200), e)):
                continue
            if percent and (self.rx["rate_after"].match(text[end:e]) or not (
                    of_t_cells or self.rx["percent_context"].search(
                        text, max(s, lo - 60) if cue is not None else last[0] if last else lo, start))):
                continue
            day = listed[start] if start in listed else self._day(text, lo, start, end, e, s, days,
                                                                    before=cue is not None)
            last = (end, s)
            add_finding(doc, Finding("expansion_peak", {"value": value, "unit": unit, "day": day}, lo, end,
                                     f"{self.name}.peak_{'percent' if percent else 'level'}"
                                     f"{'_next' if cue is None else ''}", 0.85,
                                     detail={"matched": text[lo:end]}))
        return doc

    def _listed_days(self, text: str, levels: list[Any]) -> dict[int, int]:
        """The days of levels listed before one unit and given one each in order after it ("86, 12 and 143
        cells/μL on days 10, 14 and 7, respectively"): each level's start -> its day."""
        out: dict[int, int] = {}
        run: list[Any] = []
        for lv in [*levels, None]:
            if lv is not None and lv.form == "l_level_list" and (
                    not run or _LIST_GAP.match(text, run[-1].end, lv.start)):
                run.append(lv)
                continue
            if len(run) > 1:
                m = self.rx["days_respectively"].match(text[run[-1].end:run[-1].end + 160])
                listed = [int(x) for x in re.findall(r"\d+", m.group("days"))] if m else []
                if len(listed) == len(run):
                    out.update({r.start: day for r, day in zip(run, listed, strict=True)})
            run = [lv] if lv is not None and lv.form == "l_level_list" else []
        return out

    def _cue(self, text: str, lo: int, start: int, days: list[Time], gap: re.Pattern[str]) -> int | None:
        """Where the peak cue before a value starts, if one stands close enough (the first whose ``gap`` holds)."""
        for m in self.rx["peak_cue"].finditer(text, lo, start):
            if gap.match(_without(text, m.end(), start, days)):
                return m.start()
        return None

    def _day(self, text: str, cue: int, start: int, end: int, e: int, s: int, days: list[Time],
             before: bool = True) -> int | None:
        """The peak's day: a day notation between its cue and the value, right after the value, or earlier in the
        sentence after a peak word ("peaked at a median of day 7 (range, 3-14) with a median peak of 4,820"), else
        a stated time to peak; ``before`` False (the next group's value) looks after the value only."""
        for t in days:
            if (before and cue <= t.start < start) or (
                    end <= t.start < e and self.rx["day_window"].match(text[end:t.start])):
                return int(t.values[0])
        if before:
            for t in days:
                if s <= t.start < cue and ";" not in text[t.end:cue] and \
                        self.rx["peak_cue"].search(text, max(s, t.start - 40), t.start):
                    return int(t.values[0])
        m = self.rx["time_to_peak"].search(text, s, start)
        return int(m.group("day")) if m else None


#: what stands between two levels of one list ("86, 12 and 143")
_LIST_GAP = re.compile(r"\s*(?:,|,?\s*(?:and|vs\.?|versus))\s*$")


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
