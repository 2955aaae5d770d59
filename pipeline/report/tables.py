"""The report's tables: plain functions from the long evidence table to DataFrames.

Each function takes the long table (columns of :data:`pipeline.table.schema.COLUMNS`;
rows with status ``rejected`` are ignored) and, for the corpus overview, a documents
frame (``doc_id, title, journal, year, article_type, url``). They return tidy
DataFrames that a notebook can use directly. Every count row carries two provenance
columns:

- ``evidence_ids``: a tuple of the ``evidence_id`` of every evidence row behind it;
- ``doc_ids``: a tuple of the documents it counts.

so that any number can be traced back to its sentences (the HTML report turns them
into links). :func:`crosstab` turns a tidy count table into a matrix for display.

Units of counting, never mixed silently:

- documents (overview, disease x antigen, vector and cell-source mix);
- patients described individually (subjects ``P1``, ``P2``...; a case report's
  ``study`` rows stand for its one patient when it names no ``P`` subject);
- pooled cohort statements (subjects ``study`` and ``cohort[:name]``): listed one row
  per statement with the rate as stated, never summed across studies.

A document with several labels in one field (a CD19/CD22 dual CAR) is counted once,
under the combined label ``CD19+CD22``, so that counts add up to the documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.errors import InputLineError
from pipeline.jsonl import read_jsonl
from pipeline.table.schema import COLUMNS

NOT_STATED = "not stated"
NOT_REPORTED = "not reported"
COMBINE = "+"

DOC_COLUMNS = ("doc_id", "title", "journal", "year", "article_type", "url")
PROVENANCE = ("evidence_ids", "doc_ids")

#: Grades in display order; other values follow in sorted order, ``not reported`` last.
GRADE_ORDER = ("0", "1", "2", "3", "4", "5", "1-2", "<=1", "<=2", ">=2", ">=3", ">=4", "any")
#: Best response first: a patient counts once, under the best category stated.
RESPONSE_RANK = ("sCR", "MRD_negative_CR", "CR", "CRi", "VGPR", "PR", "ORR", "SD", "PD", "NR")
#: Fields describing a patient's or cohort's outcome (the rest describe the study).
OUTCOME_FIELDS = ("crs", "icans", "response", "durations", "patients", "expansion_peak")

_PATIENT = re.compile(r"^P\d+$")
_DAYS_PER_MONTH = 30.4375


# -- loading ---------------------------------------------------------------------------


def typed_long(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every declared column present (missing ones as NA), typed per schema."""
    out = frame.copy()
    for name, (dtype, _) in COLUMNS.items():
        if name not in out.columns:
            out[name] = pd.Series(pd.NA, index=out.index, dtype=dtype)
        else:
            out[name] = out[name].astype(dtype)
    return out[list(COLUMNS) + [c for c in out.columns if c not in COLUMNS]]


def read_long_csv(path: str | Path) -> pd.DataFrame:
    """A long evidence table saved as CSV, typed per schema."""
    return typed_long(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]))


def read_documents(path: str | Path) -> pd.DataFrame:
    """The documents frame from ``documents.jsonl`` (one ``Document.to_dict()`` per line)."""
    rows = []
    for number, data in read_jsonl(path):
        if "id" not in data:
            raise InputLineError(str(path), number, "expected a document with an 'id', found none")
        rows.append({"doc_id": data["id"], **{c: data.get(c) for c in DOC_COLUMNS[1:]}})
    return documents_frame(pd.DataFrame(rows, columns=list(DOC_COLUMNS)))


