"""Canonical value strings of the long table, and the columns derived from them.

Every row's ``value`` is a string from which the typed columns follow
(:func:`derive`): a vocabulary label (``T-ALL``), a grade (``1``, ``>=3``, ``1-2``,
``any``, ``0``), or the rendering of an observation. So a curator who corrects
``value`` gets consistent ``value_id``/``value_num``/``value_days`` back from
:func:`pipeline.table.refresh_derived`. :func:`render` builds the string from a GUIDE
value; :func:`to_guide` goes back.

========================  ==============================================
field                     value
========================  ==============================================
study_design, set fields  the vocabulary label
n_patients, age           a number (``34``)
sex                       ``male`` / ``female``
crs, icans                the GUIDE grade string
response                  the category
durations                 ``MEASURE: [>|<|<=|>=]NUMBER UNIT [(ongoing|median)]``
expansion_peak            ``NUMBER UNIT[, day N]``
patients                  ``not_stated`` (a patient with neither age nor sex)
========================  ==============================================
"""

from __future__ import annotations

import math
import re
from typing import Any

from pipeline.table.schema import FIELD_VOCABS
from pipeline.table.vocab import Vocabularies

_NUM = r"-?\d+(?:\.\d+)?"
_GRADE = re.compile(
    r"^(?:(?P<single>[0-5])|(?P<cmp>>=|<=|>|<)(?P<bound>[0-5])|(?P<lo>[0-5])-(?P<hi>[0-5])|(?P<any>any))$"
)
_DURATION = re.compile(
    rf"^(?P<measure>[a-z_]+): (?P<cmp>>=|<=|>|<)?(?P<num>{_NUM}) (?P<unit>[a-z]+)(?: \((?P<qual>ongoing|median)\))?$"
)
_EXPANSION = re.compile(rf"^(?P<num>{_NUM}) (?P<unit>\S+?)(?:, day (?P<day>-?\d+))?$")
_NUMBER = re.compile(rf"^{_NUM}$")
NOT_STATED = "not_stated"

#: What a value of each field looks like, for error messages.
EXPECTED = {
    "crs": "a grade: 0-5, >=N, <=N, >N, <N, N-M or any",
    "icans": "a grade: 0-5, >=N, <=N, >N, <N, N-M or any",
    "durations": "'MEASURE: [>|<|<=|>=]NUMBER UNIT [(ongoing|median)]', e.g. 'response_duration: 9 month (ongoing)'",
    "expansion_peak": "'NUMBER UNIT[, day N]', e.g. '350758 copies/ug, day 6'",
    "n_patients": "a whole number",
    "age": "a number of years",
    "patients": f"'{NOT_STATED}'",
}


class ValueFormatError(ValueError):
    """A value string that does not fit its field (message says what was expected)."""


def fmt_num(x: float | int) -> str:
    """``9.0`` -> ``9``, ``1.5`` -> ``1.5``: the shortest exact rendering."""
    f = float(x)
    if math.isfinite(f) and f == int(f):
        return str(int(f))
    return repr(f)


def normalize_grade(grade: Any) -> str:
    text = str(grade).strip().replace("≥", ">=").replace("≤", "<=").replace("–", "-").replace(" ", "")
    return text.lower() if text.lower() == "any" else text


def render(field: str, value: Any, vocab: Vocabularies) -> tuple[str, str | None]:
    """The canonical value string of a GUIDE value, and a normalization note (or None)."""
    if field in FIELD_VOCABS:
        raw = value["category"] if field == "response" else value
        concept = vocab[FIELD_VOCABS[field]].lookup(str(raw))
        if concept is None:
            return str(raw), None  # validation reports it, naming the vocabulary file
        note = None if concept.label == raw else f"synonym {raw!r} -> {concept.label}"
        return concept.label, note
    if field in ("n_patients", "age"):
        return fmt_num(value), None
    if field in ("crs", "icans"):
        return normalize_grade(value["grade"]), None
    if field == "durations":
        qual = value.get("qualifier")
        cmp = qual if qual in (">", "<", "<=", ">=") else ""
        tail = f" ({qual})" if qual in ("ongoing", "median") else ""
        unit = _unit_label(value["unit"], vocab)
        return f"{value['measure']}: {cmp}{fmt_num(value['value'])} {unit}{tail}", None
    if field == "expansion_peak":
        unit = _unit_label(value["unit"], vocab)
        day = value.get("day")
        return f"{fmt_num(value['value'])} {unit}" + (f", day {int(day)}" if day is not None else ""), None
    if field == "patients":
        return NOT_STATED, None
    raise ValueFormatError(f"field {field!r} has no value rendering")


def _unit_label(unit: str, vocab: Vocabularies) -> str:
    concept = vocab["units"].lookup(str(unit))
    return concept.label if concept is not None else str(unit)


