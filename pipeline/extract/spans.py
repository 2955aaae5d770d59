"""Typed spans: what the generic detectors write and the qualifiers annotate.

The three layers of the extractor talk through ``doc.spans``:

- **detectors** (``pipeline/extract/detectors/``) find a kind of value wherever it stands
  and write one span per value into a group (``quantities``, ``grades``, ``times``,
  ``ages``, ``sexes``, ``markers``), with its normalized value on ``span._.carmine_value``
  (one of the dataclasses below);
- **qualifiers** (``pipeline/extract/qualifiers/``) each set one attribute on spans of
  any group: ``span._.negated``, ``history`` (before the CAR therapy), ``reported`` (from
  other studies), ``hypothesis`` (background, aim, endpoint named, not a result),
  ``comparator`` (a non-CAR comparator arm), ``subject`` (``P1``..., ``cohort`` or None);
- **assemblers** (``pipeline/extract/assemblers/``) bind detected values to the GUIDE's
  fields by context and write findings.

Values live in ``doc.user_data`` keyed by group label and character offsets, so a span
rebuilt from the same offsets (``doc.char_span``) reads the same value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span

#: the attributes the qualifiers set (each by its own component)
QUALIFIERS = ("negated", "history", "reported", "hypothesis", "comparator", "subject")


@dataclass(slots=True)
class Quantity:
    """A count or proportion: "17 of 20" (n 17, total 20), "85%", "17 (85%)", "n = 20" (total 20),
    "Seventeen patients" (n 17, people)."""

    start: int
    end: int
    n: int | None = None
    total: int | None = None
    pct: float | int | None = None
    people: bool = False
    form: str = ""


@dataclass(slots=True)
class Level:
    """A measured level with its unit: "350, 758 copies/μg" (350758, ``copies/ug``), "6.3×10⁴ copies/µg DNA",
    "41.5 cells/μL" (``cells/ul``)."""

    start: int
    end: int
    value: float | int
    unit: str
    form: str = ""


@dataclass(slots=True)
class Grade:
    """A toxicity grade: "grade ≥3" (``>=3``), "grade III/IV" (``3-4``), "severe" (``>=3``, vague)."""

    start: int
    end: int
    grade: str
    vague: bool = False
    form: str = ""
    #: a grade list ("grade 1 or 2", "grades 1, 2 and 3"): each listed grade with its character
    items: list[tuple[str, int]] = field(default_factory=list)


@dataclass(slots=True)
class Time:
    """A time expression: values with one unit, an optional bound (``>``, ``<``, ``<=``),
    ``median`` when the expression itself says so, ``day`` for a day notation ("day +28",
    "d+5", "D14": the day counted from the infusion), ``range`` for "1-4 weeks"."""

    start: int
    end: int
    values: list[float | int]
    unit: str
    qualifier: str | None = None
    median: bool = False
    day: bool = False
    range: bool = False
    form: str = ""


@dataclass(slots=True)
class Age:
    start: int
    end: int
    years: float | int
    form: str = ""


@dataclass(slots=True)
class Sex:
    start: int
    end: int
    sex: str
    pronoun: bool = False
    form: str = ""


@dataclass(slots=True)
class Marker:
    """A patient named in the text: "Patient 2", "Case 1", "the second patient"."""

    start: int
    end: int
    number: int
    form: str = ""


def _key(span: Span, name: str) -> Any:
    return ("carmine", name, span.start_char, span.end_char)


def _value_get(span: Span) -> Any:
    return span.doc.user_data.get(_key(span, "value:" + span.label_))


def _value_set(span: Span, value: Any) -> None:
    span.doc.user_data[_key(span, "value:" + span.label_)] = value


def set_qualifier(span: Span, name: str, value: Any) -> None:
    """``span._.<name> = value`` for a qualifier of :data:`QUALIFIERS` (what its setter writes), without
    building the span's extension accessor."""
    span.doc.user_data[_key(span, name)] = value


def _qualifier(name: str) -> tuple[Any, Any]:
    def get(span: Span) -> Any:
        return span.doc.user_data.get(_key(span, name))

    def set_(span: Span, value: Any) -> None:
        span.doc.user_data[_key(span, name)] = value

    return get, set_


if not Span.has_extension("carmine_value"):
    Span.set_extension("carmine_value", getter=_value_get, setter=_value_set)
for _name in QUALIFIERS:
    if not Span.has_extension(_name):
        _get, _set = _qualifier(_name)
        Span.set_extension(_name, getter=_get, setter=_set)


def span_group(doc: Doc, name: str) -> Any:
    """``doc.spans.setdefault(name, [])`` without building the default group on every call (spaCy's
    ``setdefault`` makes a new ``SpanGroup`` for its default argument even when ``name`` is there)."""
    spans = doc.spans
    group = spans.get(name)
    if group is None:
        spans[name] = []
        group = spans[name]
    return group


def add_span(doc: Doc, group: str, value: Any) -> Span | None:
    """Add a span for ``value`` (a dataclass with ``start``/``end``) to ``doc.spans[group]``.

    The span covers the tokens around the value's characters (``alignment_mode="expand"``); the
    value keeps the exact characters. Returns None where no token holds them (whitespace).
    """
    span = doc.char_span(value.start, value.end, label=group, alignment_mode="expand")
    if span is None:
        return None
    span_group(doc, group).append(span)
    span._.carmine_value = value
    return span


def spans_of(doc: Doc, group: str) -> list[Span]:
    return list(doc.spans[group]) if group in doc.spans else []


def values_of(doc: Doc, group: str) -> Iterator[tuple[Span, Any]]:
    """``(span, value)`` of a detector group, in text order."""
    for span in spans_of(doc, group):
        yield span, span._.carmine_value
