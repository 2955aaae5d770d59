"""From the long evidence table to the synthesis table (one row per forest-plot entry).

:func:`synthesize` is the plain function for notebooks: it takes the long table (or a
corpus folder) and returns the validated synthesis DataFrame. The steps:

1. **Statements** (:func:`statements`): every ``crs``/``icans``/``response`` row of a
   ``study`` or ``cohort[:NAME]`` subject that is not rejected (curators' corrections are
   already in ``value``), mapped to an outcome: grade ``any`` (or ``>=1``) is
   ``*_any``, ``>=3`` (``>2``, ``3-4``, ``3-5``) is ``*_grade3plus``, ``0`` ("no CRS")
   is ``*_any`` with no event and, flagged ``implied_by_no_event``, ``*_grade3plus`` with
   none; response ``CR`` is ``cr``, ``ORR`` is ``orr``. Other grades (``1``, ``1-2``...)
   and categories are no outcome here and are left out.
2. **Proportions**: k of N where N is the stated ``denominator``, else the subject's
   ``n_patients`` (``denominator = n_patients``, flagged ``derived_denominator``); k is
   ``n``, else ``round(pct x N / 100)`` (``events_from_pct``) when that is a whole count
   of N within 0.6 points. A statement with neither n nor pct, or no N, is ``excluded``
   with its reason.
3. **Studies**: designs ``clinical_trial``, ``observational_cohort``, ``other`` (and
   documents without a design, flagged) contribute; ``meta_analysis`` and ``review``
   are excluded (their rates pool other studies: counting them would count patients
   twice), ``preclinical`` too. Per document and outcome, a whole-study statement
   (``study``/``cohort``) wins over named cohorts; otherwise each named cohort is an
   entry (``cohort_of_document``). Several statements of one subject: the one with a
   stated denominator, then the largest N, then the most confident is used
   (``multiple_statements``), the others are excluded.
4. **Patients of case reports and series** (subjects ``P1``...; a case report's
   ``study`` rows are its patient; a case series' whole-study statement when it
   describes no patient individually): one ``patients`` row per group, k of n patients
   with a decidable statement, shown beside the pool and never in it.
5. **Pool** per outcome, grouping, group and stratum (grade >= 3 outcomes: one known
   grading scale; unknown scales are listed, flagged, not pooled unless
   ``pool_unstated_scale``): two studies or more give a random-effects estimate
   (:func:`pipeline.synthesis.model.pool`), one study its own interval
   (``single_study``). Groups whose label is ``not stated`` are listed, not pooled.

Rows come out in a fixed order (outcome, grouping, group, stratum, row type, document,
subject) so that a rebuild changes only the rows whose evidence changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.report import tables as rt
from pipeline.synthesis.model import (
    Interval,
    Method,
    Transform,
    continuity,
    pool,
    study_interval,
)
from pipeline.synthesis.schema import (
    ALL_SCALES,
    GROUPINGS,
    OUTCOMES,
    ROW_TYPES,
    SCALE_DEPENDENT,
    SCALE_NOT_STATED,
    SYNTHESIS_COLUMNS,
    validate_synthesis,
    write_synthesis,
)

NOT_STATED = rt.NOT_STATED
PRIMARY_DESIGNS = ("clinical_trial", "observational_cohort", "other")
CASE_DESIGNS = ("case_report", "case_series")
SECONDARY_DESIGNS = ("meta_analysis", "review")
#: Best responses that count as an event of each response outcome (patients side).
CR_CATEGORIES = ("sCR", "MRD_negative_CR", "CR")
RESPONDER_CATEGORIES = ("sCR", "MRD_negative_CR", "CR", "CRi", "VGPR", "PR", "ORR")
NON_RESPONDER_CATEGORIES = ("SD", "PD", "NR")
#: A stated percentage fits k/N when it is within this many points (rounding to a whole %).
PCT_TOLERANCE = 0.6
PRODUCT_FIELDS = ("cell_source", "target_antigen", "cell_type", "vector")

_GRADE = re.compile(r"^(?:(?P<cmp>>=|<=|>|<)?(?P<g>[0-5])|(?P<lo>[0-5])-(?P<hi>[0-5])|(?P<any>any))$")
_PATIENT = re.compile(r"^P\d+$")
_TOP_GRADE = 5


def grade_bounds(value: Any) -> tuple[int, int] | None:
    """The lowest and highest grade a grade string allows: ``any`` (1, 5), ``>=3`` (3, 5), ``1-2`` (1, 2)."""
    match = _GRADE.match(str(value).strip())
    if match is None:
        return None
    if match["any"]:
        return 1, _TOP_GRADE
    if match["lo"]:
        return int(match["lo"]), int(match["hi"])
    g, cmp = int(match["g"]), match["cmp"]
    return {None: (g, g), ">=": (g, _TOP_GRADE), ">": (g + 1, _TOP_GRADE), "<=": (0, g), "<": (0, g - 1)}[cmp]


def statement_outcomes(field_name: str, value: Any) -> list[tuple[str, bool]]:
    """The outcomes a pooled statement's value reports, each with ``implied`` (no event of any grade)."""
    if field_name in ("crs", "icans"):
        bounds = grade_bounds(value)
        if bounds is None:
            return []
        if bounds == (0, 0):
            return [(f"{field_name}_any", False), (f"{field_name}_grade3plus", True)]
        low, high = bounds
        if low == 1 and high >= 4:
            return [(f"{field_name}_any", False)]
        if low == 3 and high >= 4:
            return [(f"{field_name}_grade3plus", False)]
        return []
    if field_name == "response":
        return {"CR": [("cr", False)], "ORR": [("orr", False)]}.get(str(value), [])
    return []


