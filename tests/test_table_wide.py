"""The wide view of a case series, patients without age or sex, grading scales."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.extract.model import empty_fields
from pipeline.table import normalize, to_fields, wide_view
from pipeline.table.fixtures import document_from_parts, extraction_from_spec

TITLE = "CD19 CAR-T cells in two patients with B-ALL"
ABSTRACT = (
    "We describe two patients with relapsed B-ALL treated with autologous CD19 CAR-T cells. "
    "Patient 1, a 60-year-old woman, developed grade 2 CRS per CTCAE and achieved CR. "
    "Patient 2 had no CRS and achieved PR."
)


@pytest.fixture(scope="module")
def series():
    doc = document_from_parts("10.0000/carmine.test.0002", TITLE, ABSTRACT, capture_sha256="d" * 64)
    fields = empty_fields() | {
        "study_design": "case_series",
        "n_patients": 2,
        "disease": ["B-ALL"],
        "target_antigen": ["CD19"],
        "cell_source": ["autologous"],
        "crs": [{"grade": "2", "n": None, "pct": None}, {"grade": "0", "n": None, "pct": None}],
        "response": [{"category": "CR", "n": None, "pct": None}, {"category": "PR", "n": None, "pct": None}],
        "patients": [{"age_years": 60, "sex": "female"}, {"age_years": None, "sex": None}],
    }
    ev = [
        {"field": "disease", "value": "B-ALL", "subject": "study", "phrase": "B-ALL", "occurrence": 1},
        {"field": "crs", "value": fields["crs"][0], "subject": "P1", "phrase": "grade 2 CRS"},
        {"field": "crs", "value": fields["crs"][1], "subject": "P2", "phrase": "no CRS"},
        {"field": "response", "value": fields["response"][0], "subject": "P1", "phrase": "CR"},
        {"field": "response", "value": fields["response"][1], "subject": "P2", "phrase": "PR"},
        {"field": "patients", "value": fields["patients"][0], "subject": "P1", "phrase": "60-year-old woman"},
        {"field": "patients", "value": fields["patients"][1], "subject": "P2", "phrase": "Patient 2"},
    ]
    ex = extraction_from_spec(doc, {"fields": fields, "evidence": ev})
    return normalize(doc, ex, pipeline_version="0.1.0"), fields


def test_one_wide_row_per_patient(series):
    rows, _ = series
    wide = wide_view(rows).set_index("subject")
    assert list(wide.index) == ["P1", "P2"]
    assert wide.loc["P1", "crs_max_grade"] == 2 and wide.loc["P2", "crs_max_grade"] == 0
    assert (wide.loc["P1", "best_response"], wide.loc["P2", "best_response"]) == ("CR", "PR")
    assert (wide.loc["P1", "age_years"], wide.loc["P1", "sex"]) == (60, "female")
    assert pd.isna(wide.loc["P2", "age_years"]) and pd.isna(wide.loc["P2", "sex"])
    # study-level values apply to every patient
    assert list(wide["disease"]) == ["B-ALL", "B-ALL"] and list(wide["n_patients"]) == [2, 2]


def test_patient_without_age_or_sex_is_a_row(series):
    rows, fields = series
    hit = rows[rows["field"] == "patients"]
    assert list(hit["value"]) == ["not_stated"] and list(hit["subject"]) == ["P2"]
    assert to_fields(rows, "10.0000/carmine.test.0002") == fields


def test_grading_scale_from_the_sentence(series):
    rows, _ = series
    crs = rows[rows["field"] == "crs"].set_index("subject")
    assert crs.loc["P1", "grading_scale"] == "CTCAE"
    assert crs.loc["P2", "qualifier"] == "negated"
