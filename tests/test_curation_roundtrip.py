"""Review CSV out, curator's decisions in, applied on every rebuild."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fixtures.curation.support import DOC1, DOC2, build_table, decide, eid, read_review, write_sheet

from pipeline.curation import REVIEW_COLUMNS, apply_decisions, export_review, import_review


@pytest.fixture
def corpus(tmp_path):
    return tmp_path / "corpus"


def test_export_lists_rows_needing_a_look_in_priority_order(corpus):
    table = build_table()
    paths = export_review(corpus, table, now=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert [p.name for p in paths] == ["review-20250102-030405.csv"]
    assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_review(paths[0])
    assert list(rows[0]) == list(REVIEW_COLUMNS)
    assert [int(r["priority"]) for r in rows] == list(range(1, len(rows) + 1))
    # the two conflicting CRS grades of P1 and the two study designs come first
    top = {(r["doc_id"], r["field"], r["value"]) for r in rows[:4]}
    assert top == {(DOC1, "crs", "1"), (DOC1, "crs", "2"), (DOC2, "study_design", "review"),
                   (DOC2, "study_design", "clinical_trial")}
    by_value = {(r["field"], r["value"]): r for r in rows}
    crs = by_value[("crs", "1")]
    assert "conflict: 2 values for crs of P1" in crs["reason"]
    assert crs["context"].startswith("**Cytokine release syndrome (CRS) 1** was experienced while")
    assert crs["link"] == f"https://doi.org/{DOC1}"
    assert all(r[c] == "" for r in rows for c in ("decision", "corrected_value", "note", "curator"))
    assert "out of vocabulary" in by_value[("disease", "triple-refractory leukemia")]["reason"]
    assert "low confidence 0.55" in by_value[("cell_source", "allogeneic")]["reason"]


def test_new_documents_come_first_on_the_next_review(corpus):
    table = build_table()
    export_review(corpus, table[table["doc_id"] == DOC2])
    rows = read_review(export_review(corpus, table)[0])
    new = [r["doc_id"] == DOC1 for r in rows]
    assert new == sorted(new, reverse=True)  # every DOC1 row before any DOC2 row
    assert "new document" in rows[0]["reason"]
    assert all("new document" not in r["reason"] for r in rows if r["doc_id"] == DOC2)
    # DOC2's rows with no other reason are not listed again
    assert {r["value"] for r in rows if r["doc_id"] == DOC2} == {"clinical_trial", "review"}


def test_round_trip_decisions_survive_rebuilds(corpus, tmp_path):
    table = build_table()
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    decide(rows, eid(table, "crs", "1"), "accept")
    decide(rows, eid(table, "crs", "2"), "reject", note="1 month is a time, not a grade")
    decide(rows, eid(table, "disease", "triple-refractory leukemia"), "correct", corrected="t-all")
    decide(rows, eid(table, "durations", "time_to_relapse: 4 month"), "Correct",
           corrected="4 months; measure=prior_remission", curator="bob")
    decide(rows, eid(table, "study_design", "review", doc=DOC2), "reject")
    write_sheet(path, rows)

    report = import_review(path, corpus, long_df=table)
    assert report.ok, str(report)
    assert len(report.applied) == 5
    assert report.undecided == len(rows) - 5
    log = [json.loads(x) for x in (corpus / "curation" / "decisions.jsonl").read_text().splitlines()]
    assert len(log) == 5
    assert {e["curator"] for e in log} == {"alice", "bob"}
    assert all(e["at"] and e["fingerprint"] and e["judged"]["sentence"] for e in log)
    corrected = next(e for e in log if e["decision"] == "correct" and e["judged"]["field"] == "disease")
    assert corrected["corrected_value"] == "T-ALL"  # canonical spelling
    assert corrected["judged"]["value"] == "triple-refractory leukemia"  # the machine's value

    for _ in range(2):  # every rebuild normalizes afresh and applies the log
        applied, summary = apply_decisions(build_table(), corpus)
        assert not summary.re_review and not summary.errors
        status = dict(zip(applied["evidence_id"], applied["status"], strict=True))
        assert status[eid(table, "crs", "1")] == "accepted"
        assert status[eid(table, "crs", "2")] == "rejected"
        assert status[eid(table, "study_design", "review", doc=DOC2)] == "rejected"
        row = applied[applied["evidence_id"] == eid(table, "disease", "triple-refractory leukemia")].iloc[0]
        assert (row["status"], row["value"], row["extracted_value"]) == ("corrected", "T-ALL", "triple-refractory leukemia")
        assert row["value_id"] == "NCIT:C3183"
        dur = applied[applied["evidence_id"] == eid(table, "durations", "time_to_relapse: 4 month")].iloc[0]
        assert (dur["value"], dur["measure"], dur["value_days"]) == ("prior_remission: 4 month", "prior_remission",
                                                                      4 * 30.4375)
        assert summary.counts == {"accepted": 1, "rejected": 2, "corrected": 2}

    again, summary = apply_decisions(applied, corpus)  # applying twice changes nothing
    assert again.equals(applied) and not summary.re_review

    # decided rows are not sent out again; re-importing the same file adds nothing
    assert eid(table, "crs", "1") not in {r["evidence_id"] for r in read_review(export_review(corpus, applied)[0])}
    report = import_review(path, corpus, long_df=applied)
    assert report.ok and not report.applied and report.unchanged == 5


def test_later_decision_supersedes_earlier_and_both_are_kept(corpus):
    table = build_table()
    target = eid(table, "cell_source", "allogeneic")
    path = export_review(corpus, table)[0]
    for n, decision in enumerate(("accept", "reject")):
        rows = read_review(path)
        decide(rows, target, decision, curator=f"curator{n}")
        write_sheet(path, rows)
        assert import_review(path, corpus, long_df=table).ok
    log = (corpus / "curation" / "decisions.jsonl").read_text().splitlines()
    assert [json.loads(x)["decision"] for x in log] == ["accept", "reject"]
    applied, _ = apply_decisions(build_table(), corpus)
    assert applied.loc[applied["evidence_id"] == target, "status"].item() == "rejected"