def patient_event(outcome: str, value: Any) -> bool | None:
    """Whether a patient's maximum grade / best response is an event of ``outcome`` (None: cannot tell)."""
    if outcome in ("cr", "orr"):
        value = str(value)
        if outcome == "cr":
            if value in CR_CATEGORIES:
                return True
            if value in RESPONDER_CATEGORIES + NON_RESPONDER_CATEGORIES and value != "ORR":
                return False
            return None  # a response of unstated category, or an unknown one
        if value in RESPONDER_CATEGORIES:
            return True
        return False if value in NON_RESPONDER_CATEGORIES else None
    bounds = grade_bounds(value)
    if bounds is None:
        return None
    threshold = 3 if outcome.endswith("grade3plus") else 1
    if bounds[0] >= threshold:
        return True
    if bounds[1] < threshold:
        return False
    return None


# -- study statements -------------------------------------------------------------------


@dataclass
class Statement:
    """One pooled statement as a candidate entry (k of N, or the reason it cannot be one)."""

    doc_id: str
    subject: str
    outcome: str
    stated_value: str
    study_design: str
    order: int
    evidence_ids: list[str]
    confidence: float = 0.0
    events: int | None = None
    total: int | None = None
    pct: float | None = None
    denominator: str | None = None
    grading_scale: str | None = None
    stratum: str = ALL_SCALES
    implied: bool = False
    kind: str = "study"  # study | cases | excluded
    exclusion: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def whole_study(self) -> bool:
        return self.subject in ("study", "cohort")


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _design_kind(design: str) -> str:
    labels = set(design.split(rt.COMBINE)) if design != NOT_STATED else set()
    if labels & set(PRIMARY_DESIGNS):
        return "primary"
    if labels & set(SECONDARY_DESIGNS):
        return "secondary"
    if labels & set(CASE_DESIGNS):
        return "cases"
    if "preclinical" in labels:
        return "preclinical"
    return "not_stated"


def _n_patients(rows: pd.DataFrame) -> dict[tuple[str, str], tuple[int, str]]:
    """(doc, subject) -> (n_patients, evidence_id); ``study`` and ``cohort`` stand in for each other."""
    stated = rows[rows["field"] == "n_patients"]
    out: dict[tuple[str, str], tuple[int, str]] = {}
    for rec in stated.itertuples(index=False):
        number = _num(rec.value_num)
        if number is None:
            try:
                number = float(rec.value)
            except ValueError:
                continue
        key = (rec.doc_id, rec.subject)
        if key not in out or number > out[key][0]:
            out[key] = (int(number), rec.evidence_id)
    for (doc_id, subject), value in list(out.items()):
        other = {"study": "cohort", "cohort": "study"}.get(subject)
        if other and (doc_id, other) not in out:
            out[(doc_id, other)] = value
    return out


def _scales(rows: pd.DataFrame) -> dict[tuple[str, str], tuple[str, ...]]:
    """(doc, field) -> the grading scales stated on any row of that field in the document."""
    stated = rows[rows["grading_scale"].notna() & rows["field"].isin(("crs", "icans"))]
    return {k: tuple(sorted(set(g["grading_scale"]))) for k, g in stated.groupby(["doc_id", "field"])}


