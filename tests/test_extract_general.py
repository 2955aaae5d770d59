"""General language phenomena behind the held-out failures (tests/fixtures/gold/extra.jsonl) and
typical CAR-T abstracts: each case is a short, realistic sentence, never a copied document."""

from __future__ import annotations

import pytest

from pipeline.extract import Extractor, build_nlp
from pipeline.readers import read_text


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(build_nlp())


def fields_of(extractor: Extractor, text: str) -> dict:
    return extractor.extract(read_text(text, doc_id="test")).fields


CASE = "We report a case of a 34-year-old male patient with B-ALL treated with CAR-T cells. "
COHORT = "A total of 20 patients with B-ALL received CD19 CAR-T cells in this study. "


# -- target antigens -------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "antigens"), [
    # a time anchor ("41 days after CD19 CART") is not an earlier product
    ("She developed grade 3 CRS 41 days after CD19-targeted CART (CART19) cells and CD22-targeted CART "
     "(CART22) cells infusion.", ["CD19", "CD22"]),
    # a CAR named by its CD number
    ("We describe five patients who received CAR19 and CAR22 T-cell cocktail therapy.", ["CD19", "CD22"]),
    ("Patients were treated with CART22 cells.", ["CD22"]),
    # every product given in the study counts; only one given before the study's own is dropped
    ("He had a CR to murine CD19 CAR-T but relapsed. A PR was achieved after humanized CD19 CAR-T treatment, "
     "and he finally achieved remission after sequential CD22 CAR-T treatment.", ["CD19", "CD22"]),
    ("Patients who relapsed after CD19 CAR-T therapy received CD22 CAR-T cells.", ["CD22"]),
    # marketed products name their target
    ("Sixty patients with LBCL received axicabtagene ciloleucel (axi-cel) as standard of care.", ["CD19"]),
    ("We analysed 45 patients with RRMM treated with ciltacabtagene autoleucel.", ["BCMA"]),
])
def test_antigens(extractor, text, antigens):
    assert fields_of(extractor, text)["target_antigen"] == antigens


def test_product_name_is_a_car_t(extractor):
    assert fields_of(extractor, "Patients received tisagenlecleucel.")["cell_type"] == ["CAR-T"]


# -- transplants -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "transplants"), [
    ("Patient 2 received autologous BCMA-targeted CART therapy 4 months after HLA–matched sibling (sister) "
     "donor transplantation.", ["prior_allo_hsct"]),
    ("She had relapsed after umbilical cord blood transplantation and then received CD19 CAR-T cells.",
     ["prior_allo_hsct"]),
    ("The patient relapsed after allogenic stem cell transplantation and received CD7 CAR-T cells.",
     ["prior_allo_hsct"]),
])
def test_transplants(extractor, text, transplants):
    assert fields_of(extractor, CASE + text)["transplant"] == transplants


# -- toxicity --------------------------------------------------------------------------------------
def test_inline_background_heading_and_vague_summary_in_case_series(extractor):
    text = ("Case Report: Late cytokine release syndrome after CAR-T cells\n\nAbstract\n\n"
            "Background\n\nSevere cytokine release syndrome (sCRS) has emerged as an adverse complication of "
            "CAR-T therapy. Here, we reported two patients with late sCRS.\n\nCase Presentation\n\n"
            "Case 1 was a 34-year-old female with B-ALL who experienced grade III CRS after CD19 CAR-T cells. "
            "Case 2 was a 38-year-old male with multiple myeloma who developed grade III CRS after BCMA CAR-T "
            "cells.\n\nConclusion\n\nSevere CRS could occur late after CAR-T therapy.")
    fields = fields_of(extractor, text)
    assert fields["study_design"] == "case_series"
    assert fields["crs"] == [{"grade": "3", "n": None, "pct": None}]


