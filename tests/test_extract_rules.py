"""Real report sentences through the pipeline: one case per rule, regression cases included."""

from __future__ import annotations

import pytest

from pipeline.extract import Extractor, build_nlp
from pipeline.extract.detectors.grades import normalize_grade
from pipeline.extract.numbers import parse_number
from pipeline.readers import read_text


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(build_nlp())


def fields_of(extractor: Extractor, text: str) -> dict:
    return extractor.extract(read_text(text, doc_id="test")).fields


CASE = "We report a case of a 34-year-old male patient with T-ALL treated with anti-CD7 CAR-T cells. "
COHORT = "A total of 20 patients with B-ALL received CD19 CAR-T cells in this study. "


@pytest.mark.parametrize(("text", "expected"), [
    ("350, 758", 350758), ("1,000", 1000), ("four", 4), ("Five", 5), ("20.4", 20.4), ("twenty-one", 21),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(("raw", "grade"), [
    ("≥3", ">=3"), ("≥ 3", ">=3"), ("3 or higher", ">=3"), ("1-2", "1-2"), ("1–2", "1-2"), ("IV", "4"),
    ("III/IV", "3-4"), ("<=2", "<=2"), ("2", "2"), (">2", ">=3"),
])
def test_normalize_grade(raw, grade):
    assert normalize_grade(raw) == grade


@pytest.mark.parametrize(("sentence", "field", "grades"), [
    # regression (seed): the grade follows the term and its bracketed abbreviation
    ("Cytokine release syndrome (CRS) 1 was experienced while no immune effector cell-associated "
     "neurotoxicity syndrome (ICANS) was found.", "crs", ["1"]),
    ("Cytokine release syndrome (CRS) 1 was experienced while no immune effector cell-associated "
     "neurotoxicity syndrome (ICANS) was found.", "icans", ["0"]),
    ("The patient developed grade 2 CRS on day 3.", "crs", ["2"]),
    ("He experienced CRS grade 3 and grade IV ICANS.", "icans", ["4"]),
    ("She was discharged without neurotoxicity.", "icans", ["0"]),
    ("No neurotoxicity was observed.", "icans", ["0"]),
])
def test_case_report_grades(extractor, sentence, field, grades):
    got = fields_of(extractor, CASE + sentence)[field]
    assert [o["grade"] for o in got] == grades


@pytest.mark.parametrize(("sentence", "field", "expected"), [
    # regression (dev doc 4): "all of which were grade 1." at the end of a sentence
    ("Five patients presented with cytokine release syndrome (CRS), all of which were grade 1.", "crs",
     [{"grade": "1", "n": 5, "pct": None}]),
    ("CRS occurred in 17 of 20 patients (85%).", "crs", [{"grade": "any", "n": 17, "pct": 85}]),
    ("The incidence of severe CRS (grade ≥ 3) was 12% (5% -20%, I2=41.04%, p=0.06).", "crs",
     [{"grade": ">=3", "n": None, "pct": 12}]),
    ("Grade 1-2 CRS was seen in 15 patients (75%).", "crs", [{"grade": "1-2", "n": 15, "pct": 75}]),
    ("No ICANS was observed.", "icans", [{"grade": "0", "n": None, "pct": None}]),
])
def test_cohort_grades_with_counts(extractor, sentence, field, expected):
    assert fields_of(extractor, COHORT + sentence)[field] == expected


def test_background_toxicity_yields_nothing(extractor):
    text = ("Background: CAR-T cells induce numerous adverse events, especially cytokine release syndrome. "
            "\n\nResults: " + COHORT)
    assert fields_of(extractor, text)["crs"] == []


@pytest.mark.parametrize(("sentence", "categories"), [
    # regression (seed): a remission after the transplant is not the CAR-T response
    ("Then, the patient remained in complete remission (CR) for four months before a relapse, so he was "
     "treated with anti-CD7 CAR-T cells.", []),
    ("The patient achieved MRD-negative CR within 1 month after infusion.", ["MRD_negative_CR", "CR"]),
    ("He relapsed after achieving the first complete remission (CR1).", []),
    ("The patient achieved a partial response (PR).", ["PR"]),
])
def test_case_report_responses(extractor, sentence, categories):
    got = fields_of(extractor, CASE + sentence)["response"]
    assert [o["category"] for o in got] == categories


def test_cohort_responses_with_counts(extractor):
    # regression (dev doc 4): "SD/PD at enrollment" is not a response to the CAR-T cells
    text = (COHORT + "Five patients (25%) had a stable or progressive disease (SD/PD) at enrollment. "
            "All patients reached an objective response, including 5 (4 cHL and 1 ALCL, 83.3%) with a complete "
            "response (CR) and 1 with a partial response (PR).")
    got = fields_of(extractor, text)["response"]
    assert got == [{"category": "ORR", "n": 20, "pct": None}, {"category": "CR", "n": 5, "pct": 83.3},
                   {"category": "PR", "n": 1, "pct": None}]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The patient achieved CR within 1 month after anti-CD7 CAR-T infusion and the remission has been "
     "ongoing for 9 months to date.",
     [{"measure": "time_to_response", "value": 1, "unit": "month", "qualifier": "<="},
      {"measure": "response_duration", "value": 9, "unit": "month", "qualifier": "ongoing"}]),
    ("Then, the patient remained in complete remission (CR) for four months before a relapse.",
     [{"measure": "prior_remission", "value": 4, "unit": "month", "qualifier": None}]),
    ("With a median follow-up of 20.4 (range, 12.1–34.4) months, all remained alive.",
     [{"measure": "follow_up", "value": 20.4, "unit": "month", "qualifier": "median"}]),
    ("The median progression-free survival was 6.2 months.",
     [{"measure": "survival", "value": 6.2, "unit": "month", "qualifier": "median"}]),
])
def test_durations(extractor, sentence, expected):
    assert fields_of(extractor, CASE + sentence)["durations"] == expected


