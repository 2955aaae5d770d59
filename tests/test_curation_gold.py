"""Curated rows exported as GUIDE gold, scored with shared/gold/score.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from fixtures.curation.support import DOC1, DOC2, build_table, decide, eid, read_review, write_sheet

from pipeline.curation import apply_decisions, export_gold, export_review, import_review
from pipeline.extract.model import FIELDS

GOLD_DIR = Path(__file__).resolve().parents[2] / "shared" / "gold"


@pytest.fixture(scope="module")
def score():
    path = GOLD_DIR / "score.py"
    if not path.exists():
        pytest.skip(f"{path} not present")
    spec = importlib.util.spec_from_file_location("gold_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _curate_everything(corpus, table):
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    for r in rows:
        r.update(decision="accept", curator="erin")
    decide(rows, eid(table, "crs", "2"), "reject", curator="erin")
    decide(rows, eid(table, "disease", "triple-refractory leukemia"), "reject", curator="erin")
    decide(rows, eid(table, "durations", "time_to_relapse: 4 month"), "correct",
           corrected="prior_remission: 4 month", curator="erin")
    decide(rows, eid(table, "study_design", "review", doc=DOC2), "reject", curator="erin")
    write_sheet(path, rows)
    report = import_review(path, corpus, long_df=table)
    assert report.ok, str(report)


def test_gold_export_matches_the_guide_gold(tmp_path, score):
    corpus = tmp_path / "corpus"
    table = build_table()
    _curate_everything(corpus, table)
    out = tmp_path / "curated.jsonl"
    assert export_gold(corpus, out, long_df=build_table()) == 2
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == sorted([DOC1, DOC2])
    for x in lines:
        assert set(x["gold"]) == set(FIELDS)
        assert x["curation"]["complete"] is True
    doc1 = next(x for x in lines if x["id"] == DOC1)
    assert doc1["url"] == f"https://doi.org/{DOC1}"

    reference = score.load(str(GOLD_DIR / "dev.jsonl"), "gold")
    curated = score.load(str(out), "gold")
    table_scores, macro = score.score({DOC1: reference[DOC1]}, curated)
    assert macro == pytest.approx(1.0), {f: r for f, r in table_scores.items() if r["f1"] < 1}
    assert doc1["gold"]["patients"] == [{"age_years": 34, "sex": "male"}]
    assert doc1["gold"]["crs"] == [{"grade": "1", "n": None, "pct": None}]

    doc2 = next(x for x in lines if x["id"] == DOC2)["gold"]
    assert doc2["study_design"] == "clinical_trial"
    assert doc2["crs"] == [{"grade": ">=3", "n": 4, "pct": 20}]
    assert doc2["n_patients"] == 20


def test_only_curated_rows_are_gold(tmp_path, score):
    corpus = tmp_path / "corpus"
    table = build_table()
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    decide(rows, eid(table, "disease", "T-ALL"), "accept")
    rows.append({**{k: "" for k in rows[0]}, "doc_id": DOC1, "field": "target_antigen", "value": "CD5",
                 "sentence": "anti-CD5", "decision": "add", "curator": "erin"})
    write_sheet(path, rows)
    assert import_review(path, corpus, long_df=table).ok
    out = tmp_path / "curated.jsonl"
    assert export_gold(corpus, out, long_df=build_table()) == 1
    line = json.loads(out.read_text())
    assert line["gold"]["disease"] == ["T-ALL"] and line["gold"]["target_antigen"] == ["CD5"]
    assert line["gold"]["study_design"] is None and line["gold"]["crs"] == []
    assert line["curation"]["complete"] is False
    assert export_gold(corpus, out, long_df=build_table(), complete_only=True) == 0

    applied, _ = apply_decisions(build_table(), corpus)
    assert set(applied["status"]) == {"extracted", "accepted", "curator_added"}