def _proportion(st: Statement, rec: Any, n_patients: dict[tuple[str, str], tuple[int, str]]) -> None:
    """Fill ``events`` / ``total`` of ``st`` from its row, or set its exclusion."""
    n, d, pct = _num(rec.n), _num(rec.denominator), _num(rec.pct)
    st.pct = pct
    no_event = st.implied or grade_bounds(st.stated_value) == (0, 0)  # "no CRS": 0 events, n or not
    if n is None and pct is None and not no_event:
        st.kind, st.exclusion = "excluded", "no count or percentage stated"
        return
    if d is not None and d > 0:
        st.total, st.denominator = int(d), "stated"
    elif (st.doc_id, st.subject) in n_patients:
        total, eid = n_patients[(st.doc_id, st.subject)]
        if total < 1:
            st.kind, st.exclusion = "excluded", f"the subject's n_patients is {total}"
            return
        st.total, st.denominator = total, "n_patients"
        st.flags.append("derived_denominator")
        st.evidence_ids.append(eid)
    else:
        st.kind, st.exclusion = "excluded", "no denominator: none stated and no n_patients for this subject"
        return
    if n is not None:
        st.events = int(n)
        if pct is not None and abs(100 * n / st.total - pct) > PCT_TOLERANCE:
            st.flags.append("pct_disagrees")
    elif no_event:
        st.events = 0
    else:
        assert pct is not None
        st.events = round(pct * st.total / 100)
        st.flags.append("events_from_pct")
        if abs(100 * st.events / st.total - pct) > PCT_TOLERANCE:
            st.kind = "excluded"
            st.exclusion = (f"{pct:g}% is no whole count of N = {st.total} ({st.denominator}): "
                            "the rate's denominator is probably another")
            return
    if st.events > st.total:
        st.kind, st.exclusion = "excluded", f"n = {st.events} exceeds N = {st.total}"


def statements(long: pd.DataFrame) -> list[Statement]:
    """Every pooled (study / cohort) statement of an outcome, with its proportion or exclusion."""
    rows = rt.usable(long)
    docs = list(dict.fromkeys(rows["doc_id"].dropna()))
    designs = rt.doc_labels(rows, "study_design", docs).set_index("doc_id")["label"].to_dict()
    n_patients = _n_patients(rows)
    scales = _scales(rows)
    with_patients = {
        (d, f) for d, f in rows.loc[rows["who"].str.match(_PATIENT.pattern, na=False), ["doc_id", "field"]]
        .itertuples(index=False, name=None)
    }
    candidates = rows[rows["field"].isin(("crs", "icans", "response"))
                      & ~rows["who"].str.match(_PATIENT.pattern, na=False)]
    out: list[Statement] = []
    for order, rec in enumerate(candidates.itertuples(index=False)):
        for outcome, implied in statement_outcomes(rec.field, rec.value):
            design = designs.get(rec.doc_id, NOT_STATED)
            st = Statement(rec.doc_id, rec.subject, outcome, str(rec.value), design, order, [rec.evidence_id],
                           confidence=_num(rec.confidence) or 0.0, implied=implied)
            if implied:
                st.flags.append("implied_by_no_event")
            _scale(st, rec, scales)
            kind = _design_kind(design)
            if kind == "secondary":
                st.kind, st.exclusion = "excluded", (f"{design}: its rates pool other studies (counting them "
                                                     "would count their patients twice)")
            elif kind == "preclinical":
                st.kind, st.exclusion = "excluded", "preclinical study: no patients treated"
            elif kind == "cases" and (rec.doc_id, rec.field) in with_patients:
                st.kind, st.exclusion = "excluded", (f"{design}: its patients are counted individually "
                                                     "(patients row)")
            else:
                if kind == "not_stated":
                    st.flags.append("design_not_stated")
                _proportion(st, rec, n_patients)
                if st.kind != "excluded" and kind == "cases":
                    st.kind = "cases"
            out.append(st)
    _choose(out)
    return out


