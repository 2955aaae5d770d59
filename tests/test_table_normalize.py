"""The seed document's long rows, from a hand-built extraction (tests/fixtures/table)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from table_fixtures import extraction_from_spec, load_spec

from pipeline.readers import read_text
from pipeline.table import normalize, to_fields
from pipeline.table.schema import COLUMNS

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = sorted((SHARED / "seed").glob("*.txt"))
FIXTURES = Path(__file__).parent / "fixtures" / "table"
SEED_ID = "10.3389/fimmu.2024.1519055"

pytestmark = pytest.mark.skipif(not SEED, reason="shared/seed is not beside the repository")


@pytest.fixture(scope="module")
def seed_doc():
    doc = read_text(SEED[0].read_text(encoding="utf-8"), source="seed")
    doc.capture_sha256 = "a" * 64
    return doc


@pytest.fixture(scope="module")
def seed_extraction(seed_doc):
    return extraction_from_spec(seed_doc, load_spec(FIXTURES / "seed_evidence.json"))


@pytest.fixture(scope="module")
def seed_rows(seed_doc, seed_extraction):
    return normalize(seed_doc, seed_extraction, pipeline_version="0.1.0")


def _one(rows: pd.DataFrame, field: str, value: str, subject: str | None = None) -> pd.Series:
    hit = rows[(rows["field"] == field) & (rows["value"] == value)]
    if subject is not None:
        hit = hit[hit["subject"] == subject]
    assert len(hit) == 1, f"expected one {field}={value} row, found {len(hit)}:\n{rows[['field', 'value']]}"
    return hit.iloc[0]


def test_columns_and_dtypes_are_the_declared_ones(seed_rows):
    assert list(seed_rows.columns) == list(COLUMNS)
    for name, (dtype, _) in COLUMNS.items():
        assert str(seed_rows[name].dtype) == dtype, name
    assert (seed_rows["status"] == "extracted").all()
    assert (seed_rows["doc_id"] == SEED_ID).all()
    assert seed_rows["evidence_id"].is_unique


def test_disease_carries_its_ncit_code(seed_rows):
    row = _one(seed_rows, "disease", "T-ALL", "study")
    assert row["value_id"] == "NCIT:C3183"
    assert row["mentions"] == 2  # two spans of the study-level statement
    assert "T-cell acute lymphoblastic leukemia" in row["sentence"]
    # the patient-level statement is its own row
    assert _one(seed_rows, "disease", "T-ALL", "P1")["value_id"] == "NCIT:C3183"


def test_antigen_carries_hgnc_symbol_and_id(seed_rows):
    row = _one(seed_rows, "target_antigen", "CD7")
    assert (row["value_id"], row["value_label"]) == ("HGNC:1695", "CD7")


@pytest.mark.parametrize(
    ("field", "value", "subject"),
    [
        ("vector", "retroviral", "study"),
        ("cell_source", "allogeneic", "P1"),
        ("transplant", "prior_allo_hsct", "P1"),
        ("response", "CR", "P1"),
        ("sex", "male", "P1"),
        ("study_design", "case_report", "study"),
        ("n_patients", "1", "study"),
    ],
)
def test_labels(seed_rows, field, value, subject):
    assert _one(seed_rows, field, value)["subject"] == subject


def test_grades(seed_rows):
    crs = _one(seed_rows, "crs", "1")
    assert (crs["value_num"], crs["grade_max"], crs["comparator"], crs["unit"]) == (1, 1, "=", "grade")
    icans = _one(seed_rows, "icans", "0")
    assert icans["value_num"] == 0 and icans["qualifier"] == "negated"


def test_durations_in_days_and_stated_unit(seed_rows):
    ongoing = _one(seed_rows, "durations", "response_duration: 9 month (ongoing)")
    assert (ongoing["value_num"], ongoing["unit"], ongoing["qualifier"]) == (9, "month", "ongoing")
    assert ongoing["value_days"] == pytest.approx(273.9375)
    assert round(ongoing["value_days"]) == 274
    ttr = _one(seed_rows, "durations", "time_to_response: <=1 month")
    assert (ttr["comparator"], ttr["qualifier"], ttr["measure"]) == ("<=", "<=", "time_to_response")
    assert ttr["value_days"] == pytest.approx(30.4375)


def test_age_and_expansion_peak(seed_rows):
    age = _one(seed_rows, "age", "34")
    assert (age["value_num"], age["unit"], age["subject"]) == (34, "year", "P1")
    peak = _one(seed_rows, "expansion_peak", "350758 copies/ug, day 6")
    assert (peak["value_num"], peak["unit"], peak["day"]) == (350758, "copies/ug", 6)
    assert "350, 758 copies/μg on day 6" in peak["sentence"]


def test_every_span_points_into_the_text(seed_doc, seed_rows, seed_extraction):
    spans = seed_rows.dropna(subset=["char_start"])
    assert len(spans) == len(seed_rows) - 1  # study_design has no evidence in the fixture
    for row in spans.itertuples():
        assert seed_doc.text[row.sent_start : row.sent_start + len(row.sentence)] == row.sentence
        assert row.sent_start <= row.char_start < row.char_end <= row.sent_start + len(row.sentence)
    no_span = _one(seed_rows, "study_design", "case_report")
    assert no_span["extractor"] == "record" and pd.isna(no_span["confidence"])


def test_round_trip_to_the_gold_record(seed_rows):
    gold = json.loads((SHARED / "gold" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert gold["id"] == SEED_ID
    assert to_fields(seed_rows, SEED_ID) == gold["gold"]


def test_ids_are_stable_and_independent_of_row_order(seed_doc, seed_extraction, seed_rows):
    shuffled = type(seed_extraction)(
        seed_extraction.doc_id, seed_extraction.fields, list(reversed(seed_extraction.evidence))
    )
    again = normalize(seed_doc, shuffled, pipeline_version="0.1.0")
    pd.testing.assert_frame_equal(again, seed_rows)
