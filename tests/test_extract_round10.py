"""Phenomena of the eighth round (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import pytest
from extract_support import fields_of

from pipeline.readers import read_text


# -- a conference abstract's number before its title ------------------------------------------------------------------

def test_a_numbered_conference_abstract_keeps_its_title_line():
    text = ("652.MYELOMA: CELLULAR THERAPIES | DECEMBER 2025\n\n"
            "Abstract 1187: A Phase 2 Study of ZR-17, an Autologous CD70-Directed CAR T-Cell Therapy, in Renal Cell "
            "Carcinoma\n\nAna Ruiz, MD1, Tom Berg, PhD2\n\n"
            "Background: CD70 is expressed on clear-cell renal carcinoma.\nMethods: Adults were eligible.\n"
            "Results: Twelve patients were infused.\nConclusions: ZR-17 was feasible.")
    doc = read_text(text, doc_id="x")
    assert doc.title == ("A Phase 2 Study of ZR-17, an Autologous CD70-Directed CAR T-Cell Therapy, in Renal Cell "
                         "Carcinoma")
    title = next(z for z in doc.zones if z.name == "title")
    assert text[title.start:title.end] == doc.title


def test_a_citation_line_is_still_skipped():
    text = ("Blood 2024; 144 (Suppl 1): 2874.\n\nCD19 CAR T cells in adults with B-ALL: a multicentre experience\n\n"
            "Background: Adults with B-ALL relapse often.\nResults: Twenty patients were infused.")
    assert read_text(text, doc_id="x").title == "CD19 CAR T cells in adults with B-ALL: a multicentre experience"


# -- target antigens: lists of targets, CARs given before, CARs set against -------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # a list opened by "Targets were" in a CAR report
    ("We pooled 18 studies of CAR-T cells in AML. Targets were CD33 (6 studies), CLL1 (5), CD123 (4) and FLT3 (1).",
     ["CD33", "CLL1", "CD123", "FLT3"]),
    # a CAR set against another: "differs from that of"
    ("Ide-cel, a BCMA-directed CAR T-cell product, has a toxicity profile that differs from that of CD19-directed "
     "products. We treated 31 patients with ide-cel.", ["BCMA"]),
    # a patient's history that ends in a relapse
    ("A 60-year-old woman had received an anti-CD19 CAR-T product and stayed in remission for 9 months before "
     "relapsing. She was then treated with CD22 CAR T cells.", ["CD22"]),
    # a failure named after the study's own CAR belongs to the earlier one
    ("CD22-targeted CAR-T cell therapy after failure of CD19-directed CAR-T cells: three cases.", ["CD22"]),
    # a prior CAR across a hyphenated word: "relapsing with CD19-negative disease after CD19 CAR-T"
    ("Case report: CD22 CAR T cells in a boy relapsing with CD19-negative leukaemia after anti-CD19 CAR T-cell "
     "therapy.", ["CD22"]),
])
def test_target_antigens_of_the_studys_own_car(extractor, text, expected):
    assert fields_of(extractor, text)["target_antigen"] == expected


def test_a_car_before_a_relapse_in_a_trial_of_that_car_is_kept(extractor):
    text = "CD19 CAR-T cells induced complete remission in 8 of 10 patients before relapse in three."
    assert fields_of(extractor, text)["target_antigen"] == ["CD19"]