def _scale(st: Statement, rec: Any, scales: dict[tuple[str, str], tuple[str, ...]]) -> None:
    own = None if pd.isna(rec.grading_scale) else str(rec.grading_scale)
    doc = scales.get((rec.doc_id, rec.field), ())
    if own is None and len(doc) == 1:
        own = doc[0]
        if st.outcome in SCALE_DEPENDENT:
            st.flags.append("scale_from_document")
    st.grading_scale = own
    if st.outcome in SCALE_DEPENDENT:
        st.stratum = own or SCALE_NOT_STATED
        if own is None:
            st.flags.append("scale_not_stated")


def _preference(st: Statement) -> tuple:
    return (st.implied, st.denominator != "stated", -(st.total or 0), -st.confidence, st.order)


def _choose(found: list[Statement]) -> None:
    """One entry per document and outcome: a whole-study statement, else one per named cohort."""
    by_doc: dict[tuple[str, str], list[Statement]] = {}
    for st in found:
        if st.kind in ("study", "cases"):
            by_doc.setdefault((st.doc_id, st.outcome), []).append(st)
    for group in by_doc.values():
        whole = [s for s in group if s.whole_study]
        if whole:
            for s in group:
                if not s.whole_study:
                    s.kind, s.exclusion = "excluded", "a cohort of a document whose whole-study statement is used"
            group = whole
        by_subject: dict[str, list[Statement]] = {}
        for s in group:
            by_subject.setdefault("whole" if s.whole_study else s.subject, []).append(s)
        for same in by_subject.values():
            same.sort(key=_preference)
            for s in same[1:]:
                s.kind, s.exclusion = "excluded", (f"another statement of this outcome for {same[0].subject} "
                                                   f"is used ({same[0].stated_value}, "
                                                   f"{same[0].events} of {same[0].total})")
            if len(same) > 1:
                same[0].flags.append("multiple_statements")
        if len(by_subject) > 1:
            for same in by_subject.values():
                if same[0].kind == "study":
                    same[0].flags.append("cohort_of_document")


# -- group labels -------------------------------------------------------------------------


def _product(labels: dict[str, str]) -> str:
    antigen = labels.get("target_antigen", NOT_STATED)
    if antigen == NOT_STATED:
        return NOT_STATED
    parts = [labels.get("cell_source", NOT_STATED), antigen, labels.get("cell_type", NOT_STATED)]
    if parts[2] == NOT_STATED:
        parts[2] = "CAR"
    text = " ".join(p for p in parts if p != NOT_STATED)
    vector = labels.get("vector", NOT_STATED)
    return f"{text} ({vector})" if vector != NOT_STATED else text


_LABEL_FIELDS = tuple(dict.fromkeys([*(g for g in GROUPINGS if g != "product"), *PRODUCT_FIELDS]))


def subject_labels(long: pd.DataFrame, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, tuple[str, tuple[str, ...]]]]:
    """(doc, subject) -> grouping -> (label, evidence ids): the subject's own rows win, else the document's."""
    rows = rt.usable(long) if "who" not in long.columns else long
    keys = list(dict.fromkeys(keys))
    docs = list(dict.fromkeys(d for d, _ in keys))
    by_doc = {f: rt.doc_labels(rows, f, docs).set_index("doc_id") for f in _LABEL_FIELDS}
    own_rows = rows[rows["field"].isin(_LABEL_FIELDS)]
    own = {k: g for k, g in own_rows.groupby(["doc_id", "who", "field"], sort=False)}
    out: dict[tuple[str, str], dict[str, tuple[str, tuple[str, ...]]]] = {}
    for doc_id, subject in keys:
        labels: dict[str, tuple[str, tuple[str, ...]]] = {}
        for f in _LABEL_FIELDS:
            group = own.get((doc_id, subject, f)) if subject != "study" else None
            if group is not None:
                labels[f] = (rt._combined(group["value"]), rt._ids(group["evidence_id"]))
            else:
                labels[f] = (by_doc[f].at[doc_id, "label"], tuple(by_doc[f].at[doc_id, "evidence_ids"]))
        parts = {f: labels[f][0] for f in PRODUCT_FIELDS}
        ids = rt._ids(e for f in PRODUCT_FIELDS for e in labels[f][1])
        labels["product"] = (_product(parts), ids)
        out[(doc_id, subject)] = labels
    return out


# -- patients of case reports and series ---------------------------------------------------


@dataclass
class PatientOutcome:
    doc_id: str
    subject: str
    outcome: str
    event: bool | None  # None: stated but cannot tell (e.g. grade "any" for grade >= 3)
    evidence_ids: tuple[str, ...]


