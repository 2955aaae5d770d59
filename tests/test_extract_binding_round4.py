"""The rate binder on more cohort and meta-analysis phrasings (our own wording of phenomena met in
real abstracts; none is copied from a gold document)."""

from __future__ import annotations

import pytest

from pipeline.extract import Extractor, build_nlp
from pipeline.readers import read_text


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(build_nlp())


def fields_of(extractor: Extractor, text: str) -> dict:
    return extractor.extract(read_text(text, doc_id="test")).fields


def by_key(observations: list[dict]) -> list[tuple]:
    return sorted((o.get("grade") or o.get("category"), o["n"], o["pct"]) for o in observations)


def test_values_listed_before_their_statements_then_respectively(extractor):
    text = ("Across the pooled trials, 70% (95% CI 60-79%), 9% (95% CI 5-14%), 35% and 12% of patients had "
            "cytokine release syndrome, severe CRS, neurotoxicity and severe neurotoxicity, respectively.")
    f = fields_of(extractor, text)
    assert by_key(f["crs"]) == [(">=3", None, 9), ("any", None, 70)]
    assert by_key(f["icans"]) == [(">=3", None, 12), ("any", None, 35)]


def test_one_statements_values_for_two_products_are_both_kept(extractor):
    text = ("CRS of any grade was seen in 52.1% (product A) and 47.3% (product B), while ICANS was seen in 20.2% "
            "and 9.9%, respectively.")
    f = fields_of(extractor, text)
    assert by_key(f["crs"]) == [("any", None, 47.3), ("any", None, 52.1)]
    assert by_key(f["icans"]) == [("any", None, 9.9), ("any", None, 20.2)]


def test_respectively_over_a_coordinated_subject_is_not_the_statements(extractor):
    """The values are the coordinated subjects' ("cardiac events" and "cardiac events with CRS")."""
    text = ("The pooled rates of cardiac events and of cardiac events with grade ≥ 2 CRS were 21.3% and 12.8%, "
            "respectively.")
    assert all(o["pct"] != 12.8 for o in fields_of(extractor, text)["crs"])


def test_a_bare_grade_labels_another_groups_value(extractor):
    text = ("The pooled all-grade and grade ≥ 3 CRS rates were 70% and 22%, respectively, higher in lymphoma "
            "(all-grade: 75%; grade ≥ 3: 25%) than in solid tumours (all-grade: 31%; grade ≥ 3: 12%).")
    assert by_key(fields_of(extractor, text)["crs"]) == [
        (">=3", None, 12), (">=3", None, 22), (">=3", None, 25), ("any", None, 31), ("any", None, 70),
        ("any", None, 75)]


def test_a_grade_range_before_a_bracketed_rate_is_not_a_count(extractor):
    text = "CRS developed in 18 patients (90%) and was mostly grade 1-2 (70%)."
    assert by_key(fields_of(extractor, text)["crs"]) == [("1-2", None, 70), ("any", 18, 90)]


def test_a_rate_of_a_stated_group_is_a_rate_and_the_group_a_count(extractor):
    text = "In total, 85% of the 40 patients infused with the CAR-T cells achieved complete remission by day 28."
    f = fields_of(extractor, text)
    assert f["response"] == [{"category": "CR", "n": None, "pct": 85}]
    assert f["n_patients"] == 40


def test_the_same_category_again_with_its_own_value(extractor):
    text = ("Forty patients were treated. The best CR rate was 55% (95% CI 40-69%) and the 6-month CR rate "
            "was 38% (95% CI 25-52%).")
    assert by_key(fields_of(extractor, text)["response"]) == [("CR", None, 38), ("CR", None, 55)]


def test_a_category_named_with_its_abbreviation_is_one_statement(extractor):
    text = "The overall response rate (ORR) and complete response (CR) rate were 75% and 50%, respectively."
    assert by_key(fields_of(extractor, text)["response"]) == [("CR", None, 50), ("ORR", None, 75)]


def test_a_value_for_another_group_after_whereas(extractor):
    text = ("Thirty trials were pooled. The CR rate was 65% in trials with humanised binders, whereas it was "
            "only 30% in trials with murine binders.")
    assert by_key(fields_of(extractor, text)["response"]) == [("CR", None, 30), ("CR", None, 65)]


def durations_of(extractor: Extractor, text: str) -> list[tuple]:
    return sorted((d["measure"], d["value"], d["unit"], d["qualifier"])
                  for d in fields_of(extractor, text)["durations"])


