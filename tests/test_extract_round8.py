"""Phenomena and data conventions of the sixth round (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import json
import shutil

import pytest
from extract_support import fields_of

from pipeline.errors import ConfigError
from pipeline.extract.assemblers.durations import CarmineDurations
from pipeline.extract.detectors.levels import level_value
from pipeline.extract.lexicon import config_dir
from pipeline.readers import read_text


def _with_measure_row(tmp_path, row):
    configs = tmp_path / "configs"
    shutil.copytree(config_dir(), configs)
    with (configs / "patterns" / "measures.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    return str(configs)


def test_a_measure_rules_conditions_expand_the_macros(tmp_path):
    configs = _with_measure_row(tmp_path, {"id": "probe", "measure": "other", "side": "left", "regex": "probe$",
                                           "needs_left": "{TRANSPLANT_WORD}", "prev_sentence": "{CAR}"})
    rule = next(r for r in CarmineDurations("d", configs).rules if r["id"] == "probe")
    assert rule["needs_left_rx"].search("relapsed after a haploidentical graft")
    assert rule["needs_left_rx"].search("after ASCT")
    assert not rule["needs_left_rx"].search("after chemotherapy")
    assert rule["prev_rx"].search("tisagenlecleucel is a CAR-T product")


def test_an_unknown_macro_in_a_condition_names_the_rule(tmp_path):
    configs = _with_measure_row(tmp_path, {"id": "probe", "measure": "other", "side": "left", "regex": "probe$",
                                           "unless_left": "{NO_SUCH_MACRO}"})
    with pytest.raises(ConfigError, match=r"probe.*NO_SUCH_MACRO"):
        CarmineDurations("d", configs)


def _peaks(extractor, text):
    return sorted((p["value"], p["unit"], p["day"]) for p in fields_of(extractor, text)["expansion_peak"])


@pytest.mark.parametrize("raw, value", [("1.02 × 10^5", 102000), ("6.3×10⁴", 63000), ("350, 758", 350758),
                                        ("41.5", 41.5), ("2 x 10^3", 2000)])
def test_a_levels_number_with_its_power_of_ten(raw, value):
    assert level_value(raw) == value


@pytest.mark.parametrize("text, expected", [
    # levels listed before one unit, one peak each
    ("Among 40 patients infused with CAR T cells, peak CAR T-cell counts were higher after product A than after "
     "product B (median 52.4 vs 17.9 cells/μL; p = 0.01).", [(17.9, "cells/ul", None), (52.4, "cells/ul", None)]),
    # the next groups' values after a peak in the same clause; "Cmax" is a peak
    ("Twelve patients received the CAR T cells. Median Cmax was 1,210 copies/μg at dose level 1, 9,800 copies/μg "
     "at dose level 2 and 44,500 copies/μg at dose level 3.",
     [(1210, "copies/ug", None), (9800, "copies/ug", None), (44500, "copies/ug", None)]),
    # "reached" right before the value; the same peak as a share of T cells
    ("A 30-year-old woman received CD19 CAR T cells. The CAR T cells reached 87 cells/μL on day 8, equivalent to "
     "33% of all T cells.", [(33, "percent", None), (87, "cells/ul", 8)]),
    # a share of CD3+ T cells after a peak word is a CAR level, even where the words before name no CAR
    ("A 30-year-old man received CD19 CAR T cells. He had grade 1 CRS, and the peak, on day 12, was 18.5% of "
     "CD3+ T cells.", [(18.5, "percent", 12)]),
])
def test_expansion_peaks_in_lists_and_after_a_peak(extractor, text, expected):
    assert _peaks(extractor, text) == expected


def test_a_label_number_before_a_level_is_no_level_of_a_list(extractor):
    text = ("Two patients received CAR T cells. Peak levels were 12,400 copies/μg on day 7 in patient 1 and "
            "8,100 copies/μg on day 10 in patient 2.")
    assert _peaks(extractor, text) == [(8100, "copies/ug", 10), (12400, "copies/ug", 7)]


def test_a_percentage_of_patients_after_a_peak_is_no_level(extractor):
    text = ("Thirty patients received CAR T cells. CAR T cells peaked at 4,300 copies/μg, and CRS occurred in 70% "
            "of patients.")
    assert _peaks(extractor, text) == [(4300, "copies/ug", None)]


def test_a_conference_page_without_an_abstract_line_starts_at_its_first_heading():
    text = ("Skip to Main Content\nBlood\nAmerican Society of Hematology\nVolume 99, Issue Supplement 1\n\n"
            "612.ACUTE LYMPHOBLASTIC LEUKEMIAS: THERAPY | December 7, 2030\n\n"
            "A Phase 2 Study of an Invented CD22 CAR T-Cell Product in Relapsed B-Cell Acute Lymphoblastic Leukemia\n\n"
            "Ann Smith, MD1, Bo Lee, PhD2\n1Department of Hematology, Somewhere University, Somewhere\n"
            "2Cell Therapy Unit, Elsewhere\n\nBlood (2030) 99 (Supplement 1): 1234.\n\n"
            "Introduction: CD22 is expressed on most B-ALL blasts. We tested a new CAR.\n\n"
            "Methods: Adults with relapsed B-ALL received one infusion after lymphodepletion.\n\n"
            "Results: Twenty patients were infused; 15 (75%) achieved complete remission.\n\n"
            "Conclusions: The product was active.\n")
    doc = read_text(text, doc_id="t")
    assert doc.title.startswith("A Phase 2 Study of an Invented CD22")
    headings = [z.heading for z in doc.zones if z.name == "abstract"]
    assert headings == ["Introduction", "Methods", "Results", "Conclusions"]


def _sources(extractor, text):
    return sorted(fields_of(extractor, text)["cell_source"])


@pytest.mark.parametrize("text, expected", [
    # the patient's own cells named without a source word
    ("A 35-year-old woman with lupus nephritis was treated. T cells from a leukapheresis product collected from "
     "the patient herself were transduced with a CD19 CAR, and the CAR T cells were infused.", ["autologous"]),
    ("A 60-year-old man received CD19 CAR T cells manufactured from his own T lymphocytes.", ["autologous"]),
    # two sources of this study's cells compared: both
    ("Sixty patients received CD19 CAR T cells. Response rates for donor-derived versus recipient-derived CAR T "
     "cells were 70% and 65%.", ["allogeneic", "autologous"]),
    # another study's products after a comparison
    ("We pooled 300 patients who received allogeneic CAR T cells. Remissions were shorter than those reported "
     "with autologous products.", ["allogeneic"]),
    # a transplant's donor is not the CAR cells' source
    ("A 40-year-old woman received axicabtagene ciloleucel. She later needed a bridge to allogeneic "
     "transplantation when CAR T-cell therapy failed.", []),
])
def test_cell_sources_in_more_phrasings(extractor, text, expected):
    assert _sources(extractor, text) == expected


def test_a_background_sentence_defining_the_titles_product_is_about_this_study(extractor):
    text = ("XR-77 versus standard care in lymphoma: a randomized trial\n\n"
            "Background: Salvage chemotherapy helps few patients. XR-77 is an autologous anti-CD19 CAR-T product.\n"
            "Methods: We randomized 120 adults to XR-77 or standard care.")
    assert _sources(extractor, text) == ["autologous"]
    other = text.replace("XR-77 is an", "YB-12 is an")  # a product the title does not name: background
    assert _sources(extractor, other) == []


def test_a_journal_name_taken_first_gives_way_to_the_long_title_before_the_abstract_line():
    text = ("Skip to main content\nJournal of Imaginary Oncology\nSearch\nMenu\n"
            "Research | Open access | Published: 01 May 2030\n\n"
            "Donor-derived CD7 CAR T cells for relapsed T-cell acute lymphoblastic leukemia: a phase 1 study\n\n"
            "Ann Smith & Bo Lee\n\nAbstract\n\nBackground\nCD7 is expressed on T cells. We tested a new product.\n\n"
            "Results\nTen patients were infused and 8 (80%) achieved complete remission.\n")
    doc = read_text(text, doc_id="t")
    assert doc.title.startswith("Donor-derived CD7 CAR T cells")
    assert [z.name for z in doc.zones].count("title") == 1
