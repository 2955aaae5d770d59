"""Validation of the evidence tables against :mod:`pipeline.table.schema`.

:func:`validate` coerces a long table to the declared dtypes and checks it with a
pandera schema built from ``COLUMNS`` (types, nullability, allowed values, unique ids),
then row by row: each ``value`` must fit its field (a vocabulary label, a grade, a
duration rendering...). A violation raises :class:`~pipeline.errors.SchemaError`
naming the row (number, CSV line and evidence_id) and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from pipeline.errors import SchemaError
from pipeline.table.schema import (
    COLUMNS,
    COMPARATORS,
    EVIDENCE_ID_PATTERN,
    LONG_FIELDS,
    QUALIFIERS,
    STATUSES,
    SUBJECT_PATTERN,
    WIDE_COLUMNS,
)
from pipeline.table.values import ValueFormatError, derive
from pipeline.table.vocab import Vocabularies, load_vocabularies

#: Long-table columns that may never be empty.
REQUIRED = ("evidence_id", "doc_id", "subject", "field", "value", "pipeline_version", "status")
MAX_LISTED = 10


@dataclass(frozen=True, slots=True)
class Violation:
    row: int
    evidence_id: str | None
    column: str | None
    check: str
    found: Any

    def __str__(self) -> str:
        where = f"row {self.row} (CSV line {self.row + 2}"
        where += f", evidence_id {self.evidence_id})" if self.evidence_id else ")"
        col = f"column {self.column!r}" if self.column else "table"
        return f"{where}: {col}: expected {self.check}, found {self.found!r}"


class TableSchemaError(SchemaError):
    """SchemaError with the violations as data (``.violations``, first one first)."""

    def __init__(self, table: str, violations: list[Violation]) -> None:
        self.violations = violations
        listed = "\n  ".join(str(v) for v in violations[:MAX_LISTED])
        more = f"\n  ... and {len(violations) - MAX_LISTED} more" if len(violations) > MAX_LISTED else ""
        super().__init__(f"{table}: {len(violations)} schema violation(s):\n  {listed}{more}")


def _vocab_checks(vocab: Vocabularies) -> dict[str, list[pa.Check]]:
    scales = vocab["grading_scales"].labels
    measures = vocab["duration_measures"].labels
    units = (*vocab["units"].labels, "grade", "year")
    return {
        "evidence_id": [pa.Check.str_matches(EVIDENCE_ID_PATTERN)],
        "subject": [pa.Check.str_matches(SUBJECT_PATTERN)],
        "field": [pa.Check.isin(LONG_FIELDS)],
        "status": [pa.Check.isin(STATUSES)],
        "comparator": [pa.Check.isin(COMPARATORS)],
        "qualifier": [pa.Check.isin(QUALIFIERS)],
        "grading_scale": [pa.Check.isin(scales)],
        "measure": [pa.Check.isin(measures)],
        "unit": [pa.Check.isin(units)],
        "confidence": [pa.Check.in_range(0.0, 1.0)],
        "char_start": [pa.Check.ge(0)],
        "char_end": [pa.Check.ge(0)],
        "sent_start": [pa.Check.ge(0)],
        "mentions": [pa.Check.ge(1)],
        "n": [pa.Check.ge(0)],
        "denominator": [pa.Check.ge(0)],
        "pct": [pa.Check.in_range(0.0, 100.0)],
    }


def long_schema(vocab: Vocabularies | None = None) -> pa.DataFrameSchema:
    """The pandera schema of the long table (built from ``COLUMNS``)."""
    checks = _vocab_checks(vocab or load_vocabularies())
    columns = {
        name: pa.Column(
            dtype,
            checks=checks.get(name, []),
            nullable=name not in REQUIRED,
            unique=name == "evidence_id",
            description=desc,
        )
        for name, (dtype, desc) in COLUMNS.items()
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True, coerce=True, name="evidence")


def wide_schema() -> pa.DataFrameSchema:
    columns = {
        name: pa.Column(dtype, nullable=name not in ("doc_id", "subject"), description=desc)
        for name, (dtype, desc) in WIDE_COLUMNS.items()
    }
    return pa.DataFrameSchema(
        columns, strict=True, ordered=True, coerce=True, unique=["doc_id", "subject"], name="evidence_wide"
    )


def empty_long() -> pd.DataFrame:
    """A long table with no rows and the declared dtypes."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, (dtype, _) in COLUMNS.items()})


def conform(df: pd.DataFrame, columns: dict[str, tuple[str, str]] = COLUMNS) -> pd.DataFrame:
    """``df`` with every declared column (missing ones empty), in declared order, index 0..n-1.

    Extra columns are kept at the end so that validation reports them.
    """
    df = df.reset_index(drop=True).copy()
    for name, (dtype, _) in columns.items():
        if name not in df.columns:
            df[name] = pd.Series([pd.NA] * len(df), dtype=dtype)
    extra = [c for c in df.columns if c not in columns]
    return df[list(columns) + extra]


def _declared_dtypes(df: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Exactly the declared dtypes (pandera coerces ``string`` to pandas 3's NaN-backed ``str``)."""
    return df.astype({name: dtype for name, (dtype, _) in columns.items()})


def _from_pandera(err: SchemaErrors, ids: pd.Series | None) -> list[Violation]:
    out: list[Violation] = []
    for case in err.failure_cases.itertuples(index=False):
        idx = case.index
        row = int(idx) if idx is not None and not pd.isna(idx) else -1
        eid = None
        if ids is not None and 0 <= row < len(ids) and not pd.isna(ids.iloc[row]):
            eid = str(ids.iloc[row])
        out.append(Violation(row, eid, case.column, str(case.check), case.failure_case))
    return sorted(out, key=lambda v: (v.row, str(v.column)))


def _row_checks(df: pd.DataFrame, vocab: Vocabularies) -> list[Violation]:
    out: list[Violation] = []
    for row, (eid, field, value, start, end) in enumerate(
        zip(df["evidence_id"], df["field"], df["value"], df["char_start"], df["char_end"], strict=True)
    ):
        if isinstance(field, str) and field in LONG_FIELDS and isinstance(value, str):
            try:
                derive(field, value, vocab)
            except ValueFormatError as exc:
                out.append(Violation(row, eid, "value", f"a {field} value", f"{value} ({exc})"))
        if pd.isna(start) != pd.isna(end) or (not pd.isna(start) and start > end):
            out.append(
                Violation(
                    row, eid, "char_end", "char_start <= char_end, both set or both empty", (start, end)
                )
            )
    return out


def validate(
    df: pd.DataFrame, *, vocab: Vocabularies | None = None, table: str = "evidence table"
) -> pd.DataFrame:
    """The long table ``df`` coerced to its declared dtypes; TableSchemaError if it breaks the schema."""
    vocab = vocab or load_vocabularies()
    df = conform(df)
    ids = df["evidence_id"].astype("string") if "evidence_id" in df else None
    try:
        typed = long_schema(vocab).validate(df, lazy=True)
    except SchemaErrors as err:
        raise TableSchemaError(table, _from_pandera(err, ids)) from None
    typed = _declared_dtypes(typed, COLUMNS)
    violations = _row_checks(typed, vocab)
    if violations:
        raise TableSchemaError(table, violations)
    return typed


def validate_wide(df: pd.DataFrame, *, table: str = "evidence wide view") -> pd.DataFrame:
    df = conform(df, WIDE_COLUMNS)
    try:
        typed = wide_schema().validate(df, lazy=True)
    except SchemaErrors as err:
        raise TableSchemaError(table, _from_pandera(err, None)) from None
    return _declared_dtypes(typed, WIDE_COLUMNS)
