"""Schema violations are caught, naming the row and the column; curated rows pass."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from table_fixtures import load_document_fixture

from pipeline.errors import SchemaError
from pipeline.table import (
    TableSchemaError,
    load_evidence,
    make_evidence_id,
    normalize,
    refresh_derived,
    validate,
)
from pipeline.table.io import LONG_CSV, LONG_PARQUET

FIXTURES = Path(__file__).parent / "fixtures" / "table"


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    doc, ex = load_document_fixture(FIXTURES / "cohort_doc.json", capture_sha256="b" * 64)
    return normalize(doc, ex, pipeline_version="0.1.0")


@pytest.mark.parametrize(
    ("row", "column", "bad", "expected"),
    [
        (3, "status", "approved", "isin"),
        (2, "subject", "patient 1", "str_matches"),
        (5, "field", "viral_vector", "isin"),
        (4, "value", "BCMA-2", "a target_antigen value"),
        (8, "value", "grade three", "a crs value"),
        (11, "value", "12 months", "a durations value"),
        (1, "confidence", 1.5, "in_range"),
        (7, "grading_scale", "WHO", "isin"),
        (0, "pipeline_version", None, "not_nullable"),
    ],
)
def test_violation_names_row_and_column(rows, row, column, bad, expected):
    df = rows.copy()
    df[column] = df[column].astype(object)
    df.at[row, column] = bad
    with pytest.raises(SchemaError) as info:
        validate(df)
    message = str(info.value)
    assert f"row {row} " in message and f"column {column!r}" in message and expected in message
    assert rows.at[row, "evidence_id"] in message
    first = info.value.violations[0]
    assert (first.row, first.column) == (row, column)


def test_duplicate_evidence_id(rows):
    df = pd.concat([rows, rows.iloc[[2]]], ignore_index=True)
    with pytest.raises(TableSchemaError, match=r"row 12 .*column 'evidence_id'"):
        validate(df)


def test_unparsable_number_in_csv_names_line_and_column(tmp_path, rows):
    from pipeline.table import write_tables

    write_tables(rows, tmp_path)
    (tmp_path / LONG_PARQUET).unlink()
    text = (tmp_path / LONG_CSV).read_text(encoding="utf-8").split("\n")
    cells = text[3].split(",")
    cells[list(rows.columns).index("char_start")] = "abc"
    text[3] = ",".join(cells)
    (tmp_path / LONG_CSV).write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"evidence.csv:4: column 'char_start'"):
        load_evidence(tmp_path)


def test_span_must_be_ordered(rows):
    df = rows.copy()
    df.at[2, "char_end"] = df.at[2, "char_start"] - 1
    with pytest.raises(TableSchemaError, match=r"row 2 .*column 'char_end'"):
        validate(df)


def test_curated_rows_pass(rows):
    """What curation does between normalize and write: accept, reject, correct, add."""
    df = rows.copy()
    df.loc[0, "status"] = "accepted"
    df.loc[5, "status"] = "rejected"
    df.loc[8, ["status", "value", "note"]] = ["corrected", "3", "text says grade 3 in 2 patients"]
    added = {
        "doc_id": df.at[0, "doc_id"],
        "subject": "cohort",
        "field": "icans",
        "value": "0",
        "status": "curator_added",
        "pipeline_version": "0.1.0",
        "note": "no neurotoxicity stated in the full text",
    }
    df = pd.concat([df, pd.DataFrame([added])], ignore_index=True)
    df = refresh_derived(df)
    out = validate(df)
    assert (
        out.at[8, "value_num"] == 3
        and out.at[8, "comparator"] == "="
        and out.at[8, "extracted_value"] == ">=3"
    )
    new = out.iloc[-1]
    assert new["evidence_id"] == make_evidence_id(str(new["doc_id"]), "cohort", "icans", "0", None, None)
    assert new["qualifier"] == "negated" and pd.isna(new["char_start"])


def test_unknown_label_names_the_vocabulary_file(rows):
    df = rows.copy()
    df.at[5, "value"] = "adenoviral"
    with pytest.raises(TableSchemaError, match=r"vectors.csv"):
        validate(df)
