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


# -- durations ----------------------------------------------------------------------------------
def durations(extractor: Extractor, text: str) -> list[tuple]:
    return sorted((d["measure"], d["value"], d["unit"]) for d in fields_of(extractor, text)["durations"])


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The median OS and progression-free survival (PFS) of the cohort were 15.1 and 4.2 months, respectively.",
     [("survival", 4.2, "month"), ("survival", 15.1, "month")]),
    ("Median PFS and OS were respectively 8.5 (95% CI, 5.5–10.1) months and 19.0 (95% CI, 14.2–22.3) months.",
     [("survival", 8.5, "month"), ("survival", 19, "month")]),
    ("Five patients relapsed, with a median time-to-relapse of 7 (range, 3.5–11.0) months.",
     [("time_to_relapse", 7, "month")]),
    ("All patients were infused and completed a 9-month follow-up.", [("follow_up", 9, "month")]),
    ("The median CAR transgene persistence was 210.5 days.", [("other", 210.5, "day")]),
    ("Three patients developed late events within 10 days post-infusion.", [("other", 10, "day")]),
])
def test_cohort_durations(extractor, sentence, expected):
    assert durations(extractor, COHORT + sentence) == expected


def test_free_survival_of_one_patient_in_a_series_is_response_duration(extractor):
    text = ("We describe two children with T-ALL who received CD7 CAR-T cells. Patient 1 was a 6-year-old girl. "
            "Her LFS was >4 years. Patient 2 was a 9-year-old boy.")
    assert ("response_duration", 4, "year") in durations(extractor, text)
    text = ("We describe two children with T-ALL who received CD7 CAR-T cells, with sustained negative "
            "minimal residual disease for >3 years.")
    assert durations(extractor, text) == [("response_duration", 3, "year")]


def test_remission_without_category_times_the_response(extractor):
    text = ("We report a case of a 12-year-old girl with T-ALL. She had molecular remission within 21 days "
            "after infusion of CD7 CAR-T cells.")
    assert durations(extractor, text) == [("time_to_response", 21, "day")]


def test_infusions_given_over_a_span(extractor):
    text = ("We report a case of a 50-year-old man with glioblastoma. Repeated infusions of CAR T cells were "
            "given over 150 days.")
    assert durations(extractor, text) == [("other", 150, "day")]


# -- responses ----------------------------------------------------------------------------------
def responses(extractor: Extractor, text: str) -> list[tuple]:
    return [(r["category"], r["n"], r["pct"]) for r in fields_of(extractor, text)["response"]]


def test_respectively_counts_with_patients_in_brackets(extractor):
    text = COHORT + ("The overall response rate and complete response rate were 90% (36/40 patients) and "
                     "70% (28/40 patients), respectively.")
    assert responses(extractor, text) == [("ORR", 36, 90), ("CR", 28, 70)]


def test_bare_response_rate_and_nearest_percentage(extractor):
    text = COHORT + "The response rate was 88%, with 41% achieving complete responses."
    assert responses(extractor, text) == [("ORR", None, 88), ("CR", None, 41)]


def test_outcomes_of_interest_yield_no_response(extractor):
    text = COHORT + "The outcomes of interest included overall survival, complete response rate and overall response rate."
    assert responses(extractor, text) == []


# -- patient counts and per-patient lists ---------------------------------------------------------
@pytest.mark.parametrize(("text", "n"), [
    ("Twelve consecutive patients with myeloma, including 3 with prior CAR-T exposure, were enrolled. "
     "BCMA CAR-T cells were infused.", 12),
    ("The 40 participants had a median of four prior lines of therapy. In part B, an additional 15 "
     "participants were treated with CD19 CAR-T cells.", 40),
    ("Four patients with gastric cancer were then treated with CLDN18.2 CAR-T cells. Responses were seen "
     "in the first two patients treated.", 4),
    ("In total, 30 of 48 children were treated with GD2 CAR-T cells at the target dose.", 48),
])
def test_study_total_beats_subgroups(extractor, text, n):
    assert fields_of(extractor, text)["n_patients"] == n


