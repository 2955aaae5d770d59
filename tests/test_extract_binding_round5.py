"""The rate binder and the qualifiers on the phrasings of our own battery's misses
(tests/fixtures/gold/battery.jsonl; each case here is reworded, not one of its lines)."""

from __future__ import annotations

import pytest
from extract_support import by_key, fields_of


def test_a_denominator_before_a_comma_is_not_the_statements_count(extractor):
    f = fields_of(extractor, "Among the 57 treated patients, CRS developed in 49 (86%).")
    assert by_key(f["crs"]) == [("any", 49, 86)]


def test_bare_counts_after_in_for_each_grade(extractor):
    f = fields_of(extractor, "Sixty patients were infused. CRS was grade 1 in 30 patients, grade 2 in 12 and grade 3 "
                             "in two; stable disease was seen in 7 and progressive disease in 5.")
    assert by_key(f["crs"]) == [("1", 30, None), ("2", 12, None), ("3", 2, None)]
    assert by_key(f["response"]) == [("PD", 5, None), ("SD", 7, None)]


def test_a_count_written_before_its_category(extractor):
    f = fields_of(extractor, "Of 30 patients, 24 (80%) responded, with 14 complete responses (47%) and 10 partial "
                             "responses (33%).")
    assert ("CR", 14, 47) in by_key(f["response"]) and ("PR", 10, 33) in by_key(f["response"])
    f = fields_of(extractor, "Nine of 12 responded (75%) – four sCRs, three VGPRs and two PRs.")
    assert {("sCR", 4, None), ("VGPR", 3, None), ("PR", 2, None)} <= set(by_key(f["response"]))


@pytest.mark.parametrize("text", ["At day 28 CR was reached in 80% of patients.",
                                  "At dose level 2 ORR was 75%."])
def test_a_day_or_level_before_a_category_is_no_count(extractor, text):
    assert all(o["n"] is None for o in fields_of(extractor, text)["response"])


def test_values_of_earlier_or_pivotal_trials_are_left_out(extractor):
    f = fields_of(extractor, "Previous BCMA CAR-T trials reported CRS in 80-95% of patients. In our cohort of 40, "
                             "CRS occurred in 30 (75%).")
    assert by_key(f["crs"]) == [("any", 30, 75)]
    f = fields_of(extractor, "Liso-cel reached a CR rate of 53% in its pivotal trial; in our 70 patients the CR rate "
                             "was 49% (34/70).")
    assert by_key(f["response"]) == [("CR", 34, 49)]


def test_a_trial_that_calls_itself_pivotal_keeps_its_values(extractor):
    f = fields_of(extractor, "In this pivotal phase 2 trial of 97 patients, the ORR was 97%.")
    assert by_key(f["response"]) == [("ORR", None, 97)]


def test_historical_and_named_comparators_are_left_out(extractor):
    f = fields_of(extractor, "Against a historical control cohort (n = 80; CR 20%), CAR-T recipients (n = 60) had a "
                             "CR rate of 55%.")
    assert by_key(f["response"]) == [("CR", None, 55)]
    f = fields_of(extractor, "Any-grade CRS occurred in 88% with CAR-T and in 40% with the chemotherapy control.")
    assert by_key(f["crs"]) == [("any", None, 88)]


def test_a_negation_ends_at_a_new_clause_after_a_comma_and(extractor):
    f = fields_of(extractor, "Thirty patients were infused; there was no ICANS, and CRS was grade 2 in 6 patients "
                             "(20%).")
    assert by_key(f["crs"]) == [("2", 6, 20)]
    assert by_key(f["icans"]) == [("0", None, None)]


def test_none_developed_is_a_negation(extractor):
    f = fields_of(extractor, "Nine patients received CAR-NK cells. None developed CRS or neurotoxicity.")
    assert by_key(f["crs"]) == [("0", None, None)] and by_key(f["icans"]) == [("0", None, None)]


def test_a_grading_scale_cited_by_its_authors_keeps_the_sentences_values(extractor):
    f = fields_of(extractor, "Twelve patients were infused. CRS, graded according to Lee et al., occurred in all 12: "
                             "grade 1 in 7 and grade 2 in 5.")
    assert by_key(f["crs"]) == [("1", 7, None), ("2", 5, None), ("any", 12, None)]


def test_every_patient_with_the_event_beside_a_stated_grade(extractor):
    f = fields_of(extractor, "All 25 patients developed CRS, and 2 had grade 3 CRS.")
    assert by_key(f["crs"]) == [("3", 2, None), ("any", 25, None)]
    f = fields_of(extractor, "Twenty-five patients were treated. All patients developed CRS, and 2 had grade 3 CRS.")
    assert by_key(f["crs"]) == [("3", 2, None), ("any", 25, None)]


