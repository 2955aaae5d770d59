"""The three layers on their own: detectors' typed spans, qualifiers' attributes, the rate binder."""

from __future__ import annotations

import pytest

from pipeline.extract import Extractor, build_nlp
from pipeline.extract.detectors.grades import normalize_grade
from pipeline.extract.qualifiers import qualifier_at
from pipeline.extract.spans import values_of
from pipeline.readers import read_text

COHORT = "A total of 20 patients with B-ALL received CD19 CAR-T cells in this study. "


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(build_nlp())


def run(extractor, text: str):
    doc = extractor.make_doc(read_text(text, doc_id="t"))
    for _name, proc in extractor.nlp.pipeline:
        doc = proc(doc)
    return doc


def obs(extractor, text: str, field: str):
    fields = extractor.extract(read_text(text, doc_id="t")).fields
    key = "grade" if field in ("crs", "icans") else "category"
    return [(o[key], o["n"], o["pct"]) for o in fields[field]]


# -- detectors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "n", "total", "pct"), [
    ("occurred in 17 of 20 (85%) patients", 17, 20, 85),
    ("was 52%(13/25) overall", 13, 25, 52),
    ("in 17 (85%) of them", 17, None, 85),
    ("Sixteen patients (64%) received", 16, None, 64),
    ("in 2/11 cases", 2, 11, None),
    ("a rate of 45.5% overall", None, None, 45.5),
])
def test_quantities_read_counts_and_proportions(extractor, text, n, total, pct):
    doc = run(extractor, text)
    values = [q for _, q in values_of(doc, "quantities")]
    assert values, text
    q = values[0]
    assert (q.n, q.total, q.pct) == (n, total, pct)


def test_intervals_and_statistics_are_asides_not_rates(extractor):
    doc = run(extractor, "The ORR was 89% (95% CI: 83-94%), I2 = 29.65%, p = 0.21.")
    assert [q.pct for _, q in values_of(doc, "quantities")] == [89]


@pytest.mark.parametrize(("raw", "grade"), [
    ("grade 3 or higher", ">=3"), ("grades 1, 2 and 3", "1-3"), ("grade <3", "<=2"), ("grade III", "3"),
])
def test_normalize_grade_forms(raw, grade):
    assert normalize_grade(raw) == grade


def test_grade_lists_keep_their_items(extractor):
    doc = run(extractor, "Grade 1 or 2 CRS was seen.")
    (grade,) = [g for _, g in values_of(doc, "grades")]
    assert grade.grade == "1-2" and [i for i, _ in grade.items] == ["1", "2"]


@pytest.mark.parametrize(("text", "values", "unit", "qualifier", "day"), [
    ("after a median of 26.1 months", [26.1], "month", None, False),
    ("relapsed within 6 months", [6], "month", "<=", False),
    ("for more than 2 years", [2], "year", ">", False),
    ("was in CR on day +28", [28], "day", None, True),
    ("the response at D14", [14], "day", None, True),
    ("for 14 and 6 months", [14, 6], "month", None, False),
])
def test_times_read_spans_and_day_notations(extractor, text, values, unit, qualifier, day):
    doc = run(extractor, text)
    (t,) = [t for _, t in values_of(doc, "times")]
    assert (t.values, t.unit, t.qualifier, t.day) == (values, unit, qualifier, day)


def test_ages_and_sexes(extractor):
    # "male and female" (a cohort's make-up) is not one person's sex: no "and" right after the word here
    doc = run(extractor, "A 61-year-old woman was treated, as was a 33-year-male; the boy was aged 8.")
    assert [a.years for _, a in values_of(doc, "ages")] == [61, 33, 8]
    assert [s.sex for _, s in values_of(doc, "sexes") if not s.pronoun] == ["female", "male", "male"]  # boy


