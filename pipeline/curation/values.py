"""A field's value in the forms the review loop handles.

The table's ``value`` is canonical (``pipeline/table/schema.py``): a vocabulary label
(``T-ALL``, ``CR``, ``male``), a number (``n_patients``, ``age``), a grade (``1``,
``>=3``, ``1-2``, ``any``, ``0``), ``MEASURE: [>|<|<=|>=]NUMBER UNIT [(ongoing|median)]``
for durations, ``NUMBER UNIT[, day N]`` for expansion peaks, ``not_stated`` for a
patient with neither age nor sex. The GUIDE's ``patients`` entries are split into
``age`` and ``sex`` rows.

A curator's ``corrected_value`` may be written in that canonical form or in a looser
one: a label's synonym (any case), ``;``-separated ``key=value`` parts for counts
(``>=3; n=4; pct=12.5``, ``CR; n=5``), ``9 months; measure=response_duration;
qualifier=ongoing``, ``350758 copies/ug; day=6``, ``grade 1-2`` (Excel turns a bare
``1-2`` into a date). :func:`parse_value` returns the canonical value and the
structured columns that follow from it (as ``pipeline.table.values.derive`` sets
them), or raises ``ValueError`` saying what was expected and what was found.
:func:`row_to_guide` turns a table row back into the GUIDE's form for the gold export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.curation.settings import CurationSettings
from pipeline.extract.model import SET_FIELDS

#: fields whose value is a vocabulary label
LABEL_FIELDS = ("study_design", *SET_FIELDS, "response", "sex")
#: every value of the table's ``field`` column
TABLE_FIELDS = (
    "study_design", "n_patients", *SET_FIELDS, "crs", "icans", "response", "durations", "expansion_peak",
    "age", "sex", "patients",
)
#: the table's structured columns that a correction rewrites
STRUCTURED = ("value_num", "unit", "value_days", "comparator", "grade_max", "n", "pct", "day", "qualifier",
              "measure", "value_id", "value_label", "value_xref")
DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}
NOT_STATED = "not_stated"
UNIT_ALIASES = {
    "copies/μg": "copies/ug", "copies/µg": "copies/ug", "%": "percent",
    "cells/μl": "cells/ul", "cells/µl": "cells/ul",
}
_KEYS = {"n", "pct", "day", "measure", "qualifier", "unit", "grade", "category", "value"}
_DURATION = re.compile(
    r"^(?:(?P<measure>[a-z_]+):\s*)?(?P<cmp>>=|<=|>|<|median\s+)?\s*(?P<num>[\d.,]+)\s*(?P<unit>[A-Za-z]+?)s?"
    r"(?:\s*\(?(?P<qual>ongoing|median)\)?)?$", re.I)
_EXPANSION = re.compile(r"^(?P<num>[\d.,]+(?:\s\d{3})*)\s*(?P<unit>[^,;]+?)(?:\s*,\s*day\s*(?P<day>\d+))?$", re.I)


@dataclass
class ParsedValue:
    """A value in canonical form, the structured columns it implies, and its GUIDE form."""

    label: str
    columns: dict[str, Any] = field(default_factory=dict)
    guide: Any = None


def missing(x: Any) -> bool:
    """True for None, NaN, pd.NA and blank strings."""
    if x is None:
        return True
    if isinstance(x, str):
        return not x.strip()
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number(text: str) -> float:
    """'350,758' -> 350758, '12,5' -> 12.5, '1.5' -> 1.5; ValueError otherwise."""
    t = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    elif re.fullmatch(r"\d+,\d+", t):
        t = t.replace(",", ".")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", t):
        raise ValueError(f"expected a number, found {text!r}")
    return float(t)


def fmt_num(x: float) -> str:
    """9.0 -> '9', 1.5 -> '1.5'."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _whole(text: str, what: str) -> int:
    v = number(text)
    if v != int(v) or v < 0:
        raise ValueError(f"expected {what} as a whole number, found {text!r}")
    return int(v)


def _clean(text: str) -> str:
    return " ".join(str(text).replace("≥", ">=").replace("≤", "<=").replace("–", "-").replace("—", "-").split())


def _split(text: str) -> tuple[str, dict[str, str]]:
    """'>=3; n=4; pct=12' -> ('>=3', {'n': '4', 'pct': '12'})."""
    main: list[str] = []
    keys: dict[str, str] = {}
    for part in (p.strip() for p in _clean(text).split(";")):
        m = re.fullmatch(r"([A-Za-z_]+)\s*[=:]\s*(.*)", part)
        if m and m.group(1).casefold() in _KEYS:
            keys[m.group(1).casefold()] = m.group(2).strip()
        elif part:
            main.append(part)
    return " ".join(main), keys


