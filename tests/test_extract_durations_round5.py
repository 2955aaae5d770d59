"""Durations on the phrasings of our own duration battery's misses (tests/fixtures/gold/battery2.jsonl;
each case here is reworded, not one of its lines)."""

from __future__ import annotations

import pytest
from extract_support import durations_of as durations
from extract_support import fields_of as fields


def test_one_patients_response_at_a_time_point(extractor):
    got = durations(extractor, "A 61-year-old man with DLBCL received CD19 CAR-T cells. He was in CR at 2 months.")
    assert got == [("time_to_response", 2, "month", None)]
    got = durations(extractor, "A 50-year-old woman with myeloma received BCMA CAR-T cells and reached sCR at month 4.")
    assert got == [("time_to_response", 4, "month", None)]


def test_ongoing_remissions_in_more_forms(extractor):
    assert ("response_duration", 20, "month", "ongoing") in durations(
        extractor, "A 40-year-old woman received CD19 CAR-T cells; she remains in sCR 20 months after infusion.")
    assert ("response_duration", 12, "month", "ongoing") in durations(
        extractor, "A 9-year-old boy received CD19 CAR-T cells and remains leukemia-free 12 months later.")
    assert ("response_duration", 24, "month", "ongoing") in durations(
        extractor, "After BCMA CAR-T, a 66-year-old man has maintained MRD-negative sCR for 24 months.")


def test_days_of_a_timeline(extractor):
    got = durations(extractor, "A 70-year-old man received CD19 CAR-T cells. D3, fever and grade 1 CRS; D30, CR "
                               "confirmed by PET/CT.")
    assert got == [("other", 3, "day", None), ("time_to_response", 30, "day", None)]
    got = durations(extractor, "A 30-year-old man received CD7 CAR-T cells. Bone marrow on d+28 showed MRD-negative CR.")
    assert got == [("time_to_response", 28, "day", None)]


def test_the_crs_day_before_a_response_stays_the_crs_day(extractor):
    got = durations(extractor, "A 44-year-old woman received CD5 CAR-T cells. She developed grade 1 CRS on day 3, "
                               "achieved CR at week 4, and was bridged to transplant.")
    assert ("other", 3, "day", None) in got and ("time_to_response", 4, "week", None) in got


def test_relapse_death_and_response_lengths_counted_from_the_car(extractor):
    got = durations(extractor, "Thirty patients with B-ALL received CD22 CAR-T cells; eight relapsed, at a median of "
                               "5 months after infusion.")
    assert got == [("time_to_relapse", 5, "month", "median")]
    got = durations(extractor, "A 70-year-old woman received CD19 CAR-T cells; her lymphoma progressed and she died "
                               "two months after infusion.")
    assert got == [("other", 2, "month", None)]
    got = durations(extractor, "A 60-year-old man received CLL1 CAR-T cells, achieved CR on day 21 but relapsed 3 "
                               "months after achieving CR.")
    assert ("response_duration", 3, "month", None) in got


def test_a_remission_before_progression_after_the_car_is_the_cars(extractor):
    got = durations(extractor, "A 50-year-old woman with gastric cancer received CLDN18.2 CAR-T cells. A partial "
                               "response lasted 4 months before progression.")
    assert got == [("response_duration", 4, "month", None)]


def test_a_remission_before_relapse_after_a_transplant_is_prior(extractor):
    got = durations(extractor, "A 25-year-old man remained in CR for five months after allogeneic HSCT before "
                               "relapsing. He then received donor-derived CD19 CAR-T cells.")
    assert got == [("prior_remission", 5, "month", None)]
    got = durations(extractor, "A 7-year-old girl relapsed 10 weeks after a second allogeneic transplant and received "
                               "CD19 CAR-T cells.")
    assert got == [("prior_remission", 10, "week", None)]


def test_dose_escalation_and_enrolment_periods_keep_the_results(extractor):
    got = durations(extractor, "In a phase 1 dose-escalation study, 20 patients received CD123 CAR-T cells, and the "
                               "median OS was 6.1 months.")
    assert got == [("survival", 6.1, "month", "median")]
    got = durations(extractor, "We analysed 150 patients treated between 2019 and 2022, median follow-up was 15 months.")
    assert got == [("follow_up", 15, "month", "median")]


def test_a_comparators_value_in_a_list_is_left_out(extractor):
    got = durations(extractor, "In this randomised trial, median EFS was 8.3 months with CAR-T versus 2.0 months with "
                               "standard care.")
    assert got == [("survival", 8.3, "month", "median")]


def test_persistence_and_event_lengths(extractor):
    assert ("other", 4, "month", "median") in durations(
        extractor, "In 30 patients, the median persistence of CAR-T cells was 4 months.")
    assert ("other", 5, "day", None) in durations(
        extractor, "A 40-year-old man received CD7 CAR-T cells; grade 2 ICANS appeared on d+6 and lasted 5 days.")