# -- qualifiers ---------------------------------------------------------------------------------
def test_negation_scope_and_pseudo_cues(extractor):
    text = "No ICANS was seen but CRS occurred. There was no significant difference in CRS between arms."
    doc = run(extractor, text)
    assert qualifier_at(doc, "negated", text.index("ICANS"))
    assert not qualifier_at(doc, "negated", text.index("CRS occurred"))  # "but" ends the scope
    assert not qualifier_at(doc, "negated", text.rindex("CRS"))  # a comparison, not an absence


def test_history_marks_earlier_therapy(extractor):
    text = "She achieved first complete remission with chemotherapy. After CAR-T infusion she reached CR."
    doc = run(extractor, text)
    assert qualifier_at(doc, "history", text.index("complete remission"))
    assert not qualifier_at(doc, "history", text.rindex("CR"))


# -- binding ------------------------------------------------------------------------------------
def test_rates_bind_by_respectively(extractor):
    text = COHORT + "The ORR and CR rate were 81.8% (9/11) and 45.5% (5/11), respectively."
    assert obs(extractor, text, "response") == [("ORR", 9, 81.8), ("CR", 5, 45.5)]


def test_rates_bind_both_arms_of_a_comparison(extractor):
    text = COHORT + "The overall response rates in the two groups were similar (69% vs 75%, p = 0.21)."
    assert obs(extractor, text, "response") == [("ORR", None, 69), ("ORR", None, 75)]


def test_rates_bind_counts_before_and_after(extractor):
    text = COHORT + ("CRS occurred in 17 (85%) patients, grade ≥3 in 2 (10%). 87% of patients achieved CR, "
                     "and 3 patients with PR.")
    assert obs(extractor, text, "crs") == [("any", 17, 85), (">=3", 2, 10)]
    assert obs(extractor, text, "response") == [("CR", None, 87), ("PR", 3, None)]


def test_a_count_does_not_cross_another_statement(extractor):
    text = COHORT + "The incidence of CRS was 94%, while ICANS was rare."
    assert obs(extractor, text, "crs") == [("any", None, 94)]
    assert obs(extractor, text, "icans") == [("any", None, None)]


def test_all_patients_takes_the_study_count(extractor):
    text = COHORT + "All patients experienced CRS."
    assert obs(extractor, text, "crs") == [("any", 20, None)]


def test_a_measure_named_in_methods_needs_a_value(extractor):
    text = COHORT + "We pooled the overall response rate and the incidence of cytokine release syndrome of 3 products."
    assert obs(extractor, text, "crs") == []
    assert obs(extractor, text, "response") == []


# -- GUIDE, second round: transplant timing ------------------------------------------------------
MM = "A total of 20 patients with multiple myeloma received BCMA CAR-T cells in this study. "


@pytest.mark.parametrize(("sentence", "labels"), [
    ("Patients received ASCT followed by CAR-T consolidation.", []),  # one planned course
    ("Sequential infusion of CAR-T cells after ASCT was given to 10 patients.", []),
    ("Four patients underwent consolidative HSCT after CAR-T cell therapy.", ["consolidative_allo_hsct"]),
    ("Seven patients proceeded to autologous or allogeneic HSCT after CAR-T.", ["consolidative_allo_hsct"]),
    ("One patient had a prior kidney transplant.", []),  # solid organ: no label
    ("Eight patients had relapsed after a previous autologous stem cell transplantation.", ["prior_auto_hsct"]),
])
def test_transplant_timing_as_the_guide_settles_it(extractor, sentence, labels):
    assert extractor.extract(read_text(MM + sentence, doc_id="t")).fields["transplant"] == labels


@pytest.mark.parametrize(("text", "n"), [
    ("We retrospectively analyzed 25 adult patients with Burkitt lymphoma who received CAR T-cell therapy. "
     "Sixteen patients (64%) received sequential consolidation therapy.", 25),
    ("Sixty-seven patients with B-ALL were treated with CD19 CAR-T and enrolled in the study, of which 33 patients "
     "received tocilizumab.", 67),
])
def test_a_share_of_the_cohort_is_not_its_size(extractor, text, n):
    assert extractor.extract(read_text(text, doc_id="t")).fields["n_patients"] == n