@pytest.mark.parametrize(("text", "expected"), [
    # a rate at a time point named without its value is no duration
    ("Thirty patients were treated. The groups had a similar 6-months OS rate and 1-month CRR.", []),
    # a value expected from history is not observed
    ("Thirty patients were treated. Median PFS was 9.1 months, compared with an expected PFS of 2.0 months.",
     [("survival", 9.1, "month", "median")]),
    # a window of observation after the infusion is no event's time
    ("Thirty patients were treated. Infections were frequent in the 60 days after CAR-T infusion.", []),
    # a range of days is a window ("day 0 to 30")
    ("Thirty patients were treated. Most infections occurred early (day 0 to 30) rather than late.", []),
    # a response sustained for a time
    ("The patient achieved a partial response that was sustained for 4.5 months.",
     [("response_duration", 4.5, "month", None)]),
    # a list of medians goes on past an interval with nested brackets, keeping "median"
    ("Thirty patients were treated. The median OS and EFS for the treated patients were 14.2 months "
     "(95% confidence interval [CI], 9.1-19.3 months) and 7.5 months (95% CI, 4.0-11.0 months), respectively.",
     [("survival", 7.5, "month", "median"), ("survival", 14.2, "month", "median")]),
    # a long named response before "within"
    ("Of 20 treated patients, 18 reached complete remission or complete remission with incomplete haematological "
     "recovery (CR/CRi) within 30 days.", [("time_to_response", 30, "day", "<=")]),
])
def test_durations_take_their_measure_from_the_words_around_them(extractor, text, expected):
    assert durations_of(extractor, text) == expected


@pytest.mark.parametrize(("text", "n"), [
    # coordinated words between a count and its noun; a listed subgroup's size is not the cohort
    ("We describe a cohort of 41 paediatric and young adult patients treated with CD19 CAR-T cells, including "
     "tisagenlecleucel (n=22) or a trial product (n=19).", 41),
    # two arms of one cohort, each named by its product, are summed
    ("Results: A total of 310 patients treated with axi-cel and 290 with tisa-cel were identified.", 600),
    # a pooled count of products used in patients
    ("Fifteen different CAR-T products have been used so far in 512 patients across the included trials.", 512),
])
def test_cohort_counts_from_their_cues(extractor, text, n):
    assert fields_of(extractor, text)["n_patients"] == n


def test_a_response_at_both_sites_is_a_site_response(extractor):
    text = ("Of 12 patients with systemic disease, 6 (50%) achieved CR in the CNS, and 4 (33%) achieved CR both "
            "systemically and in the CNS. Overall, 9 of 15 patients (60%) achieved CR.")
    assert fields_of(extractor, text)["response"] == [{"category": "CR", "n": 9, "pct": 60}]


@pytest.mark.parametrize(("text", "expected"), [
    # how long a cytopenia lasted is an event of the CAR course; each arm's median is its own value
    ("Thirty patients were treated. High-risk patients had prolonged severe neutropenia (median 11 vs. 4 days, "
     "p < 0.001).", [("other", 4, "day", "median"), ("other", 11, "day", "median")]),
    ("Neutropenia was profound and prolonged, lasting more than 40 days.", [("other", 40, "day", ">")]),
    # "between 2 and 4 months" is a range
    ("Thirty patients were treated. Two patients died of infection between 2 and 4 months after infusion.", []),
    # a peak stated only as a time
    ("Thirty patients were treated. CAR T cells reached peak expansion within 3 weeks.", [("other", 3, "week", "<=")]),
    # a rate assessed at a day
    ("Thirty patients were treated. The incidence of prolonged cytopenia on day 30 after infusion was 40%.", []),
    # a cohort's PFS without "median"; another group's value after "compared to"
    ("Thirty patients were treated. PFS was 18.5 months in the first group compared to 11 months in the second.",
     [("survival", 11, "month", None), ("survival", 18.5, "month", None)]),
    # coordinated measures before "rates" are rates at a time point
    ("Thirty patients were treated; the 2-year progression-free survival (PFS) and overall survival (OS) rates were "
     "55% and 70%.", []),
])
def test_more_durations(extractor, text, expected):
    assert durations_of(extractor, text) == expected


def test_a_single_patients_remission_rule_leaves_a_cohorts_survival(extractor):
    text = ("We treated 30 patients with CD19 CAR-T cells in a phase 2 trial. Progression-free survival (PFS) was "
            "14.2 months.")
    assert durations_of(extractor, text) == [("survival", 14.2, "month", None)]


