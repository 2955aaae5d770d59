"""Phenomena and data conventions of the sixth round (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import json
import shutil

import pytest
from extract_support import durations_of, fields_of

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


def _transplants(extractor, text):
    return sorted(fields_of(extractor, text)["transplant"])


@pytest.mark.parametrize("text, expected", [
    # a transplant dated from the CAR infusion is after it, whatever verb introduces it
    ("We treated 20 patients with BCMA CAR T cells. One patient in VGPR underwent allogeneic SCT from an unrelated "
     "donor 90 days after infusion.", ["consolidative_allo_hsct"]),
    # "pt"/"pts" are patients
    ("We treated 40 pts with CD19 CAR T cells. Three pts in CR proceeded to consolidative allo-HCT.",
     ["consolidative_allo_hsct"]),
    # a transplant before the CAR dated in the same sentence as a later event stays prior
    ("A 50-year-old man received CD19 CAR T cells 5 months after allogeneic transplantation and developed grade 2 "
     "CRS 6 days after CAR-T infusion.", ["prior_allo_hsct"]),
    # a product named by its name after "after"
    ("Allogeneic transplantation after failure of tisagenlecleucel: a case report\n\nA 30-year-old woman with "
     "B-ALL received tisagenlecleucel and did not respond.", ["consolidative_allo_hsct"]),
    # a solid organ's graft named by what happens to it
    ("Three patients with PTLD after kidney transplantation received CD19 CAR T cells; one had allograft "
     "rejection.", []),
    # a baseline table row is about the cohort
    ("Thirty patients were infused with BCMA CAR T cells. Baseline characteristics: median age 60 years; prior "
     "ASCT, 24 (80%).", ["prior_auto_hsct"]),
])
def test_transplant_timing_in_more_phrasings(extractor, text, expected):
    assert _transplants(extractor, text) == expected


def test_a_transplant_referred_back_keeps_the_timing_of_its_first_mention(extractor):
    text = ("A 40-year-old woman with PMBCL received axicabtagene ciloleucel and did not respond. She then underwent "
            "allogeneic haematopoietic cell transplantation 80 days after the CAR T-cell infusion, and she remains "
            "in remission 12 months after the allograft.")
    assert _transplants(extractor, text) == ["consolidative_allo_hsct"]


def test_headings_glued_to_the_sentence_before_them_open_their_sections():
    text = ("A phase I study of a new CAR-NK product\n\nBackground:Relapse after transplant has few options. We ran a "
            "trial.Methods:Patients received three doses.Results:Nine patients were infused.Conclusions:The cells "
            "were safe.\n")
    doc = read_text(text, doc_id="t")
    assert [z.heading for z in doc.zones if z.name == "abstract"] == ["Background", "Methods", "Results",
                                                                      "Conclusions"]
    assert text[doc.zones[-1].start:].startswith("Conclusions:The cells")


@pytest.mark.parametrize("rule", ["lead_gap", "lead_gap_level"])
def test_the_peak_gap_patterns_never_split_a_word_in_two(rule):
    """Each word of a gap is read one way only: a long run of words that fails at its end is rejected at once
    (a word that could be split into pieces backtracked exponentially: minutes for 60 characters)."""
    import time

    from pipeline.extract.lexicon import load_resources

    rx = next(r["rx"] for r in load_resources().patterns.rules("expansion") if r["id"] == rule)
    gap = " ".join(["abcdefghijklmnop"] * 12) + " 5"
    t0 = time.perf_counter()
    assert rx.match(gap) is None
    assert time.perf_counter() - t0 < 1.0
    assert rx.match(" at a median of ") is not None


@pytest.mark.parametrize("text, expected", [
    ("A 50-year-old woman received CD19 CAR T cells and did not respond; she died of progressive lymphoma "
     "3 months later.", [("other", 3, "month", None)]),
    ("A 12-year-old boy with glioma received GD2 CAR T cells. The disease has a median survival of about "
     "11 months from diagnosis.", []),
    ("A 30-year-old man received CD19 CAR T cells. PET-CT 2 months after infusion showed a complete metabolic "
     "response, which is ongoing 10 months after infusion.",
     [("response_duration", 10, "month", "ongoing"), ("time_to_response", 2, "month", None)]),
    ("Eighteen patients received CD70 CAR T cells. Median DOR was 5.6 mo at a median FU of 9.8 mo.",
     [("follow_up", 9.8, "month", "median"), ("survival", 5.6, "month", "median")]),
    ("Fourteen patients received CAR-NK cells. Low-level persistence was documented for 12 months.",
     [("other", 12, "month", None)]),
    ("A 24-year-old woman with lupus received CD19 CAR T cells. Three months after infusion she fulfilled the "
     "DORIS definition of remission.", [("time_to_response", 3, "month", None)]),
    ("A 9-year-old girl received CD19 CAR T cells. Bone marrow examination on day 28 showed a minimal residual "
     "disease (MRD)-negative complete remission.", [("time_to_response", 28, "day", None)]),
    ("A 34-year-old man received CLL1 CAR T cells. He was in MRD-negative complete remission (CR) on day 28.",
     [("time_to_response", 28, "day", None)]),
    ("A 9-year-old girl had a haploidentical transplant. Only 5 months after the transplantation, bone marrow "
     "relapse was found, and she received CD19 CAR T cells.", [("prior_remission", 5, "month", None)]),
    ("A 9-year-old girl received CD19 CAR T cells. Up to now she keeps MRD-negative remission for 14 months "
     "after the CAR-T infusion.", [("response_duration", 14, "month", "ongoing")]),
    ("Two patients received CD22 CAR T cells; both achieved a complete response and remain in CR 16 and 9 "
     "months after infusion, respectively.",
     [("response_duration", 9, "month", "ongoing"), ("response_duration", 16, "month", "ongoing")]),
])
def test_durations_in_more_phrasings(extractor, text, expected):
    assert durations_of(extractor, text) == expected


def test_a_list_whose_values_name_different_units_is_one_span_per_unit(extractor):
    text = ("Twenty-seven patients received CD7 CAR T cells. The median event-free survival was 9.7 months and "
            "1-year overall survival was similar in the two groups (64% vs 61%).")
    assert durations_of(extractor, text) == [("survival", 9.7, "month", "median")]


@pytest.mark.parametrize("text, expected", [
    # the numerator of "N of the M pts" is the infused count where a finite verb says so
    ("Results: 160 pts were randomized (XR-77, 80; SOC, 80); 76 of the 80 pts in the XR-77 arm were infused.", 76),
    ("Of 40 enrolled, 36 of the 40 patients received tisagenlecleucel.", 36),
    # a participle describes the group: the total is the cohort
    ("In total, 14 patients were administered a CAR-BCMA infusion. Eleven of the 14 patients dosed were women.", 14),
    ("We included 22 patients. Nineteen of 22 patients received conditioning chemotherapy prior to CAR T-cell "
     "infusion.", 22),
    # the comparator arm's crossover is not this study's count
    ("XR-77 improved EFS over standard care. 44 SOC pts received CAR-T as subsequent therapy.", None),
])
def test_counts_of_infused_numerators_and_comparator_crossovers(extractor, text, expected):
    assert fields_of(extractor, text)["n_patients"] == expected


def test_a_label_listed_after_patients_is_no_count(extractor):
    text = ("Three patients received tisagenlecleucel. Patients 1 and 3 achieved a complete metabolic response.")
    assert [(r["category"], r["n"]) for r in fields_of(extractor, text)["response"]] == [("CR", None)]


def test_complete_response_with_incomplete_marrow_recovery_is_cri(extractor):
    text = ("Thirty-eight patients received liso-cel. Complete response or complete response with incomplete marrow "
            "recovery occurred in 7 patients (18.4%).")
    assert sorted((r["category"], r["n"]) for r in fields_of(extractor, text)["response"]) == [("CR", 7), ("CRi", 7)]


def test_a_heading_glued_to_both_its_neighbours_opens_its_section_after_the_heading():
    text = ("Planned HSCT after tisa-cel\n\nIntroductionIn pediatric B-ALL the role of HSCT is uncertain.MethodsWe "
            "reviewed a registry.Results58 pts were infused.ConclusionsFew plans were carried out.\n")
    doc = read_text(text, doc_id="t")
    sections = [(z.heading, text[z.start:z.end]) for z in doc.zones if z.name == "abstract"]
    assert [h for h, _ in sections] == ["Introduction", "Methods", "Results", "Conclusions"]
    assert sections[2][1] == "58 pts were infused."


@pytest.mark.parametrize("text, expected", [
    ("A 30-year-old man received CAR T cells. The donor was a 25-year-old HLA-matched unrelated male.",
     [(30, "male")]),
    ("A 30-year-old man received CAR T cells from a 40-year-old male donor.", [(30, "male")]),
    ("We report a 45-year-old man with DLBCL whose son, a 20-year-old man, donated cells.", [(45, "male")]),
])
def test_a_donors_or_relatives_age_is_no_patient(extractor, text, expected):
    assert [(p["age_years"], p["sex"]) for p in fields_of(extractor, text)["patients"]] == expected


def test_a_breakdown_after_a_colon_leaves_the_statement_its_own_count(extractor):
    text = ("We treated 27 patients with CD7 CAR T cells. At the day-28 assessment, 23 patients (85.2%) were in "
            "complete remission (CR): 12 of 15 after autologous and 11 of 12 after donor-derived cells.")
    assert ("CR", 23, 85.2) in [(r["category"], r["n"], r["pct"]) for r in fields_of(extractor, text)["response"]]


@pytest.mark.parametrize("tail", [", namely 58.8% with axi-cel and 45.5% with tisa-cel.",
                                  ": 58.8% with axi-cel and 45.5% with tisa-cel."])
def test_a_bound_rate_broken_down_by_group_gives_each_group_its_observation(extractor, tail):
    text = "We analysed 84 adults infused with axi-cel or tisa-cel. The complete response rate was 53.6% (45/84)" + tail
    assert sorted((r["pct"], r["category"], r["n"]) for r in fields_of(extractor, text)["response"]) == [
        (45.5, "CR", None), (53.6, "CR", 45), (58.8, "CR", None)]


def test_one_value_after_a_bound_rate_is_no_breakdown(extractor):
    text = "We analysed 84 adults. The complete response rate was 53.6% (45/84), 58.8% with axi-cel."
    assert [(r["category"], r["pct"]) for r in fields_of(extractor, text)["response"]] == [("CR", 53.6)]