def patient_outcomes(long: pd.DataFrame) -> list[PatientOutcome]:
    """Per patient described individually and outcome: event, no event, or undecidable (None).

    Patients without any statement of the outcome's field are not listed.
    """
    out: list[PatientOutcome] = []
    for field_name in ("crs", "icans"):
        grades = rt.patient_grades(long, field_name)
        for rec in grades.itertuples(index=False):
            if rec.grade == rt.NOT_REPORTED:
                continue
            for outcome in (f"{field_name}_any", f"{field_name}_grade3plus"):
                out.append(PatientOutcome(rec.doc_id, rec.subject, outcome, patient_event(outcome, rec.grade),
                                          tuple(rec.evidence_ids)))
    responses = rt.patient_responses(long)
    for rec in responses.itertuples(index=False):
        if rec.best_response == rt.NOT_REPORTED:
            continue
        for outcome in ("cr", "orr"):
            out.append(PatientOutcome(rec.doc_id, rec.subject, outcome, patient_event(outcome, rec.best_response),
                                      tuple(rec.evidence_ids)))
    return out


# -- assembling the table -------------------------------------------------------------------


def _join(values: Iterable[Any]) -> str | None:
    ids = rt._ids(values)
    return "|".join(ids) if ids else None


def _flags(flags: Iterable[str]) -> str | None:
    unique = list(dict.fromkeys(flags))
    return "|".join(unique) if unique else None