@pytest.mark.parametrize(("text", "patient"), [
    ("A woman in her 60s with myeloma was treated with BCMA CAR-T cells. She reached CR.", (None, "female")),
    ("A 70-year-old kidney transplant recipient developed DLBCL. He was treated with CD19 CAR-T cells.", (70, "male")),
    ("A 22-year-old with relapsed T-ALL received CD7 CAR-T cells. She achieved CR on day 28.", (22, "female")),
    ("We report a patient (male, aged 63) with myeloma who received BCMA CAR-T cells.", (63, "male")),
    ("Aged 41, a woman with Hodgkin lymphoma received CD30 CAR-T cells.", (41, "female")),
])
def test_one_patient_described_in_more_forms(extractor, text, patient):
    f = fields(extractor, text)
    assert f["study_design"] == "case_report" and f["n_patients"] == 1
    assert [(p["age_years"], p["sex"]) for p in f["patients"]] == [patient]


def test_the_first_patient_aged_n_was_a_woman(extractor):
    f = fields(extractor, "The first patient, aged 48, was a woman with MCL; the second, a 70-year-old man with FL, "
                          "had a PR. Both received CD19 CAR-T cells.")
    assert (48, "female") in [(p["age_years"], p["sex"]) for p in f["patients"]]


@pytest.mark.parametrize(("text", "labels"), [
    ("A 60-year-old man had received four prior lines, including high-dose chemotherapy with autologous stem cell "
     "transplantation. He then received CD19 CAR-T cells.", ["prior_auto_hsct"]),
    ("Twenty patients received BCMA CAR-T cells. Five had relapsed after autologous stem cell transplantation.",
     ["prior_auto_hsct"]),
    ("Forty patients received CD19 CAR-T cells; ten responders proceeded to consolidative allo-HSCT.",
     ["consolidative_allo_hsct"]),
    ("Patients older than 70 or with comorbidities precluding ASCT received CD19 CAR-T cells.", []),
    ("Patients who had received an allo-HSCT before CAR-T therapy were excluded. Thirty patients were infused.", []),
])
def test_transplant_timing_in_more_forms(extractor, text, labels):
    assert fields(extractor, text)["transplant"] == labels


@pytest.mark.parametrize(("text", "source"), [
    ("A 50-year-old woman received autologous CLDN18.2 CAR-T cells.", ["autologous"]),
    ("Sixty patients received CD19 CAR-T cells manufactured from their own lymphocytes.", ["autologous"]),
    ("Across 12 studies of CD7 CAR-T cells, the CR rate was 80% with donor-derived products.", ["allogeneic"]),
])
def test_cell_source_in_more_forms(extractor, text, source):
    assert fields(extractor, text)["cell_source"] == source


def test_a_dose_of_a_drug_is_no_dosing_schedule(extractor):
    got = durations(extractor, "A 30-year-old woman received CD7 CAR-T cells. Grade 2 CRS began on day 3 and resolved "
                               "after one dose of tocilizumab.")
    assert got == [("other", 3, "day", None)]


def test_a_response_which_is_ongoing(extractor):
    got = durations(extractor, "A 60-year-old man received CD19 CAR-T cells. PET at one month showed a complete "
                               "response, which is ongoing at 14 months.")
    assert ("response_duration", 14, "month", "ongoing") in got


def test_a_transplant_not_done_is_no_history(extractor):
    got = durations(extractor, "A 30-year-old woman received CD7 CAR-T cells. She has not undergone a second "
                               "transplant and remains in MRD-negative CR 10 months after infusion.")
    assert got == [("response_duration", 10, "month", "ongoing")]


def test_a_death_counted_from_admission_is_no_duration(extractor):
    got = durations(extractor, "A 21-year-old man received CD19 CAR-T cells and achieved CR. He died of pneumonia 22 "
                               "days after admission.")
    assert all(d[1] != 22 for d in got)


def test_assessment_days_landmarks_and_symptoms_give_no_duration(extractor):
    assert durations(extractor, "Thirty patients received CD22 CAR-T cells; CR was achieved in 24 of 28 patients "
                                "evaluated on day 30 after infusion.") == []
    assert durations(extractor, "The 1-year progression-free survival and overall survival for all evaluable patients "
                                "were 36% and 94%, respectively.") == []
    got = durations(extractor, "A 22-year-old man received tisa-cel. His neurological symptoms rapidly progressed from "
                               "day 65.")
    assert all(d[0] != "time_to_relapse" for d in got)


def test_progression_free_at_a_time_is_no_relapse(extractor):
    got = durations(extractor, "In 58 patients treated with CD19 CAR-T cells, 30% were alive and progression free 2 "
                               "years after CAR-T therapy.")
    assert all(d[0] != "time_to_relapse" for d in got)


def test_followed_by_and_group_definitions_give_no_duration(extractor):
    assert all(d[0] != "follow_up" for d in durations(
        extractor, "In 30 patients, the syndrome emerged 9 days after infusion, followed by LDH rise (median 11 days)."))
    assert durations(extractor, "Patients were stratified into consolidation (allo-HSCT within 3 months post-CAR-T) "
                                "and non-consolidation groups.") == []


def test_a_median_survival_after_a_rate_of_responders(extractor):
    got = durations(extractor, "Across 15 studies, the pooled relapse rate of responders was 38% and median "
                               "progression-free survival was 8 months.")
    assert got == [("survival", 8, "month", "median")]


def test_a_landmark_rate_after_a_comma(extractor):
    assert durations(extractor, "In 32 patients in remission, 1-year EFS and survival, 59% (37, 81%).") == []
