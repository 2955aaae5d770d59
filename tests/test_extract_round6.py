"""Phenomena of the fourth round: an infused share counts the cohort, an absence states its count, a severity
word heads two coordinated terms (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import pytest
from extract_support import by_key, fields_of


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
