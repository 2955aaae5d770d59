"""The report's tables against counts made by hand on tests/fixtures/report/.

The fixture: six documents (see tests/fixtures/report/README.md) -- two case reports
(cr1 with ``study`` rows only, cr2 with a ``P1``), a case series of three patients
(cs1), a DLBCL cohort (co1), a myeloma meta-analysis (ma1) and a CD19/CD22 trial with
two named cohorts (tr1). One row is rejected (cr2 AML), four await curation.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.report import tables

FIXTURES = Path(__file__).parent / "fixtures" / "report"
DOCS = ("cr1", "cr2", "cs1", "co1", "ma1", "tr1")
CR1, CR2, CS1, CO1, MA1, TR1 = (f"10.1000/carmine.{s}" for s in DOCS)


def ev(doc: str, row: int) -> str:
    """The fixture's evidence id of a document's row: ``ev-`` + document number + row number."""
    return f"ev-{DOCS.index(doc) + 1:02d}000000000000{row:02d}"


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    return tables.read_long_csv(FIXTURES / "evidence.csv")


@pytest.fixture(scope="module")
def documents() -> pd.DataFrame:
    return tables.documents_frame(pd.read_csv(FIXTURES / "documents.csv"))


def as_dict(frame: pd.DataFrame, keys: list[str], value: str) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r[value] for _, r in frame.iterrows()}


def test_long_csv_has_every_declared_column(long):
    from pipeline.table.schema import COLUMNS

    assert list(long.columns)[: len(COLUMNS)] == list(COLUMNS)
    assert str(long["n"].dtype) == "Int64"


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("year", {"2021": 1, "2022": 1, "2023": 1, "2024": 3}),
        ("journal", {"Frontiers in Immunology": 3, "Blood Advances": 1, "Frontiers in Oncology": 1,
                     "Frontiers in Pediatrics": 1}),
        ("article_type", {"Original Research": 3, "Case Report": 2, "Systematic Review": 1}),
    ],
)
def test_documents_by_metadata(documents, column, expected):
    counted = tables.documents_by(documents, column)
    assert as_dict(counted, [column], "n_documents") == expected
    assert sum(len(d) for d in counted["doc_ids"]) == 6


def test_documents_by_year_is_chronological_with_missing_last():
    docs = tables.documents_frame(pd.DataFrame({"doc_id": ["a", "b", "c"], "year": [2024, None, 2019]}))
    assert list(tables.documents_by(docs, "year")["year"]) == ["2019", "2024", tables.NOT_STATED]


def test_study_designs(long, documents):
    designs = tables.study_designs(long, documents)
    assert as_dict(designs, ["study_design"], "n_documents") == {
        "case_report": 2, "case_series": 1, "clinical_trial": 1, "meta_analysis": 1, "observational_cohort": 1,
    }
    assert as_dict(designs, ["study_design"], "n_patients") == {
        "case_report": 2, "case_series": 3, "clinical_trial": 22, "meta_analysis": 500, "observational_cohort": 40,
    }
    case_reports = designs.set_index("study_design").loc["case_report"]
    assert case_reports["evidence_ids"] == (ev("cr1", 1), ev("cr1", 2), ev("cr2", 1), ev("cr2", 2))


def test_study_design_falls_back_to_documents_then_not_stated(long):
    docs = pd.DataFrame({"doc_id": ["x", "y"], "study_design": ["review", None]})
    designs = tables.study_designs(long, docs)
    counts = as_dict(designs, ["study_design"], "n_documents")
    assert counts["review"] == 1
    assert counts[tables.NOT_STATED] == 1


def test_disease_by_antigen_uses_combinations_and_skips_rejected(long, documents):
    pairs = tables.disease_by_antigen(long, documents)
    assert as_dict(pairs, ["disease", "target_antigen"], "n_documents") == {
        ("B-ALL", "CD19"): 1, ("B-ALL", "CD19+CD22"): 1, ("DLBCL", "CD19"): 1, ("MM", "BCMA"): 1, ("T-ALL", "CD7"): 2,
    }
    assert as_dict(pairs, ["disease", "target_antigen"], "n_patients")[("T-ALL", "CD7")] == 4
    assert ev("cr2", 4) not in {e for ids in pairs["evidence_ids"] for e in ids}  # the rejected AML row
    matrix = tables.crosstab(pairs, "disease", "target_antigen", "n_documents")
    assert list(matrix.columns) == ["BCMA", "CD7", "CD19", "CD19+CD22"]
    assert matrix.loc["T-ALL", "CD7"] == 2
    assert matrix.to_numpy().sum() == 6


def test_vector_and_cell_source_mix(long, documents):
    vector = tables.mix_by_antigen(long, "vector", documents)
    assert as_dict(vector, ["target_antigen", "vector"], "n_documents") == {
        ("BCMA", tables.NOT_STATED): 1, ("CD7", "lentiviral"): 1, ("CD7", "retroviral"): 1,
        ("CD19", "lentiviral"): 2, ("CD19+CD22", "lentiviral"): 1,
    }
    source = tables.mix_by_antigen(long, "cell_source", documents)
    assert as_dict(source, ["target_antigen", "cell_source"], "n_documents") == {
        ("BCMA", "autologous"): 1, ("CD7", "allogeneic"): 2, ("CD19", "autologous"): 2,
        ("CD19+CD22", "autologous"): 1,
    }


def test_case_report_study_rows_are_its_patient(long):
    patients = tables.patient_subjects(tables.usable(long))
    assert set(map(tuple, patients.to_numpy())) == {(CR1, "P1"), (CR2, "P1"), (CS1, "P1"), (CS1, "P2"), (CS1, "P3")}


def test_crs_per_patient(long):
    by_antigen = tables.grade_counts(long, "crs")
    assert as_dict(by_antigen, ["target_antigen", "grade"], "n_patients") == {
        ("CD7", "1"): 2, ("CD7", "2"): 1, ("CD7", ">=3"): 1, ("CD19", "2"): 1,
    }
    assert list(by_antigen["target_antigen"]) == ["CD7", "CD7", "CD7", "CD19"]
    by_vector = tables.grade_counts(long, "crs", by="vector")
    assert as_dict(by_vector, ["vector", "grade"], "n_patients") == {
        ("lentiviral", "1"): 1, ("lentiviral", "2"): 2, ("lentiviral", ">=3"): 1, ("retroviral", "1"): 1,
    }
    cell = by_antigen.set_index(["target_antigen", "grade"]).loc[("CD7", "1")]
    assert set(cell["doc_ids"]) == {CR1, CS1}
    assert {ev("cr1", 11), ev("cs1", 7)} <= set(cell["evidence_ids"])


def test_icans_per_patient_counts_unreported_patients(long):
    counts = tables.grade_counts(long, "icans")
    assert as_dict(counts, ["target_antigen", "grade"], "n_patients") == {
        ("CD7", "0"): 3, ("CD7", tables.NOT_REPORTED): 1, ("CD19", "1"): 1,
    }


def test_patient_maximum_grade_wins():
    rows = pd.DataFrame({
        "evidence_id": ["a", "b", "c"], "doc_id": ["d"] * 3, "subject": ["P1"] * 3, "field": ["crs"] * 3,
        "value": ["1", "3", "any"], "value_num": [1, 3, None], "status": ["accepted"] * 3,
    })
    assert list(tables.patient_grades(rows, "crs")["grade"]) == ["3"]


def test_pooled_crs_is_one_row_per_statement(long):
    pooled = tables.pooled_grades(long, "crs")
    assert len(pooled) == 7
    assert set(pooled["doc_id"]) == {CO1, MA1, TR1}
    rates = {(d, s, g): r for d, s, g, r in pooled[["doc_id", "subject", "grade", "rate_pct"]].itertuples(index=False)}
    assert rates[(CO1, "cohort", "any")] == 90.0  # stated
    assert rates[(CO1, "cohort", ">=3")] == 10.0  # 4 / 40
    assert rates[(TR1, "cohort:pediatric", "any")] == 80.0  # 8 / 10
    assert rates[(MA1, "study", ">=3")] == 7.0
    assert pd.isna(pooled.loc[pooled["grade"] == ">=3", "pct"].iloc[0])  # not stated, not invented
    assert tables.pooled_grades(long, "icans")["rate_pct"].tolist() == [30.0, 10.0]


def test_best_response_per_patient(long):
    counts = tables.response_counts(long)
    assert as_dict(counts, ["target_antigen", "best_response"], "n_patients") == {
        ("CD7", "CR"): 3, ("CD7", "PR"): 1, ("CD19", "MRD_negative_CR"): 1,
    }


def test_pooled_responses(long):
    pooled = tables.pooled_responses(long)
    assert list(zip(pooled["subject"], pooled["category"], pooled["rate_pct"], strict=True)) == [
        ("cohort", "ORR", 70.0), ("cohort", "CR", 50.0), ("study", "ORR", 85.0),
        ("cohort:pediatric", "CR", 90.0), ("cohort:adult", "CR", 66.7),
    ]


def test_swimmer_rows(long):
    swim = tables.swimmer(long).set_index(["doc_id", "subject"])
    assert list(swim.index) == [(CR1, "P1"), (CR2, "P1"), (CS1, "P1"), (CS1, "P2")]
    m = 30.4375
    assert swim.loc[(CR1, "P1"), "time_to_response_days"] == pytest.approx(m)
    assert swim.loc[(CR1, "P1"), "time_to_response_qualifier"] == "<="
    assert swim.loc[(CR1, "P1"), "response_days"] == pytest.approx(9 * m)
    assert swim["ongoing"].tolist() == [True, False, True, False]
    # cr2 has no value_days: converted from 28 day and 6 month
    assert swim.loc[(CR2, "P1"), "time_to_response_days"] == 28
    assert swim.loc[(CR2, "P1"), "response_days"] == pytest.approx(6 * m)
    assert swim.loc[(CR2, "P1"), "relapse_days"] == pytest.approx(7 * m)
    assert swim.loc[(CR2, "P1"), "best_response"] == "MRD_negative_CR"


def test_pooled_durations(long):
    spans = tables.durations(long, patients=False)
    assert list(zip(spans["doc_id"], spans["measure"], spans["value_num"], strict=True)) == [
        (CO1, "follow_up", 12.0), (TR1, "follow_up", 10.0),
    ]


def test_awaiting_curation(long):
    waiting = tables.awaiting_curation(long)
    assert list(waiting["evidence_id"]) == [ev("cr1", 12), ev("cr2", 12), ev("ma1", 7), ev("tr1", 5)]


@pytest.mark.parametrize(
    "function",
    [
        lambda long: tables.study_designs(long),
        lambda long: tables.disease_by_antigen(long),
        lambda long: tables.mix_by_antigen(long, "vector"),
        lambda long: tables.grade_counts(long, "crs"),
        lambda long: tables.pooled_grades(long, "icans"),
        lambda long: tables.response_counts(long),
        lambda long: tables.pooled_responses(long),
        lambda long: tables.swimmer(long),
        lambda long: tables.durations(long),
        lambda long: tables.awaiting_curation(long),
    ],
)
def test_empty_table_gives_empty_frames(function):
    empty = tables.typed_long(pd.DataFrame())
    assert function(empty).empty


def test_fixture_is_a_valid_evidence_table(long):
    from pipeline.table import validate

    validate(long, table=str(FIXTURES / "evidence.csv"))
