"""Phenomena of the fifth round: days written as ordinals, time points written as notations ("at week 6"), a
relapse counted from an earlier transplant, and the length words around persistence, peaks and listed medians
(each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import pytest
from extract_support import by_key, fields_of

from pipeline.extract.numbers import parse_ordinal


def _durations(extractor, text):
    return sorted((d["measure"], d["value"], d["unit"]) for d in fields_of(extractor, text)["durations"])


@pytest.mark.parametrize("text, value", [("seventh", 7), ("10th", 10), ("21st", 21), ("twenty-third", 23),
                                         ("third", 3), ("tenthly", None), ("fifty", None)])
def test_ordinals_in_words_and_digits(text, value):
    assert parse_ordinal(text) == value


@pytest.mark.parametrize("text, expected", [
    ("A 50-year-old man received CD19 CAR-T cells. Grade 1 CRS began on the fourth day.", [("other", 4, "day")]),
    ("A 50-year-old man received CD19 CAR-T cells. By the 12th day he had grade 2 ICANS.", [("other", 12, "day")]),
])
def test_a_day_written_as_an_ordinal_is_a_day_notation(extractor, text, expected):
    assert _durations(extractor, text) == expected


def test_an_ordinal_day_of_something_else_is_no_day(extractor):
    text = "A 50-year-old man received CD19 CAR-T cells. Grade 1 CRS began on the third day of hospitalization."
    assert _durations(extractor, text) == []


def test_a_time_point_notation_reads_like_a_day_for_one_patient(extractor):
    text = ("A 9-year-old girl received GD2 CAR-T cells. Imaging at week 8 showed a partial response. "
            "By month 5 she met the criteria for complete response.")
    assert _durations(extractor, text) == [("time_to_response", 5, "month"), ("time_to_response", 8, "week")]


def test_a_cohort_response_at_a_time_point_is_an_assessment(extractor):
    text = "Thirty patients received CD19 CAR-T cells. Response at month 6 (n = 28): CR 14 (50.0%), PR 4 (14.3%)."
    assert _durations(extractor, text) == []


def test_a_day_then_the_patient_and_an_event(extractor):
    text = "A 60-year-old woman received CD19 CAR-T cells. On D9 she developed tremor and dysgraphia."
    assert _durations(extractor, text) == [("other", 9, "day")]


@pytest.mark.parametrize("text", [
    "A 30-year-old man with AML relapsed 4 months after a haploidentical allo-HSCT and received CLL1 CAR-T cells.",
    "A 30-year-old man with AML underwent allo-HSCT in first remission and relapsed 4 months later. He then "
    "received CLL1 CAR-T cells.",
    "A 30-year-old man with AML received CLL1 CAR-T cells. Four months after the allogeneic transplant he had "
    "relapsed.",
])
def test_a_relapse_counted_from_an_earlier_transplant_is_a_prior_remission(extractor, text):
    assert _durations(extractor, text) == [("prior_remission", 4, "month")]


@pytest.mark.parametrize("text", [
    "A 30-year-old man with ALL relapsed after allo-HSCT, achieved CR with CD19 CAR-T cells but relapsed 4 months "
    "later.",
    "A 30-year-old man with ALL relapsed 4 months after infusion of autologous CD19 CAR T cells.",
])
def test_a_relapse_after_the_car_is_a_time_to_relapse(extractor, text):
    assert _durations(extractor, text) == [("time_to_relapse", 4, "month")]


@pytest.mark.parametrize("text, expected", [
    ("CAR T cells were detectable in marrow by qPCR for 9 months.", ("other", 9, "month")),
    ("CAR-NK cells persisted at low levels for at least 6 months.", ("other", 6, "month")),
    ("CAR T-cell expansion peaked at a median of day 12.", ("other", 12, "day")),
    ("Three patients remain in complete remission beyond 24 months.", ("response_duration", 24, "month")),
    ("CRS appeared on day 2 and resolved within four days.", ("other", 4, "day")),
    ("Of 40 patients given CD19 CAR-T cells, 9 relapsed (four with CD19-negative disease) after a median of 6.1 "
     "months.", ("time_to_relapse", 6.1, "month")),
])
def test_length_words_around_a_span(extractor, text, expected):
    assert expected in _durations(extractor, "Forty adults received CD19 CAR-T cells. " + text)


def test_a_median_listed_overall_then_by_subgroup(extractor):
    text = ("Forty adults received BCMA CAR-T cells. Median PFS was 10.2 months overall, 5.5 months with "
            "extramedullary disease and 13.0 months without it.")
    assert [d[1] for d in _durations(extractor, text) if d[0] == "survival"] == [5.5, 10.2, 13.0]


# -- rates, antigens, diseases ----------------------------------------------------------------------------
META = "BCMA CAR-T cells in myeloma: a systematic review and meta-analysis. Twelve studies with 640 patients were pooled. "


def test_a_pooled_proportion_written_as_a_decimal_is_a_percentage(extractor):
    f = fields_of(extractor, META + "The pooled ORR was 0.81 (95% CI 0.74-0.87) and CRS occurred in 0.77 "
                                   "(0.70-0.83); grade >=3 CRS in 0.06 (95% CI 0.03-0.10).")
    assert ("ORR", None, 81) in by_key(f["response"])
    assert sorted(by_key(f["crs"])) == [(">=3", None, 6), ("any", None, 77)]


def test_a_ratio_with_its_interval_is_no_proportion(extractor):
    f = fields_of(extractor, META + "Complete response was associated with longer OS (HR 0.42, 95% CI 0.25-0.70).")
    assert all(o["pct"] is None for o in f["response"])


def test_an_interval_outside_brackets_ends_with_its_sentence(extractor):
    text = ("CAR-T cells in AML: a meta-analysis. We pooled proportions with 95% confidence intervals.Results Nine "
            "studies including 212 patients were eligible.")
    assert fields_of(extractor, text)["n_patients"] == 212


def test_antigens_listed_with_their_study_counts(extractor):
    f = fields_of(extractor, "CAR-T cells in AML: a meta-analysis. The CARs targeted CD33 (4 studies), CLL1 (3) "
                             "and CD123 (2).")
    assert f["target_antigen"] == ["CD33", "CLL1", "CD123"]


def test_a_slash_pair_shares_its_rate_and_the_next_count_is_the_next_statements(extractor):
    f = fields_of(extractor, "Thirty adults received CD19 CAR-T cells. The CR/CRi rate was 80% (24/30), and 20 "
                             "patients achieved MRD-negative CR.")
    assert {("CR", 24, 80), ("CRi", 24, 80), ("MRD_negative_CR", 20, None)} <= set(by_key(f["response"]))


def test_a_share_of_the_responders_is_not_their_count(extractor):
    f = fields_of(extractor, "Sixty adults received CD19 CAR-T cells. At day 28, 51 patients (85%) were in complete "
                             "remission, 44 of them MRD-negative.")
    assert ("CR", 51, 85) in by_key(f["response"])


def test_subtypes_listed_for_the_cohort_replace_the_class_of_the_title(extractor):
    text = ("CD19/CD20 CAR-T cells for B-cell non-Hodgkin lymphoma: a phase 1 trial\n\nAbstract\n\nTwenty patients "
            "were treated, including 12 with DLBCL, 5 with follicular lymphoma and 3 with mantle cell lymphoma.")
    assert sorted(fields_of(extractor, text)["disease"]) == ["DLBCL", "FL", "MCL"]


def test_a_disease_that_arose_after_the_car_is_not_treated(extractor):
    text = "CD19 CAR-T cells in 30 patients with CLL. One patient developed Richter transformation after CAR-T therapy."
    assert fields_of(extractor, text)["disease"] == ["CLL"]


# -- patients --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Two cases. The first, a 60-year-old man, had CRS. The second, a woman of 38 years, had none.",
     [(60, "male"), (38, "female")]),
    ("Two cases. Patient 1 (male, 61) had CRS. Patient 2 (female, 44) had ICANS.", [(61, "male"), (44, "female")]),
    ("A female patient, 49 years of age, received CLDN18.2 CAR-T cells.", [(49, "female")]),
])
def test_ages_and_patients_written_in_other_ways(extractor, text, expected):
    assert [(p["age_years"], p["sex"]) for p in fields_of(extractor, text)["patients"]] == expected


def test_numbered_case_headings_open_their_own_sections(extractor):
    text = ("CD7 CAR-T cells after transplant: two cases\n\nAbstract\n\nIntroduction\nCD7 is shared by T cells.\n\n"
            "Case 1\nA 23-year-old man relapsed and received CD7 CAR-T cells; grade 1 CRS began on day 2.\n\n"
            "Case 2\nA 41-year-old woman received CD7 CAR-T cells and had grade 2 ICANS.")
    f = fields_of(extractor, text)
    assert f["study_design"] == "case_series" and len(f["patients"]) == 2 and f["durations"]


# -- counts, designs, antigens of products ------------------------------------------------------------
@pytest.mark.parametrize("text, n", [
    ("In this phase 1 trial of CAR-NK cells, 15 patients were enrolled; two progressed, leaving 13 who were "
     "infused.", 13),
    ("In this phase 1 trial of CAR-T cells, thirty patients were enrolled and 26 were dosed.", 26),
    ("In this retrospective study, brexu-cel was ordered for 70 patients and infused in 63; CRS occurred in 50.", 63),
    ("In this randomised trial, of 300 patients randomised, 150 were allocated to CAR T cells and 150 to standard "
     "care; 141 of the former received the infusion.", 141),
    ("A total of 120 patients were leukapheresed at six centres; 9 did not proceed, leaving 111 infused patients.", 111),
    ("Of 150 registered patients, 140 underwent apheresis and 131 received the autologous, lentivirally transduced "
     "CD19 CAR T-cell product.", 131),
])
def test_the_infused_count_in_other_words(extractor, text, n):
    assert fields_of(extractor, text)["n_patients"] == n


@pytest.mark.parametrize("text, n", [
    ("CAR-T cells in myeloma: a meta-analysis. Twenty studies met the criteria, together contributing 1,204 "
     "participants.", 1204),
    ("CAR-T cells in autoimmunity: a systematic review. Nineteen publications (eight case reports and eleven "
     "series) provided data on 97 patients.", 97),
])
def test_a_pooled_count_after_words_about_the_studies(extractor, text, n):
    assert fields_of(extractor, text)["n_patients"] == n


def test_a_declared_review_is_a_review_whatever_counts_it_cites(extractor):
    text = ("CAR T cells for solid tumours: a clinical perspective\n\nAbstract\n\nThis perspective reviews the "
            "programmes that produced responses. GD2 CAR T cells achieved responses in 63% of 27 children in one "
            "trial, and 98 patients received claudin 18.2 CAR T cells in a phase 1 study.")
    f = fields_of(extractor, text)
    assert f["study_design"] == "review" and f["n_patients"] is None


def test_a_cohort_that_pooled_its_patients_is_no_meta_analysis(extractor):
    text = ("Ide-cel in routine practice: a multicentre real-world cohort. This retrospective study pooled all "
            "patients leukapheresed at nine centres; 180 were infused.")
    assert fields_of(extractor, text)["study_design"] == "observational_cohort"


@pytest.mark.parametrize("text, antigens", [
    ("A review of CAR T cells for T-cell malignancies. We summarise CD7-, CD5- and TRBC1-directed CAR T cells.",
     ["CD7", "CD5", "TRBC1"]),
    ("CAR T cells in glioblastoma: a perspective. B7-H3- or IL13Rα2-directed cells were given into the ventricles.",
     ["B7-H3", "IL13RA2"]),
    ("CAR-T cells: a meta-analysis. Products targeted CD19 (nine studies) or CD70 (one).", ["CD19", "CD70"]),
    ("CAR-T cells in myeloma: a meta-analysis. Four studies of dual BCMA/CD19 constructs were pooled.",
     ["BCMA", "CD19"]),
])
def test_antigens_of_products_named_by_their_target(extractor, text, antigens):
    assert fields_of(extractor, text)["target_antigen"] == antigens


def test_a_cell_population_named_by_its_marker_is_no_target(extractor):
    text = "CD19 CAR-T cells in ALL. CD33-positive blasts persisted, and CD20 cells recovered at month 6."
    assert fields_of(extractor, text)["target_antigen"] == ["CD19"]


# -- rates in tables and per-product lists ------------------------------------------------------------------
def test_a_table_row_written_with_slashes_gives_each_arm_its_value(extractor):
    text = ("Two hundred patients received axi-cel or tisa-cel. CRS by product (axi-cel / tisa-cel): any grade, "
            "120 (80.0%) / 30 (60.0%); grade >=3, 12 (8.0%) / 2 (4.0%).")
    assert sorted(by_key(fields_of(extractor, text)["crs"])) == [
        (">=3", 2, 4), (">=3", 12, 8), ("any", 30, 60), ("any", 120, 80)]


def test_a_grade_slash_pair_is_still_a_grade(extractor):
    f = fields_of(extractor, "Sixty patients received CAR-T cells. CRS of grade 1/2 (70%) was managed.")
    assert [o["grade"] for o in f["crs"]] == ["1-2"]


@pytest.mark.parametrize("text, expected", [
    ("Fifty patients were infused. Maximum CRS grade: grade 1, 20 (40.0%); grade 2, 9 (18.0%); grade 3, 3 (6.0%).",
     [("1", 20, 40), ("2", 9, 18), ("3", 3, 6)]),
    ("Ninety patients were infused. CRS was graded as follows: grade 1, 41; grade 2, 22; grade 4, 3.",
     [("1", 41, None), ("2", 22, None), ("4", 3, None)]),
    ("Ninety patients were infused. CRS, % (n = 90): grade 1, 45; grade 2, 24.", [("1", None, 45), ("2", None, 24)]),
])
def test_a_grade_then_its_count_after_a_comma(extractor, text, expected):
    assert set(expected) <= set(by_key(fields_of(extractor, text)["crs"]))


def test_a_list_of_grades_climbs_one_by_one(extractor):
    assert [o["grade"] for o in fields_of(extractor, "CRS of grades 1, 2 and 3 occurred after CAR-T.")["crs"]] == ["1-3"]


def test_graded_then_respectively(extractor):
    text = ("Sixty patients were infused. CRS occurred in 40 patients (66.7%), graded 1, 2 and 3 in 25, 10 and 5 "
            "patients, respectively.")
    assert {("1", 25, None), ("2", 10, None), ("3", 5, None)} <= set(by_key(fields_of(extractor, text)["crs"]))


@pytest.mark.parametrize("phrase", ["all at grade 1", "every episode grade 1"])
def test_all_of_one_grade_in_other_words(extractor, phrase):
    f = fields_of(extractor, f"Eighty patients were infused. ICANS affected 4 patients (5%), {phrase}.")
    assert by_key(f["icans"]) == [("1", 4, 5)]


def test_values_for_products_named_after_of(extractor):
    text = ("In this registry, 400 patients received axi-cel, tisa-cel or liso-cel. Severe ICANS occurred in 20% of "
            "axi-cel, 5% of tisa-cel and 8% of liso-cel recipients.")
    assert sorted(by_key(fields_of(extractor, text)["icans"])) == [(">=3", None, 5), (">=3", None, 8), (">=3", None, 20)]


def test_a_grade_or_higher_is_no_coordinated_subject(extractor):
    text = ("In this cohort, 300 patients received axi-cel or tisa-cel. CRS occurred in 84% of axi-cel and 61% of "
            "tisa-cel recipients, and grade 3 or higher CRS in 7% and 3%.")
    assert {(">=3", None, 7), (">=3", None, 3)} <= set(by_key(fields_of(extractor, text)["crs"]))


def test_a_shared_statement_takes_the_other_groups_values(extractor):
    text = ("In this meta-analysis, 900 patients received CAR-T cells. By target, CR/CRi was reached in 80% with "
            "CD19 and 70% with CD22.")
    assert {("CR", None, 70), ("CRi", None, 70)} <= set(by_key(fields_of(extractor, text)["response"]))


# -- durations told in other words ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("A 7-year-old girl received CD19 CAR-T cells after she had stayed in complete remission for 9 months after "
     "the graft.", ("prior_remission", 9, "month")),
    ("A 60-year-old man had remained in remission for 20 months before his first relapse. He then received "
     "cilta-cel CAR-T cells.", ("prior_remission", 20, "month")),
    ("A 7-year-old girl received CD19 CAR-T cells. Ten months after the CAR-T infusion she remains in "
     "MRD-negative remission.", ("response_duration", 10, "month")),
    ("A 50-year-old woman received CLDN18.2 CAR-T cells. The response held for 5 months.",
     ("response_duration", 5, "month")),
    ("A 50-year-old woman received CD7 CAR-T cells. CD7-negative disease emerged on day +120.",
     ("time_to_relapse", 120, "day")),
    ("A 50-year-old woman received CLDN18.2 CAR-T cells. Progression in the liver was confirmed 6 months after "
     "the infusion.", ("time_to_relapse", 6, "month")),
])
def test_durations_told_in_other_words(extractor, text, expected):
    assert expected in _durations(extractor, text)


@pytest.mark.parametrize("text, expected", [
    ("Forty patients received BCMA CAR-T cells. Responses were seen at a median of 21 days after infusion.",
     ("time_to_response", 21, "day")),
    ("Eight patients received CD19 CAR-T cells. Seven met DORIS remission criteria, reached at a median of 3 months "
     "after infusion.", ("time_to_response", 3, "month")),
    ("Forty patients received BCMA CAR-T cells. Complete responses were reached after a median of 2.5 months.",
     ("time_to_response", 2.5, "month")),
])
def test_times_to_response_of_a_cohort(extractor, text, expected):
    assert expected in _durations(extractor, text)


def test_a_general_statement_about_relapses_is_no_duration(extractor):
    text = "Most relapses after CD19 CAR-T cells occur within the first six months. We report a 60-year-old man."
    assert _durations(extractor, text) == []


def test_a_number_after_patient_or_day_is_no_count(extractor):
    text = ("Three patients received CD19 CAR-T cells. Patient 2 developed grade 3 ICANS. PET on day +30 showed a "
            "complete metabolic response in patient 1.")
    f = fields_of(extractor, text)
    assert [o["n"] for o in f["icans"] + f["response"]] == [None, None]


def test_a_rate_takes_the_count_whose_share_it_is(extractor):
    f = fields_of(extractor, "Twelve patients were infused. Eight of the 12 patients responded (66.7%), five with "
                             "complete remission (41.7%).")
    assert {("ORR", 8, 66.7), ("CR", 5, 41.7)} <= set(by_key(f["response"]))


def test_a_rate_keeps_no_count_that_disagrees_with_it(extractor):
    f = fields_of(extractor, "Twelve patients were infused. Eight of the 12 patients responded (50.0%).")
    assert ("ORR", None, 50) in by_key(f["response"])


def test_values_listed_by_product(extractor):
    text = ("In this registry, 300 patients received axi-cel, tisa-cel or liso-cel. Best overall response was 74%; by "
            "product, ORR was 77%, 65% and 78%.")
    assert {("ORR", None, 77), ("ORR", None, 65), ("ORR", None, 78)} <= set(by_key(fields_of(extractor, text)["response"]))


def test_a_historical_cohorts_rate_is_a_comparators(extractor):
    text = ("Seventy children received tisagenlecleucel; CR was 86%. In a historical cohort of 52 children given "
            "blinatumomab at the same centres, the CR rate was 44%.")
    assert ("CR", None, 44) not in by_key(fields_of(extractor, text)["response"])


# -- transplants and cell sources ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("A 60-year-old man with myeloma had undergone two sequential autologous stem cell transplants as part of "
     "first-line therapy. He then received cilta-cel CAR-T cells.", ["prior_auto_hsct"]),
    ("Forty adults with B-ALL received CD19 CAR-T cells; eleven had relapsed after a previous allograft.",
     ["prior_allo_hsct"]),
    ("In this randomised trial, 180 patients received CAR T cells and 90 patients in the SOC arm went on to ASCT.",
     []),
])
def test_transplants_in_other_words(extractor, text, expected):
    assert fields_of(extractor, text)["transplant"] == expected


def test_sequential_car_infusions_after_asct_are_one_course(extractor):
    text = "Twenty myeloma patients received sequential infusion of CD19 and BCMA CAR-T cells after ASCT."
    assert fields_of(extractor, text)["transplant"] == []


@pytest.mark.parametrize("text, expected", [
    ("Cord blood-derived CD19 CAR-NK cells for lymphoma: a phase 1 trial. Twelve patients were infused.",
     ["allogeneic"]),
    ("CAR T cells in autoimmunity: a meta-analysis of 134 patients; all cells were autologous.", ["autologous"]),
    ("CAR-T cells in ALL: a meta-analysis. Of the trials, six used donor-derived cells and the remainder autologous products.",
     ["allogeneic", "autologous"]),
    ("CAR-T cells in myeloma. Twenty patients received autologous stem cells, then BCMA CAR-T cells.", []),
])
def test_cell_sources_in_other_words(extractor, text, expected):
    assert fields_of(extractor, text)["cell_source"] == expected


def test_an_elliptic_complete_share_of_the_responders(extractor):
    text = ("In this randomised trial, 180 patients were allocated to CAR T cells. An objective response was recorded "
            "in 149 of 180 patients (83%), 117 (65%) of them complete.")
    assert {("ORR", 149, 83), ("CR", 117, 65)} <= set(by_key(fields_of(extractor, text)["response"]))


def test_complete_alone_is_no_response(extractor):
    text = "Sixty patients received CAR-T cells. Follow-up was complete in all of them."
    assert fields_of(extractor, text)["response"] == []


@pytest.mark.parametrize("text, expected", [
    ("A 9-year-old boy received CD19 CAR-T cells. The day +28 marrow aspirate showed complete remission.",
     ("time_to_response", 28, "day")),
    ("A 9-year-old boy received CD7 CAR-T cells. On day 21 his marrow was in complete remission.",
     ("time_to_response", 21, "day")),
    ("A 40-year-old woman received CD7 CAR-T cells. A complete response was documented by PET-CT on day +30.",
     ("time_to_response", 30, "day")),
    ("Twenty patients received CD19 CAR-T cells; two complete responders relapsed, at 11 and 19 months after "
     "infusion.", ("time_to_relapse", 19, "month")),
])
def test_more_days_of_response_and_relapse(extractor, text, expected):
    assert expected in _durations(extractor, text)


@pytest.mark.parametrize("text", [
    "Sixty patients received CD19 CAR-T cells. Non-relapse mortality at 1 year was 6%.",
    "Sixty patients received CD19 CAR-T cells. The endpoint was CR with incomplete haematological recovery (CRi) "
    "on day 28.",
])
def test_no_duration_from_a_landmark_or_a_definition(extractor, text):
    assert _durations(extractor, text) == []


def test_a_pooled_count_given_as_two_groups_is_their_sum(extractor):
    text = ("CAR-T in older adults: a systematic review and meta-analysis. Twenty studies were included, comprising "
            "1,200 patients aged 65 years or older and 3,400 younger patients.")
    assert fields_of(extractor, text)["n_patients"] == 4600


def test_a_construct_developed_and_tested_is_preclinical(extractor):
    text = ("ICOS co-stimulation enhances CAR T-cell cytotoxicity\n\nAbstract\n\nCD19 CAR T cells have shown results in "
            "lymphoma. We developed and tested a chimeric antigen receptor (CAR) construct with an anti-ROR1 scFv.")
    f = fields_of(extractor, text)
    assert f["study_design"] == "preclinical" and f["disease"] == []


# -- prior remissions told around a transplant (battery7) ------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("A 9-year-old boy underwent a cord blood transplant in second remission. Leukaemia recurred 7 months "
     "afterwards. He then received CD19 CAR-T cells.", ("prior_remission", 7, "month")),
    ("A woman underwent a haploidentical transplant in first remission. Eleven months later a marrow relapse was "
     "documented. She received donor-derived CD19 CAR-T cells.", ("prior_remission", 11, "month")),
    ("A 58-year-old man received melphalan autografts in 2016, after which he stayed in very good partial response "
     "on maintenance for 26 months. He then received cilta-cel CAR-T cells.", ("prior_remission", 26, "month")),
    ("Four patients with T-ALL received CD7 CAR-T cells; they had relapsed 5, 9 and 4 months, respectively, after "
     "their first allograft.", ("prior_remission", 9, "month")),
])
def test_prior_remissions_told_around_a_transplant(extractor, text, expected):
    assert expected in _durations(extractor, text)


def test_a_relapse_after_a_consolidative_transplant_stays_the_cars(extractor):
    text = "A man received CD19 CAR-T cells and then a consolidative allo-HSCT. Six months later he relapsed."
    assert ("prior_remission", 6, "month") not in _durations(extractor, text)


def test_progressive_disease_at_death_is_no_relapse_time(extractor):
    text = "Four patients received CD7 CAR-T cells. One died of progressive leukaemia on day 61."
    assert ("time_to_relapse", 61, "day") not in _durations(extractor, text)


# -- rates from battery7-B ---------------------------------------------------------------------------------------
def test_a_count_had_the_event_then_its_bracketed_rate_and_breakdown(extractor):
    text = ("Twenty-eight children were infused. Twenty-four children had CRS (86%): grade 1-2 in 21 and grade 3 in "
            "three.")
    assert {("any", 24, 86), ("1-2", 21, None), ("3", 3, None)} <= set(by_key(fields_of(extractor, text)["crs"]))


def test_a_count_after_the_word_grades_is_a_count_when_no_grade_can_be_it(extractor):
    text = "Forty-seven patients were infused. Toxicity: CRS, all grades 43 (91%), grade >=3 4 (9%)."
    assert {("any", 43, 91), (">=3", 4, 9)} <= set(by_key(fields_of(extractor, text)["crs"]))


def test_a_list_of_grades_then_as_many_values_without_respectively(extractor):
    text = "Forty patients were infused. Maximum CRS grades 0, 1, 2 and 3 were recorded in 5, 20, 10 and 5 patients."
    assert set(by_key(fields_of(extractor, text)["crs"])) == {("0", 5, None), ("1", 20, None), ("2", 10, None),
                                                              ("3", 5, None)}


@pytest.mark.parametrize("text, expected", [
    ("Seventy-eight children were infused. Sixty-six (85%) attained CR, 61 of them with MRD-negative marrow.",
     ("CR", 66, 85)),
    ("Eleven patients were infused. Eight of the 11 patients (73%) responded, seven of them completely.",
     ("CR", 7, None)),
])
def test_shares_of_the_responders_after_their_statement(extractor, text, expected):
    assert expected in by_key(fields_of(extractor, text)["response"])


def test_leukaemia_recurred_afterwards_counts_from_the_transplant_before(extractor):
    text = ("A boy underwent a cord blood transplant in second remission. Leukaemia recurred 7 months afterwards, with "
            "64% blasts. Grade 2 ICANS followed, settling within three days. Thirty months after the CAR infusion he "
            "is alive and leukaemia-free.")
    found = _durations(extractor, text)
    assert ("prior_remission", 7, "month") in found and ("response_duration", 30, "month") in found
    assert not any(d[0] == "follow_up" for d in found)


def test_each_of_one_grade_and_v_for_versus(extractor):
    f = fields_of(extractor, "Thirty-four patients were infused. Three patients (9%) had ICANS, each of grade 1.")
    assert by_key(f["icans"]) == [("1", 3, 9)]
    text = "In this cohort, 200 patients received axi-cel or tisa-cel. ICANS of any grade was 44% v 17%."
    assert {("any", None, 44), ("any", None, 17)} <= set(by_key(fields_of(extractor, text)["icans"]))


def test_another_therapys_remission_before_the_car_is_prior(extractor):
    text = ("A 63-year-old man with DLBCL received four cycles of R-CHOP, which induced a complete remission that "
            "lasted 8 months. At relapse, axicabtagene ciloleucel CAR-T cells were infused.")
    assert _durations(extractor, text) == [("prior_remission", 8, "month")]
    text = "A 63-year-old man received axi-cel CAR-T cells and achieved CR. His remission has lasted 8 months."
    assert _durations(extractor, text) == [("response_duration", 8, "month")]


def test_a_dotted_construct_name_between_source_and_car(extractor):
    text = "Adults with cHL received autologous, retrovirally transduced CD30.CD28ζ CAR T cells in this phase 2 trial."
    assert fields_of(extractor, text)["cell_source"] == ["autologous"]


def test_case_reports_counted_among_the_studies_are_no_patients(extractor):
    text = ("CAR-T cells in autoimmune disease: a systematic review. Twenty-six studies (19 case reports or series, 7 "
            "trials) contributed 112 patients.")
    assert fields_of(extractor, text)["n_patients"] == 112


def test_an_elliptic_mrd_negative_share_of_a_complete_remission(extractor):
    text = ("Fifty-two adults received CD19 CAR-T cells. On day 28, 45 patients (86.5%) were in complete remission "
            "(CR), 40 of them MRD-negative.")
    assert {("CR", 45, 86.5), ("MRD_negative_CR", 40, None)} <= set(by_key(fields_of(extractor, text)["response"]))