def test_single_patient_sentence_is_a_case_report(extractor):
    text = ("A patient with recurrent glioma received CAR T cells targeting IL13RA2 in a trial. "
            "[Indexed for MEDLINE]")
    f = fields_of(extractor, text)
    assert (f["study_design"], f["n_patients"]) == ("case_report", 1)


def test_small_trial_lists_patients_described_one_by_one(extractor):
    text = ("Background: We evaluated the safety of edited CD7 CAR-T cells in three children with leukemia. "
            "\n\nResults: The first patient, a 12-year-old boy with T-ALL, achieved remission.")
    f = fields_of(extractor, text)
    assert f["n_patients"] == 3
    assert f["patients"] == [{"age_years": 12, "sex": "male"}, {"age_years": None, "sex": None},
                             {"age_years": None, "sex": None}]


# -- context: background statements, comparators, transplant order, lexicon ---------------------
def test_background_statement_gives_no_cell_source(extractor):
    text = ("Autologous CD19 CAR-T cells have shown remarkable efficacy in lymphoma. We treated 10 patients with "
            "donor-derived CD19 CAR-T cells. Toxicity was comparable with that of autologous CAR-T cells.")
    assert fields_of(extractor, text)["cell_source"] == ["allogeneic"]


def test_donor_car_cells_are_allogeneic(extractor):
    text = "We report a case of a 9-year-old boy with T-ALL who received donor (his mother) CD7 CAR-T cells."
    assert fields_of(extractor, text)["cell_source"] == ["allogeneic"]


def test_car_cells_before_transplant_is_consolidative(extractor):
    text = ("A total of 12 patients with B-ALL were treated with CD19 CAR-T cells in this study. "
            "Three patients received allogeneic CAR-T cells before HSCT and remained in remission.")
    assert fields_of(extractor, text)["transplant"] == ["consolidative_allo_hsct"]


def test_t_cell_all_and_crispr_as_a_guide(extractor):
    text = ("We report a case of a 15-year-old boy with relapsed T-cell ALL treated with base-edited CAR7 T cells, "
            "made by deamination guided by clustered regularly interspaced short palindromic repeats (CRISPR).")
    f = fields_of(extractor, text)
    assert f["disease"] == ["T-ALL"]
    assert f["gene_editing"] == ["base_editing"]


# -- generalisation fixes (second real-abstract set) ---------------------------------------------
def test_negated_grade_before_the_term_covers_the_list(extractor):
    text = COHORT + "Grade 1 or 2 CRS was seen in 30 patients. No grade 3 or higher CRS or neurotoxicity was recorded."
    assert (">=3", 0, None) in grades(extractor, text, "crs")
    assert grades(extractor, text, "icans") == [(">=3", 0, None)]
    text = COHORT + "CRS occurred in 70% of patients, with no grade ≥3 CRS."
    assert (">=3", 0, None) in grades(extractor, text, "crs")
    text = COHORT + "None of the patients had grade 3/4 ICANS."
    assert grades(extractor, text, "icans") == [("3-4", 0, None)]


def test_unspecified_vector_yields_to_the_named_system(extractor):
    text = COHORT + ("The cells were engineered with a non-viral Sleeping Beauty transposon system, "
                     "a transposon approach that avoids viral vectors.")
    assert fields_of(extractor, text)["vector"] == ["sleeping_beauty"]


def test_preclinical_text_lists_no_treated_disease_or_antigen(extractor):
    text = ("Murine xenograft study. We engineered NKT cells with a GD2-specific CAR and tested them in vitro "
            "against neuroblastoma cell lines and in mice bearing neuroblastoma xenografts.")
    fields = fields_of(extractor, text)
    assert fields["study_design"] == "preclinical"
    assert fields["disease"] == [] and fields["target_antigen"] == []