def test_respectively_distributes_listed_grades(extractor):
    text = (COHORT + "Grade 1 or 2 cytokine release syndrome (CRS) was observed in 25% (3/11) and 50% (6/11) of "
            "the patients, respectively, and only one patient experienced neurotoxicity.")
    assert fields_of(extractor, text)["crs"] == [{"grade": "1", "n": 3, "pct": 25}, {"grade": "2", "n": 6, "pct": 50}]


def test_a_range_is_not_split(extractor):
    text = COHORT + "Grade 1-2 CRS occurred in 14 patients (70%)."
    assert [o["grade"] for o in fields_of(extractor, text)["crs"]] == ["1-2"]


# -- durations -------------------------------------------------------------------------------------
def _d(measure, value, unit, qualifier=None):
    return {"measure": measure, "value": value, "unit": unit, "qualifier": qualifier}


@pytest.mark.parametrize(("sentence", "expected"), [
    ("She experienced grade III CRS 41 days after CD19-targeted CART cell infusion.", [_d("other", 41, "day")]),
    ("She died of a cerebral hemorrhage on day 55 after CART therapy.", [_d("other", 55, "day")]),
    ("One day after CAR-T cell infusion the patient was diagnosed with grade 1 CRS.", [_d("other", 1, "day")]),
    ("MRD levels rose to 0.05% at 5 months after CAR-T cell therapy.", [_d("other", 5, "month")]),
    ("He developed possible CMV pneumonia three months after anti-CD19 and anti-CD22 CAR-T cell therapy for "
     "relapsed B-ALL.", [_d("other", 3, "month")]),
    ("The patient achieved complete remission 2 weeks after the infusion.", [_d("time_to_response", 2, "week")]),
    ("After consolidation, the patient experienced 12 months of disease-free survival to date.",
     [_d("response_duration", 12, "month", "ongoing")]),
    ("To date, the patient has maintained MRD-negative CR for 41 months.",
     [_d("response_duration", 41, "month", "ongoing")]),
    ("He had a CR to murine CD19 CAR-T but relapsed 15 months later.", [_d("time_to_relapse", 15, "month")]),
    # a peak stated only as a day is an `other` duration (GUIDE: "day of peak expansion stated only as a day");
    # with its value it is expansion_peak.day
    ("CAR-T cells peaked on day 14 after infusion.", [_d("other", 14, "day")]),
    ("CAR-T cells peaked at 12,500 copies/μg on day 14 after infusion.", []),
])
def test_case_durations(extractor, sentence, expected):
    assert fields_of(extractor, CASE + sentence)["durations"] == expected


def test_listed_durations_respectively(extractor):
    text = (COHORT + "Two patients were in ongoing remission for 14 and 6 months of follow-up, respectively.")
    assert fields_of(extractor, text)["durations"] == [_d("response_duration", 14, "month", "ongoing"),
                                                       _d("response_duration", 6, "month", "ongoing")]


def test_relapse_without_car_before_is_not_time_to_relapse(extractor):
    text = CASE + "She relapsed after allogeneic transplantation, then relapsed 15 months later."
    assert fields_of(extractor, text)["durations"] == []


# -- study design ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "design", "n"), [
    # a series without a stated design, not described patient by patient
    ("In this study, we described five patients with B-cell CNS lymphoma who received CAR19 and CAR22 T-cell "
     "therapy. All patients experienced CRS.", "observational_cohort", 5),
    # prospective signs without the word "trial"
    ("In a single-center study, we evaluated CD19 CAR-T cells plus nivolumab. A total of 11 patients with B-NHL "
     "were recruited. The primary end points were safety and feasibility.", "clinical_trial", 11),
    ("In this multicenter phase 2 study, 40 patients with LBCL received CD19 CAR-T cells.", "clinical_trial", 40),
    ("This retrospective multicenter study analyzed 75 patients who received CD19 CAR-T cells.",
     "observational_cohort", 75),
])
def test_design(extractor, text, design, n):
    fields = fields_of(extractor, text)
    assert (fields["study_design"], fields["n_patients"]) == (design, n)