def grade_columns(text: str) -> tuple[str, dict[str, Any]]:
    """'>=3' -> ('>=3', columns as the table derives them); ValueError otherwise."""
    t = re.sub(r"^(grade|gr\.?|g)\s*", "", _clean(text), flags=re.I).replace(" ", "")
    if t.casefold() == "any":
        return "any", {"unit": "grade", "value_num": None, "grade_max": None, "comparator": None, "qualifier": None}
    m = re.fullmatch(r"([0-5])", t)
    if m:
        g = float(m.group(1))
        return m.group(1), {"unit": "grade", "value_num": g, "grade_max": g, "comparator": "=",
                            "qualifier": "negated" if g == 0 else None}
    m = re.fullmatch(r"(>=|<=|>|<)([0-5])", t)
    if m:
        b = float(m.group(2))
        return t, {"unit": "grade", "value_num": b, "comparator": m.group(1), "qualifier": m.group(1),
                   "grade_max": b if m.group(1) in ("<=", "<") else None}
    m = re.fullmatch(r"([0-5])-([0-5])", t)
    if m and int(m.group(1)) < int(m.group(2)):
        return t, {"unit": "grade", "value_num": float(m.group(1)), "grade_max": float(m.group(2)),
                   "comparator": "range", "qualifier": None}
    raise ValueError(f"expected a grade (0..5, >=N, <=N, >N, <N, N-M or any; 'grade 1-2' in Excel), found {text!r}")