def test_run_in_heading_closes_the_background(extractor):
    text = ("BACKGROUND. Producing autologous viral CAR products is costly. METHODS. We treated 12 patients "
            "with B-ALL with donor-derived CD19 CAR T cells.")
    assert fields_of(extractor, text)["cell_source"] == ["allogeneic"]
    text = ("BackgroundCAR T cells work in myeloma.MethodsWe pooled 20 studies.ResultsThe pooled incidence "
            "of grade 3-4 cytokine release syndrome was 6.1%.")
    assert grades(extractor, text, "crs") == [("3-4", None, 6.1)]


def test_no_cases_of_negates_the_list(extractor):
    text = COHORT + "Safety was excellent, with no cases of cytokine release syndrome, neurotoxicity or GVHD."
    assert grades(extractor, text, "crs") == [("0", None, None)]
    assert grades(extractor, text, "icans") == [("0", None, None)]


def test_grade_heading_two_coordinated_terms(extractor):
    text = COHORT + "Grade 3 or higher CRS and neurotoxicity occurred in 5% and 20%, respectively."
    assert [g for g, _, _ in grades(extractor, text, "icans")] == [">=3"]


@pytest.mark.parametrize(("sentence", "source"), [
    ("We ran a phase I trial of intrapleural, autologous, mesothelin-targeted CAR T cells in 20 patients.",
     ["autologous"]),
    ("Ten patients received autologous primary human CD8+ cytolytic T lymphocytes expressing a CAR (CAR T cells).",
     ["autologous"]),
    ("Thirty patients with lymphoma were treated with cord blood-derived natural killer (NK) cells carrying a CAR. "
     "The CAR NK cells persisted.",
     ["allogeneic"]),
    # a field statement is not this study's source, however many words stand between
    ("BACKGROUND. Making autologous viral products limits CAR T cell access. METHODS. We treated 9 patients with "
     "donor-derived CD19 CAR T cells.", ["allogeneic"]),
])
def test_cell_source_through_lists_and_long_names(extractor, sentence, source):
    assert fields_of(extractor, sentence)["cell_source"] == source


def test_expansion_peak_with_day_first_and_powers_of_ten(extractor):
    text = COHORT + "CAR T cells expanded well (peak at day 9, 41.5 cells/μL)."
    assert fields_of(extractor, text)["expansion_peak"] == [{"value": 41.5, "unit": "cells/ul", "day": 9}]
    text = COHORT + ("Median time to peak CAR-T expansion was 11 days, with a median peak level of 2.4×10⁵ "
                     "copies/µg.")
    assert fields_of(extractor, text)["expansion_peak"] == [{"value": 240000, "unit": "copies/ug", "day": 11}]


def test_peak_stated_only_as_a_day_is_an_other_duration(extractor):
    text = COHORT + "CAR T-cell expansion peaked at day 12 after infusion in most patients."
    fields = fields_of(extractor, text)
    assert fields["expansion_peak"] == []
    assert {"measure": "other", "value": 12, "unit": "day", "qualifier": None} in fields["durations"]


@pytest.mark.parametrize(("sentence", "expected"), [
    # the origin between measure and value
    ("Counted from the day of CAR-T infusion, the median PFS and OS from the time of infusion were 6.1 and 19.8 "
     "months, respectively.", [("survival", 6.1, "month"), ("survival", 19.8, "month")]),
    ("Median OS from referral was 390 days in the CAR-T group.", [("survival", 390, "day")]),
    # the median after the word 'follow-up', square-bracketed ranges, Unicode hyphens
    ("Responses held during the follow-up of a median 7.5 months.", [("follow_up", 7.5, "month")]),
    ("Remissions held during longer follow\u2010up (median of 9 [range 4-15] months after CAR\u2010T cells).",
     [("follow_up", 9, "month")]),
    # passive time to response; an adjectival response duration
    ("Remission by the study criteria was achieved in all four patients after 2 months.",
     [("time_to_response", 2, "month")]),
    ("Of the evaluable patients, 1 had a 6.5-month partial response and 3 had stable disease.",
     [("response_duration", 6.5, "month")]),
    ("The 3-month response rate was 60%.", []),
    # persistence on average; scraped text that lost the space after a full stop
    ("CAR T cells persisted for an average of 45 days.", [("other", 45, "day")]),
    ("Peak expansion was seen in vivo.Toxicities included one bleed 9 days after the CAR-T cell infusion.",
     [("other", 9, "day")]),
])
def test_more_cohort_durations(extractor, sentence, expected):
    assert durations(extractor, COHORT + sentence) == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The infusion of CD19 CAR-T cells led to complete remission (CR) in marrow and CSF for 50 days.",
     [("response_duration", 50, "day")]),
    ("He was bridged to transplant after remission on day 14 after CAR-T therapy. On day 14 after CAR-T "
     "therapy the marrow was clear.", [("time_to_response", 14, "day")]),
    ("After 12 d of CAR-T infusion, the pain eased.", [("other", 12, "day")]),
    ("He had a CR to CAR-T cells but relapse after 9 months.", [("time_to_relapse", 9, "month")]),
])
def test_case_durations(extractor, sentence, expected):
    text = "We report a 50-year-old man with DLBCL treated with CD19 CAR-T cells. " + sentence
    assert durations(extractor, text) == expected


