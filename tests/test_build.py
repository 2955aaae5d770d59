"""The rebuild end to end: captures -> documents -> extractions -> evidence table."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.build import is_up_to_date, run
from pipeline.cli import app
from pipeline.store import CaptureStore

FIX = Path(__file__).parent / "fixtures" / "readers"
SEED = (FIX / "seed_fimmu_2024_1519055.txt").read_bytes()
SEED_DOI = "10.3389/fimmu.2024.1519055"
OTHER = (FIX / "widget_fimmu_2025_1570214.txt").read_bytes()
OTHER_DOI = "10.3389/fimmu.2025.1570214"


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    store = CaptureStore(corpus)
    store.put(SEED, source="frontiers", media_type="text/plain", doi=SEED_DOI, via="test")
    return corpus


def _long(corpus: Path) -> pd.DataFrame:
    return pd.read_csv(corpus / "evidence.csv", dtype=str, keep_default_na=False)


def test_first_build_writes_the_seed_rows(tmp_path):
    corpus = _corpus(tmp_path)
    summary = run(corpus)
    assert summary.documents.built == 1 and summary.extractions.built == 1
    for name in ("evidence.csv", "evidence.parquet", "evidence_wide.csv", "evidence_wide.parquet",
                 "build/documents.jsonl", "build/extractions.jsonl"):
        assert (corpus / name).exists(), name
    long = _long(corpus)
    assert set(long.doc_id) == {SEED_DOI}
    got = set(zip(long.field, long.value, strict=True))
    for expected in [("disease", "T-ALL"), ("target_antigen", "CD7"), ("vector", "retroviral"),
                     ("cell_source", "allogeneic"), ("transplant", "prior_allo_hsct"), ("crs", "1"),
                     ("icans", "0"), ("response", "CR"), ("age", "34"), ("sex", "male")]:
        assert expected in got, expected
    disease = long[long.field == "disease"].iloc[0]
    assert disease.value_id == "NCIT:C3183"
    text = json.loads((corpus / "build/documents.jsonl").read_text())["text"]
    assert text[int(disease.char_start) : int(disease.char_end)] in disease.sentence
    assert (os.stat(corpus / "evidence.csv").st_mode & 0o044) == 0o044  # readable by others


def test_noop_rebuild_and_byte_identical_force(tmp_path):
    corpus = _corpus(tmp_path)
    run(corpus)
    files = {p: (corpus / p).read_bytes() for p in ("evidence.csv", "evidence.parquet", "evidence_wide.parquet")}
    assert is_up_to_date(corpus)
    assert run(corpus).up_to_date
    forced = run(corpus, force=True)
    assert not forced.up_to_date and forced.extractions.reused == 1 and forced.extractions.built == 0
    for p, before in files.items():
        assert (corpus / p).read_bytes() == before, p


def test_new_document_appends_and_changed_capture_supersedes(tmp_path):
    corpus = _corpus(tmp_path)
    run(corpus)
    before = _long(corpus)
    store = CaptureStore(corpus)
    store.put(OTHER, source="frontiers", media_type="text/plain", doi=OTHER_DOI, via="test")
    assert not is_up_to_date(corpus)
    summary = run(corpus)
    assert summary.documents.reused == 1 and summary.documents.built == 1
    after = _long(corpus)
    assert after.iloc[: len(before)].equals(before)  # the seed's rows first and unchanged
    assert set(after.iloc[len(before) :].doc_id) == {OTHER_DOI}
    # a new capture of the seed without its last sentences changes its rows
    cut = SEED[: SEED.index(b"In addition, CAR copy number")]
    store.put(cut, source="frontiers", media_type="text/plain", doi=SEED_DOI, via="test")
    summary = run(corpus)
    assert summary.table.docs_rebuilt == [SEED_DOI]
    assert summary.table.rows_superseded >= 1
    superseded = pd.read_csv(corpus / "evidence_superseded.csv", dtype=str)
    assert "expansion_peak" in set(superseded.field)
    assert (superseded.superseded_reason == "capture_changed").all()


def test_unreadable_capture_is_named_and_the_rest_is_built(tmp_path):
    corpus = _corpus(tmp_path)
    store = CaptureStore(corpus)
    rec, _ = store.put(OTHER, source="frontiers", media_type="text/plain", doi=OTHER_DOI, via="test")
    path = store.path_of(rec.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(b"not gzip")
    summary = run(corpus)
    assert len(summary.skipped) == 1 and rec.sha256[:12] in summary.skipped[0]
    assert set(_long(corpus).doc_id) == {SEED_DOI}


def test_crash_mid_rebuild_keeps_previous_outputs(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    run(corpus)
    before = (corpus / "build/extractions.jsonl").read_bytes()
    CaptureStore(corpus).put(OTHER, source="frontiers", media_type="text/plain", doi=OTHER_DOI, via="test")

    import pipeline.build as build

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "table_stage", boom)
    with pytest.raises(KeyboardInterrupt):
        run(corpus)
    assert not list((corpus / "build").glob(".*.tmp"))
    monkeypatch.undo()
    summary = run(corpus)  # resumes: the extraction done before the crash is reused
    assert summary.extractions.reused == 2
    assert (corpus / "build/extractions.jsonl").read_bytes().startswith(before)


def test_cli_import_run_and_annotate(tmp_path):
    runner = CliRunner()
    corpus = tmp_path / "corpus"
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(FIX / "seed_fimmu_2024_1519055.txt", src / "seed.txt")
    r = runner.invoke(app, ["import", "--corpus", str(corpus), str(src)])
    assert r.exit_code == 0 and "1 new" in r.output
    r = runner.invoke(app, ["run", "--corpus", str(corpus), "--no-progress"])
    assert r.exit_code == 0 and "documents: 1 parsed" in r.output
    r = runner.invoke(app, ["run", "--corpus", str(corpus), "--no-progress"])
    assert "up to date" in r.output
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": SEED_DOI, "text": SEED.decode()}) + "\n{broken\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["annotate", str(inp), "-o", str(out)])
    assert r.exit_code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == [SEED_DOI]
    assert lines[0]["fields"]["target_antigen"] == ["CD7"]
    assert "in.jsonl:2" in r.output


def test_a_document_the_extractor_fails_on_is_skipped_and_named(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    CaptureStore(corpus).put(OTHER, source="frontiers", media_type="text/plain", doi=OTHER_DOI, via="test")
    from pipeline.extract import Extractor

    real_pipe = Extractor.pipe

    def pipe(self, docs, **kwargs):
        docs = list(docs)
        if any(d.id == OTHER_DOI for d in docs):
            raise ValueError("cannot read this one")
        return real_pipe(self, docs, **kwargs)

    monkeypatch.setattr(Extractor, "pipe", pipe)
    summary = run(corpus)
    assert summary.extractions.built == 1
    assert len(summary.skipped) == 1 and OTHER_DOI in summary.skipped[0] and "cannot read this one" in summary.skipped[0]
    assert set(_long(corpus).doc_id) == {SEED_DOI}


def test_curator_decisions_survive_rebuilds(tmp_path):
    import csv

    from pipeline.curation import export_review, import_review

    corpus = _corpus(tmp_path)
    run(corpus)
    [review] = export_review(corpus)
    with open(review, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_field = {r["field"]: r for r in rows}
    decided = {}
    for r in rows:
        if r["field"] == "disease":
            r.update(decision="accept", curator="A. Curator")
            decided[r["evidence_id"]] = "accepted"
        elif r["field"] == "crs":
            r.update(decision="correct", corrected_value="2", curator="A. Curator", note="grade 2 in the full text")
            decided[r["evidence_id"]] = "corrected"
    assert "disease" in by_field and "crs" in by_field
    with open(review, "w", encoding="utf-8-sig", newline="") as fh:  # saved back as Excel would
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
    report = import_review(review, corpus)
    assert report.ok and not report.errors
    for _ in range(2):  # applied on every rebuild, never reverted
        run(corpus, force=True)
        long = _long(corpus).set_index("evidence_id")
        for eid, status in decided.items():
            assert long.loc[eid, "status"] == status
        crs = long[long.field == "crs"].iloc[0]
        assert crs.value == "2" and crs.extracted_value == "1"


def test_two_processes_give_the_same_outputs(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for corpus in (one, two):
        store = CaptureStore(corpus)
        store.put(SEED, source="frontiers", media_type="text/plain", doi=SEED_DOI, via="test")
        store.put(OTHER, source="frontiers", media_type="text/plain", doi=OTHER_DOI, via="test")
    run(one)
    summary = run(two, jobs=2)
    assert summary.extractions.built == 2
    for name in ("build/extractions.jsonl", "evidence.csv", "evidence.parquet"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_code_changes_invalidate_cached_stages(tmp_path, monkeypatch):
    import pipeline.build as build

    corpus = _corpus(tmp_path)
    run(corpus)
    real = build.code_fingerprint
    monkeypatch.setattr(build, "code_fingerprint", lambda *parts: real(*parts) + ("x" if "readers" in parts else ""))
    summary = run(corpus, force=True)  # the readers changed: re-parse, and re-extract what they made
    assert (summary.documents.built, summary.documents.reused) == (1, 0)
    assert (summary.extractions.built, summary.extractions.reused) == (1, 0)
    summary = run(corpus, force=True)  # unchanged since: everything reused
    assert (summary.documents.reused, summary.extractions.reused) == (1, 1)
