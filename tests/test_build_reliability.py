"""Issue 15: two captures of one document and retiring a capture (4), the superseded log written
before the table (12), the corpus lock (13), stale temporary files (18), one-line errors (19) and
capture-log lines with unknown keys (22)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.build import run
from pipeline.cli import app
from pipeline.errors import CaptureError, CorpusBusyError
from pipeline.lock import corpus_lock
from pipeline.store import CaptureStore

FIX = Path(__file__).parent / "fixtures" / "readers"
SEED = (FIX / "seed_fimmu_2024_1519055.txt").read_bytes()
SEED_DOI = "10.3389/fimmu.2024.1519055"
REPO = Path(__file__).resolve().parents[1]


def _corpus(tmp_path: Path) -> tuple[Path, CaptureStore]:
    corpus = tmp_path / "corpus"
    store = CaptureStore(corpus)
    store.put(SEED, source="frontiers", media_type="text/plain", doi=SEED_DOI, via="test")
    return corpus, store


def _long(corpus: Path) -> pd.DataFrame:
    return pd.read_csv(corpus / "evidence.csv", dtype=str, keep_default_na=False)


def _superseded(corpus: Path) -> pd.DataFrame:
    return pd.read_csv(corpus / "evidence_superseded.csv", dtype=str, keep_default_na=False)


def _recapture(store: CaptureStore) -> None:
    """A new capture of the seed whose age changed: some rows are superseded."""
    changed = SEED.replace(b"34-year-old", b"35-year-old")
    assert changed != SEED
    store.put(changed, source="frontiers", media_type="text/plain", doi=SEED_DOI, via="test")


# -- 4: two captures of one document; retiring a capture --------------------------------------
def test_a_second_capture_of_a_built_document_is_skipped_and_named_then_retired(tmp_path):
    """Regression: a UTF-16 copy logged without DOI read as the seed; ids collided and the table failed."""
    corpus, store = _corpus(tmp_path)
    copy, _ = store.put(SEED.decode("utf-8").encode("utf-16"), source="frontiers", media_type="text/plain",
                        url="https://mirror.example/seed.txt", via="import:seed-utf16.txt")
    summary = run(corpus)
    long = _long(corpus)
    assert set(long.doc_id) == {SEED_DOI} and long.evidence_id.is_unique
    skipped = [s for s in summary.skipped if copy.sha256 in s]
    assert len(skipped) == 1 and "already built from capture" in skipped[0] and "carmine retire" in skipped[0]
    log_before = store.log_path.read_bytes()

    result = CliRunner().invoke(app, ["retire", copy.sha256[:12], "--reason", "UTF-16 duplicate of the seed",
                                      "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert store.log_path.read_bytes() == log_before  # the log is never edited
    assert [json.loads(line)["sha256"] for line in store.retired_path.read_text().splitlines()] == [copy.sha256]
    again = CliRunner().invoke(app, ["retire", copy.sha256, "--reason", "again", "--corpus", str(corpus)])
    assert again.exit_code == 0 and "already retired" in again.output
    assert len(store.retired_path.read_text().splitlines()) == 1
    summary = run(corpus)
    assert not summary.up_to_date and not summary.skipped
    assert _long(corpus).equals(long)

    # retiring the only capture of a document takes its rows out (recorded as superseded)
    seed_sha = long.capture_sha256.iloc[0]
    store.retire(seed_sha, "wrong file")
    summary = run(corpus)
    assert summary.table is not None and summary.table.docs_retired == [SEED_DOI]
    assert _long(corpus).empty
    gone = _superseded(corpus)
    assert set(gone.superseded_reason) == {"retired"} and len(gone) == len(long)


def test_retire_names_unknown_or_ambiguous_hashes(tmp_path):
    _, store = _corpus(tmp_path)
    with pytest.raises(CaptureError, match="no capture"):
        store.retire("0" * 12, "x")
    with pytest.raises(CaptureError, match="at least its first 8"):
        store.retire("abc", "x")
    with pytest.raises(CaptureError, match="expected a reason"):
        store.retire(next(store.records()).sha256, "  ")


# -- 12: superseded rows are recorded before the table drops them ------------------------------
def test_a_crash_after_the_table_is_written_loses_no_superseded_row(tmp_path, monkeypatch):
    """Regression: dying after evidence.parquet/.csv but before evidence_superseded.csv lost the rows."""
    import pipeline.table.tables as tables

    corpus, store = _corpus(tmp_path)
    run(corpus)
    before = _long(corpus)
    _recapture(store)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed after the long table was written")

    monkeypatch.setattr(tables, "write_wide", crash)
    with pytest.raises(KeyboardInterrupt):
        run(corpus)
    monkeypatch.undo()
    assert (corpus / "evidence_superseded.csv").exists()
    first = _superseded(corpus)
    assert len(first) and set(first.evidence_id) <= set(before.evidence_id)
    run(corpus)  # the rerun completes the table and records nothing twice
    after = _superseded(corpus)
    assert len(after) == len(first) and after.evidence_id.is_unique
    assert set(after.evidence_id).isdisjoint(_long(corpus).evidence_id)


# -- 13: the corpus lock ----------------------------------------------------------------------
def test_a_second_run_waits_or_exits_while_the_corpus_is_locked(tmp_path, capsys):
    corpus, _ = _corpus(tmp_path)
    with corpus_lock(corpus, what="test"):
        with pytest.raises(CorpusBusyError, match="another carmine command"):
            run(corpus, wait=False)
        said: list[str] = []
        with pytest.raises(CorpusBusyError, match="still holds"), \
                corpus_lock(corpus, what="rebuild", timeout=0.2, notify=said.append):
            pass
        assert len(said) == 1 and "waits for it to finish" in said[0]
    result = CliRunner().invoke(app, ["run", "--corpus", str(corpus), "--no-progress", "--no-wait"])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_two_concurrent_runs_record_each_superseded_row_once(tmp_path):
    """Regression: two incremental runs at once recorded every superseded row twice."""
    corpus, store = _corpus(tmp_path)
    run(corpus)
    _recapture(store)
    cmd = [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    gone = _superseded(corpus)
    assert len(gone) and gone.evidence_id.is_unique
    assert sum("up to date" in out for out, _ in outs) == 1  # the second waited, then found nothing to do


# -- 18: temporary files left by a killed writer -------------------------------------------------
def test_temporary_files_of_a_killed_writer_are_removed_on_the_next_start(tmp_path):
    corpus, _ = _corpus(tmp_path)
    code = ("import os, sys\nfrom pipeline.fsutil import atomic_write\n"
            "with atomic_write(sys.argv[1]) as fh:\n    fh.write('half')\n    fh.flush()\n"
            "    os.kill(os.getpid(), 9)\n")
    for target in (corpus / "evidence.csv", corpus / "build" / "documents.jsonl"):
        subprocess.run([sys.executable, "-c", code, str(target)], cwd=REPO, check=False,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    stale = sorted(p.name for p in corpus.rglob("*.tmp"))
    assert len(stale) == 2 and all(n.startswith((".evidence.csv.", ".documents.jsonl.")) for n in stale), stale
    # under captures/ (written by fetch without the lock) only old leftovers go
    fresh = corpus / "captures" / "ab" / ".ab12.gz.abcd1234.tmp"
    old = corpus / "captures" / "ab" / ".ab34.gz.efgh5678.tmp"
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"x")
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    with corpus_lock(corpus):
        pass
    assert sorted(p.name for p in corpus.rglob("*.tmp")) == [fresh.name]


# -- 19: expected errors are one message ------------------------------------------------------
def test_expected_errors_print_one_line_not_a_traceback(tmp_path):
    result = CliRunner().invoke(app, ["review-import", str(tmp_path / "missing.csv"), "--corpus", str(tmp_path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert result.output.count("\n") == 1 and result.output.startswith("error: ") and "missing.csv" in result.output


def test_review_import_row_errors_print_once(tmp_path):
    from fixtures.curation.support import build_table, read_review, write_sheet

    from pipeline.curation import export_review
    from pipeline.table.io import write_long

    corpus = tmp_path / "corpus"
    table = build_table()
    corpus.mkdir()
    write_long(table, corpus)
    path = export_review(corpus, table)[0]
    rows = read_review(path)
    rows[0].update(decision="maybe", curator="alice")
    write_sheet(path, rows)
    result = CliRunner().invoke(app, ["review-import", str(path), "--corpus", str(corpus)])
    assert result.exit_code == 1
    assert result.output.count("expected accept, reject, correct or add, found 'maybe'") == 1, result.output


# -- 22: capture-log lines with unknown or missing keys -----------------------------------------
def test_a_log_line_with_an_unknown_key_is_kept(tmp_path):
    """Regression: such a line (a newer version's log) was dropped with only a warning."""
    _, store = _corpus(tmp_path)
    line = json.loads(store.log_path.read_text().splitlines()[0])
    line.update(doi="10.1/other", mirror="https://mirror.example/x", extra={"kept": 1})
    with store.log_path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
    recs = list(store.records())
    assert len(recs) == 2 and recs[1].extra == {"kept": 1, "mirror": "https://mirror.example/x"}
    assert "10.1/other" in store.latest()


def test_a_log_line_without_a_required_key_is_a_named_error(tmp_path):
    corpus, store = _corpus(tmp_path)
    line = json.loads(store.log_path.read_text().splitlines()[0])
    del line["sha256"]
    with store.log_path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
    with pytest.raises(CaptureError, match=r"captures\.jsonl:2: expected a capture record with sha256"):
        list(store.records())
    result = CliRunner().invoke(app, ["run", "--corpus", str(corpus), "--no-progress"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0 and "captures.jsonl:2" in result.output


# -- 14: make clean keeps the curators' files ----------------------------------------------------
def test_make_clean_keeps_review_files_and_decisions(tmp_path):
    """Regression: `make clean` deleted corpus/review/ (filled review CSVs, rejected rows not yet imported)."""
    import shutil

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    corpus = tmp_path / "corpus"
    keep = [corpus / "review" / "review-20261201-000000.csv", corpus / "review" / "rejected-review-1.csv",
            corpus / "curation" / "decisions.jsonl", corpus / "captures.jsonl", corpus / "retired.jsonl"]
    drop = [corpus / "build" / "documents.jsonl", corpus / "evidence.csv", corpus / "evidence.parquet",
            corpus / "evidence_wide.csv", corpus / "report" / "report.html"]
    for p in keep + drop:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    subprocess.run(["make", "-s", "clean", f"CORPUS={corpus}"], cwd=REPO, check=True, capture_output=True)
    assert [p for p in keep if not p.exists()] == []
    assert [p for p in drop if p.exists()] == []