def test_remains_in_remission_is_ongoing(extractor):
    text = ("We report a 50-year-old man with DLBCL treated with CD19 CAR-T cells. He remains in a durable CR at "
            "2 years.")
    assert fields_of(extractor, text)["durations"] == [
        {"measure": "response_duration", "value": 2, "unit": "year", "qualifier": "ongoing"}]


def test_grade_heads_terms_through_bracketed_abbreviations(extractor):
    text = ("We report a 41-year-old woman with B-ALL treated with CD19 CAR-T cells. Just grade 1 cytokine release "
            "syndrome (CRS) and immune effector cell-associated neurotoxicity syndrome (ICANS) events were seen.")
    assert grades(extractor, text, "crs") == [("1", None, None)]
    assert grades(extractor, text, "icans") == [("1", None, None)]


def test_grades_joined_by_and_head_both_terms(extractor):
    text = COHORT + "CRS was seen in all 40 patients, but grade 3 and 4 CRS and neurological events were rare (5% each)."
    assert "3-4" in [g for g, _, _ in grades(extractor, text, "crs")]
    assert [g for g, _, _ in grades(extractor, text, "icans")] == ["3-4"]


def test_negation_over_an_including_list_and_higher_grade(extractor):
    text = COHORT + "Apart from fever, there was no other organ toxicity including neurotoxicity."
    assert grades(extractor, text, "icans") == [("0", None, None)]
    text = COHORT + "After adjustment, higher-grade CRS remained associated with slower count recovery."
    assert [g for g, _, _ in grades(extractor, text, "crs")] == [">=3"]


def test_comparator_cell_type_in_a_text_about_the_field(extractor):
    text = ("The success of CAR-T cells in B-cell cancers is well known. However, the limitations of CAR-T cell "
            "therapy turned attention to other effector cells. In comparison to CAR-T cells, CAR-NK cells can be "
            "made from donors. This review covers the engineering of CAR-NK cells for leukemia.")
    assert fields_of(extractor, text)["cell_type"] == ["CAR-NK"]
    text = ("Although CAR-T cells have changed lymphoma care, some patients relapse. We treated 12 patients with "
            "CD19 CAR-NK cells.")
    assert fields_of(extractor, text)["cell_type"] == ["CAR-NK"]


def test_off_the_shelf_in_a_field_sentence_is_no_cell_source(extractor):
    text = ("This review covers CAR-NK cells in leukemia. Abundant sources could make CAR-NK cells potentially "
            "available as off-the-shelf products.")
    assert fields_of(extractor, text)["cell_source"] == []


@pytest.mark.parametrize(("text", "patients"), [
    ("A 9-year-old boy was diagnosed with T-ALL in 2019. He was enrolled in a phase I trial of CD7 CAR-T cells "
     "and reached CR.", [{"age_years": 9, "sex": "male"}]),
    ("Methods: one patient with relapsed PCNSL was chosen for this retrospective analysis. Results: The patient "
     "was female and 52 years old. She received CD19 CAR-T cells.", [{"age_years": 52, "sex": "female"}]),
    ("Targeted therapy plus GPC3 CAR T cells was used to treat a patient with advanced HCC.",
     [{"age_years": None, "sex": None}]),
])
def test_one_described_patient_is_a_case_report_whatever_the_design_words(extractor, text, patients):
    f = fields_of(extractor, text)
    assert (f["study_design"], f["n_patients"], f["patients"]) == ("case_report", 1, patients)


