"""Phenomena of the fourth round: an infused share counts the cohort, an absence states its count, a severity
word heads two coordinated terms (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import pytest
from extract_support import by_key, fields_of

from pipeline.readers import read_text


def test_an_infused_share_of_the_enrolled_is_the_treated_count(extractor):
    f = fields_of(extractor, "Sixty adults were enrolled; 54 (90%) received the CD19 CAR-T infusion. CR was 70%.")
    assert f["n_patients"] == 54


def test_a_share_that_received_something_else_is_no_cohort(extractor):
    f = fields_of(extractor, "A total of 80 patients received CAR-T cells, and 30 (38%) received tocilizumab.")
    assert f["n_patients"] == 80


@pytest.mark.parametrize("text, expected", [
    ("Of 90 patients, 61 developed CRS and 29 had no CRS.", ("0", 29, None)),
    ("Eleven patients (35%) did not develop CRS.", ("0", 11, 35)),
    ("Patients were grouped into those with CRS (n = 40) and those without CRS (n = 122).", ("0", 122, None)),
])
def test_an_absence_takes_the_count_that_states_it(extractor, text, expected):
    assert expected in by_key(fields_of(extractor, text)["crs"])


@pytest.mark.parametrize("text", ["ICANS was absent in all 30 patients.", "No CRS was observed in the 12 children."])
def test_an_absence_over_the_whole_cohort_keeps_no_count(extractor, text):
    obs = fields_of(extractor, text)
    assert [o["n"] for o in obs["crs"] + obs["icans"] if o["grade"] == "0"] == [None]


def test_patients_without_the_event_unsized_are_a_subgroup(extractor):
    assert fields_of(extractor, "Patients without CRS had a longer median PFS.")["crs"] == []


def test_a_severity_word_heads_two_coordinated_terms(extractor):
    f = fields_of(extractor, "Severe CRS and ICANS were seen in 7% and 12% of the patients, respectively.")
    assert by_key(f["crs"]) == [(">=3", None, 7)] and by_key(f["icans"]) == [(">=3", None, 12)]


def test_a_severity_word_in_a_list_heads_only_its_own_term(extractor):
    f = fields_of(extractor, "Overall, 70%, 5%, 30% and 9% had CRS, severe CRS, neurotoxicity and severe "
                             "neurotoxicity, respectively.")
    assert ("any", None, 30) in by_key(f["icans"])


@pytest.mark.parametrize("text, expected", [
    ("Patient 1 (male, 19 years) had T-LBL and patient 2, a woman of 34, had T-ALL; both received CD7 CAR-T.",
     [(19, "male"), (34, "female")]),
    ("A woman aged 71 with myeloma received cilta-cel.", [(71, "female")]),
    ("We describe a boy (age 16) with B-ALL treated with CD19 CAR T cells.", [(16, "male")]),
    ("A girl aged nine with neuroblastoma received GD2 CAR T cells.", [(9, "female")]),
])
def test_ages_written_after_the_person(extractor, text, expected):
    assert [(p["age_years"], p["sex"]) for p in fields_of(extractor, text)["patients"]] == expected


def test_an_eligibility_age_is_no_patient(extractor):
    assert fields_of(extractor, "Patients aged 18 or older with LBCL received axi-cel.")["patients"] == []


@pytest.mark.parametrize("text, expected", [
    ("Of 60 patients treated with CAR-T, 20 had previously undergone autologous and 3 allogeneic transplantation.",
     {"prior_auto_hsct", "prior_allo_hsct"}),
    ("Of 12 infused patients, four had previously undergone consolidation with autologous stem cell "
     "transplantation.", {"prior_auto_hsct"}),
    ("After CD19 CAR-T therapy, 38 patients in remission received a consolidative transplant.",
     {"consolidative_allo_hsct"}),
    ("A girl who had relapsed after busulfan/melphalan with autologous stem cell rescue received GD2 CAR T cells.",
     {"prior_auto_hsct"}),
    ("A man who had received a kidney transplant developed PTLD and was treated with axi-cel.", set()),
    ("Patients with transplant-ineligible disease received CAR-T cells.", set()),
])
def test_transplants_by_their_parts(extractor, text, expected):
    assert set(fields_of(extractor, text)["transplant"]) == expected


def test_a_case_presentation_glued_to_its_text_ends_the_background(extractor):
    text = ("Parkinsonism after cilta-cel\n\nAbstract\n\nBackgroundCilta-cel is a BCMA CAR-T product.Case "
            "presentationA woman aged 71, who had undergone autologous stem cell transplantation eight years earlier, "
            "received cilta-cel.")
    f = extractor.extract(read_text(text, doc_id="t")).fields
    assert f["transplant"] == ["prior_auto_hsct"] and f["patients"] == [{"age_years": 71, "sex": "female"}]


def test_key_points_before_the_abstract_are_read(extractor):
    text = ("A GPRC5D CAR-T trial\n\nAbstract\n\nKey Points\n• Responses in most patients.\n\nIn this phase 1 "
            "study, 30 patients received GPRC5D CAR T cells; the overall response rate was 83% (25/30).")
    f = extractor.extract(read_text(text, doc_id="t")).fields
    assert f["n_patients"] == 30 and ("ORR", 25, 83) in by_key(f["response"])
