"""Phenomena of the eighth round (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import pytest
from extract_support import fields_of

from pipeline.readers import read_text

# -- a conference abstract's number before its title ------------------------------------------------------------------

def test_a_numbered_conference_abstract_keeps_its_title_line():
    text = ("652.MYELOMA: CELLULAR THERAPIES | DECEMBER 2025\n\n"
            "Abstract 1187: A Phase 2 Study of ZR-17, an Autologous CD70-Directed CAR T-Cell Therapy, in Renal Cell "
            "Carcinoma\n\nAna Ruiz, MD1, Tom Berg, PhD2\n\n"
            "Background: CD70 is expressed on clear-cell renal carcinoma.\nMethods: Adults were eligible.\n"
            "Results: Twelve patients were infused.\nConclusions: ZR-17 was feasible.")
    doc = read_text(text, doc_id="x")
    assert doc.title == ("A Phase 2 Study of ZR-17, an Autologous CD70-Directed CAR T-Cell Therapy, in Renal Cell "
                         "Carcinoma")
    title = next(z for z in doc.zones if z.name == "title")
    assert text[title.start:title.end] == doc.title


def test_a_citation_line_is_still_skipped():
    text = ("Blood 2024; 144 (Suppl 1): 2874.\n\nCD19 CAR T cells in adults with B-ALL: a multicentre experience\n\n"
            "Background: Adults with B-ALL relapse often.\nResults: Twenty patients were infused.")
    assert read_text(text, doc_id="x").title == "CD19 CAR T cells in adults with B-ALL: a multicentre experience"


# -- target antigens: lists of targets, CARs given before, CARs set against -------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # a list opened by "Targets were" in a CAR report
    ("We pooled 18 studies of CAR-T cells in AML. Targets were CD33 (6 studies), CLL1 (5), CD123 (4) and FLT3 (1).",
     ["CD33", "CLL1", "CD123", "FLT3"]),
    # a CAR set against another: "differs from that of"
    ("Ide-cel, a BCMA-directed CAR T-cell product, has a toxicity profile that differs from that of CD19-directed "
     "products. We treated 31 patients with ide-cel.", ["BCMA"]),
    # a patient's history that ends in a relapse
    ("A 60-year-old woman had received an anti-CD19 CAR-T product and stayed in remission for 9 months before "
     "relapsing. She was then treated with CD22 CAR T cells.", ["CD22"]),
    # a failure named after the study's own CAR belongs to the earlier one
    ("CD22-targeted CAR-T cell therapy after failure of CD19-directed CAR-T cells: three cases.", ["CD22"]),
    # a prior CAR across a hyphenated word: "relapsing with CD19-negative disease after CD19 CAR-T"
    ("Case report: CD22 CAR T cells in a boy relapsing with CD19-negative leukaemia after anti-CD19 CAR T-cell "
     "therapy.", ["CD22"]),
])
def test_target_antigens_of_the_studys_own_car(extractor, text, expected):
    assert fields_of(extractor, text)["target_antigen"] == expected


def test_a_car_before_a_relapse_in_a_trial_of_that_car_is_kept(extractor):
    text = "CD19 CAR-T cells induced complete remission in 8 of 10 patients before relapse in three."
    assert fields_of(extractor, text)["target_antigen"] == ["CD19"]


# -- misspelt verbs ---------------------------------------------------------------------------------------------------

def test_the_common_misspellings_of_the_verbs_rules_name(extractor):
    fields = fields_of(extractor, "Twelve patients recieved CAR-T cells. Eight of 12 (66.7%) achived CR; CRS occured "
                                  "in 9 (75%).")
    assert fields["n_patients"] == 12
    assert {"category": "CR", "n": 8, "pct": 66.7} in fields["response"]
    assert {"grade": "any", "n": 9, "pct": 75} in fields["crs"]


def test_a_leukaemias_remission_in_the_bone_marrow_is_its_overall_response(extractor):
    text = ("Forty adults with B-ALL were infused. On day 28, 36 of 40 patients (90%) were in CR in the bone marrow "
            "and 33 (82.5%) had MRD-negative CR.")
    assert {"category": "CR", "n": 36, "pct": 90} in fields_of(extractor, text)["response"]


# -- an event's length after an aside --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "One patient developed grade 3 ICANS with confusion and dysphasia, which lasted 6 days.",
    "She developed grade 2 CRS with fever and hypotension on day 2 which lasted 6 days.",
])
def test_how_long_an_event_lasted_after_an_aside(extractor, text):
    durations = fields_of(extractor, text)["durations"]
    assert {"measure": "other", "value": 6, "unit": "day", "qualifier": None} in durations


# -- counts of one response in subgroups ------------------------------------------------------------------------------

def test_a_subgroups_count_of_a_response_is_an_observation_of_its_own(extractor):
    text = ("Thirty patients with T-ALL or T-LBL received CD7 CAR T cells. Overall, 26 of 30 (86.7%) achieved CR. "
            "Among the 9 T-LBL patients, PET-CT showed CR in 6 and PR in 2.")
    responses = fields_of(extractor, text)["response"]
    assert {"category": "CR", "n": 26, "pct": 86.7} in responses
    assert {"category": "CR", "n": 6, "pct": None} in responses


@pytest.mark.parametrize("later", [
    "Eleven patients in CR went on to consolidative allo-HSCT.",
    "At a median follow-up of 12 months, seven of the nine complete remissions are ongoing.",
    "Five patients remain in complete response beyond 18 months.",
])
def test_what_became_of_the_responders_is_no_new_response_count(extractor, later):
    text = f"Thirty patients received CAR T cells. Overall, 18 of 30 (60%) achieved CR. {later}"
    crs = [r for r in fields_of(extractor, text)["response"] if r["category"] == "CR"]
    assert crs == [{"category": "CR", "n": 18, "pct": 60}]


# -- categories written as a threshold or a pair of abbreviations -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "Fifty patients received cilta-cel. Complete response or better (≥CR) was reached by 40% (20/50) and 70% "
    "(35/50) of patients at 6 and 12 months.",
    "Fifty patients received cilta-cel; 20 (40%) achieved ≥CR and 35 (70%) achieved CR or better by month 12.",
])
def test_complete_response_or_better_is_a_cr_rate(extractor, text):
    crs = [r for r in fields_of(extractor, text)["response"] if r["category"] == "CR"]
    assert crs == [{"category": "CR", "n": 20, "pct": 40}, {"category": "CR", "n": 35, "pct": 70}]


def test_two_abbreviations_in_brackets_share_the_rate(extractor):
    text = ("We pooled 12 studies of 640 patients. The pooled rate of complete response (CR/sCR) was 38% "
            "(95% CI 31-45%).")
    responses = fields_of(extractor, text)["response"]
    assert {"category": "CR", "n": None, "pct": 38} in responses
    assert {"category": "sCR", "n": None, "pct": 38} in responses


# -- counts of patients ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("We reviewed all 41 consecutive adults with relapsed B-ALL treated with CD19 CAR T cells.", 41),
    ("Adults treated with tisa-cel (n = 52) or axi-cel (n = 71) at four centres were studied, 123 patients in all.",
     123),
    ("Twelve studies encompassing 534 patients with myeloma treated with BCMA CAR-T met the criteria.", 534),
    ("Forty-two patients were randomised and infused with CD19 CAR T cells (arm A, 21; arm B, 21).", 42),
    ("Twenty-eight adults with relapsed leukaemia were enrolled, and 23 received the product.", 23),
    # the words after "with" hold no verb or count of their own
    ("In this phase 1 trial, 40 patients with relapsed myeloma were enrolled and 36 received BCMA CAR T cells.", 36),
    # an inclusion threshold is no count: the pooled count is
    ("Eleven studies contributed 402 patients. Cohorts with at least ten patients with FL treated with axi-cel "
     "were eligible.", 402),
])
def test_the_cohorts_count(extractor, text, expected):
    assert fields_of(extractor, text)["n_patients"] == expected


# -- relapse timing after an aside -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Forty patients received CAR-T. Of 30 responders, six relapsed, four of them with CD19-negative, CD22-dim disease, "
    "at a median of 5.5 months after infusion.",
    "Forty patients received CAR-T. Relapses in the MCL cohort came early, at a median of 5.5 months post-infusion.",
])
def test_a_relapse_timed_by_a_median_after_an_aside(extractor, text):
    assert {"measure": "time_to_relapse", "value": 5.5, "unit": "month", "qualifier": "median"} in \
        fields_of(extractor, text)["durations"]


def test_a_preclinical_study_gives_no_durations(extractor):
    text = ("We engineered CD33 CAR-NK cells and tested them in vitro and in mice. In MOLM-13 xenografts, treated mice "
            "survived a median of 61 days compared with 30 days for controls, and CAR-NK cells were detectable after "
            "4 weeks.")
    fields = fields_of(extractor, text)
    assert fields["study_design"] == "preclinical"
    assert fields["durations"] == []


# -- expansion peaks --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Fifteen patients received CAR-NK cells, which expanded early, to a peak of 5,120 transgene copies/μg DNA.",
     [{"value": 5120, "unit": "copies/ug", "day": None}]),
    ("Fifteen patients received CAR-T. CAR-T cells expanded to 42.5% of circulating CD3+ T cells on day 9.",
     [{"value": 42.5, "unit": "percent", "day": 9}]),
    # a decimal point between a value and its day is no sentence end
    ("Fifteen patients received CAR-T. Peak CAR+ cells reached a median of 22.5% of circulating CD3+ T cells "
     "(range 3.1-70.2) at a median of D12.", [{"value": 22.5, "unit": "percent", "day": 12}]),
    # two units of one peak, one day after both; a share "of CD3+ cells"
    ("Fifteen patients received CAR-T. Expansion peaked at a median of 1.4 × 10^5 copies/μg DNA and 51.2% of CD3+ "
     "cells in blood, on day 10.", [{"value": 140000, "unit": "copies/ug", "day": 10},
                                   {"value": 51.2, "unit": "percent", "day": 10}]),
])
def test_expansion_peaks(extractor, text, expected):
    assert fields_of(extractor, text)["expansion_peak"] == expected


def test_a_meta_analysis_states_its_products_source_in_a_sentence_about_its_studies(extractor):
    text = ("CAR T cells in mantle cell lymphoma: a meta-analysis. Fourteen studies of 602 patients were pooled. "
            "Twelve studies used CD19-directed products, and all products were autologous.")
    assert fields_of(extractor, text)["cell_source"] == ["autologous"]


# -- rates: a breakdown by grade in the rate's bracket; counts of patients closed by "respectively" -----------------

def test_a_breakdown_by_grade_inside_the_rates_bracket(extractor):
    text = "Twenty pts were infused. CRS was seen in 18/20 pts (90%; gr 1-2 in 16, gr 3 in 2)."
    crs = fields_of(extractor, text)["crs"]
    assert {"grade": "any", "n": 18, "pct": 90} in crs
    assert {"grade": "1-2", "n": 16, "pct": None} in crs
    assert {"grade": "3", "n": 2, "pct": None} in crs


def test_an_interval_in_the_rates_bracket_stays_part_of_it(extractor):
    text = "Fifty-three patients were infused. CRS was seen in 14 of 53 patients (26%; 95% CI, 15 to 40)."
    assert fields_of(extractor, text)["crs"] == [{"grade": "any", "n": 14, "pct": 26}]


def test_counts_of_patients_closed_by_respectively(extractor):
    text = ("Ninety patients received ide-cel or cilta-cel. A complete response was attained by 21 (42%) and 26 (65%) "
            "patients, respectively.")
    crs = [r for r in fields_of(extractor, text)["response"] if r["category"] == "CR"]
    assert crs == [{"category": "CR", "n": 21, "pct": 42}, {"category": "CR", "n": 26, "pct": 65}]