def _row(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(SYNTHESIS_COLUMNS)
    row.update(values)
    return row


def _study_row(st: Statement, grouping: str, group: str, label_ids: tuple[str, ...], interval: Interval,
               transform: Transform) -> dict[str, Any]:
    base = dict(outcome=st.outcome, grouping=grouping, group=group, stratum=st.stratum, doc_id=st.doc_id,
                subject=st.subject, study_design=st.study_design, stated_value=st.stated_value,
                grading_scale=st.grading_scale, pct_stated=st.pct, evidence_ids=_join([*st.evidence_ids, *label_ids]),
                doc_ids=st.doc_id)
    if st.kind == "excluded":
        return _row(row_type="excluded", exclusion=st.exclusion, flags=_flags(st.flags), events=st.events,
                    total=st.total, denominator=st.denominator, **base)
    assert st.events is not None and st.total is not None
    low, high = study_interval(st.events, st.total, interval)
    cc = continuity(st.events, st.total, transform)
    flags = [*st.flags, *(["continuity_corrected"] if cc else [])]
    return _row(row_type="study", events=st.events, total=st.total, denominator=st.denominator,
                proportion=st.events / st.total, ci_low=low, ci_high=high, interval=interval, continuity=cc,
                flags=_flags(flags), **base)


def _pooled_row(studies: list[dict[str, Any]], key: tuple[str, str, str, str], interval: Interval,
                transform: Transform, method: Method) -> dict[str, Any]:
    outcome, grouping, group, stratum = key
    events = [int(s["events"]) for s in studies]
    totals = [int(s["total"]) for s in studies]
    base = dict(outcome=outcome, grouping=grouping, group=group, stratum=stratum, row_type="pooled",
                events=sum(events), total=sum(totals), n_studies=len(studies), n_patients=sum(totals),
                evidence_ids=_join(e for s in studies for e in str(s["evidence_ids"]).split("|")),
                doc_ids=_join(s["doc_id"] for s in studies))
    flags = [f for s in studies for f in str(s["flags"] or "").split("|")
             if f in ("derived_denominator", "scale_not_stated")]
    if len(studies) == 1:
        studies[0]["weight"] = 1.0
        return _row(proportion=events[0] / totals[0], ci_low=studies[0]["ci_low"], ci_high=studies[0]["ci_high"],
                    interval=interval, method="single_study", flags=_flags(["single_study", *flags]),
                    grading_scale=studies[0]["grading_scale"], **base)
    result = pool(events, totals, transform=transform, method=method)
    for s, w in zip(studies, result.weights, strict=True):
        s["weight"] = w
    scales = {s["grading_scale"] for s in studies}
    return _row(proportion=result.estimate, ci_low=result.ci_low, ci_high=result.ci_high,
                interval="random_effects", tau2=result.tau2, i2=result.i2, q=result.q, transform=transform,
                method=method, flags=_flags(flags),
                grading_scale=scales.pop() if len(scales) == 1 else None, **base)


def _sort(frame: pd.DataFrame) -> pd.DataFrame:
    orders = {
        "outcome": {v: i for i, v in enumerate(OUTCOMES)},
        "grouping": {v: i for i, v in enumerate(GROUPINGS)},
        "row_type": {v: i for i, v in enumerate(ROW_TYPES)},
    }

    def key(column: pd.Series) -> pd.Series:
        name = str(column.name)
        if name in orders:
            return column.map(orders[name])
        if name in ("group", "stratum", "doc_id", "subject"):
            last = (NOT_STATED, SCALE_NOT_STATED, ALL_SCALES)
            values = [str(v) for v in column.fillna("")]
            ranks = {v: i for i, v in enumerate(sorted(set(values), key=lambda v: (v in last, rt.natural_key(v))))}
            return pd.Series([ranks[v] for v in values], index=column.index)
        return column

    return frame.sort_values(["outcome", "grouping", "group", "stratum", "row_type", "doc_id", "subject"],
                             key=key, kind="stable").reset_index(drop=True)


def synthesize(evidence: pd.DataFrame | str | Path = "corpus", *, transform: Transform = "logit",
               method: Method = "pm", interval: Interval = "wilson",
               pool_unstated_scale: bool = False) -> pd.DataFrame:
    """The synthesis table of a long evidence table (or of the corpus folder's), validated.

    ``transform``: ``logit`` or ``freeman_tukey``; ``method``: ``pm`` (Paule-Mandel) or
    ``dl`` (DerSimonian-Laird); ``interval``: one study's interval, ``wilson`` or
    ``exact``; ``pool_unstated_scale``: also pool grade >= 3 statements whose grading
    scale is unknown (among themselves, flagged).
    """
    if isinstance(evidence, (str, Path)):
        from pipeline.table.api import load_evidence

        evidence = load_evidence(evidence).long
    long = rt.typed_long(evidence)
    found = statements(long)
    used = {(s.doc_id, s.outcome) for s in found if s.kind == "study"}
    patients = [p for p in patient_outcomes(long) if (p.doc_id, p.outcome) not in used]
    cases = [s for s in found if s.kind == "cases"]
    keys = [(s.doc_id, s.subject) for s in found] + [(p.doc_id, p.subject) for p in patients]
    labels = subject_labels(long, keys)

    rows: list[dict[str, Any]] = []
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for grouping in GROUPINGS:
        for st in found:
            if st.kind == "cases":
                continue
            group, label_ids = labels[(st.doc_id, st.subject)][grouping]
            row = _study_row(st, grouping, group, label_ids, interval, transform)
            rows.append(row)
            if row["row_type"] == "study":
                groups.setdefault((st.outcome, grouping, group, st.stratum), []).append(row)
        rows += _patient_rows(grouping, patients, cases, labels)
    for key, studies in groups.items():
        _outcome, _grouping, group, stratum = key
        if group == NOT_STATED or (stratum == SCALE_NOT_STATED and not pool_unstated_scale):
            continue
        rows.append(_pooled_row(studies, key, interval, transform, method))
    frame = pd.DataFrame(rows, columns=list(SYNTHESIS_COLUMNS))
    return validate_synthesis(_sort(frame))


def _patient_rows(grouping: str, patients: list[PatientOutcome], cases: list[Statement],
                  labels: dict[tuple[str, str], dict[str, tuple[str, tuple[str, ...]]]]) -> list[dict[str, Any]]:
    tally: dict[tuple[str, str], dict[str, Any]] = {}
    for p in patients:
        group, label_ids = labels[(p.doc_id, p.subject)][grouping]
        t = tally.setdefault((p.outcome, group), {"k": 0, "n": 0, "undecided": 0, "ids": [], "docs": []})
        if p.event is None:
            t["undecided"] += 1
        else:
            t["k"] += int(p.event)
            t["n"] += 1
            t["ids"] += [*p.evidence_ids, *label_ids]
            t["docs"].append(p.doc_id)
    for st in cases:
        group, label_ids = labels[(st.doc_id, st.subject)][grouping]
        t = tally.setdefault((st.outcome, group), {"k": 0, "n": 0, "undecided": 0, "ids": [], "docs": []})
        t["k"] += st.events or 0
        t["n"] += st.total or 0
        t["ids"] += [*st.evidence_ids, *label_ids]
        t["docs"].append(st.doc_id)
    out = []
    for (outcome, group), t in tally.items():
        if not t["n"]:
            continue
        note = (f"{t['undecided']} more patient(s) with a statement that does not decide this outcome"
                if t["undecided"] else None)
        out.append(_row(outcome=outcome, grouping=grouping, group=group, stratum=ALL_SCALES, row_type="patients",
                        subject="patients", events=t["k"], total=t["n"], proportion=t["k"] / t["n"],
                        n_studies=len(set(t["docs"])), n_patients=t["n"], note=note,
                        evidence_ids=_join(t["ids"]), doc_ids=_join(t["docs"])))
    return out


# -- corpus entry point and a clinician's summary -------------------------------------------


@dataclass(frozen=True)
class SynthesisSummary:
    path: Path
    rows: int
    pooled: int
    studies: int
    excluded: int

    def describe(self) -> str:
        return (f"wrote {self.path} ({self.rows} rows: {self.pooled} pooled estimates, {self.studies} study "
                f"entries, {self.excluded} statements excluded with their reason)")


def synthesize_corpus(corpus_dir: str | Path = "corpus", **options: Any) -> SynthesisSummary:
    """Synthesize the corpus's evidence table and write ``synthesis.csv`` / ``synthesis.parquet``."""
    corpus = Path(corpus_dir)
    table = write_synthesis(synthesize(corpus, **options), corpus)
    counts = table["row_type"].value_counts()
    return SynthesisSummary(corpus / "synthesis.csv", len(table), int(counts.get("pooled", 0)),
                            int(table.loc[table["row_type"] == "study", ["doc_id", "subject"]].drop_duplicates()
                                .shape[0]),
                            int(counts.get("excluded", 0)))


def fmt_pct(value: Any, digits: int = 0) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.{digits}f}"


