"""``carmine_times``: every time expression: spans ("12 months", "a median of 26.1 months",
"more than 2 years", "within 6 months", "six-month", "14 and 6 months", "9.0 (95% CI ...)
months", ranges "1-4 weeks") and day notations ("day 28", "day +28", "D14", "d+5"; ranges
"day 0 to 28"; ordinals "on the seventh day").

Writes ``doc.spans["times"]`` (value :class:`~pipeline.extract.spans.Time`). Which measure a
time belongs to is the durations assembler's question, not this detector's.
"""

from __future__ import annotations

import re
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import text_of
from pipeline.extract.detectors.base import rules_of, scan
from pipeline.extract.numbers import parse_number, parse_ordinal, parse_unit
from pipeline.extract.spans import Time, add_span

_BRACKETS = re.compile(r"[(\[][^()\[\]]*[)\]]")
#: between the values of a list ("14 and 6 months", "9 vs. 3 days")
_LIST_SEP = re.compile(r"\s*(?:,|\band\b|\bor\b|\bvs\b\.?|\bversus\b)\s*")
_BETWEEN = re.compile(r"\bbetween\s+$", re.I)
#: a unit inside a list of values ("2 months and 14 months")
_UNITS = re.compile(r"\b(?:days?|weeks?|wks?|months?|mos?|years?|yrs?)\b", re.I)


def _bound(g: dict[str, str | None]) -> str | None:
    """A span's bound from its comparator words: ``>``, ``<``, ``<=`` ("within"; "by month 3" is no bound)."""
    if g.get("le") and (g["le"] or "").lower() == "by":
        return None
    return ">" if g.get("gt") else "<" if g.get("lt") else "<=" if g.get("le") else None


class CarmineTimes:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.rules = rules_of(configs, "times")

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        if not any(map(str.isdigit, text)) and not re.search(r"(?i)\b(?:days?|weeks?|months?|years?)\b", text):
            return doc
        for m, rule in scan(text, self.rules):
            g = m.groupdict()
            if rule["id"].startswith("t_day"):
                if g.get("plus") == "-":
                    continue  # "day -5": before the infusion (lymphodepletion)
                day = parse_ordinal(g["value"]) if rule.get("ordinal") else int(g["value"])
                if day is None:
                    continue
                add_span(doc, "times", Time(m.start(), m.end(), [day], "day", day=True,
                                            range=g.get("to") is not None, form=rule["id"]))
                continue
            unit = parse_unit(g["unit"])
            if unit is None:
                continue
            if rule.get("notation"):  # "at month 3": a time point written as a notation
                add_span(doc, "times", Time(m.start(), m.end(), [int(g["value"])], unit, form=rule["id"]))
                continue
            inner = {parse_unit(u.group(0)) for u in _UNITS.finditer(g["values"])}
            if inner - {unit}:
                # "9.7 months and 1-year": each value with its own unit, not one list in the last unit
                self._by_unit(doc, m, unit, rule["id"])
                continue
            raw = _UNITS.sub(" ", _BRACKETS.sub(" ", g["values"]))
            values = []
            for piece in _LIST_SEP.split(raw):
                v = parse_number(piece)
                if v is not None:
                    values.append(v)
            if not values:
                continue
            qualifier = _bound(g)
            # "between 1 and 3 months" is a range, not two values
            ranged = bool(g.get("range")) or (len(values) == 2 and _BETWEEN.search(text, max(0, m.start() - 9), m.start()))
            add_span(doc, "times", Time(m.start(), m.end(), values, unit, qualifier=qualifier,
                                        median=(g.get("median") or "").lower() == "median", range=bool(ranged),
                                        form=rule["id"]))
        return doc


    @staticmethod
    def _by_unit(doc: Doc, m: re.Match[str], unit: str, form: str) -> None:
        """A list whose values name different units: one span per run of values in one unit (a value without its
        own unit takes the next one named), the median and bound words with the first run."""
        g = m.groupdict()
        at, raw = m.start("values"), g["values"]
        cuts = [(0, 0)] + [sep.span() for sep in _LIST_SEP.finditer(raw)] + [(len(raw), len(raw))]
        pieces = []  # (start, end, value, unit or None), offsets in the text
        for (_, a), (b, _) in pairwise(cuts):
            named = _UNITS.search(raw, a, b)
            value = parse_number(_UNITS.sub(" ", raw[a:b]))
            if value is not None:
                pieces.append((at + a, at + b, value, parse_unit(named.group(0)) if named else None))
        runs: list[tuple[int, int, list[float | int], str]] = []
        pending: list[tuple[int, int, float | int]] = []
        for start, end, value, own in pieces:
            pending.append((start, end, value))
            if own is not None:
                runs.append((pending[0][0], end, [v for _, _, v in pending], own))
                pending = []
        if pending:
            runs.append((pending[0][0], m.end(), [v for _, _, v in pending], unit))
        for k, (start, end, values, run_unit) in enumerate(runs):
            first = k == 0
            qualifier = _bound(g) if first else None
            add_span(doc, "times", Time(m.start() if first else start, end, values, run_unit, qualifier=qualifier,
                                        median=first and (g.get("median") or "").lower() == "median",
                                        range=not first and bool(g.get("range")), form=form))


@Language.factory("carmine_times", assigns=["doc.spans"], default_config={"configs": None})
def make_carmine_times(nlp: Language, name: str, configs: str | None) -> CarmineTimes:
    return CarmineTimes(name, configs)
