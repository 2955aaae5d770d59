"""Values the machine missed, added by a curator: kept, stable, marked curator_added."""

from __future__ import annotations

from fixtures.curation.support import DOC1, build_table, read_review, write_sheet

from pipeline.curation import apply_decisions, export_review, import_review


def _add_row(rows, **cells):
    row = {k: "" for k in rows[0]}
    row.update(decision="add", curator="dana", **cells)
    rows.append(row)
    return row


def test_added_values_survive_rebuilds_with_a_stable_id(tmp_path):
    corpus = tmp_path / "corpus"
    table = build_table()
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    sentence = "Then, the patient remained in complete remission (CR) for four months before a relapse."
    _add_row(rows, doc_id=DOC1, subject="P1", field="durations",
             corrected_value="4 months; measure=prior_remission", sentence=sentence, note="missed")
    _add_row(rows, doc_id=DOC1, field="cell_source", value="Allogeneic", sentence=sentence)
    write_sheet(path, rows)
    report = import_review(path, corpus, long_df=table)
    assert report.ok, str(report)
    ids = [d.evidence_id for d in report.applied]
    assert all(i.startswith("cur-") for i in ids) and len(set(ids)) == 2

    frames = [apply_decisions(build_table(), corpus)[0] for _ in range(2)]
    for applied in frames:
        added = applied[applied["status"] == "curator_added"].set_index("evidence_id")
        assert list(added.index) == ids
        assert added.loc[ids[0], "value"] == "prior_remission: 4 month"
        assert added.loc[ids[0], "value_days"] == 4 * 30.4375
        assert added.loc[ids[0], "subject"] == "P1"
        assert added.loc[ids[1], "value"] == "allogeneic"
        assert added.loc[ids[1], "subject"] == "study"
        assert added.loc[ids[1], "extractor"] == "curator:dana"
        assert len(applied) == len(build_table()) + 2
    assert frames[0].equals(frames[1])
    again, _ = apply_decisions(frames[0], corpus)  # applying to an applied table adds nothing
    assert len(again) == len(frames[0])

    # importing the same file again records nothing new
    report = import_review(path, corpus, long_df=frames[0])
    assert report.ok and not report.applied and report.unchanged == 2


def test_a_curator_added_row_can_be_withdrawn(tmp_path):
    corpus = tmp_path / "corpus"
    table = build_table()
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    _add_row(rows, doc_id=DOC1, field="disease", value="ALL", sentence="T-ALL.")
    write_sheet(path, rows)
    added_id = import_review(path, corpus, long_df=table).applied[0].evidence_id
    withdraw = tmp_path / "withdraw.csv"
    write_sheet(withdraw, [{"evidence_id": added_id, "decision": "reject", "corrected_value": "",
                            "curator": "dana", "note": "T-ALL is more specific"}])
    assert import_review(withdraw, corpus, long_df=table).ok
    applied, _ = apply_decisions(build_table(), corpus)
    assert applied.loc[applied["evidence_id"] == added_id, "status"].item() == "rejected"
