"""Phenomena and data conventions of the seventh round (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import pytest
from extract_support import by_key, durations_of, fields_of


def _responses(extractor, text):
    return by_key(fields_of(extractor, text)["response"])


# -- rates of one statement compared across groups -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # the second group named by "without" alone
    ("Forty patients received CAR T cells. The overall response rate was 81% with tocilizumab prophylaxis versus "
     "64% without.", [("ORR", None, 64), ("ORR", None, 81)]),
    # groups named by "after" and "in"
    ("Thirty patients received CAR T cells. The complete response rate was 40% after a prior autograft and 57% in "
     "transplant-naive patients.", [("CR", None, 40), ("CR", None, 57)]),
    # "compared with" after a comma
    ("Sixty patients received CAR T cells. The CR rate was 62.5%, compared with 48.0% in those with bulky disease.",
     [("CR", None, 48.0), ("CR", None, 62.5)]),
])
def test_one_statements_rate_for_a_second_group(extractor, text, expected):
    assert _responses(extractor, text) == expected


# -- a cohort defined by its response -------------------------------------------------------------------------------

def test_a_cohort_counted_by_the_response_its_relative_clause_states(extractor):
    text = ("We analysed 41 adults with relapsed B-ALL treated with CD19 CAR T cells at two centres who achieved "
            "complete remission (CR).")
    assert _responses(extractor, text) == [("CR", 41, None)]


def test_a_response_to_the_car_is_no_history_after_a_later_transplant_word(extractor):
    text = ("We studied 37 patients who underwent a consolidative second transplant after attaining CR with CAR-T "
            "therapy.")
    assert _responses(extractor, text) == [("CR", 37, None)]


def test_a_remission_after_chemotherapy_stays_history(extractor):
    text = "We enrolled 28 patients who had achieved CR after chemotherapy and then received CAR T cells."
    assert _responses(extractor, text) == []


# -- an MRD-negative share of the complete remissions ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Twenty-two patients received CAR T cells; 18 (82%) reached CR, 15 of them with MRD-negative marrow.",
     [("CR", 18, 82), ("MRD_negative_CR", 15, None)]),
    ("Twenty-two patients received CAR T cells. Of the 18 patients in complete remission, 14 were MRD-negative.",
     [("CR", 18, None), ("MRD_negative_CR", 14, None)]),
    ("Ninety patients received CAR T cells. CR was achieved in 70 (77.8%), and 61 of the complete remissions were "
     "MRD-negative.", [("CR", 70, 77.8), ("MRD_negative_CR", 61, None)]),
    ("Ninety patients received CAR T cells. In all, 70 (77.8%) were in CR, 52 of them (74.3%) with undetectable MRD.",
     [("CR", 70, 77.8), ("MRD_negative_CR", 52, 74.3)]),
])
def test_an_mrd_negative_share_of_the_complete_remissions(extractor, text, expected):
    assert _responses(extractor, text) == expected


def test_mrd_negativity_not_stated_of_the_complete_remissions_is_none(extractor):
    # GUIDE: MRD negativity that is not stated as a CR gives no MRD_negative_CR
    text = ("Twenty patients received CAR T cells. CR was achieved in 12 patients; MRD negativity in the peripheral "
            "blood was seen in 15.")
    assert _responses(extractor, text) == [("CR", 12, None)]


# -- days and spans of a toxicity ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # a participle after the event and a comma
    ("A 47-year-old woman received CAR T cells. She had grade 3 ICANS, lasting 6 days despite dexamethasone.",
     [("other", 6, "day", None)]),
    # the toxicity "peaked at grade 2" is no laboratory peak: the onset day stays
    ("A 47-year-old woman received CAR T cells. Fever marked the onset of CRS on day +2; CRS peaked at grade 2.",
     [("other", 2, "day", None)]),
    # when a toxicity began, counted in days
    ("Eighty patients received CAR T cells. ICANS started at a median of 7 days after infusion.",
     [("other", 7, "day", "median")]),
])
def test_days_and_spans_of_a_toxicity(extractor, text, expected):
    assert durations_of(extractor, text) == expected


# -- two cell sources: the field's and the study's ------------------------------------------------------------------

def test_a_source_named_only_in_a_claim_about_the_field_is_the_comparators(extractor):
    text = ("Autologous CAR T cells can control refractory lupus, but each product takes weeks to make. We treated "
            "four patients with off-the-shelf CD19 CAR-NK cells from healthy donors; all four reached remission.")
    assert fields_of(extractor, text)["cell_source"] == ["allogeneic"]


def test_two_sources_of_the_studys_own_products_both_stay(extractor):
    text = ("Donor-derived versus recipient-derived CD19 CAR T cells after allogeneic transplantation: a "
            "meta-analysis\n\nResults: Twelve studies (310 subjects: 170 given donor-derived and 140 given "
            "recipient-derived CAR T cells) were eligible.")
    assert sorted(fields_of(extractor, text)["cell_source"]) == ["allogeneic", "autologous"]


# -- a toxicity's values in the grades of the statements before it -------------------------------------------------

@pytest.mark.parametrize("joint", ["; the corresponding figures for ICANS were", ". The respective rates of ICANS were"])
def test_corresponding_figures_take_the_grades_of_the_statements_before(extractor, joint):
    text = ("Ninety patients received CAR T cells. CRS of any grade occurred in 76% and grade 3 or higher CRS in 9%"
            f"{joint} 31% and 12%.")
    assert by_key(fields_of(extractor, text)["icans"]) == [(">=3", None, 12), ("any", None, 31)]


def test_one_value_after_corresponding_keeps_its_own_grade(extractor):
    text = ("Ninety patients received CAR T cells. CRS of any grade occurred in 76% and grade 3 or higher CRS in 9%;"
            " the corresponding figure for ICANS was 31%.")
    assert by_key(fields_of(extractor, text)["icans"]) == [("any", None, 31)]


def test_one_statements_values_for_groups_named_after_of_then_respectively(extractor):
    text = ("Sixty patients received CAR T cells. Neurotoxicity occurred in 11% and 23% of female and male patients, "
            "respectively.")
    assert by_key(fields_of(extractor, text)["icans"]) == [("any", None, 11), ("any", None, 23)]


# -- diseases the vocabulary does not name --------------------------------------------------------------------------

@pytest.mark.parametrize("disease", ["plasma cell leukemia", "Lambert-Eaton myasthenic syndrome",
                                     "immune thrombocytopenia", "Sjögren's syndrome"])
def test_a_treated_disease_outside_the_vocabulary_is_other(extractor, disease):
    text = f"We treated 6 patients with refractory {disease} with CD19 or BCMA CAR T cells; all responded."
    assert fields_of(extractor, text)["disease"] == ["other"]


def test_a_synonym_with_an_apostrophe_matches_both_apostrophes():
    import re

    from pipeline.extract.lexicon import synonym_regex
    rx = re.compile(synonym_regex("Waldenström's macroglobulinemia"), re.I)
    assert rx.fullmatch("Waldenström's macroglobulinemia")
    assert rx.fullmatch("Waldenström’s macroglobulinemia")


# -- the treated count among the enrolled, screened and pooled ------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Results: Forty-one patients underwent apheresis, and 37 ultimately received tisagenlecleucel.", 37),
    ("Thirty patients were enrolled, of whom 27 were treated at three dose levels.", 27),
    ("Results: Nine studies (2 phase 1 trials and 7 cohorts) with 412 patients met the inclusion criteria.", 412),
    ("Results: Of the 31 enrolled patients, 28 completed the planned CAR-T cell infusion.", 28),
])
def test_the_treated_count_among_enrolled_screened_and_pooled(extractor, text, expected):
    assert fields_of(extractor, text)["n_patients"] == expected


def test_a_share_treated_with_another_drug_is_no_cohort_count(extractor):
    text = "Thirty patients were enrolled and infused with CAR T cells, of whom 12 were treated with tocilizumab."
    assert fields_of(extractor, text)["n_patients"] == 30


@pytest.mark.parametrize(("text", "expected"), [
    # the study's own commercial product described in the Introduction
    ("Introduction: Lisocabtagene maraleucel (liso-cel), an autologous CD19-directed CAR T-cell product, is approved "
     "for large B-cell lymphoma. Results: Of 64 patients leukapheresed, 58 received liso-cel.", ["autologous"]),
    # the patient's own cells through their leukapheresis
    ("Twelve patients received CAR T cells made from T cells obtained by leukapheresis from each patient.",
     ["autologous"]),
    # a donor's cells named without a source word
    ("Ten patients relapsing after transplantation received CD19 CAR T cells; the cells were manufactured from "
     "lymphocytes collected from their original stem cell donor.", ["allogeneic"]),
    # both sources of one list
    ("In this meta-analysis of CAR-T cells, products were autologous in 9 studies and donor-derived in 4.",
     ["allogeneic", "autologous"]),
])
def test_cell_sources_stated_indirectly(extractor, text, expected):
    assert sorted(fields_of(extractor, text)["cell_source"]) == expected


def test_stem_cells_collected_from_a_donor_are_a_transplants(extractor):
    text = ("Twelve patients received autologous CD19 CAR T cells and later an allogeneic transplant with stem cells "
            "collected from a matched sibling donor.")
    assert fields_of(extractor, text)["cell_source"] == ["autologous"]


@pytest.mark.parametrize(("text", "expected"), [
    # a relapse with an aside between commas
    ("Forty patients received CAR T cells. Of the responders, six relapsed, four of them with antigen-negative "
     "disease, at a median of 5.2 months after infusion.", [("time_to_relapse", 5.2, "month", "median")]),
    # a group named as not transplanted is no other therapy of the sentence
    ("Forty patients received CAR T cells. In the non-transplanted group, relapse occurred after a median of "
     "4.4 months.", [("time_to_relapse", 4.4, "month", "median")]),
    ("A 58-year-old man received CAR T cells. He remains in CR without further therapy 16 months after the "
     "infusion.", [("response_duration", 16, "month", "ongoing")]),
    ("Fifty patients received CAR T cells. CRS occurred in 40, starting a median of 3 days after infusion "
     "(range, 1-9) and lasting a median of 5 days.", [("other", 3, "day", "median"), ("other", 5, "day", "median")]),
    ("Twelve patients received CAR T cells. At a median f/u of 7.5 mo, 6 remain in CR.",
     [("follow_up", 7.5, "month", "median")]),
    ("Twelve patients received CAR T cells. Three of the five remissions are ongoing at 8, 11 and 19 months after "
     "infusion.", [("response_duration", 8, "month", "ongoing"), ("response_duration", 11, "month", "ongoing"),
                   ("response_duration", 19, "month", "ongoing")]),
])
def test_durations_of_the_seventh_round(extractor, text, expected):
    assert durations_of(extractor, text) == expected


def test_assessment_time_points_stay_no_durations(extractor):
    assert durations_of(extractor, "Twelve patients received CAR T cells. Response was assessed at 1, 3 and 6 "
                                   "months.") == []


# -- an event's rate, then its severe share -------------------------------------------------------------------------

def test_a_severity_in_brackets_with_its_own_value_is_a_second_statement(extractor):
    text = ("Sixty patients received CAR T cells. CRS of any grade occurred in 71% (95% CI, 60%-80%) of patients and "
            "was severe (grade ≥3) in 8% (95% CI, 4%-13%).")
    assert by_key(fields_of(extractor, text)["crs"]) == [(">=3", None, 8), ("any", None, 71)]


def test_a_count_before_but_is_the_events_not_the_grade_after(extractor):
    text = ("Sixty patients received CAR T cells. CRS affected 48 of the 60 infused patients (80%) but was grade 3 "
            "in only three.")
    assert ("any", 48, 80) in by_key(fields_of(extractor, text)["crs"])


def test_a_severity_in_brackets_without_a_value_is_the_events_grade(extractor):
    text = "Sixty patients received CAR T cells. ICANS occurred in 4 patients and was mild (grade 1)."
    assert by_key(fields_of(extractor, text)["icans"]) == [("1", 4, None)]


def test_remissions_negative_for_minimal_residual_disease(extractor):
    text = ("Thirty patients received CAR T cells. In all, 26 of 30 (87%) were in complete remission, and 22 of these "
            "26 remissions were negative for minimal residual disease.")
    assert ("MRD_negative_CR", 22, None) in by_key(fields_of(extractor, text)["response"])
