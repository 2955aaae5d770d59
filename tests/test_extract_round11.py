"""Phenomena of the ninth round (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

from extract_support import fields_of

# -- a comparator's scope ends where the CAR arm's clause begins --------------------------------------------------------

def test_a_new_clause_after_the_control_arm_is_the_car_arms(extractor):
    fields = fields_of(extractor, "In this randomised trial, 40 patients received CAR-T cells. CRS occurred in 30% "
                                  "of patients versus 5% in the control arm, and CR was achieved in 45% of patients.")
    assert fields["crs"] == [{"grade": "any", "n": None, "pct": 30}]
    assert fields["response"] == [{"category": "CR", "n": None, "pct": 45}]


def test_the_control_arms_own_clause_stays_the_comparators(extractor):
    fields = fields_of(extractor, "In the control arm, CRS occurred in 5%. In the CAR-T arm, CRS occurred in 40%.")
    assert fields["crs"] == [{"grade": "any", "n": None, "pct": 40}]


# -- expansion peaks of several patients, closed by "respectively" ------------------------------------------------------

def test_several_patients_peaks_take_their_days_in_order(extractor):
    fields = fields_of(extractor, "Three patients received CD19 CAR-T cells. CAR-T cells peaked at 86, 12 and 143 "
                                  "cells/μL on days 10, 14 and 7, respectively.")
    assert fields["expansion_peak"] == [{"value": 86, "unit": "cells/ul", "day": 10},
                                        {"value": 12, "unit": "cells/ul", "day": 14},
                                        {"value": 143, "unit": "cells/ul", "day": 7}]


def test_a_list_of_days_of_another_length_gives_no_day(extractor):
    fields = fields_of(extractor, "CAR-T cells peaked at 86 and 143 cells/μL on days 10, 14 and 7, respectively.")
    assert [p["day"] for p in fields["expansion_peak"]] == [None, None]


# -- two clauses of values, one "respectively" ---------------------------------------------------------------------------

def test_respectively_closing_the_second_clause_leaves_the_first_ones_values(extractor):
    fields = fields_of(extractor, "In the two cohorts, ICANS rates were 18% and 16%, and grade ≥3 ICANS 3% and 4%, "
                                  "respectively.")
    assert fields["icans"] == [{"grade": "any", "n": None, "pct": 18}, {"grade": "any", "n": None, "pct": 16},
                               {"grade": ">=3", "n": None, "pct": 3}, {"grade": ">=3", "n": None, "pct": 4}]


def test_a_list_of_measures_closed_by_respectively_is_still_paired(extractor):
    fields = fields_of(extractor, "The pooled ORR and CR rate were 89% and 61%, respectively.")
    assert fields["response"] == [{"category": "ORR", "n": None, "pct": 89}, {"category": "CR", "n": None, "pct": 61}]