# -- responses -------------------------------------------------------------------------------------
def test_progression_after_remission_is_not_a_best_response(extractor):
    text = (COHORT + "Two patients achieved complete remission (CR) and 3 achieved partial remission (PR). "
            "Four patients had progressive disease (PD) after remission. One PD patient was reinfused.")
    assert [o["category"] for o in fields_of(extractor, text)["response"]] == ["CR", "PR"]


def test_pd1_is_not_progressive_disease(extractor):
    text = COHORT + "CD19 CAR-T cells were combined with an anti-PD-1 antibody; the ORR was 82%."
    assert fields_of(extractor, text)["response"] == [{"category": "ORR", "n": None, "pct": 82}]


# -- patients and cell source ------------------------------------------------------------------------
def test_pronoun_gives_the_case_patients_sex(extractor):
    text = ("Here, we report a case of acute lymphoblastic leukemia after cord blood transplantation. "
            "She then received anti-CD19 CAR-T cell therapy and achieved complete remission.")
    fields = fields_of(extractor, text)
    assert fields["study_design"] == "case_report"
    assert fields["patients"] == [{"age_years": None, "sex": "female"}]


@pytest.mark.parametrize(("text", "sources"), [
    ("The adolescent patient received autologous T cells encoding a CD5-specific CAR.", ["autologous"]),
    ("CAR-NK cells were generated from cord blood-derived NK cells.", ["allogeneic"]),
])
def test_cell_source_of_engineered_cells(extractor, text, sources):
    assert fields_of(extractor, text)["cell_source"] == sources


# -- seen on the unlabelled Frontiers excerpts --------------------------------------------------------
@pytest.mark.parametrize(("text", "design", "n"), [
    ("Case Report: Rare adverse events after CAR-T therapy\n\nWe present a series of three patients with "
     "relapsed DLBCL, who each received axicabtagene ciloleucel.", "case_series", 3),
    ("We presented a heavily pretreated young patient with relapsed multiple myeloma who received anti-BCMA "
     "CAR-T cells.", "case_report", 1),
    ("Title of a report on CD123 CAR-T cells\n\nCase Presentation: We used donor-derived CART123 cells in a "
     "patient with AML.", "case_report", 1),
    ("Results: Ten studies involving forty-four patients were included. The risk of bias was assessed.",
     "meta_analysis", 44),
    ("Results: This meta-analysis identified and included 16 studies with 984 patients.", "meta_analysis", 984),
])
def test_design_cues(extractor, text, design, n):
    fields = fields_of(extractor, text)
    assert (fields["study_design"], fields["n_patients"]) == (design, n)


def test_respectively_distributes_response_counts(extractor):
    text = COHORT + "The ORR and CR rate were 81.81% (9/11) and 45.45% (5/11), respectively."
    assert fields_of(extractor, text)["response"] == [{"category": "ORR", "n": 9, "pct": 81.81},
                                                      {"category": "CR", "n": 5, "pct": 45.45}]


def test_decimal_percentage_and_bracketed_count(extractor):
    text = COHORT + "The overall response rate was 73.3% (11/15), including 9 (60%) with complete remission."
    assert fields_of(extractor, text)["response"][0] == {"category": "ORR", "n": 11, "pct": 73.3}


@pytest.mark.parametrize(("sentence", "grades"), [
    # a negated stated grade is that grade in no patient (GUIDE gold: "3-4" with n=0)
    ("Of the 15 patients, 11 (73.3%) experienced grades 1-2 CRS, and no patient had grades 3-4 CRS.", ["1-2", "3-4"]),
    ("We compared machine learning models predicting severe CRS after CAR-T therapy.", []),
    ("Side effects of CAR-T therapy include cytokine release syndrome.", []),
])
def test_toxicity_statements_that_are_not_observations(extractor, sentence, grades):
    assert [o["grade"] for o in fields_of(extractor, COHORT + sentence)["crs"]] == grades