def documents_frame(frame: pd.DataFrame | None, long: pd.DataFrame | None = None) -> pd.DataFrame:
    """A documents frame with the columns of :data:`DOC_COLUMNS`, one row per document.

    Documents that appear only in ``long`` are added with no metadata. Extra columns
    (``study_design`` in a hand-made CSV) are kept.
    """
    frame = pd.DataFrame(columns=list(DOC_COLUMNS)) if frame is None else frame.copy()
    if "id" in frame.columns and "doc_id" not in frame.columns:
        frame = frame.rename(columns={"id": "doc_id"})
    for name in DOC_COLUMNS:
        if name not in frame.columns:
            frame[name] = pd.NA
    if long is not None and len(long):
        missing = [d for d in dict.fromkeys(long["doc_id"].dropna()) if d not in set(frame["doc_id"])]
        if missing:
            frame = pd.concat([frame, pd.DataFrame({"doc_id": missing})], ignore_index=True)
    frame = frame.drop_duplicates("doc_id").reset_index(drop=True)
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    for name in ("doc_id", "title", "journal", "article_type", "url"):
        frame[name] = frame[name].astype("string")
    return frame


def doc_link(doc_id: str, url: str | None = None) -> str | None:
    """The document's address: ``https://doi.org/<doi>`` for a DOI, else its URL."""
    if isinstance(doc_id, str) and doc_id.startswith("10."):
        return f"https://doi.org/{doc_id}"
    return url if isinstance(url, str) and url else None


# -- helpers -----------------------------------------------------------------------------


def usable(long: pd.DataFrame) -> pd.DataFrame:
    """Rows that count: all but ``rejected``, with a ``who`` column (patient or pooled subject).

    ``who`` is the subject, except that a case report naming no ``P`` subject has its
    ``study`` rows assigned to ``P1``: its one patient.
    """
    rows = typed_long(long)
    rows = rows[rows["status"].fillna("extracted") != "rejected"].copy()
    rows["who"] = rows["subject"].fillna("study")
    designs = {d: set(g) for d, g in rows.loc[rows["field"] == "study_design"].groupby("doc_id")["value"]}
    with_patients = set(rows.loc[rows["who"].str.match(_PATIENT.pattern, na=False), "doc_id"])
    single = [d for d, v in designs.items() if v == {"case_report"} and d not in with_patients]
    rows.loc[rows["doc_id"].isin(single) & (rows["who"] == "study"), "who"] = "P1"
    return rows


def _ids(values: Iterable) -> tuple[str, ...]:
    """Distinct non-missing values in first-seen order, as a tuple."""
    return tuple(dict.fromkeys(str(v) for v in values if not pd.isna(v)))


def _combined(values: Iterable) -> str:
    labels = sorted({str(v) for v in values if not pd.isna(v)})
    return COMBINE.join(labels) if labels else NOT_STATED


