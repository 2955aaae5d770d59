"""The kinds of misses the generalisation issue lists, each as a short sentence of our own (no
gold document is copied): day notations, spans, earlier remissions, ages, cohort counts, rates."""

from __future__ import annotations

import pytest

from pipeline.extract import Extractor, build_nlp
from pipeline.readers import read_text

COHORT = "A total of 20 patients with B-ALL received CD19 CAR-T cells in this study. "
CASE = "We report a 45-year-old man with DLBCL treated with CD19 CAR-T cells. "


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(build_nlp())


def field(extractor, text: str, name: str):
    return extractor.extract(read_text(text, doc_id="t")).fields[name]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("On day +28 he achieved CR.", ("time_to_response", 28, "day", None)),
    ("He achieved CR on d+5.", ("time_to_response", 5, "day", None)),
    ("At D14 the patient was in complete remission.", ("time_to_response", 14, "day", None)),
    ("He relapsed six months after CAR-T infusion.", ("time_to_relapse", 6, "month", None)),
    ("He has remained in CR for 2 years.", ("response_duration", 2, "year", "ongoing")),
    ("He had relapsed within 6 months after allo-HSCT before enrolment.", ("prior_remission", 6, "month", "<=")),
    ("The patient remained in remission for 8 months after a previous CD22 CAR-T before relapsing.",
     ("prior_remission", 8, "month", None)),
])
def test_case_durations(extractor, sentence, expected):
    got = [(d["measure"], d["value"], d["unit"], d["qualifier"]) for d in field(extractor, CASE + sentence, "durations")]
    assert got == [expected]


@pytest.mark.parametrize(("text", "patients"), [
    ("We describe a 33-year-male with B-ALL who received CD19 CAR-T cells.", [{"age_years": 33, "sex": "male"}]),
    ("A woman aged 61 with myeloma received BCMA CAR-T cells.", [{"age_years": 61, "sex": "female"}]),
])
def test_ages_and_sexes(extractor, text, patients):
    assert field(extractor, text, "patients") == patients


@pytest.mark.parametrize(("text", "n"), [
    (COHORT + "Of 25 enrolled patients, 20 were infused.", 20),
    ("In this randomised trial, 50 patients were assigned to CAR-T and 48 to standard care.", 50),
])
def test_cohort_counts(extractor, text, n):
    assert field(extractor, text, "n_patients") == n


@pytest.mark.parametrize(("sentence", "name", "expected"), [
    ("CRS occurred in 17 (85%) patients.", "crs", [("any", 17, 85)]),
    ("Grade ≥3 ICANS occurred in 10% of patients.", "icans", [(">=3", None, 10)]),
    ("ORR 83%, CR 58%.", "response", [("ORR", None, 83), ("CR", None, 58)]),
    ("CRS was observed in 12 patients (60%), including grade 3 CRS in 2 (10%).", "crs",
     [("any", 12, 60), ("3", 2, 10)]),
    ("Neurotoxicity of any grade occurred in 25% and grade 3 or higher in 5%.", "icans",
     [("any", None, 25), (">=3", None, 5)]),
])
def test_rates(extractor, sentence, name, expected):
    key = "category" if name == "response" else "grade"
    got = [(o[key], o["n"], o["pct"]) for o in field(extractor, COHORT + sentence, name)]
    assert got == expected


def test_a_case_report_describing_two_patients_is_a_series(extractor):
    text = ("Case report: CAR-T cells for PTLD\n\nCase Presentation: In this report, we describe the successful "
            "management of two patients with EBV-PTLD with chimeric antigen receptor T-cell (CAR-T) therapy.")
    fields = extractor.extract(read_text(text, doc_id="t")).fields
    assert (fields["study_design"], fields["n_patients"]) == ("case_series", 2)
    assert fields["patients"] == [{"age_years": None, "sex": None}] * 2  # described, age and sex not stated


def test_a_cohort_size_in_brackets(extractor):
    text = "Results: In an independent CAR-T cohort (n=45), the model predicted high-grade CRS well."
    assert field(extractor, text, "n_patients") == 45


@pytest.mark.parametrize(("text", "expected"), [
    (COHORT + "The median time to CRS onset was 3 days.", [("other", 3, "day", "median")]),
    (CASE + "He developed CRS on day 3.", [("other", 3, "day", None)]),
    (CASE + "CRS lasted 4 days.", [("other", 4, "day", None)]),
    (CASE + "He died on day 12 of sepsis.", [("other", 12, "day", None)]),
    (CASE + "IL-6 levels were high on day 7.", []),  # a laboratory day (GUIDE: not a duration)
])
def test_days_of_clinical_events(extractor, text, expected):
    got = [(d["measure"], d["value"], d["unit"], d["qualifier"]) for d in field(extractor, text, "durations")]
    assert got == expected


@pytest.mark.parametrize(("text", "n"), [
    ("Methods: A total of 30 patients were enrolled, and 27 received CAR-T cell infusion.", 27),
    ("Of the 45 patients screened, 38 were enrolled and 35 were infused with BCMA CAR-T cells.", 35),
    ("This phase 1 trial enrolled 18 patients with r/r MM; 16 received the CAR-T cell infusion.", 16),
    ("Fifty-two patients received CAR-T cells; 40 were evaluable for response.", 52),  # evaluable is not infused
])
def test_infused_beats_enrolled(extractor, text, n):
    assert field(extractor, text, "n_patients") == n
