"""The count, rate, design, expansion and duration assemblers on phrasings of real cohort abstracts
(our own wording of the phenomena; none is copied from a gold document)."""

from __future__ import annotations

import pytest

from pipeline.extract import Extractor, build_nlp
from pipeline.readers import read_text


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(build_nlp())


def fields_of(extractor: Extractor, text: str) -> dict:
    return extractor.extract(read_text(text, doc_id="test")).fields


@pytest.mark.parametrize(("text", "n"), [
    ("In this phase 2 trial, 40 patients were enrolled and 35 received CAR-T cell infusion.", 35),
    ("Of the 45 patients enrolled, 41 received cilta-cel and were evaluable for response.", 41),
    ("Eligible patients (n = 33) received a single infusion of CAR-T cells.", 33),
    ("Data from 1,045 patients in 12 studies were pooled.", 1045),
    ("We conducted a systematic review and meta-analysis of 18 studies including 997 patients.", 997),
    ("Of these patients, 43 were enrolled in the CAR-T group and 20 received chemotherapy.", 43),
    ("Patients who reached CR with CAR-T therapy (n=27) or with chemotherapy (n=78) then received allo-HSCT.", 27),
    ("344 adults underwent leukapheresis, and 269 received at least one dose of liso-cel.", 269),
    ("The median age of the 40 patients was 55 years (range, 23-74).", 40),
])
def test_treated_count_from_the_words_around_it(extractor, text, n):
    assert fields_of(extractor, text)["n_patients"] == n


def test_a_subgroup_that_received_another_therapy_is_not_the_cohort(extractor):
    text = ("We reviewed 53 patients with R/R B-ALL successfully infused with CD19 CAR-T cells. "
            "In this study, 25 patients received consolidative cord blood transplantation.")
    assert fields_of(extractor, text)["n_patients"] == 53


@pytest.mark.parametrize(("text", "field", "expected"), [
    ("The estimated incidence of total and severe (grade ≥3) CRS were 87% and 6% respectively.", "crs",
     [{"grade": ">=3", "n": None, "pct": 6}, {"grade": "any", "n": None, "pct": 87}]),
    ("ICANS and severe ICANS had an estimated incidence of 16% and 3%.", "icans",
     [{"grade": "any", "n": None, "pct": 16}, {"grade": ">=3", "n": None, "pct": 3}]),
    ("In total, 12 patients (60%) developed grade 1 CRS, 5 (25%) grade 2 CRS, and 1 (5%) grade 3 CRS.", "crs",
     [{"grade": "1", "n": 12, "pct": 60}, {"grade": "2", "n": 5, "pct": 25}, {"grade": "3", "n": 1, "pct": 5}]),
    ("Grade ≥3 adverse events included neutropenia (80%), anemia (40%) and CRS (5%).", "crs",
     [{"grade": ">=3", "n": None, "pct": 5}]),
    ("ICANS occurred in 5.6% of patients (all grade 1).", "icans", [{"grade": "1", "n": None, "pct": 5.6}]),
    ("Adverse events included CRS in 87% (n=48) at grades 1-2 and 11% (n=6) at grade 3.", "crs",
     [{"grade": "1-2", "n": 48, "pct": 87}, {"grade": "3", "n": 6, "pct": 11}]),
    ("Twenty patients received CAR-T cells, with no cases of severe neurotoxicity reported.", "icans",
     [{"grade": ">=3", "n": 0, "pct": None}]),
    ("No patient experienced greater than grade 1 neurotoxicity.", "icans", [{"grade": ">=2", "n": 0, "pct": None}]),
    ("Twelve patients (60%) achieved CR and 4 (20%) achieved PR.", "response",
     [{"category": "CR", "n": 12, "pct": 60}, {"category": "PR", "n": 4, "pct": 20}]),
    ("CR or CRi was achieved in 27 of 30 patients (90%).", "response",
     [{"category": "CR", "n": 27, "pct": 90}, {"category": "CRi", "n": 27, "pct": 90}]),
    ("The CR rate was 68% in ALL (n = 116) and 64% in NHL (n = 28).", "response",
     [{"category": "CR", "n": None, "pct": 68}, {"category": "CR", "n": None, "pct": 64}]),
    ("The CR rate was 74% for liso-cel vs 43% for SOC.", "response", [{"category": "CR", "n": None, "pct": 74}]),
    ("Eight out of 11 patients (73%) had a response, including seven with complete remission.", "response",
     [{"category": "ORR", "n": 8, "pct": 73}, {"category": "CR", "n": 7, "pct": None}]),
])
def test_rates_bind_to_their_statements(extractor, text, field, expected):
    assert fields_of(extractor, text)[field] == expected