def doc_labels(long: pd.DataFrame, field: str, docs: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per document: its combined label for ``field`` and the rows behind it.

    Columns ``doc_id, label, evidence_ids``; documents in ``docs`` without a value get
    ``not stated`` and no evidence.
    """
    rows = usable(long) if "who" not in long.columns else long
    rows = rows[rows["field"] == field]
    grouped = {
        d: (_combined(g["value"]), _ids(g["evidence_id"])) for d, g in rows.groupby("doc_id", sort=False)
    }
    order = list(dict.fromkeys([*(docs or []), *grouped]))
    return pd.DataFrame(
        [{"doc_id": d, "label": grouped.get(d, (NOT_STATED, ()))[0], "evidence_ids": grouped.get(d, ("", ()))[1]}
         for d in order],
        columns=["doc_id", "label", "evidence_ids"],
    )


def _doc_ids(long: pd.DataFrame, documents: pd.DataFrame | None) -> list[str]:
    docs = [] if documents is None else list(documents["doc_id"].dropna())
    return list(dict.fromkeys([*docs, *long["doc_id"].dropna()]))


def _count(frame: pd.DataFrame, keys: list[str], unit: str) -> pd.DataFrame:
    """Group ``frame`` (with ``evidence_ids`` tuples and ``doc_id``) by ``keys``: counts and provenance."""
    columns = [*keys, unit, *PROVENANCE]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    out = []
    for key, group in frame.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        out.append({
            **dict(zip(keys, key, strict=True)),
            unit: len(group),
            "evidence_ids": _ids(e for ids in group["evidence_ids"] for e in ids),
            "doc_ids": _ids(group["doc_id"]),
        })
    return pd.DataFrame(out, columns=columns)


def _merge_ids(*columns: pd.Series) -> list[tuple[str, ...]]:
    return [_ids(e for ids in parts for e in ids) for parts in zip(*columns, strict=True)]


def patient_subjects(long: pd.DataFrame) -> pd.DataFrame:
    """Every patient described individually: ``doc_id, subject`` (subject is the ``who`` of :func:`usable`)."""
    rows = usable(long) if "who" not in long.columns else long
    patients = rows.loc[rows["who"].str.match(_PATIENT.pattern, na=False), ["doc_id", "who"]]
    return patients.drop_duplicates().rename(columns={"who": "subject"}).reset_index(drop=True)


def patient_labels(long: pd.DataFrame, field: str) -> pd.DataFrame:
    """Per patient, the combined label of a study-level ``field`` (e.g. target_antigen).

    A patient's own rows win; otherwise the document's labels apply. Columns
    ``doc_id, subject, label, evidence_ids``.
    """
    rows = usable(long) if "who" not in long.columns else long
    patients = patient_subjects(rows)
    by_doc = doc_labels(rows, field).set_index("doc_id")
    own = rows[(rows["field"] == field) & rows["who"].str.match(_PATIENT.pattern, na=False)]
    own_by = {k: g for k, g in own.groupby(["doc_id", "who"], sort=False)}
    out = []
    for doc_id, subject in patients.itertuples(index=False):
        if (doc_id, subject) in own_by:
            group = own_by[(doc_id, subject)]
            label, ids = _combined(group["value"]), _ids(group["evidence_id"])
        elif doc_id in by_doc.index:
            label, ids = by_doc.at[doc_id, "label"], by_doc.at[doc_id, "evidence_ids"]
        else:
            label, ids = NOT_STATED, ()
        out.append({"doc_id": doc_id, "subject": subject, "label": label, "evidence_ids": ids})
    return pd.DataFrame(out, columns=["doc_id", "subject", "label", "evidence_ids"])


def natural_key(text: str) -> tuple:
    """Sort key that orders numbers by value: CD7 before CD19, P2 before P10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.split(r"(\d+)", str(text)) if part)


def ordered(values: Iterable[str], order: Iterable[str]) -> list[str]:
    """``values`` (distinct) in ``order`` first, then the rest sorted, placeholders last."""
    values = list(dict.fromkeys(str(v) for v in values))
    order = list(order)
    known = [v for v in order if v in values]
    placeholders = [v for v in (NOT_STATED, NOT_REPORTED) if v in values and v not in order]
    rest = sorted((v for v in values if v not in known and v not in placeholders), key=natural_key)
    return known + rest + placeholders