@pytest.mark.parametrize(("text", "n"), [
    ("Forty patients received CLDN18.2 CAR-T cells. The ORR was 40%.", 40),
    ("Outcomes of 52 patients with myeloma receiving cilta-cel: the ORR was 90%.", 52),
    ("Neurotoxicity occurred in 20% of the 45 infused patients.", 45),
    ("In our 63 patients, ICANS occurred in 14 (22%).", 63),
    ("This meta-analysis pooled 12 studies of CD19 CAR-T cells in lymphoma (2,015 patients). The pooled ORR was 70%.",
     2015),
    ("In this randomised trial, 150 patients were assigned to liso-cel and 148 to standard care. The ORR was 80%.", 150),
])
def test_treated_patient_counts_in_more_forms(extractor, text, n):
    assert fields_of(extractor, text)["n_patients"] == n


def test_a_group_size_in_brackets_does_not_join_two_statements_into_a_list(extractor):
    f = fields_of(extractor, "All CRS events were grade 1 or 2 (n = 18), ICANS occurred in 3 patients (10%), and 15 "
                             "(50%) achieved CR.")
    assert by_key(f["crs"]) == [("1-2", 18, None)]
    assert by_key(f["icans"]) == [("any", 3, 10)] and by_key(f["response"]) == [("CR", 15, 50)]


def test_n_of_the_m_with_its_rate_is_one_value(extractor):
    f = fields_of(extractor, "Fifteen patients were treated. Twelve of the 15 patients (80%) responded, nine with "
                             "complete remission.")
    assert by_key(f["response"]) == [("CR", 9, None), ("ORR", 12, 80)]


def test_a_rate_joined_by_for_to_the_statement_after_it(extractor):
    f = fields_of(extractor, "The pooled rates were 52% for CR, 21% for PR and 9% for SD.")
    assert by_key(f["response"]) == [("CR", None, 52), ("PR", None, 21), ("SD", None, 9)]


def test_a_rate_after_with_stays_with_the_statement_before(extractor):
    f = fields_of(extractor, "The overall response rate was 71% with a CR rate of 45%.")
    assert by_key(f["response"]) == [("CR", None, 45), ("ORR", None, 71)]


def test_an_mrd_negative_cr_gives_its_value_to_cr_only_when_no_cr_value_is_stated(extractor):
    f = fields_of(extractor, "Across 9 studies, the pooled CR rate was 80% and the pooled MRD-negative CR rate 65%.")
    assert by_key(f["response"]) == [("CR", None, 80), ("MRD_negative_CR", None, 65)]
    f = fields_of(extractor, "Of 30 patients, 21 (70%) achieved MRD-negative CR.")
    assert by_key(f["response"]) == [("CR", 21, 70), ("MRD_negative_CR", 21, 70)]


def test_above_a_grade_and_none_above_it(extractor):
    f = fields_of(extractor, "Twenty-two patients were infused. CRS occurred in 18 (82%), none above grade 2.")
    assert by_key(f["crs"]) == [(">=3", 0, None), ("any", 18, 82)]


def test_a_grade_before_another_adverse_event_is_that_events(extractor):
    f = fields_of(extractor, "ICANS occurred in 30 (25%); grade ≥3 neutropenia persisted in 40 (33%).")
    assert by_key(f["icans"]) == [("any", 30, 25)]


def test_a_count_before_a_comma_belongs_to_its_own_clause(extractor):
    f = fields_of(extractor, "In a cohort of 80 patients treated with cilta-cel, the best responses were CR/sCR in 40 "
                             "(50%) and VGPR in 20 (25%).")
    assert ("CR", 80, None) not in by_key(f["response"]) and ("sCR", 40, 50) in by_key(f["response"])
    f = fields_of(extractor, "Twelve patients were treated, and all developed CRS.")
    assert by_key(f["crs"]) == [("any", 12, None)]


def test_a_new_clause_with_its_own_subject_keeps_its_value(extractor):
    f = fields_of(extractor, "Thirty of 40 (75%) achieved CR, and MRD negativity by sequencing was found in 25 (63%).")
    assert by_key(f["response"]) == [("CR", 30, 75)]


def test_a_rate_and_its_count_in_one_bracket(extractor):
    f = fields_of(extractor, "Forty patients were infused. The CR rate (45%, 18/40) was durable.")
    assert by_key(f["response"]) == [("CR", 18, 45)]


def test_a_count_that_were_its_category(extractor):
    f = fields_of(extractor, "Twenty patients were infused; 16 (80%) achieved CR and four were non-responders.")
    assert ("NR", 4, None) in by_key(f["response"])


def test_one_statements_values_at_successive_time_points(extractor):
    f = fields_of(extractor, "In 40 infused patients, the CR rate was 70% at 1 month, 60% at 6 months and 52% at 12 "
                             "months.")
    assert by_key(f["response"]) == [("CR", None, 52), ("CR", None, 60), ("CR", None, 70)]


def test_respectively_after_the_groups_the_values_are_for(extractor):
    f = fields_of(extractor, "ICANS rates were 20% and 35% in the axi-cel and tisa-cel groups, respectively.")
    assert by_key(f["icans"]) == [("any", None, 20), ("any", None, 35)]