def describe_estimate(row: Any) -> str:
    """``62% (45–77); 4 studies, 180 patients; I² 35%`` for a pooled row."""
    text = f"{fmt_pct(row['proportion'])}% ({fmt_pct(row['ci_low'])}–{fmt_pct(row['ci_high'])})"
    if row["method"] == "single_study":
        return f"{text}; 1 study, {int(row['n_patients'])} patients"
    i2 = "" if pd.isna(row["i2"]) else f"; I² {fmt_pct(row['i2'])}%"
    return f"{text}; {int(row['n_studies'])} studies, {int(row['n_patients'])} patients{i2}"


def clinician_table(synthesis: pd.DataFrame, grouping: str = "target_antigen") -> pd.DataFrame:
    """One row per group, one column per outcome: the pooled rate in words, and case-report patients.

    Columns ``group, <outcome>...`` (text) and ``<outcome>_evidence`` (evidence ids,
    tuples) for linking. Grade >= 3 outcomes with several scale strata list each.
    """
    rows = synthesis[synthesis["grouping"] == grouping]
    groups = rt.ordered(rows["group"], ())
    out = []
    for group in groups:
        record: dict[str, Any] = {"group": group}
        for outcome in OUTCOMES:
            cell = rows[(rows["group"] == group) & (rows["outcome"] == outcome)]
            parts, ids = [], []
            for _, p in cell[cell["row_type"] == "pooled"].iterrows():
                scale = "" if p["stratum"] == ALL_SCALES else f"[{p['stratum']}] "
                parts.append(scale + describe_estimate(p))
                ids += str(p["evidence_ids"]).split("|")
            studies = cell[cell["row_type"] == "study"]
            if not len(cell[cell["row_type"] == "pooled"]) and len(studies):
                why = "grading scale not stated" if group != NOT_STATED else "group not stated"
                n = len(studies)
                parts.append(f"{n} stud{'y' if n == 1 else 'ies'}, not pooled ({why})")
                ids += [e for v in studies["evidence_ids"] for e in str(v).split("|")]
            for _, p in cell[cell["row_type"] == "patients"].iterrows():
                total = int(p["total"])
                parts.append(f"case reports/series: {int(p['events'])} of {total} patient{'' if total == 1 else 's'}")
                ids += str(p["evidence_ids"]).split("|")
            record[outcome] = "; ".join(parts) if parts else ""
            record[f"{outcome}_evidence"] = rt._ids(ids)
        if any(record[o] for o in OUTCOMES):
            out.append(record)
    columns = ["group", *OUTCOMES, *(f"{o}_evidence" for o in OUTCOMES)]
    return pd.DataFrame(out, columns=columns)