def _counts(keys: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if keys.get("n"):
        out["n"] = _whole(keys["n"], "n")
    if keys.get("pct"):
        out["pct"] = number(keys["pct"].rstrip("%"))
    return out


def parse_value(
    field_name: str, text: str, settings: CurationSettings, base: dict[str, Any] | None = None
) -> ParsedValue:
    """The canonical value and structured columns of a curator's value for ``field_name``.

    ``base`` holds the row's current columns: a corrected duration keeps its ``measure``
    unless the curator gives one.
    """
    base = base or {}
    if field_name not in TABLE_FIELDS:
        raise ValueError(f"expected a field of the table ({', '.join(TABLE_FIELDS)}), found {field_name!r}")
    if missing(text):
        raise ValueError("expected a value, found nothing")
    main, keys = _split(text)
    if field_name in LABEL_FIELDS:
        vocab = settings.vocab(field_name)
        raw = keys.get("category") or main
        label = vocab.canonical(raw) if vocab else raw.strip()
        if not label:
            raise ValueError(f"{raw.strip()!r} is not in the {field_name} vocabulary ({vocab.source if vocab else ''})")
        cols: dict[str, Any] = {"value_id": vocab.ids.get(label) if vocab else None}
        if field_name == "response":
            cols.update(_counts(keys))
            return ParsedValue(label, cols, {"category": label, "n": cols.get("n"), "pct": cols.get("pct")})
        return ParsedValue(label, cols, label)
    if field_name == "n_patients":
        n = _whole(main, "n_patients")
        return ParsedValue(str(n), {"value_num": float(n), "n": n}, n)
    if field_name == "age":
        age = number(re.sub(r"\s*(years?|y|yo|years? old)$", "", main, flags=re.I))
        return ParsedValue(fmt_num(age), {"value_num": age, "unit": "year"}, int(age) if age.is_integer() else age)
    if field_name == "patients":
        if main.strip().casefold() not in (NOT_STATED, "not stated", "unknown"):
            raise ValueError(f"expected '{NOT_STATED}' (a patient with neither age nor sex; use age and sex rows "
                             f"otherwise), found {main!r}")
        return ParsedValue(NOT_STATED, {}, {"age_years": None, "sex": None})
    if field_name in ("crs", "icans"):
        grade, cols = grade_columns(keys.get("grade") or main)
        cols.update(_counts(keys))
        return ParsedValue(grade, cols, {"grade": grade, "n": cols.get("n"), "pct": cols.get("pct")})
    if field_name == "durations":
        return _duration(main, keys, settings, base)
    if field_name == "expansion_peak":
        return _expansion(main, keys, settings)
    raise ValueError(f"no value form for field {field_name!r}")  # pragma: no cover


def _duration(main: str, keys: dict[str, str], settings: CurationSettings, base: dict[str, Any]) -> ParsedValue:
    m = _DURATION.match(main.strip())
    if not m:
        raise ValueError(f"expected a duration like 'response_duration: 9 month (ongoing)' or '9 months; "
                         f"measure=response_duration', found {main!r}")
    num = number(m["num"])
    unit = m["unit"].casefold()
    if unit not in settings.duration_units:
        raise ValueError(f"expected a unit in {list(settings.duration_units)}, found {m['unit']!r}")
    cmp = (m["cmp"] or "").strip().casefold()
    qualifier = (keys.get("qualifier") or "").casefold() or (cmp if cmp in (">=", "<=", ">", "<") else None) \
        or ("median" if cmp == "median" else None) or (m["qual"] or "").casefold() or None
    if qualifier is not None and qualifier not in settings.duration_qualifiers:
        raise ValueError(f"expected a qualifier in {list(settings.duration_qualifiers)}, found {qualifier!r}")
    measure = keys.get("measure") or m["measure"] or (None if missing(base.get("measure")) else str(base["measure"]))
    if measure is None:
        raise ValueError("expected a measure ('response_duration: 9 month' or '; measure=...'), found none")
    vocab = settings.vocab("durations")
    canon = vocab.canonical(measure) if vocab else measure
    if canon is None:
        raise ValueError(f"{measure!r} is not a duration measure ({vocab.source if vocab else ''})")
    head = qualifier if qualifier in (">=", "<=", ">", "<") else ""
    tail = f" ({qualifier})" if qualifier in ("ongoing", "median") else ""
    label = f"{canon}: {head}{fmt_num(num)} {unit}{tail}"
    cols = {"measure": canon, "value_num": num, "unit": unit, "value_days": num * DAYS[unit],
            "comparator": head or "=", "qualifier": qualifier}
    guide = {"measure": canon, "value": int(num) if num.is_integer() else num, "unit": unit, "qualifier": qualifier}
    return ParsedValue(label, cols, guide)


def _expansion(main: str, keys: dict[str, str], settings: CurationSettings) -> ParsedValue:
    m = _EXPANSION.match(main.strip())
    if not m:
        raise ValueError(f"expected an expansion peak like '350758 copies/ug, day 6', found {main!r}")
    num = number(m["num"])
    raw_unit = (keys.get("unit") or m["unit"] or "").strip()
    unit = UNIT_ALIASES.get(raw_unit.casefold(), raw_unit.casefold())
    if unit not in settings.expansion_units:
        raise ValueError(f"expected a unit in {list(settings.expansion_units)}, found {raw_unit!r}")
    day_text = keys.get("day") or m["day"]
    day = _whole(day_text, "day") if day_text else None
    label = f"{fmt_num(num)} {unit}" + (f", day {day}" if day is not None else "")
    guide = {"value": int(num) if num.is_integer() else num, "unit": unit, "day": day}
    return ParsedValue(label, {"value_num": num, "unit": unit, "day": day}, guide)


# --- table row -> GUIDE form ---------------------------------------------------------

def _get(row: Any, key: str) -> Any:
    try:
        v = row[key]
    except (KeyError, IndexError):
        return None
    return None if missing(v) else v


def _opt(x: Any, kind: type) -> Any:
    if x is None:
        return None
    f = float(x)
    return int(f) if kind is int or f.is_integer() else f


def row_to_guide(row: Any, settings: CurationSettings) -> Any:
    """The GUIDE value of one table row (Series or dict), or None when it cannot be read.

    ``age``/``sex``/``patients`` rows give ``{"age_years"}``, ``{"sex"}`` or both None;
    the gold export merges them per subject. ``n``/``pct`` come from their columns.
    """
    f = str(_get(row, "field"))
    value = _get(row, "value")
    if value is None:
        return None
    base = {"measure": _get(row, "measure")}
    try:
        parsed = parse_value(f, str(value), settings, base=base)
    except ValueError:
        return None
    guide = parsed.guide
    if f in ("crs", "icans", "response"):
        guide = {**guide, "n": _opt(_get(row, "n"), int), "pct": _opt(_get(row, "pct"), float)}
    elif f == "age":
        guide = {"age_years": guide}
    elif f == "sex":
        guide = {"sex": guide}
    return guide


def out_of_vocabulary(row: Any, settings: CurationSettings) -> str | None:
    """Why a row's value does not fit its field's vocabulary or form, or None when it fits."""
    f = str(_get(row, "field"))
    value = _get(row, "value")
    if value is None:
        return "empty value"
    if f in LABEL_FIELDS:
        vocab = settings.vocab(f)
        if vocab is not None and str(value) not in vocab:
            return f"{value!r} is not a label of the {f} vocabulary"
        return None
    try:
        parsed = parse_value(f, str(value), settings, base={"measure": _get(row, "measure")})
    except ValueError as e:
        return str(e)
    if parsed.label != str(value):
        return f"{value!r} is not in canonical form ({parsed.label!r})"
    return None
