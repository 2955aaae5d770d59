"""Every invalid review row is reported with file, line and column, and kept for a second try."""

from __future__ import annotations

import csv

import pytest
from fixtures.curation.support import DOC1, build_table, decide, eid, read_review, write_sheet

from pipeline.curation import export_review, import_review
from pipeline.errors import CurationError


@pytest.fixture
def review(tmp_path):
    corpus = tmp_path / "corpus"
    table = build_table()
    path = export_review(corpus, table)[0]
    return corpus, table, path, read_review(path)


def _bad_decision(rows, table):
    decide(rows, eid(table, "crs", "1"), "maybe")
    return "decision", "expected accept, reject, correct or add, found 'maybe'"


def _vocab(rows, table):
    decide(rows, eid(table, "disease", "T-ALL"), "correct", corrected="T-cell leukaemia-ish")
    return "corrected_value", "is not in the disease vocabulary"


def _no_corrected(rows, table):
    decide(rows, eid(table, "crs", "1"), "correct")
    return "corrected_value", "expected a corrected_value, found nothing"


def _bad_grade(rows, table):
    decide(rows, eid(table, "crs", "1"), "correct", corrected="02-Jan")  # Excel's idea of 1-2
    return "corrected_value", "expected a grade"


def _gone(rows, table):
    row = decide(rows, eid(table, "crs", "1"), "accept")
    row["evidence_id"] = "ev-0000000000000000"
    return "evidence_id", "expected an evidence id of the current table, found 'ev-0000000000000000'"


def _edited_value(rows, table):
    row = decide(rows, eid(table, "crs", "2"), "accept")
    row["value"] = "3"
    return "value", "read-only column edited"


def _edited_sentence(rows, table):
    row = decide(rows, eid(table, "response", "CR"), "accept")
    row["sentence"] = row["sentence"].replace("achieved", "reached")
    return "sentence", "read-only column edited"


def _correct_with_accept(rows, table):
    decide(rows, eid(table, "response", "CR"), "accept", corrected="PR")
    return "corrected_value", "use decision correct"


def _value_without_decision(rows, table):
    decide(rows, eid(table, "response", "CR"), "", corrected="PR")
    return "decision", "found nothing (corrected_value is 'PR')"


def _no_curator(rows, table):
    decide(rows, eid(table, "response", "CR"), "accept", curator="")
    return "curator", "expected the curator's name"


def _no_id(rows, table):
    row = decide(rows, eid(table, "response", "CR"), "reject")
    row["evidence_id"] = ""
    return "evidence_id", "use decision add"


def _add_without_sentence(rows, table):
    rows.append({**{k: "" for k in rows[0]}, "doc_id": DOC1, "field": "disease", "value": "ALL",
                 "decision": "add", "curator": "alice"})
    return "sentence", "decision add: expected a sentence"


def _add_unknown_field(rows, table):
    rows.append({**{k: "" for k in rows[0]}, "doc_id": DOC1, "field": "toxicity", "value": "x",
                 "sentence": "s.", "decision": "add", "curator": "alice"})
    return "field", "expected a field of the table"


def _add_with_id(rows, table):
    decide(rows, eid(table, "response", "CR"), "add")
    return "evidence_id", "decision add: expected an empty evidence_id"


CASES = [_bad_decision, _vocab, _no_corrected, _bad_grade, _gone, _edited_value, _edited_sentence,
         _correct_with_accept, _value_without_decision, _no_curator, _no_id, _add_without_sentence,
         _add_unknown_field, _add_with_id]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_invalid_row_is_reported_and_kept(review, case):
    corpus, table, path, rows = review
    decide(rows, eid(table, "vector", "retroviral"), "accept")  # a valid row beside it
    column, message = case(rows, table)
    write_sheet(path, rows)
    report = import_review(path, corpus, long_df=table)

    assert len(report.errors) == 1, str(report)
    err = report.errors[0]
    bad_index = next(i for i, r in enumerate(rows) if r["decision"] or r["corrected_value"]
                     if r["evidence_id"] != eid(table, "vector", "retroviral"))
    assert (err.path, err.line, err.column) == (path, bad_index + 2, column)
    assert message in err.message
    assert f"{path}:{bad_index + 2}: column '{column}'" in str(err)
    # the valid row is applied, the invalid one is kept with its error for a second try
    assert [d.evidence_id for d in report.applied] == [eid(table, "vector", "retroviral")]
    assert report.rejected_path == corpus / "review" / f"rejected-{path.stem}.csv"
    kept = read_review(report.rejected_path)
    assert len(kept) == 1
    assert message in kept[0]["error"] and kept[0]["source_line"] == str(bad_index + 2)
    assert {k: kept[0][k] for k in rows[bad_index]} == rows[bad_index]


def test_rejected_file_can_be_fixed_and_imported(review):
    corpus, table, path, rows = review
    decide(rows, eid(table, "disease", "T-ALL"), "correct", corrected="leukaemia")
    write_sheet(path, rows)
    first = import_review(path, corpus, long_df=table)
    kept = read_review(first.rejected_path)
    kept[0]["corrected_value"] = "ALL"
    write_sheet(first.rejected_path, kept)
    second = import_review(first.rejected_path, corpus, long_df=table)
    assert second.ok, str(second)
    assert [d.corrected_value for d in second.applied] == ["ALL"]


def test_two_decisions_for_one_evidence_in_a_file(review):
    corpus, table, path, rows = review
    row = decide(rows, eid(table, "crs", "1"), "accept")
    rows.append({**row, "decision": "reject"})
    write_sheet(path, rows)
    report = import_review(path, corpus, long_df=table)
    assert [e.column for e in report.errors] == ["evidence_id"]
    assert f"already decided on line {rows.index(row) + 2}" in report.errors[0].message
    assert len(report.applied) == 1


def test_line_numbers_count_quoted_newlines(review):
    corpus, table, path, rows = review
    decide(rows, rows[0]["evidence_id"], "accept", note="first line\nsecond line\nthird")
    decide(rows, rows[3]["evidence_id"], "nope")
    write_sheet(path, rows)
    report = import_review(path, corpus, long_df=table)
    assert report.errors[0].line == 3 + 2 + 2  # two newlines inside an earlier cell
    assert report.applied[0].note == "first line\nsecond line\nthird"


def test_file_without_decision_column_is_refused(review, tmp_path):
    corpus, table, _, _ = review
    path = tmp_path / "other.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["evidence_id", "comment"], ["ev-1", "x"]])
    with pytest.raises(CurationError, match=r"other\.csv:1: expected the columns evidence_id, decision"):
        import_review(path, corpus, long_df=table)
