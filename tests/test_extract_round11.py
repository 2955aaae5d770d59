"""Phenomena of the ninth round (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import pytest
from extract_support import durations_of, fields_of

# -- a comparator's scope ends where the CAR arm's clause begins --------------------------------------------------------

def test_a_new_clause_after_the_control_arm_is_the_car_arms(extractor):
    fields = fields_of(extractor, "In this randomised trial, 40 patients received CAR-T cells. CRS occurred in 30% "
                                  "of patients versus 5% in the control arm, and CR was achieved in 45% of patients.")
    assert fields["crs"] == [{"grade": "any", "n": None, "pct": 30}]
    assert fields["response"] == [{"category": "CR", "n": None, "pct": 45}]


def test_the_control_arms_own_clause_stays_the_comparators(extractor):
    fields = fields_of(extractor, "In the control arm, CRS occurred in 5%. In the CAR-T arm, CRS occurred in 40%.")
    assert fields["crs"] == [{"grade": "any", "n": None, "pct": 40}]


# -- expansion peaks of several patients, closed by "respectively" ------------------------------------------------------

def test_several_patients_peaks_take_their_days_in_order(extractor):
    fields = fields_of(extractor, "Three patients received CD19 CAR-T cells. CAR-T cells peaked at 86, 12 and 143 "
                                  "cells/μL on days 10, 14 and 7, respectively.")
    assert fields["expansion_peak"] == [{"value": 86, "unit": "cells/ul", "day": 10},
                                        {"value": 12, "unit": "cells/ul", "day": 14},
                                        {"value": 143, "unit": "cells/ul", "day": 7}]


def test_a_list_of_days_of_another_length_gives_no_day(extractor):
    fields = fields_of(extractor, "CAR-T cells peaked at 86 and 143 cells/μL on days 10, 14 and 7, respectively.")
    assert [p["day"] for p in fields["expansion_peak"]] == [None, None]


# -- two clauses of values, one "respectively" ---------------------------------------------------------------------------

def test_respectively_closing_the_second_clause_leaves_the_first_ones_values(extractor):
    fields = fields_of(extractor, "In the two cohorts, ICANS rates were 18% and 16%, and grade ≥3 ICANS 3% and 4%, "
                                  "respectively.")
    assert fields["icans"] == [{"grade": "any", "n": None, "pct": 18}, {"grade": "any", "n": None, "pct": 16},
                               {"grade": ">=3", "n": None, "pct": 3}, {"grade": ">=3", "n": None, "pct": 4}]


def test_a_list_of_measures_closed_by_respectively_is_still_paired(extractor):
    fields = fields_of(extractor, "The pooled ORR and CR rate were 89% and 61%, respectively.")
    assert fields["response"] == [{"category": "ORR", "n": None, "pct": 89}, {"category": "CR", "n": None, "pct": 61}]


# -- durations ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # a second transplant after the CAR is no history
    ("CD22 CAR-T cells were infused in 12 patients. Four responders went on to a second allograft, and three of them "
     "remain in remission at 9 and 11 and 15 months.", None),
    # the longest of ongoing remissions
    ("CD19 CAR-T cells were infused in 20 patients. Nine remain in continuous remission, the longest at 31 months.",
     [("response_duration", 31, "month", "ongoing")]),
    # a response ongoing after the dosing (not a dosing schedule)
    ("One patient received BCMA CAR-T cells. Her stringent CR is ongoing beyond 18 months after dosing.",
     [("response_duration", 18, "month", "ongoing")]),
    # "has now lasted": still lasting
    ("Two patients received CD19 CAR-T cells. Drug-free remission has now lasted 10 and 7 months, respectively.",
     [("response_duration", 10, "month", "ongoing"), ("response_duration", 7, "month", "ongoing")]),
    # no evidence of the disease at a time after the CAR
    ("A boy received CD19 CAR-T cells. He has no evidence of lymphoma 20 months after the infusion.",
     [("response_duration", 20, "month", "ongoing")]),
    # "by day N": at the latest then
    ("A woman received CD19 CAR-T cells. By day 14 her marrow was in MRD-negative complete remission.",
     [("time_to_response", 14, "day", "<=")]),
    # a relapse after a transplant, timed in an aside referring back to it
    ("Of the 30 patients, 12 had relapsed after an allogeneic transplant, a median of 8 months (range, 3-40) after it; "
     "all then received CD19 CAR-T cells.", [("prior_remission", 8, "month", "median")]),
    # a progression counted from a chemotherapy regimen
    ("A 52-year-old man progressed within 4 months of completing six cycles of R-CHOP. He then received axi-cel.",
     [("prior_remission", 4, "month", "<=")]),
    # a transplant declined is no therapy the relapse is counted from
    ("CD7 CAR-T cells were infused in 4 patients. One, who declined transplantation, relapsed with CD7-negative "
     "disease on day +95.", [("time_to_relapse", 95, "day", None)]),
    # an event's end after a comma
    ("A patient received CD19 CAR-T cells. Grade 2 ICANS followed on day 5, settling within four days.",
     [("other", 5, "day", None), ("other", 4, "day", "<=")]),
    # when a response was first seen
    ("Three patients received CD19 CAR-T cells. All responded, with improvement first noted at week 4.",
     [("time_to_response", 4, "week", None)]),
    # one measure's value in two groups, the second named by "without"
    ("In all, 60 patients received CD19 CAR-T cells. The median ICANS onset was day 7 with prophylaxis and day 4 "
     "without.", [("other", 7, "day", "median"), ("other", 4, "day", "median")]),
])
def test_durations_of_the_ninth_round(extractor, text, expected):
    got = durations_of(extractor, text)
    if expected is None:  # remissions after the CAR, not before it
        assert got and all(m == "response_duration" for m, *_ in got)
    else:
        assert sorted(got) == sorted(expected)


# -- design, gene editing, cell source -----------------------------------------------------------------------------------

def test_an_animal_study_naming_a_hoped_for_trial_is_preclinical(extractor):
    text = ("Background: B7-H3 CAR T cells have given encouraging results in early clinical trials. Methods: CAR-NK "
            "cells were tested against glioma spheroids and orthotopic xenografts in NSG mice. Results: Tumours were "
            "eradicated in 6 of 9 mice. Conclusions: These cells warrant a first-in-human trial.")
    assert fields_of(extractor, text)["study_design"] == "preclinical"


def test_an_edit_named_only_about_the_field_is_others(extractor):
    text = ("Background: Most groups have removed CD7 from CAR T cells with CRISPR/Cas9 or base editing. Methods: "
            "Our CD7 CAR T cells keep CD7 in the ER with a PEBL, without any gene editing. Results: 12 patients were "
            "infused.")
    assert sorted(fields_of(extractor, text)["gene_editing"]) == ["none", "protein_blocker"]


def test_a_run_in_heading_before_a_number_ends_the_background(extractor):
    # "Methods: 3+3 design": the heading is read although a digit follows it, so the Methods sentence is no background
    text = ("Background: Allogeneic CAR T cells can be made from donors. Aims: To define the dose. Methods: 3+3 design "
            "with three dose levels; cells were autologous. Results: 15 pts received CD7 CAR T cells.")
    assert fields_of(extractor, text)["cell_source"] == ["autologous"]


@pytest.mark.parametrize(("text", "expected"), [
    ("We treated 19 pts with CD7 CAR T cells; cells were autologous, or collected from the original transplant donor "
     "for pts relapsing after allo-HSCT.", ["allogeneic", "autologous"]),
    ("Four children received CLL1 CAR-T cells, manufactured from the patient's own T cells (patients 2 and 4) or "
     "from the previous transplant donor (patients 1 and 3).", ["allogeneic", "autologous"]),
    ("We reviewed all adults apheresed for commercial, autologous axi-cel or tisa-cel at four centres.", ["autologous"]),
    # a transplant's source word is not the product's
    ("Patients had received autologous stem cell transplantation before axi-cel.", []),
])
def test_cell_sources_named_with_a_donor_or_a_product(extractor, text, expected):
    assert sorted(fields_of(extractor, text)["cell_source"]) == expected


# -- responses: "partial or complete", groups after a preposition, a physician's-choice comparator, "a single patient" ---

def test_partial_or_complete_responses_are_the_overall_rate_in_each_group(extractor):
    fields = fields_of(extractor, "We treated 40 patients with CLDN18.2 CAR-T cells. Complete or partial responses "
                                  "occurred in 9 of 24 evaluable gastric patients (37.5%) and in 1 of 8 with PDAC "
                                  "(12.5%), compared with 1/20 (5.0%) in the physician's-choice cohort.")
    assert fields["response"] == [{"category": "ORR", "n": 9, "pct": 37.5}, {"category": "ORR", "n": 1, "pct": 12.5}]


def test_cr_or_pr_is_a_response_rate(extractor):
    assert fields_of(extractor, "Of 20 patients given CD19 CAR-T cells, 12 achieved CR or PR (60%).")["response"] == \
        [{"category": "ORR", "n": 12, "pct": 60}]


def test_a_single_patient_is_a_count_of_one(extractor):
    fields = fields_of(extractor, "We treated 36 patients with CAR-T cells. ORR was 40%; a single patient with PDAC "
                                  "achieved a complete response.")
    assert {"category": "CR", "n": 1, "pct": None} in fields["response"]
    case = fields_of(extractor, "A single patient was treated with CAR-T cells and achieved CR.")
    assert case["study_design"] == "case_report" and case["n_patients"] == 1


# -- counts after their labels, breakdowns by group, "8 of them (67%)" -------------------------------------------------

def test_counts_written_after_their_grade_or_response_label(extractor):
    fields = fields_of(extractor, "Results: 21 pts were infused. CRS in 18/21 (86%): G1 11, G2 6, G3 1; ICANS in 2 "
                                  "pts, both G1. Best response: CR 8, PR 4, SD 2 and PD 1 among 15 evaluable pts.")
    assert fields["crs"] == [{"grade": "any", "n": 18, "pct": 86}, {"grade": "1", "n": 11, "pct": None},
                             {"grade": "2", "n": 6, "pct": None}, {"grade": "3", "n": 1, "pct": None}]
    assert fields["icans"] == [{"grade": "1", "n": 2, "pct": None}]
    assert [(r["category"], r["n"]) for r in fields["response"]] == [("CR", 8), ("PR", 4), ("SD", 2), ("PD", 1)]


def test_a_label_before_a_list_of_times_is_no_count(extractor):
    fields = fields_of(extractor, "Two patients received CD19 CAR-T cells; both remain in CR 16 and 9 months after "
                                  "infusion, respectively.")
    assert all(r["n"] is None for r in fields["response"])


def test_a_share_of_them_with_its_rate(extractor):
    fields = fields_of(extractor, "Results: 21 pts were infused. All 12 DL3 pts responded, 8 of them (67%) reaching "
                                  "CR.")
    assert {"category": "CR", "n": 8, "pct": 67} in fields["response"]


def test_crr_is_the_complete_response_rate(extractor):
    fields = fields_of(extractor, "Among 32 pts evaluable after CAR-T, ORR was 66% (21/32) and CRR 44% (14/32).")
    assert fields["response"] == [{"category": "ORR", "n": 21, "pct": 66}, {"category": "CR", "n": 14, "pct": 44}]


def test_a_count_before_a_breakdown_in_its_bracket(extractor):
    fields = fields_of(extractor, "Among 41 patients given CAR-T cells, the objective response rate was 39.0% "
                                  "(16/41; one complete and 15 partial responses).")
    assert {"category": "ORR", "n": 16, "pct": 39} in fields["response"]


def test_breakdowns_by_product_in_a_bracket_and_after_a_dash(extractor):
    fields = fields_of(extractor, "We treated 200 patients with axi-cel or tisa-cel. Any-grade CRS occurred in 82.6% "
                                  "of patients (axi-cel 89.1%, tisa-cel 73.6%). Neurotoxicity was seen in 36.1%, of "
                                  "grade 3 or more in 12.3% — 16.4% after axi-cel and 6.6% after tisa-cel.")
    assert [c["pct"] for c in fields["crs"]] == [82.6, 89.1, 73.6]
    assert [(i["grade"], i["pct"]) for i in fields["icans"]] == [("any", 36.1), (">=3", 12.3), (">=3", 16.4),
                                                                 (">=3", 6.6)]


# -- sections, transplants, "SD" as a statistic ---------------------------------------------------------------------------

def test_a_case_series_section_is_no_background(extractor):
    text = ("Skip to main content\n\nCASE REPORT article\n\nFront. Oncol.\n\nCase series: CD7 CAR-T cells in T-ALL\n\n"
            "Abstract\n\nBackground: Most CD7 CAR-T programmes knock out CD7 with CRISPR/Cas9.\n\nCase series: Two "
            "patients received CD7 CAR-T cells. Patient 1, a 16-year-old boy, had relapsed within 5 months of a "
            "matched-sibling allo-HSCT. Patient 2, a 34-year-old woman, had grade 3 CRS.\n\nConclusions: Feasible.")
    fields = fields_of(extractor, text)
    assert fields["patients"] == [{"age_years": 16, "sex": "male"}, {"age_years": 34, "sex": "female"}]
    assert fields["transplant"] == ["prior_allo_hsct"]


@pytest.mark.parametrize(("text", "expected"), [
    # counts with their shares in a list of baseline features
    ("We report 57 patients with MCL treated with brexu-cel. 24 (42.1%) had TP53 aberrations, 19 (33.3%) a previous "
     "autologous stem cell transplant and 3 (5.3%) a previous allogeneic transplant.",
     ["prior_allo_hsct", "prior_auto_hsct"]),
    # an earlier line's response consolidated by a transplant, in a sentence naming no CAR
    ("A 60-year-old woman with myeloma received cilta-cel. Four cycles of bortezomib, lenalidomide and dexamethasone "
     "induced a very good partial response, which was consolidated with high-dose melphalan and autologous stem cell "
     "transplantation.", ["prior_auto_hsct"]),
    # the CAR's remission consolidated by a transplant stays consolidative
    ("After CD19 CAR-T cells, 5 patients in CR were consolidated with allo-HSCT.", ["consolidative_allo_hsct"]),
])
def test_transplant_timing_of_the_ninth_round(extractor, text, expected):
    assert sorted(fields_of(extractor, text)["transplant"]) == expected


def test_sd_as_a_standard_deviation_is_no_stable_disease(extractor):
    text = ("We pooled 2 trials of CAR-T cells with 37 participants. Where only medians were given, the mean and "
            "standard (Standard Deviation, SD) were estimated.")
    assert fields_of(extractor, text)["response"] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("A woman received CD22 CAR-T cells. She is in ongoing CR at 18 months.",
     [("response_duration", 18, "month", "ongoing")]),
    ("A man received cilta-cel. He remains in sCR without maintenance, 26 months after the infusion.",
     [("response_duration", 26, "month", "ongoing")]),
    ("A man received CD19 CAR-T cells. A PET-CT showed a complete metabolic response, maintained at 20 months.",
     [("response_duration", 20, "month", "ongoing")]),
    # an earlier regimen's remission, its relapse counted from it
    ("A man received axi-cel. At transformation R-CHOP gave a complete metabolic response, yet the lymphoma recurred "
     "11 months later.", [("prior_remission", 11, "month", None)]),
    # CAR persistence told by the cells' loss
    ("A man received axi-cel. Two months later CAR-T cells had disappeared from the blood by day 60.",
     [("other", 60, "day", None)]),
    # an earlier CAR's remission, dated in the past perfect
    ("Four patients received GPRC5D CAR-T cells. Patient 1 had undergone autologous transplantation in 2016 and had "
     "received idecabtagene vicleucel in 2022, which produced a stringent CR lasting 8 months.",
     [("prior_remission", 8, "month", None)]),
    ("In all, 60 patients received CAR-T cells. Onset of CRS was at median day 6 and it lasted a median of 4 days.",
     [("other", 6, "day", "median"), ("other", 4, "day", "median")]),
    ("We compared two CAR-T products. Median PFS reached 11.4 months after axi-cel and 4.9 months after tisa-cel.",
     [("survival", 11.4, "month", "median"), ("survival", 4.9, "month", "median")]),
    ("We pooled 20 studies of CAR-T cells. The studies followed their patients for a median of 14 months.",
     [("follow_up", 14, "month", "median")]),
    # the control arm's survival is the comparator's
    ("We pooled CAR-T studies. In the randomised trials the control arms had an ORR of 67.8% and a median PFS of "
     "12.2 months.", []),
])
def test_more_durations_of_the_ninth_round(extractor, text, expected):
    assert durations_of(extractor, text) == sorted(expected)


def test_an_earlier_cars_response_dated_in_the_past_perfect_is_history(extractor):
    text = ("Four patients received GPRC5D CAR-T cells. Patient 1 had received idecabtagene vicleucel in 2022, which "
            "produced a stringent CR lasting 8 months. After GPRC5D CAR-T she achieved VGPR.")
    assert fields_of(extractor, text)["response"] == [{"category": "VGPR", "n": None, "pct": None}]


# -- patients written "(F, 66 years)" or "(M/59)"; peaks named in more ways ----------------------------------------------

def test_sex_and_age_written_together_in_a_bracket(extractor):
    fields = fields_of(extractor, "Three patients received GPRC5D CAR-T cells. Patient 1 (F, 66 years) had undergone "
                                  "ASCT. Patient 2 (M/59) developed ICANS. Patient 3 (70 y/F) had CR.")
    assert fields["patients"] == [{"age_years": 66, "sex": "female"}, {"age_years": 59, "sex": "male"},
                                  {"age_years": 70, "sex": "female"}]


@pytest.mark.parametrize(("text", "expected"), [
    ("A woman received axi-cel. Expansion culminated on day 7, when CAR-T cells formed 18.2% of circulating CD3+ T "
     "cells.", [{"value": 18.2, "unit": "percent", "day": 7}]),
    ("A man received CLDN18.2 CAR-T cells. CAR copies in blood rose to 6,850 copies/μg DNA, their highest value, on "
     "D7.", [{"value": 6850, "unit": "copies/ug", "day": 7}]),
    ("Patient 2 received CAR-T cells; his CAR-T cells topped out at 2.1% of lymphocytes (day 10).",
     [{"value": 2.1, "unit": "percent", "day": 10}]),
    ("In 23 patients with flow-cytometric monitoring, the median maximal CAR-T concentration was 54 cells/μL.",
     [{"value": 54, "unit": "cells/ul", "day": None}]),
    ("Patient 1 had grade 2 CRS, and CAR-T cells made up 62.4% of CD3+ T cells at their peak on day 14.",
     [{"value": 62.4, "unit": "percent", "day": 14}]),
    # a rate that rose is no level
    ("CRS rates increased to 40% at the highest dose level of CAR-T cells.", []),
])
def test_expansion_peaks_of_the_ninth_round(extractor, text, expected):
    assert fields_of(extractor, text)["expansion_peak"] == expected


def test_a_share_of_cells_is_no_rate(extractor):
    fields = fields_of(extractor, "Patient 1 received CD7 CAR-T cells. He had grade 2 CRS, and CAR-T cells made up "
                                  "62.4% of CD3+ T cells at their peak on day 14.")
    assert fields["crs"] == [{"grade": "2", "n": None, "pct": None}]


def test_a_breakdown_set_against_itself_in_a_bracket(extractor):
    fields = fields_of(extractor, "We compared axi-cel and tisa-cel in 274 patients. ICANS of any grade affected "
                                  "36.1% (45.8% vs. 20.8%), with grade ≥ 3 events in 12.4%. CRS occurred in 80% "
                                  "(axi-cel 90% vs tisa-cel 70%, p = 0.01).")
    assert [i["pct"] for i in fields["icans"]] == [36.1, 45.8, 20.8, 12.4]
    assert [c["pct"] for c in fields["crs"]] == [80, 90, 70]


def test_statements_joined_by_a_slash_share_each_value_of_a_respectively_list(extractor):
    fields = fields_of(extractor, "We treated 118 patients with cilta-cel. Among the 109 evaluable patients (38 "
                                  "outpatient, 71 inpatient), ORR was 94.7% and 90.1%, and CR/sCR 71.1% and 67.6%, "
                                  "respectively.")
    assert sorted((r["category"], r["pct"]) for r in fields["response"]) == [
        ("CR", 67.6), ("CR", 71.1), ("ORR", 90.1), ("ORR", 94.7), ("sCR", 67.6), ("sCR", 71.1)]


def test_in_the_same_order_closes_a_list_as_respectively_does(extractor):
    fields = fields_of(extractor, "We compared three products in 318 patients. Per product, best ORR reached 79.6%, "
                                  "58.8% and 74.7%, with CR rates of 62.0%, 41.2% and 58.2%, in the same order.")
    assert [(r["category"], r["pct"]) for r in fields["response"]] == [
        ("ORR", 79.6), ("ORR", 58.8), ("ORR", 74.7), ("CR", 62.0), ("CR", 41.2), ("CR", 58.2)]


def test_a_table_written_as_text_has_a_sentence_per_line(extractor):
    text = ("We treated 118 patients with cilta-cel (41 outpatients, 77 inpatients).\n"
            "Any-grade CRS, n (%): 31 (75.6) vs 65 (84.4)\nGrade ≥3 CRS, n (%): 1 (2.4) vs 4 (5.2)\n")
    assert fields_of(extractor, text)["crs"] == [
        {"grade": "any", "n": 31, "pct": 75.6}, {"grade": "any", "n": 65, "pct": 84.4},
        {"grade": ">=3", "n": 1, "pct": 2.4}, {"grade": ">=3", "n": 4, "pct": 5.2}]


@pytest.mark.parametrize(("text", "expected"), [
    ("Results: 37 pts were infused. Among 34 evaluable pts, ORR 44.1% (15/34); No CR was observed — 15 PR and 12 SD.",
     [("ORR", 15, 44.1), ("CR", 0, None), ("PR", 15, None), ("SD", 12, None)]),
    ("Results: 20 patients were infused; no patient achieved a complete response, and 8 had PR.",
     [("CR", 0, None), ("PR", 8, None)]),
    # one patient's absent response states nothing of hers
    ("A 50-year-old man received CAR-T cells. No CR was observed; he had PR.", [("PR", None, None)]),
])
def test_an_absent_response_in_a_cohort_has_a_count_of_none(extractor, text, expected):
    assert [(r["category"], r["n"], r["pct"]) for r in fields_of(extractor, text)["response"]] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("We compared three products in 318 patients. Median progression-free survival was 10.9 months after axi-cel, "
     "3.6 months after tisa-cel and 9.8 months after liso-cel.",
     [("survival", 10.9, "month", "median"), ("survival", 3.6, "month", "median"), ("survival", 9.8, "month", "median")]),
    ("Results: 37 pts infused. Median TTR 6 weeks. mPFS 4.6 mo (95% CI 3.1–6.2) and mOS 9.3 mo.",
     [("time_to_response", 6, "week", "median"), ("survival", 4.6, "month", "median"),
      ("survival", 9.3, "month", "median")]),
    ("In all, 184 were infused. CRS began a median of 8 days (range 1–14) after infusion and lasted a median of 4 days.",
     [("other", 8, "day", "median"), ("other", 4, "day", "median")]),
    ("A woman received GPRC5D CAR-T cells. Grade 2 CRS started on day 3 and settled after 4 days with tocilizumab.",
     [("other", 3, "day", None), ("other", 4, "day", None)]),
    # a follow-up and a landmark rate after a comma are two spans
    ("In all, 118 patients received cilta-cel. After a median follow-up of 10.3 months, 12-month PFS was 78% vs 74%.",
     [("follow_up", 10.3, "month", "median")]),
])
def test_durations_of_cohorts_in_the_ninth_round(extractor, text, expected):
    assert durations_of(extractor, text) == sorted(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("Methods: We searched databases for a meta-analysis of CAR-T cells. Results: Twelve studies met the criteria "
     "(k = 12 studies, n = 1,034 patients; FL 712, MZL 322). Pooled ORR was 88%.", 1034),
    ("Results: Thirty-one patients were referred and 27 received at least one dose of CAR-NK cells (CLL, n = 8; MCL, "
     "n = 10). Of 24 patients evaluable for response, 15 responded.", 27),
    # a dose of the conditioning is no infusion of the CAR
    ("Results: 40 patients were enrolled; 30 received a dose of fludarabine and 28 received CD19 CAR-T cells.", 28),
])
def test_counts_of_the_ninth_round(extractor, text, expected):
    assert fields_of(extractor, text)["n_patients"] == expected


def test_a_fatal_event_is_grade_5(extractor):
    fields = fields_of(extractor, "We pooled 24 studies of CAR-T cells in 2,846 patients. Grade ≥3 ICANS occurred in "
                                  "3.1%; fatal ICANS was rare (0.3%).")
    assert fields["icans"] == [{"grade": ">=3", "n": None, "pct": 3.1}, {"grade": "5", "n": None, "pct": 0.3}]
    assert fields_of(extractor, "We treated 40 patients with CAR-T cells. No fatal events occurred.")["crs"] == []


def test_a_rate_restated_in_a_bracket_after_its_count(extractor):
    fields = fields_of(extractor, "Results: 21 pts were infused. All 12 DL3 pts responded (ORR 100%), 8 of them "
                                  "(67%) reaching CR.")
    assert fields["response"] == [{"category": "ORR", "n": 12, "pct": 100}, {"category": "CR", "n": 8, "pct": 67}]
