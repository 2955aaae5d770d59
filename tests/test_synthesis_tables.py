"""The synthesis table from a hand-made evidence table (tests/fixtures/synthesis, see its README)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.report import tables as rt
from pipeline.synthesis import (
    SYNTHESIS_COLUMNS,
    clinician_table,
    read_synthesis,
    study_interval,
    synthesize,
    validate_synthesis,
    write_synthesis,
)
from pipeline.synthesis.schema import render_dictionary
from pipeline.synthesis.tables import grade_bounds, patient_event, statement_outcomes
from pipeline.table import write_tables
from pipeline.table.validate import TableSchemaError

FIXTURE = Path(__file__).parent / "fixtures" / "synthesis" / "evidence.csv"
ROOT = Path(__file__).parents[1]
Z = 1.959963984540054


def doc(name: str) -> str:
    return f"10.1000/synth.{name}"


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    return rt.read_long_csv(FIXTURE)


@pytest.fixture(scope="module")
def synth(long) -> pd.DataFrame:
    return synthesize(long, method="dl")


def rows(synth: pd.DataFrame, outcome: str, group: str, row_type: str | None = None,
         grouping: str = "target_antigen") -> pd.DataFrame:
    out = synth[(synth["outcome"] == outcome) & (synth["grouping"] == grouping) & (synth["group"] == group)]
    return out if row_type is None else out[out["row_type"] == row_type]


def one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1, frame
    return frame.iloc[0]


# -- mapping values to outcomes ---------------------------------------------------------------


@pytest.mark.parametrize(("value", "bounds"), [("any", (1, 5)), (">=3", (3, 5)), (">2", (3, 5)), ("1-2", (1, 2)),
                                               ("<=2", (0, 2)), ("0", (0, 0)), ("4", (4, 4)), ("severe", None)])
def test_grade_bounds(value, bounds):
    assert grade_bounds(value) == bounds


@pytest.mark.parametrize(("field", "value", "outcomes"), [
    ("crs", "any", [("crs_any", False)]),
    ("crs", ">=3", [("crs_grade3plus", False)]),
    ("icans", "3-4", [("icans_grade3plus", False)]),
    ("crs", "0", [("crs_any", False), ("crs_grade3plus", True)]),
    ("crs", "1", []),
    ("crs", "1-2", []),
    ("response", "CR", [("cr", False)]),
    ("response", "ORR", [("orr", False)]),
    ("response", "PR", []),
])
def test_statement_outcomes(field, value, outcomes):
    assert statement_outcomes(field, value) == outcomes


@pytest.mark.parametrize(("outcome", "value", "event"), [
    ("crs_any", "1", True), ("crs_any", "0", False), ("crs_grade3plus", "any", None),
    ("crs_grade3plus", "1-2", False), ("crs_grade3plus", ">=3", True),
    ("cr", "MRD_negative_CR", True), ("cr", "PR", False), ("cr", "ORR", None),
    ("orr", "PR", True), ("orr", "PD", False),
])
def test_patient_event(outcome, value, event):
    assert patient_event(outcome, value) is event


# -- the pooled estimates -------------------------------------------------------------------------


def test_pooled_crs_of_cd19_matches_the_hand_computation(synth):
    # t1 3/10, t2 5/20, t3 0/8 (0.5 added to each cell): DL on logits, by hand
    cells = [(3, 7), (5, 15), (0.5, 8.5)]
    ys = [math.log(a / b) for a, b in cells]
    vs = [1 / a + 1 / b for a, b in cells]
    w = [1 / v for v in vs]
    mu = sum(wi * y for wi, y in zip(w, ys, strict=True)) / sum(w)
    q = sum(wi * (y - mu) ** 2 for wi, y in zip(w, ys, strict=True))
    assert q < 2  # so tau2 is 0 and the pool is the inverse-variance one
    se = math.sqrt(1 / sum(w))
    pooled = one(rows(synth, "crs_any", "CD19", "pooled"))
    assert pooled["proportion"] == pytest.approx(1 / (1 + math.exp(-mu)), rel=1e-9)
    assert pooled["ci_low"] == pytest.approx(1 / (1 + math.exp(-(mu - Z * se))), rel=1e-9)
    assert pooled["ci_high"] == pytest.approx(1 / (1 + math.exp(-(mu + Z * se))), rel=1e-9)
    assert (pooled["n_studies"], pooled["n_patients"], pooled["events"]) == (3, 38, 8)
    assert pooled["tau2"] == 0 and pooled["i2"] == 0
    assert pooled["q"] == pytest.approx(q, rel=1e-9)
    assert (pooled["transform"], pooled["method"], pooled["interval"]) == ("logit", "dl", "random_effects")
    studies = rows(synth, "crs_any", "CD19", "study")
    assert studies["weight"].sum() == pytest.approx(1.0)
    assert list(studies["weight"]) == pytest.approx([wi / sum(w) for wi in w])


def test_a_study_row_has_its_own_wilson_interval(synth):
    t1 = one(rows(synth, "crs_any", "CD19", "study").query("doc_id == @doc('t1')"))
    assert (t1["events"], t1["total"], t1["denominator"]) == (3, 10, "stated")
    assert (t1["ci_low"], t1["ci_high"]) == pytest.approx((0.1078, 0.6032), abs=5e-5)
    assert t1["interval"] == "wilson"


def test_exact_intervals_on_request(long):
    exact = synthesize(long, interval="exact")
    t1 = one(rows(exact, "crs_any", "CD19", "study").query("doc_id == @doc('t1')"))
    assert (t1["ci_low"], t1["ci_high"]) == pytest.approx((0.0667, 0.6525), abs=5e-5)


def test_a_group_of_one_study_is_not_pooled_and_keeps_its_own_interval(synth):
    pooled = one(rows(synth, "crs_any", "CD7", "pooled"))
    assert pooled["method"] == "single_study" and "single_study" in pooled["flags"]
    assert pooled["proportion"] == pytest.approx(11 / 12)
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx(study_interval(11, 12))
    assert pd.isna(pooled["i2"]) and pd.isna(pooled["tau2"])
    assert pooled["n_studies"] == 1


def test_zero_and_all_events_are_continuity_corrected_and_flagged(synth):
    t3_crs = one(rows(synth, "crs_any", "CD19", "study").query("doc_id == @doc('t3')"))
    assert (t3_crs["events"], t3_crs["total"], t3_crs["continuity"]) == (0, 8, 0.5)
    assert "continuity_corrected" in t3_crs["flags"]
    t3_cr = one(rows(synth, "cr", "CD19", "study").query("doc_id == @doc('t3')"))
    assert (t3_cr["events"], t3_cr["total"], t3_cr["proportion"], t3_cr["ci_high"]) == (8, 8, 1.0, 1.0)
    assert "continuity_corrected" in t3_cr["flags"]
    t1_cr = one(rows(synth, "cr", "CD19", "study").query("doc_id == @doc('t1')"))
    assert t1_cr["continuity"] == 0 and "continuity_corrected" not in str(t1_cr["flags"])


def test_derived_denominator_is_said(synth):
    t2_cr = one(rows(synth, "cr", "CD19", "study").query("doc_id == @doc('t2')"))
    assert (t2_cr["events"], t2_cr["total"], t2_cr["denominator"]) == (10, 20, "n_patients")
    assert set(t2_cr["flags"].split("|")) >= {"derived_denominator", "events_from_pct"}
    # the n_patients row that gave N is among its evidence
    assert "ev-0200000000000002" in t2_cr["evidence_ids"].split("|")
    assert "derived_denominator" in one(rows(synth, "cr", "CD19", "pooled"))["flags"]


def test_curator_decisions_are_respected(synth, long):
    # t1's second CRS statement (9/10) is rejected: t1 is 3/10 and states CRS once
    t1 = one(rows(synth, "crs_any", "CD19", "study").query("doc_id == @doc('t1')"))
    assert t1["events"] == 3 and "multiple_statements" not in str(t1["flags"])
    assert "ev-0100000000000009" not in synth["evidence_ids"].str.cat(sep="|")
    # t2's CRS was corrected from grade 1 to any grade: it counts as CRS of any grade
    t2 = one(rows(synth, "crs_any", "CD19", "study").query("doc_id == @doc('t2')"))
    assert (t2["events"], t2["total"], t2["stated_value"]) == (5, 20, "any")
    # and the same evidence with the rejection lifted changes t1
    lifted = long.copy()
    lifted.loc[lifted["evidence_id"] == "ev-0100000000000009", "status"] = "accepted"
    again = synthesize(lifted, method="dl")
    t1_again = one(rows(again, "crs_any", "CD19", "study").query("doc_id == @doc('t1')"))
    assert "multiple_statements" in t1_again["flags"]
    assert len(rows(again, "crs_any", "CD19", "excluded")) == 1


def test_grade_3_is_pooled_within_one_known_scale_only(synth, long):
    astct = one(rows(synth, "crs_grade3plus", "CD19", "pooled"))
    assert astct["stratum"] == "ASTCT" and astct["n_studies"] == 2 and astct["grading_scale"] == "ASTCT"
    unknown = rows(synth, "crs_grade3plus", "CD19").query("stratum == 'scale not stated'")
    assert list(unknown["row_type"]) == ["study"]  # listed, flagged, not pooled
    assert {"scale_not_stated", "implied_by_no_event"} <= set(unknown.iloc[0]["flags"].split("|"))
    pooled_too = synthesize(long, pool_unstated_scale=True)
    assert one(rows(pooled_too, "crs_grade3plus", "CD19", "pooled").query("stratum == 'scale not stated'"))[
        "method"] == "single_study"
    # any grade is pooled across scales
    assert one(rows(synth, "crs_any", "CD19", "pooled"))["stratum"] == "all"


def test_every_study_one_patient_case_reports_beside_never_in_the_pool(synth):
    bcma = rows(synth, "crs_any", "BCMA")
    assert "pooled" not in set(bcma["row_type"]) and "study" not in set(bcma["row_type"])
    patients = one(bcma[bcma["row_type"] == "patients"])
    assert (patients["events"], patients["total"], patients["n_studies"]) == (2, 3, 3)
    assert pd.isna(patients["ci_low"])
    assert set(patients["doc_ids"].split("|")) == {doc("cr1"), doc("cr2"), doc("cr3")}
    assert (one(rows(synth, "crs_grade3plus", "BCMA", "patients"))[["events", "total"]] == [1, 3]).all()
    assert (one(rows(synth, "cr", "BCMA", "patients"))[["events", "total"]] == [2, 3]).all()


def test_meta_analyses_and_rates_without_denominator_are_excluded_with_a_reason(synth):
    ma = one(rows(synth, "crs_any", "BCMA", "excluded"))
    assert ma["doc_id"] == doc("ma") and "meta_analysis" in ma["exclusion"]
    t5 = one(rows(synth, "crs_any", "CD7", "excluded"))
    assert t5["doc_id"] == doc("t5") and "no denominator" in t5["exclusion"]


def test_every_grouping_is_there(synth):
    assert set(synth["grouping"]) == {"target_antigen", "product", "disease", "cell_source", "vector", "cell_type"}
    product = one(rows(synth, "crs_any", "autologous CD19 CAR-T (lentiviral)", "pooled", grouping="product"))
    assert product["n_studies"] == 2  # t3 states no vector: it is another product
    disease = one(rows(synth, "crs_any", "DLBCL", "pooled", grouping="disease"))
    assert disease["n_studies"] == 2
    source = one(rows(synth, "crs_any", "autologous", "pooled", grouping="cell_source"))
    assert source["n_studies"] == 3  # the meta-analysis stays out


def test_clinician_table_reads_in_words(synth):
    table = clinician_table(synth).set_index("group")
    assert table.at["CD19", "crs_any"].startswith("24% (13–41); 3 studies, 38 patients; I² 0%")
    assert table.at["CD7", "crs_any"].startswith("92% (65–99); 1 study, 12 patients")
    assert table.at["BCMA", "crs_any"] == "case reports/series: 2 of 3 patients"
    assert "ev-0100000000000008" in table.at["CD19", "crs_any_evidence"]
    by_vector = clinician_table(synth, "vector").set_index("group")
    assert by_vector.at["not stated", "crs_any"] == (
        "1 study, not pooled (group not stated); case reports/series: 2 of 3 patients")


# -- the table as a file ------------------------------------------------------------------------


def test_a_rebuild_changes_only_rows_whose_evidence_changed(long, synth):
    changed = long.copy()
    changed.loc[changed["evidence_id"] == "ev-0400000000000009", "n"] = 9  # t4: CR 9/12 instead of 10/12
    again = synthesize(changed, method="dl")
    assert len(again) == len(synth)
    cells = again.astype("string").fillna("") != synth.astype("string").fillna("")
    differs = cells.any(axis=1)
    touched = synth["doc_ids"].fillna("").str.contains(doc("t4"), regex=False)
    assert differs[touched].any()
    assert set(synth.loc[differs, "outcome"]) == {"cr"}
    # another study's row changes only in its weight, and only in a pool that t4 is in
    others = differs & ~touched
    assert others.any()
    assert list(cells.columns[cells.loc[others].any()]) == ["weight"]
    pools = synth[touched & (synth["row_type"] == "pooled")][["outcome", "grouping", "group", "stratum"]]
    keys = set(pools.itertuples(index=False, name=None))
    assert all(k in keys for k in synth.loc[others, ["outcome", "grouping", "group", "stratum"]]
               .itertuples(index=False, name=None))


def test_written_twice_byte_identical_and_read_back_typed(tmp_path, synth):
    write_synthesis(synth, tmp_path)
    first = (tmp_path / "synthesis.csv").read_bytes(), (tmp_path / "synthesis.parquet").read_bytes()
    write_synthesis(synth, tmp_path)
    assert first == ((tmp_path / "synthesis.csv").read_bytes(), (tmp_path / "synthesis.parquet").read_bytes())
    back = read_synthesis(tmp_path)
    pd.testing.assert_frame_equal(back, synth)
    (tmp_path / "synthesis.parquet").unlink()
    pd.testing.assert_frame_equal(read_synthesis(tmp_path), synth)


def test_validation_names_row_and_column(synth):
    broken = synth.copy()
    i = int(broken.index[broken["row_type"] == "study"][0])
    broken.loc[i, "events"] = 99
    with pytest.raises(TableSchemaError, match=rf"row {i} .*column 'events': expected events <= total"):
        validate_synthesis(broken)
    broken = synth.copy()
    broken.loc[0, "outcome"] = "crs_grade2"
    with pytest.raises(TableSchemaError, match=r"row 0 .*column 'outcome'"):
        validate_synthesis(broken)
    broken = pd.concat([synth, synth.iloc[[0]]], ignore_index=True)
    with pytest.raises(TableSchemaError, match="one row per"):
        validate_synthesis(broken)


def test_empty_evidence_gives_an_empty_valid_table():
    empty = synthesize(rt.typed_long(pd.DataFrame(columns=["evidence_id"])))
    assert empty.empty and list(empty.columns) == list(SYNTHESIS_COLUMNS)


def test_the_data_dictionary_is_up_to_date():
    assert (ROOT / "docs" / "synthesis_schema.md").read_text(encoding="utf-8") == render_dictionary()


def test_cli_synthesize_writes_the_table(tmp_path, long):
    write_tables(long, tmp_path)
    result = CliRunner().invoke(app, ["synthesize", "--corpus", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "pooled estimates" in result.output
    written = read_synthesis(tmp_path)
    pm = synthesize(tmp_path)
    pd.testing.assert_frame_equal(written, pm)
    assert set(written.loc[written["row_type"] == "pooled", "method"]) <= {"pm", "single_study"}


def test_cli_names_a_missing_table(tmp_path):
    result = CliRunner().invoke(app, ["synthesize", "--corpus", str(tmp_path)])
    assert result.exit_code == 1
    assert "no evidence table here" in result.output
