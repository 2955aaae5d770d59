"""Calibrated confidence: a value's confidence is its rule's measured precision on gold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.extract import calibration
from pipeline.resources import config_dir

SCORER = Path(__file__).resolve().parents[1].parent / "shared" / "gold" / "score.py"
CASE = ("A 34-year-old man with T-ALL received anti-CD7 CAR-T cells. He developed grade 2 CRS and no ICANS. "
        "He achieved complete remission.")


@pytest.fixture()
def scorer():
    if not SCORER.exists():
        pytest.skip(f"{SCORER}: the shared gold scorer is not beside this checkout")
    return calibration._scorer(SCORER)


def test_judge_uses_the_scorers_comparison(scorer):
    gold = {"crs": [{"grade": "2", "n": None, "pct": None}], "study_design": "case_report",
            "durations": [{"measure": "follow_up", "value": 12, "unit": "month", "qualifier": None}]}
    assert calibration.judge(scorer, "crs", {"grade": "2", "n": 3, "pct": None}, gold)
    assert not calibration.judge(scorer, "crs", {"grade": "3", "n": None, "pct": None}, gold)
    assert calibration.judge(scorer, "study_design", "case_report", gold)
    # 365 days is one year: within the scorer's 5%
    assert calibration.judge(scorer, "durations", {"measure": "follow_up", "value": 1, "unit": "year",
                                                   "qualifier": None}, gold)


def test_measure_counts_right_and_wrong_values_per_rule(scorer, tmp_path):
    gold = {"study_design": "case_report", "n_patients": 1, "cell_type": ["CAR-T"], "disease": ["T-ALL"],
            "target_antigen": ["CD7"], "vector": [], "gene_editing": [], "cell_source": [], "transplant": [],
            # the ICANS statement is deliberately left out of this gold: its rule must count one wrong value
            "crs": [{"grade": "2", "n": None, "pct": None}], "icans": [],
            "response": [{"category": "CR", "n": None, "pct": None}], "durations": [],
            "patients": [{"age_years": 34, "sex": "male"}], "expansion_peak": []}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"id": "t1", "text": CASE, "gold": gold}) + "\n", encoding="utf-8")
    result = calibration.measure([path], SCORER)
    negated = result["rules"]["carmine_toxicity.negated"]
    assert (negated["right"], negated["wrong"]) == (0, 1)
    graded = result["rules"]["carmine_toxicity.grade_before"]
    assert (graded["right"], graded["wrong"]) == (1, 0)
    # smoothed towards the field's precision, never the raw 0 or 1 of one value
    assert 0 < negated["precision"] < graded["precision"] < 1


def test_confidence_reads_the_calibration_file(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(config_dir(), configs)
    calibration.write({"rules": {"r.one": {"right": 9, "wrong": 1, "precision": 0.83}},
                       "fields": {"crs": {"right": 1, "wrong": 1, "precision": 0.5}}}, str(configs))
    calibration.load.cache_clear()
    try:
        assert calibration.confidence("r.one", "crs", 0.9, str(configs)) == 0.83
        assert calibration.confidence("r.unknown", "crs", 0.9, str(configs)) == 0.5  # the field's
        assert calibration.confidence("r.unknown", "disease", 0.9, str(configs)) == 0.9  # never measured
    finally:
        calibration.load.cache_clear()