def test_a_grade_followed_by_a_fraction_is_no_grade_list(extractor):
    f = fields_of(extractor, "Safety in 50 patients: CRS (any grade), 41/50 (82%); grade 3, 5/50 (10%).")
    assert by_key(f["crs"]) == [("3", 5, 10), ("any", 41, 82)]


def test_a_comparators_value_in_a_pair_after_the_arms_were_named(extractor):
    f = fields_of(extractor, "In this randomised trial, 200 patients were assigned to cilta-cel and 190 to standard "
                             "care. The ORR was 85% vs 67%, and CRS occurred in 76%.")
    assert by_key(f["response"]) == [("ORR", None, 85)]
    f = fields_of(extractor, "Across two subgroups, CR rates were 70% vs 50%.")  # no comparator arm: both kept
    assert by_key(f["response"]) == [("CR", None, 50), ("CR", None, 70)]


def test_a_statement_repeated_after_a_semicolon_takes_its_own_values(extractor):
    f = fields_of(extractor, "Grade ≥3 CRS occurred in 30 (8%); the rates of grade ≥3 CRS were 11% with axi-cel and "
                             "5% with tisa-cel.")
    assert {(o["grade"], o["n"], o["pct"]) for o in f["crs"]} == {(">=3", 30, 8), (">=3", None, 11), (">=3", None, 5)}


def test_two_values_of_one_statement_joined_by_and_are_two_groups(extractor):
    f = fields_of(extractor, "In total, 200 patients were infused (cilta-cel, n = 100; ide-cel, n = 100). CRS occurred "
                             "in 80.5% and 84.0% of patients.")
    assert by_key(f["crs"]) == [("any", None, 80.5), ("any", None, 84.0)]
    f = fields_of(extractor, "The pooled ORR and MRD negativity rate were 85% and 70%, respectively.")
    assert by_key(f["response"]) == [("ORR", None, 85)]


def test_n_of_them_received_the_infusion(extractor):
    f = fields_of(extractor, "Of 100 randomised patients, 50 were assigned to CAR-T and 47 of them received the "
                             "infusion. The ORR was 80%.")
    assert f["n_patients"] == 47


def test_measures_an_approval_was_based_on_take_no_cohort_count(extractor):
    f = fields_of(extractor, "Approval was based on the ORR and CR rate in 90 adult patients. Of the 90 patients, the "
                             "ORR was 95% with a CR rate of 70%.")
    assert by_key(f["response"]) == [("CR", None, 70), ("ORR", None, 95)]


def test_a_group_named_by_its_size_after_a_statement_is_no_count(extractor):
    f = fields_of(extractor, "Forty patients were treated. The ORR in the 30 patients with active disease was 70%.")
    assert all(o["n"] != 30 for o in f["response"])


def test_a_product_glued_to_its_antigen_counts_the_treated(extractor):
    assert fields_of(extractor, "Forty-one patients received CD30.CAR-Ts. The ORR was 62%.")["n_patients"] == 41


def test_these_n_patients_is_a_group_not_a_count(extractor):
    f = fields_of(extractor, "The objective response rate in these 101 patients was 83% (58% complete response rate).")
    assert ("ORR", 101, None) not in by_key(f["response"]) and ("ORR", None, 83) in by_key(f["response"])


def test_grade_one_or_higher_is_any_grade(extractor):
    f = fields_of(extractor, "Sixty patients were infused. Grade ≥1 CRS occurred in 45 (75%).")
    assert by_key(f["crs"]) == [("any", 45, 75)]


@pytest.mark.parametrize(("text", "n"), [
    ("We studied all patients with MM who received ide-cel (n=30) or cilta-cel (n=70). The ORR was 80%.", 100),
    ("Patients were randomised to axi-cel (n = 180) or standard care (n = 179). The ORR was 83%.", 180),
    ("Eighty patients with LBCL received an alloHCT following CAR T failure. Median follow-up was 15 months.", 80),
])
def test_cohort_counts_from_product_groups_and_weak_hints(extractor, text, n):
    assert fields_of(extractor, text)["n_patients"] == n


def test_grade_n_and_grade_m_with_one_count(extractor):
    f = fields_of(extractor, "Twenty patients were infused. Most CRS events were grade 1 and grade 2 (n = 16), and one "
                             "was grade 3.")
    assert ("1-2", 16, None) in by_key(f["crs"])


def test_a_grade_before_rates_of_two_terms(extractor):
    f = fields_of(extractor, "The pooled grade 3-4 rates of cytokine release syndrome (CRS) and neurologic toxicities "
                             "were 12% and 9%, respectively.")
    assert by_key(f["crs"]) == [("3-4", None, 12)] and by_key(f["icans"]) == [("3-4", None, 9)]


def test_both_developed_counts_two(extractor):
    f = fields_of(extractor, "We report two cases treated with ide-cel. Both developed grade 1 CRS.")
    assert by_key(f["crs"]) == [("1", 2, None)]
