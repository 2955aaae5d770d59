"""Between the long table and the GUIDE record.

:func:`refresh_derived` recomputes the columns that follow from ``value`` (ids, numbers,
units, days) after a curator changed it or added a row; :func:`to_fields` rebuilds a
document's GUIDE record from its live (not rejected) rows, e.g. for a curated
``annotations`` export.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.extract.model import SCALAR_FIELDS, empty_fields
from pipeline.table.normalize import make_evidence_id
from pipeline.table.values import derive, to_guide
from pipeline.table.vocab import Vocabularies, load_vocabularies

#: Columns that :func:`pipeline.table.values.derive` may set.
DERIVED = (
    "value_id",
    "value_label",
    "value_xref",
    "value_num",
    "unit",
    "value_days",
    "comparator",
    "grade_max",
    "qualifier",
    "measure",
    "day",
)


def refresh_derived(
    df: pd.DataFrame, *, vocab: Vocabularies | None = None, statuses=("corrected", "curator_added")
) -> pd.DataFrame:
    """``df`` with the derived columns of rows in ``statuses`` recomputed from their ``value``.

    Rows whose value does not fit their field are left as they are (validation names them).
    ``curator_added`` rows without an ``evidence_id`` get one.
    """
    vocab = vocab or load_vocabularies()
    df = df.copy()
    for i in df.index[df["status"].isin(statuses)]:
        field, value = df.at[i, "field"], df.at[i, "value"]
        try:
            derived = derive(str(field), str(value), vocab)
        except ValueError:
            continue
        for column in DERIVED:
            df.at[i, column] = derived.get(column, pd.NA)
        if field == "n_patients":
            df.at[i, "n"] = derived["n"]
        if pd.isna(df.at[i, "evidence_id"]):
            start, end = df.at[i, "char_start"], df.at[i, "char_end"]
            df.at[i, "evidence_id"] = make_evidence_id(
                str(df.at[i, "doc_id"]),
                str(df.at[i, "subject"]),
                str(field),
                str(value),
                None if pd.isna(start) else int(start),
                None if pd.isna(end) else int(end),
            )
    return df


def to_fields(long_df: pd.DataFrame, doc_id: str) -> dict[str, Any]:
    """The GUIDE record of ``doc_id`` from its rows that are not rejected."""
    fields = empty_fields()
    rows = long_df[(long_df["doc_id"] == doc_id) & (long_df["status"] != "rejected")]
    patients: dict[str, dict[str, Any]] = {}
    for row in rows.to_dict("records"):
        field = row["field"]
        if field in ("age", "sex", "patients"):
            patient = patients.setdefault(row["subject"], {"age_years": None, "sex": None})
            if field == "age":
                patient["age_years"] = to_guide("age", row)
            elif field == "sex":
                patient["sex"] = row["value"]
            continue
        value = to_guide(field, row)
        if field in SCALAR_FIELDS:
            fields[field] = value
        elif value not in fields[field]:
            fields[field].append(value)
    fields["patients"] = list(patients.values())
    return fields