@pytest.mark.parametrize(("text", "antigens"), [
    ("Anti-CD7 CAR-T cells were infused.", ["CD7"]),
    ("GPC3-targeted CAR T-(CAR-GPC3) cells were well tolerated.", ["GPC3"]),
    ("Patients received CD19/22 dual-targeted CAR-T cells.", ["CD19", "CD22"]),
    ("Anti-B cell maturation antigen (BCMA) chimeric antigen receptor T cells were given.", ["BCMA"]),
    ("Anti-CD30 chimeric antigen receptor (CAR30) T-cell therapy induces responses. CAR30 T cells expanded.",
     ["CD30"]),
    ("Salvage CD20-SD-CART therapy in aggressive B-cell lymphoma after CD19 CART treatment failure.", ["CD20"]),
    ("CD7 is expressed in leukemic cells of 30% of patients with AML.", []),
])
def test_target_antigens(extractor, text, antigens):
    assert fields_of(extractor, text)["target_antigen"] == antigens


@pytest.mark.parametrize(("text", "diseases"), [
    ("A patient with T-cell acute lymphoblastic leukemia (T-ALL) received CAR-T cells.", ["T-ALL"]),
    ("Five classical Hodgkin lymphoma (cHL) patients and 1 anaplastic large cell lymphoma (ALCL) patient were "
     "enrolled.", ["HL", "ALCL"]),
    ("A 60-year-old man with hepatitis B virus related hepatocellular carcinoma received CAR-T cells.", ["HCC"]),
    ("A patient with relapsed non-Hodgkin lymphoma received CAR-T cells.", ["NHL"]),
    ("A patient with acute lymphoblastic leukemia (ALL), B-ALL subtype, received CAR-T cells.", ["B-ALL"]),
])
def test_diseases(extractor, text, diseases):
    assert fields_of(extractor, text)["disease"] == diseases


@pytest.mark.parametrize(("text", "sources", "transplants"), [
    # regression (dev doc 3): the transplant is allogeneic, the CAR-T cells autologous
    ("The patient relapsed after undergoing allogeneic peripheral blood stem cell transplantation and was "
     "treated with CD7-targeted autologous CAR-T cells.", ["autologous"], ["prior_allo_hsct"]),
    ("This patient received allogeneic hematopoietic stem cell transplantation (allo-HSCT). Then he relapsed "
     "and was treated with allogeneic anti-CD7 CAR-T cells.", ["allogeneic"], ["prior_allo_hsct"]),
    ("We found that consolidation allo-HSCT after CAR-T cell therapy in our patients improved survival.", [],
     ["consolidative_allo_hsct"]),
    ("All patients received ASCT in tandem with CAR30 T-cell infusion. No patient had prior ASCT.", [], []),
    ("88 patients received autologous CAR-T cells and 112 patients received donor derived CAR-T cells.",
     ["autologous", "allogeneic"], []),
])
def test_cell_source_and_transplant(extractor, text, sources, transplants):
    fields = fields_of(extractor, text)
    assert fields["cell_source"] == sources
    assert fields["transplant"] == transplants


@pytest.mark.parametrize(("text", "vector", "editing"), [
    ("The CAR-T product was based on retroviral vectors (RV). RV-based CAR-T cells were safe.", ["retroviral"], []),
    ("CD7-CAR T cells were generated using CRISPR/Cas9 gene-editing technology.", [], ["crispr"]),
    ("CAR-T cells prepared using a lentiviral vector without gene editing.", ["lentiviral"], ["none"]),
])
def test_vector_and_gene_editing(extractor, text, vector, editing):
    fields = fields_of(extractor, text)
    assert fields["vector"] == vector
    assert fields["gene_editing"] == editing


@pytest.mark.parametrize(("text", "design", "n", "patients"), [
    (CASE, "case_report", 1, [{"age_years": 34, "sex": "male"}]),
    ("Patient 1 was a 10-year-old boy with T-ALL. Patient 2 was a 45-year-old woman with AML. Both received "
     "CD7 CAR-T cells.", "case_series", 2, [{"age_years": 10, "sex": "male"}, {"age_years": 45, "sex": "female"}]),
    ("This open-label, single-arm pilot study enrolled 12 patients with r/r MM treated with BCMA CAR-T cells.",
     "clinical_trial", 12, []),
    ("Among the 13 studies included, a total of 200 patients received CD7 CAR-T cell therapy (I2=29.65%).",
     "meta_analysis", 200, []),
    ("We retrospectively analyzed 15 patients with secondary CNS lymphoma treated with CAR-T cells.",
     "observational_cohort", 15, []),
])
def test_design_count_and_patients(extractor, text, design, n, patients):
    fields = fields_of(extractor, text)
    assert (fields["study_design"], fields["n_patients"], fields["patients"]) == (design, n, patients)


def test_expansion_peak_with_odd_separator(extractor):
    text = CASE + "In addition, CAR copy number peaked at 350, 758 copies/μg on day 6."
    assert fields_of(extractor, text)["expansion_peak"] == [{"value": 350758, "unit": "copies/ug", "day": 6}]