@pytest.mark.parametrize(("text", "field", "expected"), [
    ("Twelve patients were treated and all developed CRS; 5 cases were low-grade, while the remaining 7 were "
     "considered high-grade CRS.", "crs", [(">=3", 7, None), ("1-2", 5, None), ("any", 12, None)]),
    ("CRS occurred in 40 patients (80%), with 70% of cases being grade 1 or 2 and 10% being grade 3 or greater.",
     "crs", [("1-2", None, 70), (">=3", None, 10), ("any", 40, 80)]),
    ("Twenty patients were treated. The complete remission rate (CR with or without incomplete hematologic "
     "recovery) was 85%.", "response", [("CR", None, 85), ("CRi", None, 85)]),
    ("Six patients were infused; three of five (60%) evaluable patients achieved CR.", "response",
     [("CR", 3, 60)]),
    ("The CR rates in the first, second and third dose groups were 60% (6/10), 70% (7/10) and 90% (9/10), "
     "respectively.", "response", [("CR", 6, 60), ("CR", 7, 70), ("CR", 9, 90)]),
])
def test_more_rates(extractor, text, field, expected):
    assert sorted(by_key(fields_of(extractor, text)[field])) == sorted(expected)


@pytest.mark.parametrize(("text", "field", "expected"), [
    # a table written as text under an "n (%)" header
    ("Severity of CRS, n (%): Grade 0, 150 (50.0); Grade 1-2, 120 (40.0); Grade ≥3, 30 (10.0).", "crs",
     [("0", 150, 50), ("1-2", 120, 40), (">=3", 30, 10)]),
    # counts written after their grades, inside the bracket of the statement's own count
    ("CRS was reported in 5 of 8 patients (grade 1 = 3 and grade 2 = 2), and no neurotoxicity occurred.", "crs",
     [("1", 3, None), ("2", 2, None), ("any", 5, None)]),
    # a bracket that opens with the value keeps it; only its interval is an aside
    ("Thirty patients were treated. The pooled response rate was high (81%, 95% CI: 70-90%).", "response",
     [("ORR", None, 81)]),
    # a duration-of-response rate is no response; an initial CR rate is the study's
    ("Forty patients were treated. The initial complete remission (CR) rate was 80%; the 1-year duration of "
     "response rate was 55%.", "response", [("CR", None, 80)]),
])
def test_tables_breakdowns_and_brackets(extractor, text, field, expected):
    assert sorted(by_key(fields_of(extractor, text)[field])) == sorted(expected)


def test_a_comparator_arms_median_is_not_a_duration(extractor):
    text = ("Forty patients were randomised. With a 12.0-month median follow-up, median EFS was not reached for "
            "CAR-T vs 2.3 months for standard of care.")
    assert durations_of(extractor, text) == [("follow_up", 12.0, "month", "median")]


def test_an_interval_after_a_median_does_not_hide_its_measure(extractor):
    text = ("Forty patients were treated. Median event-free survival was 6.0 months (95% CI: 4.0-8.0) with a median "
            "9.5-month overall survival (95% CI: 7.1-14.6).")
    assert durations_of(extractor, text) == [("survival", 6.0, "month", "median"), ("survival", 9.5, "month", "median")]


def test_a_bare_event_beside_a_stated_grade_adds_nothing(extractor):
    """Across every gold set, no document lists a bare 'any' beside a graded observation."""
    text = ("Ninety patients were treated in this phase 2 trial. Grade 3 ICANS occurred in 3 patients (3%). "
            "Conclusion: the product had a safety profile with few cases of neurotoxicity.")
    assert fields_of(extractor, text)["icans"] == [{"grade": "3", "n": 3, "pct": 3}]


def test_groups_compared_with_their_values_in_brackets(extractor):
    text = ("Forty patients were treated. Patients with ALL had a higher response rate (90%, 95% CI: 70-99%) than "
            "those with CLL (60%, 95% CI: 30-85%) and lymphoma patients (35%, 95% CI: 10-65%).")
    assert by_key(fields_of(extractor, text)["response"]) == [("ORR", None, 35), ("ORR", None, 60), ("ORR", None, 90)]


def test_another_measure_in_brackets_after_and_is_not_a_group(extractor):
    text = ("Forty patients were treated. Patients with renal impairment had higher rates of ICANS (50% vs. 20%, "
            "p = 0.03) and infections (40% vs. 15%, p = 0.01).")
    assert by_key(fields_of(extractor, text)["icans"]) == [("any", None, 20), ("any", None, 50)]


def test_a_remission_still_lasting_after_the_infusion(extractor):
    text = ("A 52-year-old man with refractory DLBCL received axi-cel. He achieved complete remission at 1 month and "
            "remains in remission 30 months after infusion.")
    assert ("response_duration", 30, "month", "ongoing") in durations_of(extractor, text)


def test_a_cohort_opening_the_text(extractor):
    assert fields_of(extractor, "Among 44 treated patients, 40 (91%) achieved CR.")["n_patients"] == 44