@pytest.mark.parametrize(("text", "antigens"), [
    # antigens listed with a CAR's target are CAR targets too, also across "for <disease>"
    ("This review covers CAR-T cells targeting CD5 and CD7 for T-ALL and CD123, CD33, and CLL1 for AML.",
     ["CD5", "CD7", "CD123", "CD33", "CLL1"]),
    # an antibody "directed against" an antigen is not a CAR
    ("A patient refractory to a monoclonal antibody (directed against CD38: daratumumab) received BCMA CAR-T cells.",
     ["BCMA"]),
])
def test_antigen_lists_and_antibodies(extractor, text, antigens):
    assert extractor.extract(read_text(text, doc_id="t")).fields["target_antigen"] == antigens


def test_a_toxicity_as_an_outcome_variable_is_no_event(extractor):
    text = COHORT + "We identified biomarkers strongly associated with high-grade CRS."
    assert obs(extractor, text, "crs") == []


def test_salvage_transplant_for_relapse_after_car_is_consolidative(extractor):
    text = ("A patient with multiple myeloma refractory to lenalidomide and autologous stem cell transplantation (ASCT) "
            "received haploidentical HSCT as a salvage treatment of relapse after BCMA CAR-T cell therapy.")
    assert extractor.extract(read_text(text, doc_id="t")).fields["transplant"] == [
        "prior_auto_hsct", "consolidative_allo_hsct"]


@pytest.mark.parametrize(("sentence", "expected"), [
    # a list of statements, then as many values, without "respectively"
    ("The ORR, CR and PR rates were 90%, 60% and 30%.", [("ORR", None, 90), ("CR", None, 60), ("PR", None, 30)]),
    ("The rates of ORR and CR were 81% (13/16) and 50% (8/16).", [("ORR", 13, 81), ("CR", 8, 50)]),
    # one statement's value in two groups: each group's rate
    ("The ORR was 80% in the 2-day group and 60% in the 3-day group.", [("ORR", None, 80), ("ORR", None, 60)]),
])
def test_rates_bind_lists_and_groups(extractor, sentence, expected):
    assert obs(extractor, COHORT + sentence, "response") == expected


def test_objective_response_is_no_aim(extractor):
    text = COHORT + "There was no significant difference in the objective response rate (ORR) between both groups."
    assert obs(extractor, text, "response") == [("ORR", None, None)]


def test_listed_grades_and_listed_counts_pair_in_order(extractor):
    text = COHORT + "Grade 1, 2, and 3 CRS occurred in 20, 10, and 2 patients, respectively."
    assert obs(extractor, text, "crs") == [("1", 20, None), ("2", 10, None), ("3", 2, None)]


def test_a_rate_with_its_group_size_after_the_noun(extractor):
    text = COHORT + "Complete responses were observed in 52% of patients (n = 21)."
    assert obs(extractor, text, "response") == [("CR", 21, 52)]


@pytest.mark.parametrize(("text", "diseases"), [
    # GUIDE, second round: one label per indication, the most specific; site and histology both kept
    ("CD19 CAR-T cells were given to 20 patients with acute lymphoblastic leukemia (ALL), all of whom had B-cell ALL.",
     ["B-ALL"]),
    ("Ten patients with SLE and lupus nephritis received CD19 CAR-T cells.", ["lupus_nephritis"]),
    ("A patient with DLBCL with secondary CNS involvement received CD19 CAR-T cells.", ["DLBCL", "SCNSL"]),
    # a compound Background heading is background: the disease named there is not the treated one
    ("CAR-T cell therapy for Richter's transformation\n\nBackground/purpose: Despite advances in chronic lymphocytic leukemia treatment, Richter's transformation "
     "remains hard to treat.\nMethods: We treated 10 patients with Richter's transformation with CD19 CAR-T cells.",
     ["Richter"]),
])
def test_diseases_as_the_guide_settles_them(extractor, text, diseases):
    assert extractor.extract(read_text(text, doc_id="t")).fields["disease"] == diseases