def test_a_verb_alone_states_no_response(extractor):
    text = "Patients who responded had a longer PFS. CRS responded to tocilizumab in all cases."
    assert fields_of(extractor, text)["response"] == []


def test_the_same_rate_stated_twice_is_one_observation(extractor):
    text = ("Forty patients received CD19 CAR-T cells. The ORR was 80%. "
            "Conclusion: CAR-T cells gave an ORR of 80% in this cohort.")
    assert fields_of(extractor, text)["response"] == [{"category": "ORR", "n": None, "pct": 80}]


@pytest.mark.parametrize(("text", "measure", "value", "qualifier"), [
    ("After a 26.3-month median follow-up, median event-free survival was 5.0 months.", "follow_up", 26.3, "median"),
    ("After a 26.3-month median follow-up, median event-free survival was 5.0 months.", "survival", 5.0, "median"),
    ("Median times to first response and complete response were 1.0 and 2.9 months, respectively.",
     "time_to_response", 2.9, "median"),
    ("Median time from infusion to onset of CRS was 3 days, and the median duration was 7 days.", "other", 7, "median"),
    ("CAR-T cells were infused. The patient remained in remission for 9 months before relapsing.",
     "response_duration", 9, None),
])
def test_durations_take_their_measure_from_context(extractor, text, measure, value, qualifier):
    found = fields_of(extractor, text)["durations"]
    assert any(d["measure"] == measure and d["value"] == value and d["qualifier"] == qualifier for d in found), found


def test_rates_at_a_time_point_are_no_durations(extractor):
    text = "PFS and OS rates 24 months after treatment were 36.8% and 42.3%; the 1-year OS was 75%."
    assert fields_of(extractor, text)["durations"] == []


def test_a_remission_before_the_car_stays_prior(extractor):
    text = "She had been in CR for 2 years before a relapse, and then received CD19 CAR-T cells."
    assert fields_of(extractor, text)["durations"] == [
        {"measure": "prior_remission", "value": 2, "unit": "year", "qualifier": None}]


@pytest.mark.parametrize(("text", "design", "n"), [
    ("Patient 1, a 28-year-old female, and patient 2, a 35-year-old male, received CD7 CAR-T cells.", "case_series", 2),
    ("A 49-year-old woman with POEMS syndrome received BCMA CAR-T cells. Another patient with myeloma was also "
     "treated. Both patients achieved a stringent complete response.", "case_series", 2),
    ("Advances in CAR T-cell therapy for B-cell lymphoma: the paper discusses their therapeutic potential.",
     "review", None),
])
def test_design_from_described_patients_and_weak_cues(extractor, text, design, n):
    fields = fields_of(extractor, text)
    assert (fields["study_design"], fields["n_patients"]) == (design, n)


def test_coordinated_modifiers_name_each_disease(extractor):
    text = "We treated patients with ovarian and pancreatic cancers, and others with follicular and mantle cell " \
           "lymphomas, with CAR-T cells."
    assert set(fields_of(extractor, text)["disease"]) == {"ovarian_cancer", "pancreatic_cancer", "FL", "MCL"}


@pytest.mark.parametrize(("text", "peak"), [
    ("CAR-T cells expanded rapidly, peaking on day 7 at 1.2 × 10^5 copies/μg genomic DNA.",
     {"value": 120000, "unit": "copies/ug", "day": 7}),
    ("CAR T cells peaked at 120 cells/μL (day 9) and remained detectable for 6 months.",
     {"value": 120, "unit": "cells/ul", "day": 9}),
    ("The peak of CAR-T cell expansion (35.2% of CD3+ T cells) was observed on day 10.",
     {"value": 35.2, "unit": "percent", "day": 10}),
])
def test_expansion_peak_from_a_level_after_a_peak_cue(extractor, text, peak):
    fields = fields_of(extractor, text)
    assert fields["expansion_peak"] == [peak]
    assert not any(d["measure"] == "other" and d["value"] == peak["day"] for d in fields["durations"])


def test_a_highest_rate_is_no_expansion_peak(extractor):
    text = "Forty patients received CAR-T cells. The highest fatality rate (43.6%) was seen with one product."
    assert fields_of(extractor, text)["expansion_peak"] == []
