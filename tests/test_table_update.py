"""Extending the table: appended documents, superseded rows of re-captured documents."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
from table_fixtures import extraction_from_spec, load_document_fixture, load_spec

from pipeline.readers import read_text
from pipeline.table import load_evidence, merge_tables, normalize, update_table
from pipeline.table.io import LONG_CSV, LONG_PARQUET, SUPERSEDED_CSV, WIDE_CSV, WIDE_PARQUET
from pipeline.table.validate import empty_long

FIXTURES = Path(__file__).parent / "fixtures" / "table"
SEED = sorted((Path(__file__).resolve().parents[2] / "shared" / "seed").glob("*.txt"))
pytestmark = pytest.mark.skipif(not SEED, reason="shared/seed is not beside the repository")


def seed_rows(capture: str = "a" * 64, months: int = 9) -> pd.DataFrame:
    doc = read_text(SEED[0].read_text(encoding="utf-8"), source="seed")
    doc.capture_sha256 = capture
    spec = copy.deepcopy(load_spec(FIXTURES / "seed_evidence.json"))
    for obs in spec["fields"]["durations"] + [
        e["value"] for e in spec["evidence"] if e["field"] == "durations"
    ]:
        if obs["measure"] == "response_duration":
            obs["value"] = months
    return normalize(doc, extraction_from_spec(doc, spec), pipeline_version="0.1.0")


def cohort_rows(capture: str = "b" * 64) -> pd.DataFrame:
    doc, ex = load_document_fixture(FIXTURES / "cohort_doc.json", capture_sha256=capture)
    return normalize(doc, ex, pipeline_version="0.1.0")


def _files(corpus: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(corpus.iterdir()) if p.is_file()}


def test_adding_a_document_appends_and_keeps_existing_rows(tmp_path):
    first = update_table(tmp_path, seed_rows())
    assert first.docs_added == ["10.3389/fimmu.2024.1519055"] and first.rows_superseded == 0
    before = (tmp_path / LONG_CSV).read_text(encoding="utf-8")

    second = update_table(tmp_path, cohort_rows())  # only the new document's rows
    assert second.docs_added == ["10.0000/carmine.test.0001"]
    assert second.docs_kept == ["10.3389/fimmu.2024.1519055"]
    after = (tmp_path / LONG_CSV).read_text(encoding="utf-8")
    assert after.startswith(before)  # the seed's rows are the first rows, unchanged
    tables = load_evidence(tmp_path)
    pd.testing.assert_frame_equal(tables.long.iloc[: len(first.table)], first.table)
    assert list(tables.wide["doc_id"]) == ["10.3389/fimmu.2024.1519055", "10.0000/carmine.test.0001"]
    assert not (tmp_path / SUPERSEDED_CSV).exists()


def test_document_order_is_kept_from_the_previous_table(tmp_path):
    update_table(tmp_path, seed_rows())
    both = pd.concat([cohort_rows(), seed_rows()], ignore_index=True)  # new rows in another order
    summary = update_table(tmp_path, both)
    assert summary.docs_unchanged == ["10.3389/fimmu.2024.1519055"]
    assert list(dict.fromkeys(summary.table["doc_id"])) == [
        "10.3389/fimmu.2024.1519055",
        "10.0000/carmine.test.0001",
    ]


def test_rebuilding_with_the_same_inputs_changes_no_byte(tmp_path):
    update_table(tmp_path, seed_rows())
    update_table(tmp_path, cohort_rows())
    first = _files(tmp_path)
    summary = update_table(tmp_path, pd.concat([seed_rows(), cohort_rows()], ignore_index=True))
    assert summary.rows_superseded == 0 and summary.rows_added == 0
    assert _files(tmp_path) == first
    assert {LONG_CSV, LONG_PARQUET, WIDE_CSV, WIDE_PARQUET} <= set(first)


def test_new_capture_supersedes_changed_rows(tmp_path):
    update_table(tmp_path, seed_rows())
    update_table(tmp_path, cohort_rows())
    summary = update_table(tmp_path, seed_rows(capture="c" * 64, months=10))
    assert summary.docs_rebuilt == ["10.3389/fimmu.2024.1519055"]
    assert summary.docs_kept == ["10.0000/carmine.test.0001"]
    assert summary.rows_superseded == 1 and summary.rows_added == 1
    gone = summary.superseded.iloc[0]
    assert gone["value"] == "response_duration: 9 month (ongoing)"
    assert (gone["superseded_reason"], gone["superseded_by_capture"]) == ("capture_changed", "c" * 64)
    log = pd.read_csv(tmp_path / SUPERSEDED_CSV, dtype="string")
    assert list(log["evidence_id"]) == [gone["evidence_id"]]
    table = load_evidence(tmp_path).long
    seed = table[table["doc_id"] == "10.3389/fimmu.2024.1519055"]
    assert table.index[table["doc_id"] == "10.3389/fimmu.2024.1519055"].max() < len(seed)  # still first
    assert (seed["capture_sha256"] == "c" * 64).all()
    assert "response_duration: 10 month (ongoing)" in set(seed["value"])
    # the same update again supersedes nothing more
    again = update_table(tmp_path, seed_rows(capture="c" * 64, months=10))
    assert again.rows_superseded == 0
    assert len(pd.read_csv(tmp_path / SUPERSEDED_CSV)) == 1


def test_caller_can_force_capture_changed(tmp_path):
    previous = seed_rows()
    summary = merge_tables(previous, seed_rows(months=10), doc_ids_rebuilt=["10.3389/fimmu.2024.1519055"])
    assert summary.docs_rebuilt == ["10.3389/fimmu.2024.1519055"]
    assert list(summary.superseded["superseded_reason"]) == ["capture_changed"]
    reextracted = merge_tables(previous, seed_rows(months=10))
    assert reextracted.docs_reextracted == ["10.3389/fimmu.2024.1519055"]
    assert list(reextracted.superseded["superseded_reason"]) == ["re_extracted"]


def test_merge_into_empty(tmp_path):
    summary = merge_tables(empty_long(), cohort_rows())
    assert summary.docs_added == ["10.0000/carmine.test.0001"] and summary.rows_added == len(summary.table)
    assert summary.to_dict()["rows"] == len(summary.table)
