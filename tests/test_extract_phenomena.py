"""Language phenomena found on real published abstracts, one regression case per fix.

Every sentence here is written for the test (paraphrased phenomena, invented numbers); no
third-party abstract text is copied.
"""

from __future__ import annotations

import pytest

from pipeline.extract import Extractor, build_nlp
from pipeline.readers import read_text


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(build_nlp())


def fields_of(extractor: Extractor, text: str) -> dict:
    return extractor.extract(read_text(text, doc_id="test")).fields


COHORT = "A total of 40 patients with multiple myeloma received BCMA CAR-T cells in this study. "


def grades(extractor: Extractor, text: str, field: str) -> list[tuple]:
    return [(o["grade"], o["n"], o["pct"]) for o in fields_of(extractor, text)[field]]


# -- negation scope ---------------------------------------------------------------------------
def test_negated_grade_is_that_grade_in_no_patient(extractor):
    text = COHORT + "Toxicity was acceptable: no CRS grade 4 was seen, and no ICANS grade ≥3."
    assert grades(extractor, text, "crs") == [("4", 0, None)]
    assert grades(extractor, text, "icans") == [(">=3", 0, None)]


def test_negation_covers_every_item_of_an_or_list(extractor):
    text = COHORT + "No infusion reactions, cytokine release syndrome, or CAR T cell-related neurotoxicity occurred."
    assert grades(extractor, text, "crs") == [("0", None, None)]
    assert grades(extractor, text, "icans") == [("0", None, None)]
    text = COHORT + "No participant underwent GvHD, CRS, or ICANS during the study."
    assert grades(extractor, text, "crs") == [("0", None, None)]
    assert grades(extractor, text, "icans") == [("0", None, None)]


def test_relative_clause_subgroup_is_not_a_negation(extractor):
    text = COHORT + "Outcomes of patients who did not develop CRS were similar to the others."
    assert grades(extractor, text, "crs") == []


def test_named_measure_without_value_yields_nothing(extractor):
    text = COHORT + "Adverse events, including CRS and ICANS, were recorded and graded."
    assert grades(extractor, text, "crs") == []
    assert grades(extractor, text, "icans") == []


def test_subgroup_label_is_not_an_event(extractor):
    text = COHORT + "In the severe CRS group, the median PFS was short."
    assert grades(extractor, text, "crs") == []


# -- grades in brackets -----------------------------------------------------------------------
def test_grade_with_own_rate_in_brackets(extractor):
    text = COHORT + "Cytokine release syndrome (CRS) occurred in 76% (4% grade ≥3), neurotoxicity in 12% (3% grade ≥3)."
    assert grades(extractor, text, "crs") == [("any", None, 76), (">=3", None, 4)]
    assert grades(extractor, text, "icans") == [("any", None, 12), (">=3", None, 3)]


def test_grade_in_brackets_after_a_severity_word(extractor):
    text = COHORT + "Neurotoxicity was seen in two patients and was mild (grade 2)."
    assert grades(extractor, text, "icans") == [("2", 2, None)]
    text = COHORT + "CRS occurred in 70% and was mostly mild (grades 1-2)."
    assert grades(extractor, text, "crs") == [("any", None, 70), ("1-2", None, None)]


def test_maximum_grade_in_brackets(extractor):
    text = COHORT + "Side effects were neutropenia, CRS (maximum grade 2) and fatigue."
    assert [g for g, _, _ in grades(extractor, text, "crs")] == ["2"]