def test_responses_with_a_share_of_whom(extractor):
    text = "CAR-NK cells were infused in 11 patients; responses occurred in 8 (73%), 7 of whom had a complete remission."
    assert by_key(fields_of(extractor, text)["response"]) == [("CR", 7, None), ("ORR", 8, 73)]


def test_bare_responses_state_nothing_without_a_value(extractor):
    text = "Twenty patients were treated. Responses were durable in most patients."
    assert fields_of(extractor, text)["response"] == []


@pytest.mark.parametrize(("text", "expected"), [
    # a relapse counted from the infusion, with the product named only by its brand
    ("A 58-year-old man with DLBCL received axi-cel. He achieved CR on day +30 and relapsed six months after "
     "infusion.", [("time_to_relapse", 6, "month", None), ("time_to_response", 30, "day", None)]),
    # a response lasting a time
    ("The patient relapsed after transplant and received CD19 CAR-T, achieving a CR lasting 18 months.",
     [("response_duration", 18, "month", None)]),
])
def test_remissions_and_relapses_of_one_patient(extractor, text, expected):
    assert durations_of(extractor, text) == expected


def test_a_narrative_review_reports_no_observations_of_its_own(extractor):
    text = ("In this review, we summarize CD19 CAR-T therapy in B-ALL. Across pivotal trials, CR rates of 80-90% "
            "were reported, CRS occurred in 77% of patients, and the median event-free survival was 12 months.")
    f = fields_of(extractor, text)
    assert f["study_design"] == "review"
    assert f["crs"] == f["response"] == f["durations"] == []
    assert f["disease"] == ["B-ALL"]


@pytest.mark.parametrize(("text", "field", "expected"), [
    # an interval after the rate inside the count's bracket
    ("Forty patients were treated. 30 (75%; 95% confidence interval [CI]: 60, 87%) achieved complete remission (CR).",
     "response", [("CR", 30, 75)]),
    ("After infusion, severe CRS occurred in 12 of 50 patients (24%; 95% confidence interval [CI], 13 to 38).", "crs",
     [(">=3", 12, 24)]),
    # a category naming a group of patients is no statement
    ("Thirty patients (60%) had progressive disease (PD); 50% of PD patients responded to later therapy.", "response",
     [("PD", 30, 60)]),
    # a new clause about another measure takes its own value
    ("Forty patients were treated. Among patients who had a CR at 3 months, the PFS and OS rates at 12 months were "
     "70% and 95%, respectively.", "response", [("CR", None, None)]),
])
def test_brackets_groups_and_clauses(extractor, text, field, expected):
    assert sorted(by_key(fields_of(extractor, text)[field])) == sorted(expected)


def test_a_landmark_list_after_a_median_is_not_another_group(extractor):
    text = ("Forty patients were treated. The median PFS was 4.1 months (95% CI = 2.9-6.0 months) with 6- and 12-month "
            "PFS rates of 38% and 17%, respectively.")
    assert durations_of(extractor, text) == [("survival", 4.1, "month", "median")]


def test_responses_named_without_a_verb_state_nothing(extractor):
    text = ("Twenty patients were treated. CAR T-cell expansion was associated with responses, and persisted beyond "
            "6 months in 20% of the patients.")
    assert fields_of(extractor, text)["response"] == []


def test_a_comparator_before_the_word_grade_and_a_count_closing_the_clause(extractor):
    text = ("Forty subjects received CAR-T cells. CRS occurred in 35 (88%; 75, 96%) and was ≥grade-3 in 6. Eight "
            "subjects (20%; 9, 36%) developed ≤grade-2 ICANS.")
    f = fields_of(extractor, text)
    assert by_key(f["crs"]) == [(">=3", 6, None), ("any", 35, 88)]
    assert f["icans"] == [{"grade": "<=2", "n": 8, "pct": 20}]


def test_a_trial_the_text_says_is_lacking_is_no_design(extractor):
    text = ("Forty subjects with B-ALL who received donor-derived CAR-T cells were analyzed. 30 (75%) achieved CR. "
            "Outcomes seem comparable to other therapies, but data from a randomized trial are lacking.")
    assert fields_of(extractor, text)["study_design"] == "observational_cohort"


def test_central_nervous_system_toxicity_is_neurotoxicity(extractor):
    text = "Seventy patients received the CAR-T cells. One patient experienced grade 1 central nervous system toxicity."
    assert fields_of(extractor, text)["icans"] == [{"grade": "1", "n": 1, "pct": None}]


def test_a_relapse_after_a_haploidentical_transplant_is_a_prior_remission(extractor):
    text = "The patient, who had relapsed 8 months after haplo-HSCT, received donor-derived CD7 CAR-T cells."
    assert durations_of(extractor, text) == [("prior_remission", 8, "month", None)]
