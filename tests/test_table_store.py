"""Writing and reading the tables: byte-identical rebuilds, typed round trips, the API."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from table_fixtures import load_document_fixture

import pipeline
from pipeline.errors import SchemaError
from pipeline.table import EvidenceTables, load_evidence, normalize, write_tables
from pipeline.table.io import LONG_CSV, LONG_PARQUET, WIDE_CSV, WIDE_PARQUET
from pipeline.table.schema import COLUMNS, WIDE_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "table"
FILES = (LONG_PARQUET, LONG_CSV, WIDE_PARQUET, WIDE_CSV)


@pytest.fixture(scope="module")
def cohort_rows() -> pd.DataFrame:
    doc, ex = load_document_fixture(FIXTURES / "cohort_doc.json", capture_sha256="b" * 64)
    return normalize(doc, ex, pipeline_version="0.1.0")


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def test_rebuilding_twice_gives_identical_bytes(tmp_path, cohort_rows):
    write_tables(cohort_rows, tmp_path / "a")
    first = _bytes(tmp_path / "a")
    write_tables(cohort_rows, tmp_path / "a")  # in place
    doc, ex = load_document_fixture(FIXTURES / "cohort_doc.json", capture_sha256="b" * 64)
    write_tables(normalize(doc, ex, pipeline_version="0.1.0"), tmp_path / "b")  # from scratch
    assert _bytes(tmp_path / "a") == first
    assert _bytes(tmp_path / "b") == first


def test_csv_is_utf8_with_declared_column_order(tmp_path, cohort_rows):
    write_tables(cohort_rows, tmp_path)
    lines = (tmp_path / LONG_CSV).read_text(encoding="utf-8").split("\n")
    assert lines[0] == ",".join(COLUMNS)
    assert (tmp_path / WIDE_CSV).read_text(encoding="utf-8").split("\n")[0] == ",".join(WIDE_COLUMNS)
    assert b"\r\n" not in (tmp_path / LONG_CSV).read_bytes()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip_keeps_types_and_values(tmp_path, cohort_rows, fmt):
    tables = write_tables(cohort_rows, tmp_path)
    if fmt == "csv":  # the CSV alone must load the same
        (tmp_path / LONG_PARQUET).unlink()
        (tmp_path / WIDE_PARQUET).unlink()
    loaded = load_evidence(tmp_path)
    assert isinstance(loaded, EvidenceTables)
    pd.testing.assert_frame_equal(loaded.long, cohort_rows)
    pd.testing.assert_frame_equal(loaded.wide, tables.wide)
    long, wide = pipeline.load_evidence(tmp_path)  # unpacks too
    assert len(long) == len(cohort_rows) and len(wide) == 1


def test_load_without_table_says_where(tmp_path):
    with pytest.raises(SchemaError, match="no evidence table"):
        load_evidence(tmp_path)


def test_parquet_has_no_pandas_metadata(tmp_path, cohort_rows):
    import pyarrow.parquet as pq

    write_tables(cohort_rows, tmp_path)
    schema = pq.read_schema(tmp_path / LONG_PARQUET)
    assert b"pandas" not in (schema.metadata or {})
    assert schema.names == list(COLUMNS)
    assert str(schema.field("char_start").type) == "int64"
    assert schema.field("status").metadata[b"description"]


def test_wide_view_of_a_cohort(cohort_rows, tmp_path):
    wide = write_tables(cohort_rows, tmp_path).wide
    row = wide.iloc[0]
    assert row["subject"] == "cohort"
    assert row["antigen_symbol"] == "TNFRSF17" and row["antigen_hgnc_id"] == "HGNC:11913"
    assert row["crs_max_grade"] == 3 and row["best_response"] == "sCR"
    assert row["follow_up_days"] == pytest.approx(12.5 * 30.4375)
    assert row["grading_scale"] == "ASTCT"


def test_rejected_rows_leave_the_wide_view(cohort_rows, tmp_path):
    df = cohort_rows.copy()
    df.loc[df["value"] == ">=3", "status"] = "rejected"
    wide = write_tables(df, tmp_path).wide
    assert pd.isna(wide.iloc[0]["crs_max_grade"])  # only "any" is left