def derive(field: str, value: str, vocab: Vocabularies) -> dict[str, Any]:
    """The typed columns that follow from ``value`` (ValueFormatError if it does not fit ``field``)."""
    out: dict[str, Any] = {}
    if field in FIELD_VOCABS:
        voc = vocab[FIELD_VOCABS[field]]
        concept = voc.get(value)
        if concept is None:
            raise ValueFormatError(
                f"{value!r} is not a label of {voc.path} (add it there, or correct the value)"
            )
        if field == "disease":
            ncit, mondo = concept.get("ncit"), concept.get("mondo")
            out["value_id"] = f"NCIT:{ncit}" if ncit else mondo
            out["value_xref"] = mondo if ncit and mondo else None
            out["value_label"] = concept.name or None
        elif field == "target_antigen":
            out["value_id"] = concept.get("hgnc_id")
            out["value_label"] = concept.get("hgnc_symbol")
        else:
            ncit = concept.get("ncit")
            out["value_id"] = f"NCIT:{ncit}" if ncit else None
            out["value_label"] = concept.name or None
        return out
    if field in ("n_patients", "age"):
        if not _NUMBER.match(value) or (field == "n_patients" and "." in value):
            raise ValueFormatError(f"{value!r} is not {EXPECTED[field]}")
        out["value_num"] = float(value)
        if field == "n_patients":
            out["n"] = int(value)
        else:
            out["unit"] = "year"
        return out
    if field in ("crs", "icans"):
        m = _GRADE.match(value)
        if not m:
            raise ValueFormatError(f"{value!r} is not {EXPECTED[field]}")
        out["unit"] = "grade"
        if m["single"] is not None:
            g = float(m["single"])
            out.update(value_num=g, grade_max=g, comparator="=")
            if g == 0:
                out["qualifier"] = "negated"
        elif m["cmp"]:
            b = float(m["bound"])
            out.update(value_num=b, comparator=m["cmp"], qualifier=m["cmp"])
            out["grade_max"] = b if m["cmp"] in ("<=", "<") else None
        elif m["lo"] is not None:
            out.update(value_num=float(m["lo"]), grade_max=float(m["hi"]), comparator="range")
        return out
    if field == "durations":
        m = _DURATION.match(value)
        if not m:
            raise ValueFormatError(f"{value!r} is not {EXPECTED[field]}")
        measure = vocab["duration_measures"].get(m["measure"])
        if measure is None:
            raise ValueFormatError(
                f"measure {m['measure']!r} is not a label of {vocab['duration_measures'].path}"
            )
        factors = vocab.day_factors()
        if m["unit"] not in factors:
            raise ValueFormatError(
                f"unit {m['unit']!r} is not one of {sorted(factors)} ({vocab['units'].path})"
            )
        num = float(m["num"])
        out.update(
            measure=m["measure"],
            value_num=num,
            unit=m["unit"],
            value_days=num * factors[m["unit"]],
            comparator=m["cmp"] or "=",
            qualifier=m["cmp"] or m["qual"],
        )
        return out
    if field == "expansion_peak":
        m = _EXPANSION.match(value)
        if not m:
            raise ValueFormatError(f"{value!r} is not {EXPECTED[field]}")
        if vocab["units"].get(m["unit"]) is None:
            raise ValueFormatError(f"unit {m['unit']!r} is not a label of {vocab['units'].path}")
        out.update(value_num=float(m["num"]), unit=m["unit"], day=int(m["day"]) if m["day"] else None)
        return out
    if field == "patients":
        if value != NOT_STATED:
            raise ValueFormatError(f"{value!r} is not {EXPECTED[field]}")
        return out
    raise ValueFormatError(f"field {field!r} is not a field of the evidence table")


def to_guide(field: str, row: dict[str, Any]) -> Any:
    """The GUIDE value of one long row (inverse of :func:`render`); ``patients`` rows are merged by the caller."""
    value = row["value"]
    n = _opt_int(row.get("n"))
    pct = _opt_float(row.get("pct"))
    if field == "n_patients":
        return int(value)
    if field in ("crs", "icans"):
        return {"grade": value, "n": n, "pct": pct}
    if field == "response":
        return {"category": value, "n": n, "pct": pct}
    if field == "durations":
        m = _DURATION.match(value)
        assert m is not None, value
        num = float(m["num"])
        return {
            "measure": m["measure"],
            "value": int(num) if num == int(num) else num,
            "unit": m["unit"],
            "qualifier": m["cmp"] or m["qual"],
        }
    if field == "expansion_peak":
        m = _EXPANSION.match(value)
        assert m is not None, value
        num = float(m["num"])
        return {
            "value": int(num) if num == int(num) else num,
            "unit": m["unit"],
            "day": int(m["day"]) if m["day"] else None,
        }
    if field == "age":
        num = float(value)
        return int(num) if num == int(num) else num
    return value


def _opt_int(x: Any) -> int | None:
    return None if x is None or _isna(x) else int(x)


def _opt_float(x: Any) -> float | None:
    if x is None or _isna(x):
        return None
    f = float(x)
    return int(f) if f == int(f) else f


def _isna(x: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False