def test_abbreviation_inside_a_hyphenated_name(extractor):
    text = "Salvage CD20-SD-CART therapy in aggressive B-cell lymphoma after CD19 CART treatment failure."
    assert fields_of(extractor, text)["response"] == []


def test_listed_spans_after_car(extractor):
    text = (COHORT + "Two patients developed HBV reactivation 2 months and 14 months after CAR-T cell infusion, "
            "respectively.")
    assert fields_of(extractor, text)["durations"] == [_d("other", 2, "month"), _d("other", 14, "month")]


def test_disease_in_a_sentence_about_the_field_is_weak(extractor):
    text = ("We report a case of local CRS in a patient with acute lymphoblastic leukemia after CAR-T cells. "
            "Local CRS has been reported once in a while in B-cell lymphoma.")
    assert fields_of(extractor, text)["disease"] == ["ALL"]


# -- typical CAR-T abstracts ------------------------------------------------------------------------
TRIAL = "A total of 50 patients with r/r LBCL were enrolled in this phase 1/2 trial of CD19 CAR-T cells. "


@pytest.mark.parametrize(("sentence", "field", "expected"), [
    ("The ORR was 82% and the CR rate was 54%.", "response",
     [{"category": "ORR", "n": None, "pct": 82}, {"category": "CR", "n": None, "pct": 54}]),
    ("CRS occurred in 94% of patients, grade ≥3 in 12%.", "crs",
     [{"grade": "any", "n": None, "pct": 94}, {"grade": ">=3", "n": None, "pct": 12}]),
    ("ICANS (any grade) occurred in 35% of patients.", "icans", [{"grade": "any", "n": None, "pct": 35}]),
    ("Six (50%) patients achieved CR.", "response", [{"category": "CR", "n": 6, "pct": 50}]),
    ("At a median follow-up of 12.3 months, the median PFS was 8.5 months.", "durations",
     [_d("follow_up", 12.3, "month", "median"), _d("survival", 8.5, "month", "median")]),
])
def test_trial_sentences(extractor, sentence, field, expected):
    fields = fields_of(extractor, TRIAL + sentence)
    assert (fields["study_design"], fields["n_patients"]) == ("clinical_trial", 50)
    assert fields[field] == expected


@pytest.mark.parametrize(("text", "key", "expected"), [
    ("A 4-year-old girl with relapsed B-ALL received CD19 CAR-T cells.", "patients",
     [{"age_years": 4, "sex": "female"}]),
    ("We report a 67-year-old woman with myasthenia gravis treated with BCMA CAR-T cells.", "disease",
     ["myasthenia_gravis"]),
    # GUIDE, second round: SLE with lupus nephritis is lupus_nephritis (the broader label yields)
    ("Fifteen patients with SLE and lupus nephritis received CD19 CAR-T cells.", "disease",
     ["lupus_nephritis"]),
    ("GPC3 CAR-T cells were given to 12 patients with hepatocellular carcinoma.", "target_antigen", ["GPC3"]),
    ("Patients with neuroblastoma received GD2-CAR T cells.", "target_antigen", ["GD2"]),
    ("Patients with gastric cancer were treated with CLDN18.2-targeted CAR T cells.", "target_antigen",
     ["CLDN18.2"]),
    ("CAR-T cells were generated with the piggyBac transposon system.", "vector", ["piggybac"]),
    ("Patients received CRISPR/Cas9-edited universal CAR-T cells targeting CD7.", "cell_source", ["allogeneic"]),
    ("After CAR-T therapy, 10 patients proceeded to allo-HSCT as bridging to transplant.", "transplant",
     ["consolidative_allo_hsct"]),
])
def test_typical_abstract_phrases(extractor, text, key, expected):
    assert fields_of(extractor, text)[key] == expected