def test_a_trial_with_one_patient_described_among_many_stays_a_trial(extractor):
    text = ("In this phase I trial, 20 patients with B-ALL received CD19 CAR-T cells. A 9-year-old boy had "
            "grade 3 CRS.")
    f = fields_of(extractor, text)
    assert (f["study_design"], f["n_patients"]) == ("clinical_trial", 20)


@pytest.mark.parametrize(("text", "n"), [
    ("We did a systematic review and meta-analysis of CAR-T trials. Forty studies (2210 patients) were included in "
     "the systematic review and 31 (1876 patients) in the meta-analysis.", 1876),
    ("We did a meta-analysis of CAR-T trials. A total of 30 studies were included (745 participants).", 745),
    ("This multicenter retrospective study looked at CD19 CAR-T. Patients (n = 312) from 9 centers treated with "
     "CAR-T for lymphoma were included.", 312),
    ("In this phase I trial, we treated 12 patients with CLL and 3 patients with follicular lymphoma with CD19 "
     "CAR T cells. Fourteen of fifteen patients received conditioning chemotherapy.", 15),
    ("In this phase I trial, three pediatric and 8 adult patients were treated with CD19 CAR T cells.", 11),
    ("We studied HBV reactivation after CD19 CAR-T therapy in 25 consecutive patients with lymphoma. "
     "One of six patients who were HBsAb negative had reactivation.", 25),
])
def test_pooled_sums_and_bracketed_totals(extractor, text, n):
    assert fields_of(extractor, text)["n_patients"] == n


@pytest.mark.parametrize(("sentence", "categories"), [
    ("He first achieved complete remission (CR) after four cycles of R-CHOP. Two years later he relapsed and "
     "received CD19 CAR-T cells, with a partial response.", ["PR"]),
    ("Six courses of high-dose methotrexate led to partial response. After CD19 CAR-T cells he reached CR.",
     ["CR"]),
    ("In the pivotal trial this product gave an overall response rate of 91% and a CR rate of 62%. Our patient "
     "reached a partial response after CD19 CAR-T cells.", ["PR"]),
])
def test_case_report_responses_to_other_therapies_or_cited_trials(extractor, sentence, categories):
    text = "We report a 58-year-old man with DLBCL. " + sentence
    assert [r for r, _, _ in responses(extractor, text)] == categories


def test_car_therapy_leading_to_a_second_cr_and_crs_treated_with_tocilizumab(extractor):
    text = ("We report a 58-year-old man with DLBCL in CNS relapse. He then received CD19 CAR-T cells, with cytokine "
            "release syndrome treated with tocilizumab. This treatment led to a second CR.")
    f = fields_of(extractor, text)
    assert [r["category"] for r in f["response"]] == ["CR"]
    assert [c["grade"] for c in f["crs"]] == ["any"]


@pytest.mark.parametrize(("text", "diseases"), [
    ("We treated 6 patients with metastatic renal cell carcinoma with CD70 CAR-T cells.", ["other"]),
    ("Eight patients with biliary tract cancer and 3 with pancreatic cancer received HER2 CAR-T cells.",
     ["other", "pancreatic_cancer"]),
    ("CAR T cells eliminated thyroid cancer cells in vitro.", []),
    ("Five patients with lupus received CD19 CAR-T cells; the SLE Disease Activity Index fell to 0.",
     ["SLE"]),
    ("Twelve patients with myeloma received BCMA CAR-T cells, which also killed MM.1S targets. One patient "
     "developed a secondary AML.", ["MM"]),
])
def test_out_of_vocabulary_and_non_disease_mentions(extractor, text, diseases):
    assert fields_of(extractor, text)["disease"] == diseases