def _sorted(frame: pd.DataFrame, columns: list[str], orders: dict[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """``frame`` sorted by ``columns``: each in its ``orders`` entry or naturally, placeholders last."""
    orders = orders or {}

    def key(column: pd.Series) -> pd.Series:
        rank = {v: i for i, v in enumerate(ordered(column, orders.get(str(column.name), ())))}
        return column.astype(str).map(rank)

    return frame.sort_values(columns, key=key, kind="stable").reset_index(drop=True)


def crosstab(tidy: pd.DataFrame, index: str, columns: str, values: str,
             column_order: Iterable[str] = ()) -> pd.DataFrame:
    """A count matrix from a tidy table (0 where no row), rows and columns ordered."""
    if tidy.empty:
        return pd.DataFrame()
    matrix = tidy.pivot_table(index=index, columns=columns, values=values, aggfunc="sum", fill_value=0)
    rows = ordered(matrix.index, ())
    cols = ordered(matrix.columns, column_order)
    return matrix.reindex(index=rows, columns=cols).fillna(0).astype(int)


# -- corpus overview -----------------------------------------------------------------


def n_patients_by_doc(long: pd.DataFrame) -> pd.DataFrame:
    """Per document, the number of patients treated: ``doc_id, n_patients, evidence_ids``.

    The ``study`` subject's ``n_patients`` where stated, else the number of patients
    described individually; documents with neither are left out.
    """
    rows = usable(long) if "who" not in long.columns else long
    stated = rows[(rows["field"] == "n_patients") & (rows["subject"] == "study")]
    out = {}
    for doc_id, group in stated.groupby("doc_id", sort=False):
        number = pd.to_numeric(group["value_num"].fillna(pd.to_numeric(group["value"], errors="coerce")))
        if number.notna().any():
            out[doc_id] = (int(number.max()), _ids(group["evidence_id"]))
    patients = rows[rows["who"].str.match(_PATIENT.pattern, na=False)]
    for doc_id, group in patients.groupby("doc_id", sort=False):
        if doc_id not in out:
            out[doc_id] = (group["who"].nunique(), ())
    return pd.DataFrame(
        [{"doc_id": d, "n_patients": n, "evidence_ids": ids} for d, (n, ids) in out.items()],
        columns=["doc_id", "n_patients", "evidence_ids"],
    )


def documents_by(documents: pd.DataFrame, column: str) -> pd.DataFrame:
    """Documents counted by a metadata column (``year``, ``journal``, ``article_type``).

    Columns ``<column>, n_documents, evidence_ids, doc_ids`` (``evidence_ids`` empty:
    the evidence is the documents themselves). Missing values are ``not stated``.
    """
    docs = documents_frame(documents)
    frame = pd.DataFrame({
        column: [NOT_STATED if pd.isna(v) else str(v) for v in docs[column]],
        "doc_id": docs["doc_id"],
        "evidence_ids": [()] * len(docs),
    })
    counted = _count(frame, [column], "n_documents")
    if column == "year":
        years = sorted(v for v in counted[column] if v != NOT_STATED)
        return counted.set_index(column).reindex(ordered(counted[column], years)).reset_index()
    return counted.sort_values(["n_documents", column], ascending=[False, True], kind="stable").reset_index(drop=True)


def study_designs(long: pd.DataFrame, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Documents and patients by study design: ``study_design, n_documents, n_patients, ...``.

    The design comes from the long table; where it has none, from a ``study_design``
    column of ``documents`` if there is one, else ``not stated``. ``n_patients`` sums the
    stated patient counts (documents without one add nothing).
    """
    rows = usable(long)
    docs = _doc_ids(rows, documents)
    designs = doc_labels(rows, "study_design", docs)
    if documents is not None and "study_design" in documents.columns:
        fallback = documents.set_index("doc_id")["study_design"].dropna().to_dict()
        designs["label"] = [
            fallback.get(d, label) if label == NOT_STATED else label
            for d, label in zip(designs["doc_id"], designs["label"], strict=True)
        ]
    counts = n_patients_by_doc(rows).set_index("doc_id")
    designs["n"] = [counts["n_patients"].get(d, 0) for d in designs["doc_id"]]
    designs["evidence_ids"] = _merge_ids(
        designs["evidence_ids"], [counts["evidence_ids"].get(d, ()) for d in designs["doc_id"]]
    )
    designs = designs.rename(columns={"label": "study_design"})
    out = _count(designs, ["study_design"], "n_documents")
    out.insert(2, "n_patients", [int(designs.loc[designs["study_design"] == s, "n"].sum()) for s in out["study_design"]])
    return out.sort_values(["n_documents", "study_design"], ascending=[False, True], kind="stable").reset_index(drop=True)


def disease_by_antigen(long: pd.DataFrame, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Documents (and their stated patients) by disease x target antigen.

    Columns ``disease, target_antigen, n_documents, n_patients, evidence_ids, doc_ids``.
    """
    rows = usable(long)
    docs = _doc_ids(rows, documents)
    disease = doc_labels(rows, "disease", docs)
    antigen = doc_labels(rows, "target_antigen", docs)
    counts = n_patients_by_doc(rows).set_index("doc_id")
    frame = pd.DataFrame({
        "disease": disease["label"],
        "target_antigen": antigen["label"],
        "doc_id": disease["doc_id"],
        "n": [counts["n_patients"].get(d, 0) for d in disease["doc_id"]],
        "evidence_ids": _merge_ids(disease["evidence_ids"], antigen["evidence_ids"],
                                   [counts["evidence_ids"].get(d, ()) for d in disease["doc_id"]]),
    })
    out = _count(frame, ["disease", "target_antigen"], "n_documents")
    out.insert(3, "n_patients", [
        int(frame.loc[(frame["disease"] == a) & (frame["target_antigen"] == b), "n"].sum())
        for a, b in zip(out["disease"], out["target_antigen"], strict=True)
    ])
    return _sorted(out, ["disease", "target_antigen"])


def mix_by_antigen(long: pd.DataFrame, field: str, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Documents by target antigen x ``field`` (``vector``, ``cell_source``, ...).

    Columns ``target_antigen, <field>, n_documents, evidence_ids, doc_ids``.
    """
    rows = usable(long)
    docs = _doc_ids(rows, documents)
    antigen = doc_labels(rows, "target_antigen", docs)
    other = doc_labels(rows, field, docs)
    frame = pd.DataFrame({
        "target_antigen": antigen["label"],
        field: other["label"],
        "doc_id": antigen["doc_id"],
        "evidence_ids": _merge_ids(antigen["evidence_ids"], other["evidence_ids"]),
    })
    out = _count(frame, ["target_antigen", field], "n_documents")
    return _sorted(out, ["target_antigen", field])


# -- safety: CRS and ICANS -----------------------------------------------------------


def _grade_rank(row: pd.Series) -> float:
    """How severe a grade row is, for choosing a patient's maximum (``any`` is lowest)."""
    for name in ("grade_max", "value_num"):
        value = row.get(name)
        if not pd.isna(value):
            return float(value)
    try:
        return float(str(row["value"]).lstrip("<>="))
    except ValueError:
        return -1.0


def patient_grades(long: pd.DataFrame, field: str = "crs") -> pd.DataFrame:
    """One row per patient: the maximum ``crs``/``icans`` grade stated, or ``not reported``.

    Columns ``doc_id, subject, grade, target_antigen, vector, evidence_ids`` (the grade
    rows, then those giving the antigen and vector).
    """
    rows = usable(long)
    patients = patient_subjects(rows)
    grades = rows[(rows["field"] == field) & rows["who"].str.match(_PATIENT.pattern, na=False)]
    chosen = {}
    for key, group in grades.groupby(["doc_id", "who"], sort=False):
        ranks = group.apply(_grade_rank, axis=1)
        chosen[key] = (str(group.loc[ranks.idxmax(), "value"]), _ids(group["evidence_id"]))
    antigen = patient_labels(rows, "target_antigen")
    vector = patient_labels(rows, "vector")
    out = pd.DataFrame({
        "doc_id": patients["doc_id"],
        "subject": patients["subject"],
        "grade": [chosen.get(k, (NOT_REPORTED, ()))[0] for k in patients.itertuples(index=False, name=None)],
        "target_antigen": antigen["label"],
        "vector": vector["label"],
    })
    out["evidence_ids"] = _merge_ids(
        [chosen.get(k, ("", ()))[1] for k in patients.itertuples(index=False, name=None)],
        antigen["evidence_ids"], vector["evidence_ids"],
    )
    return out


def grade_counts(long: pd.DataFrame, field: str = "crs", by: str = "target_antigen") -> pd.DataFrame:
    """Patients by ``by`` (``target_antigen`` or ``vector``) x maximum grade.

    Columns ``<by>, grade, n_patients, evidence_ids, doc_ids``; grades in
    :data:`GRADE_ORDER`, ``not reported`` last. Patients described individually only.
    """
    per_patient = patient_grades(long, field)
    out = _count(per_patient, [by, "grade"], "n_patients")
    if out.empty:
        return out
    return _sorted(out, [by, "grade"], {"grade": GRADE_ORDER})


def _rate(frame: pd.DataFrame) -> pd.Series:
    """The rate in percent: as stated, else ``n / denominator``."""
    computed = 100 * frame["n"].astype("Float64") / frame["denominator"].astype("Float64")
    return frame["pct"].astype("Float64").fillna(computed.round(1))


def _pooled(long: pd.DataFrame, field: str, value_name: str) -> pd.DataFrame:
    rows = usable(long)
    pooled = rows[(rows["field"] == field) & ~rows["who"].str.match(_PATIENT.pattern, na=False)]
    docs = _doc_ids(rows, None)
    design = doc_labels(rows, "study_design", docs).set_index("doc_id")["label"]
    antigen = doc_labels(rows, "target_antigen", docs).set_index("doc_id")["label"]
    vector = doc_labels(rows, "vector", docs).set_index("doc_id")["label"]
    out = pd.DataFrame({
        "doc_id": pooled["doc_id"],
        "subject": pooled["subject"],
        "study_design": [design.get(d, NOT_STATED) for d in pooled["doc_id"]],
        "target_antigen": [antigen.get(d, NOT_STATED) for d in pooled["doc_id"]],
        "vector": [vector.get(d, NOT_STATED) for d in pooled["doc_id"]],
        value_name: pooled["value"],
        "n": pooled["n"],
        "denominator": pooled["denominator"],
        "pct": pooled["pct"],
    })
    out["rate_pct"] = _rate(out)
    out["evidence_ids"] = [(e,) for e in pooled["evidence_id"]]
    out["doc_ids"] = [(d,) for d in pooled["doc_id"]]
    return out.reset_index(drop=True)


def pooled_grades(long: pd.DataFrame, field: str = "crs") -> pd.DataFrame:
    """Every pooled ``crs``/``icans`` statement of a study or cohort, one row each.

    Columns ``doc_id, subject, study_design, target_antigen, vector, grade, n,
    denominator, pct, rate_pct, evidence_ids, doc_ids``. ``pct`` is as stated;
    ``rate_pct`` falls back to ``n / denominator``. Rates are not combined across studies.
    """
    return _pooled(long, field, "grade")


# -- efficacy: response and durations ---------------------------------------------------


def patient_responses(long: pd.DataFrame) -> pd.DataFrame:
    """One row per patient: the best response stated (:data:`RESPONSE_RANK`) or ``not reported``.

    Columns ``doc_id, subject, best_response, target_antigen, evidence_ids``.
    """
    rows = usable(long)
    patients = patient_subjects(rows)
    stated = rows[(rows["field"] == "response") & rows["who"].str.match(_PATIENT.pattern, na=False)]
    rank = {c: i for i, c in enumerate(RESPONSE_RANK)}
    best = {}
    for key, group in stated.groupby(["doc_id", "who"], sort=False):
        categories = sorted(group["value"].astype(str), key=lambda c: rank.get(c, len(rank)))
        best[key] = (categories[0], _ids(group["evidence_id"]))
    antigen = patient_labels(rows, "target_antigen")
    keys = list(patients.itertuples(index=False, name=None))
    out = pd.DataFrame({
        "doc_id": patients["doc_id"],
        "subject": patients["subject"],
        "best_response": [best.get(k, (NOT_REPORTED, ()))[0] for k in keys],
        "target_antigen": antigen["label"],
    })
    out["evidence_ids"] = _merge_ids([best.get(k, ("", ()))[1] for k in keys], antigen["evidence_ids"])
    return out


def response_counts(long: pd.DataFrame, by: str = "target_antigen") -> pd.DataFrame:
    """Patients by ``by`` x best response: ``<by>, best_response, n_patients, evidence_ids, doc_ids``."""
    out = _count(patient_responses(long), [by, "best_response"], "n_patients")
    if out.empty:
        return out
    return _sorted(out, [by, "best_response"], {"best_response": RESPONSE_RANK})


def pooled_responses(long: pd.DataFrame) -> pd.DataFrame:
    """Every pooled response statement (ORR, CR rate...) of a study or cohort, one row each.

    Same columns as :func:`pooled_grades`, with ``category`` for ``grade``.
    """
    return _pooled(long, "response", "category")


def _days(row: pd.Series) -> float | None:
    if not pd.isna(row["value_days"]):
        return float(row["value_days"])
    factor = {"day": 1.0, "week": 7.0, "month": _DAYS_PER_MONTH, "year": 365.25}.get(str(row["unit"]).rstrip("s"))
    if factor is None or pd.isna(row["value_num"]):
        return None
    return float(row["value_num"]) * factor


def durations(long: pd.DataFrame, patients: bool | None = None) -> pd.DataFrame:
    """Every durations row: ``doc_id, subject, measure, value_num, unit, days, qualifier, evidence_id``.

    ``patients=True`` keeps patients described individually, ``False`` pooled subjects
    (median follow-up, survival), ``None`` both. ``days`` is ``value_days`` or converted.
    """
    rows = usable(long)
    rows = rows[rows["field"] == "durations"]
    is_patient = rows["who"].str.match(_PATIENT.pattern, na=False)
    if patients is not None:
        rows = rows[is_patient if patients else ~is_patient]
    out = pd.DataFrame({
        "doc_id": rows["doc_id"],
        "subject": rows["who"] if patients else rows["subject"],
        "measure": rows["measure"].fillna(NOT_STATED),
        "value_num": rows["value_num"],
        "unit": rows["unit"],
        "days": pd.array([_days(r) for _, r in rows.iterrows()], dtype="Float64"),
        "qualifier": rows["qualifier"],
        "evidence_id": rows["evidence_id"],
    })
    return out.reset_index(drop=True)


def swimmer(long: pd.DataFrame) -> pd.DataFrame:
    """One row per patient with a response timeline, for the swimmer plot.

    Columns ``doc_id, subject, label, best_response, time_to_response_days,
    time_to_response_qualifier, response_days, ongoing, relapse_days, evidence_ids``.
    Times are from infusion; the response bar starts at the time to response (0 when
    not stated). Patients with neither a time to response nor a response duration are
    left out.
    """
    columns = ["doc_id", "subject", "label", "best_response", "time_to_response_days",
               "time_to_response_qualifier", "response_days", "ongoing", "relapse_days", "evidence_ids"]
    spans = durations(long, patients=True)
    responses = patient_responses(long).set_index(["doc_id", "subject"])
    out = []
    for (doc_id, subject), group in spans.groupby(["doc_id", "subject"], sort=False):
        by = {m: g.iloc[0] for m, g in group.groupby("measure", sort=False)}
        ttr, dur, rel = (by.get(m) for m in ("time_to_response", "response_duration", "time_to_relapse"))
        if ttr is None and dur is None:
            continue
        best = responses["best_response"].get((doc_id, subject), NOT_REPORTED)
        out.append({
            "doc_id": doc_id,
            "subject": subject,
            "label": f"{doc_id} {subject}",
            "best_response": best,
            "time_to_response_days": None if ttr is None else ttr["days"],
            "time_to_response_qualifier": None if ttr is None else ttr["qualifier"],
            "response_days": None if dur is None else dur["days"],
            "ongoing": dur is not None and str(dur["qualifier"]) == "ongoing",
            "relapse_days": None if rel is None else rel["days"],
            "evidence_ids": _ids([*group["evidence_id"],
                                  *responses["evidence_ids"].get((doc_id, subject), ())]),
        })
    frame = pd.DataFrame(out, columns=columns)
    for name in ("time_to_response_days", "response_days", "relapse_days"):
        frame[name] = frame[name].astype("Float64")
    frame["time_to_response_qualifier"] = frame["time_to_response_qualifier"].astype("string")
    frame["ongoing"] = frame["ongoing"].astype(bool)
    return frame


# -- curation -------------------------------------------------------------------------


def awaiting_curation(long: pd.DataFrame) -> pd.DataFrame:
    """Rows still awaiting a curator (status ``extracted``), by document, subject, field."""
    rows = typed_long(long)
    rows = rows[rows["status"].fillna("extracted") == "extracted"]
    columns = ["evidence_id", "doc_id", "subject", "field", "value", "sentence"]
    return rows[columns].sort_values(["doc_id", "subject", "field"], kind="stable").reset_index(drop=True)
