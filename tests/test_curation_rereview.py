"""A decision whose evidence changed after a re-extraction is flagged, not applied blindly."""

from __future__ import annotations

import pytest
from fixtures.curation.support import DOC1, build_table, decide, eid, read_review, write_sheet

from pipeline.curation import apply_decisions, export_review, import_review


@pytest.fixture
def decided(tmp_path):
    corpus = tmp_path / "corpus"
    table = build_table()
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    decide(rows, eid(table, "response", "CR"), "accept")
    decide(rows, eid(table, "disease", "triple-refractory leukemia"), "correct", corrected="T-ALL")
    decide(rows, eid(table, "crs", "2"), "reject")
    write_sheet(path, rows)
    assert import_review(path, corpus, long_df=table).ok
    return corpus, table


def _edit_sentence(spec):
    if spec["field"] == "response":
        spec["sentence"] = "After infusion, tThe patient achieved CR within one month (text corrected upstream)."
    return spec


def test_changed_evidence_is_flagged_and_listed_first(decided):
    corpus, table = decided
    rebuilt = build_table(_edit_sentence)  # same id, a different sentence
    target = eid(table, "response", "CR")
    assert target in set(rebuilt["evidence_id"])
    applied, summary = apply_decisions(rebuilt, corpus)
    assert [(r.evidence_id, r.why) for r in summary.re_review] == [(target, "changed")]
    assert "changed since the decision 'accept'" in str(summary.re_review[0])
    assert applied.loc[applied["evidence_id"] == target, "status"].item() == "extracted"
    assert summary.counts == {"corrected": 1, "rejected": 1}  # the others still apply

    rows = read_review(export_review(corpus, rebuilt)[0])
    assert rows[0]["evidence_id"] == target
    assert rows[0]["reason"].startswith("re-review: evidence changed since alice chose 'accept'")
    assert rows[0]["previous_decision"].startswith("accept (alice")

    # a fresh decision on the new evidence supersedes the flagged one
    path = export_review(corpus, rebuilt)[0]
    rows = read_review(path)
    decide(rows, target, "accept", curator="carol")
    write_sheet(path, rows)
    assert import_review(path, corpus, long_df=rebuilt).ok
    applied, summary = apply_decisions(rebuilt, corpus)
    assert not summary.re_review
    assert applied.loc[applied["evidence_id"] == target, "status"].item() == "accepted"


def test_evidence_gone_is_flagged_and_can_be_kept_by_adding(decided):
    corpus, table = decided
    target = eid(table, "disease", "triple-refractory leukemia")
    rebuilt = build_table(lambda s: None if s["value"] == "triple-refractory leukemia" else s)
    applied, summary = apply_decisions(rebuilt, corpus)
    assert [(r.evidence_id, r.why) for r in summary.re_review] == [(target, "gone")]
    assert "T-ALL" not in set(applied.loc[applied["status"] == "corrected", "value"])

    path = export_review(corpus, rebuilt)[0]
    rows = read_review(path)
    gone = rows[0]
    assert (gone["evidence_id"], gone["doc_id"], gone["field"], gone["value"]) == ("", DOC1, "disease", "T-ALL")
    assert "is no longer extracted" in gone["reason"] and target in gone["reason"]
    gone.update(decision="add", curator="alice")
    write_sheet(path, rows)
    report = import_review(path, corpus, long_df=rebuilt)
    assert report.ok, str(report)
    applied, summary = apply_decisions(rebuilt, corpus)
    added = applied[applied["status"] == "curator_added"]
    assert list(added["value"]) == ["T-ALL"]
    # the old decision stays in the log and is still listed until the evidence returns
    assert [r.why for r in summary.re_review] == ["gone"]


def test_rebuild_with_the_evidence_back_applies_again(decided):
    corpus, _ = decided
    _, summary = apply_decisions(build_table(lambda s: None if s["field"] == "response" else s), corpus)
    assert [r.why for r in summary.re_review] == ["gone"]
    _, summary = apply_decisions(build_table(), corpus)
    assert not summary.re_review
    assert summary.counts == {"accepted": 1, "corrected": 1, "rejected": 1}
