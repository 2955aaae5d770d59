"""The wide view: one row per document subject, derived from the long table.

Subjects are a document's patients and cohorts (``P1``, ``cohort:EMM``...), in order of
first appearance; a document with neither gets one ``study`` row. Study-level values
(disease, antigen, vector... stated for the study as a whole) apply to every subject;
a subject's own values are added to them. Rejected rows are left out; corrected rows
count with their corrected value.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.table.schema import WIDE_COLUMNS
from pipeline.table.validate import validate_wide
from pipeline.table.vocab import Vocabularies, load_vocabularies

_JOINED = ("cell_type", "disease", "target_antigen", "vector", "gene_editing", "cell_source", "transplant")


def _join(values: list[Any]) -> str | None:
    seen: list[str] = []
    for v in values:
        if v is not None and not pd.isna(v) and str(v) not in seen:
            seen.append(str(v))
    return "|".join(seen) if seen else None


def _max_grade(rows: pd.DataFrame) -> float | None:
    top = rows["grade_max"].fillna(rows["value_num"]).dropna()
    return float(top.max()) if len(top) else None


def _duration(rows: pd.DataFrame, measure: str) -> pd.Series | None:
    hit = rows[rows["measure"] == measure]
    return hit.iloc[0] if len(hit) else None


def _wide_row(doc_id: str, subject: str, rows: pd.DataFrame, rank: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(WIDE_COLUMNS)
    out.update(doc_id=doc_id, subject=subject, n_rows=len(rows))
    by_field = {f: g for f, g in rows.groupby("field", sort=False)}

    def values(field: str, column: str = "value") -> list[Any]:
        return list(by_field[field][column]) if field in by_field else []

    out["study_design"] = _join(values("study_design"))
    n = values("n_patients", "n")
    out["n_patients"] = n[0] if n else None
    for field in _JOINED:
        out[field] = _join(values(field))
    out["disease_id"] = _join(values("disease", "value_id"))
    out["antigen_symbol"] = _join(values("target_antigen", "value_label"))
    out["antigen_hgnc_id"] = _join(values("target_antigen", "value_id"))
    for field in ("crs", "icans"):
        if field in by_field:
            out[f"{field}_max_grade"] = _max_grade(by_field[field])
    out["grading_scale"] = _join(values("crs", "grading_scale") + values("icans", "grading_scale"))
    responses = sorted(values("response"), key=lambda c: rank.get(c, len(rank) + 1))
    out["best_response"] = responses[0] if responses else None
    if "durations" in by_field:
        d = by_field["durations"]
        for measure, column in (
            ("time_to_response", "time_to_response_days"),
            ("response_duration", "response_duration_days"),
            ("follow_up", "follow_up_days"),
        ):
            hit = _duration(d, measure)
            if hit is not None:
                out[column] = hit["value_days"]
                if measure == "response_duration":
                    out["response_ongoing"] = hit["qualifier"] == "ongoing"
    ages = values("age", "value_num")
    out["age_years"] = ages[0] if ages else None
    out["sex"] = _join(values("sex"))
    if "expansion_peak" in by_field:
        peaks = by_field["expansion_peak"].sort_values("value_num", ascending=False, kind="stable")
        top = peaks.iloc[0]
        out.update(expansion_peak=top["value_num"], expansion_unit=top["unit"], expansion_day=top["day"])
    return out


def _subjects(rows: pd.DataFrame) -> list[str]:
    subjects = [s for s in dict.fromkeys(rows["subject"]) if s != "study"]
    return subjects or ["study"]


def wide_view(long_df: pd.DataFrame, *, vocab: Vocabularies | None = None) -> pd.DataFrame:
    """One row per (document, subject), documents in long-table order; typed and validated."""
    vocab = vocab or load_vocabularies()
    rank = {c.label: int(c.get("rank", 99)) for c in vocab["responses"].concepts}
    live = long_df[long_df["status"] != "rejected"]
    records = []
    for doc_id in dict.fromkeys(long_df["doc_id"]):
        rows = live[live["doc_id"] == doc_id]
        if rows.empty:
            continue
        study = rows[rows["subject"] == "study"]
        for subject in _subjects(rows):
            own = rows[rows["subject"] == subject]
            merged = own if subject == "study" else pd.concat([study, own])
            records.append(_wide_row(str(doc_id), subject, merged, rank))
    frame = pd.DataFrame(records, columns=list(WIDE_COLUMNS))
    return validate_wide(frame)
