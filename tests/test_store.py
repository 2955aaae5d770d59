"""Capture store: immutable, content-addressed, verified; the log survives a torn line."""

from __future__ import annotations

import gzip
import json
import os
import stat

import pytest

from pipeline.errors import CaptureError, InputLineError
from pipeline.ingest import import_paths
from pipeline.store import CaptureStore, sha256_hex


def test_put_get_roundtrip_and_dedup(tmp_path):
    store = CaptureStore(tmp_path)
    rec, new = store.put(b"hello", source="t", media_type="text/plain", url="http://x/1", doi="10.1/a")
    assert new and rec.sha256 == sha256_hex(b"hello")
    path = store.path_of(rec.sha256)
    assert path.name == f"{rec.sha256}.gz" and path.parent.name == rec.sha256[:2]
    assert not os.stat(path).st_mode & stat.S_IWUSR  # read-only on disk
    assert store.get(rec.sha256) == b"hello"
    before = path.read_bytes()
    _, new_again = store.put(b"hello", source="t", media_type="text/plain", url="http://x/1", doi="10.1/a")
    assert not new_again and path.read_bytes() == before
    assert len(list(store.records())) == 2  # both events are logged
    assert not list(tmp_path.rglob(".tmp-*"))


def test_latest_keeps_first_seen_order_and_newest_body(tmp_path):
    store = CaptureStore(tmp_path)
    store.put(b"v1", source="t", media_type="text/plain", doi="10.1/a")
    store.put(b"other", source="t", media_type="text/plain", doi="10.1/b")
    store.put(b"v2", source="t", media_type="text/plain", doi="10.1/a")
    store.put(b"", source="t", media_type="text/plain", doi="10.1/a", status=304)
    latest = store.latest()
    assert list(latest) == ["10.1/a", "10.1/b"]
    assert store.get(latest["10.1/a"].sha256) == b"v2"


def test_corruption_and_missing_file_are_named(tmp_path):
    store = CaptureStore(tmp_path)
    rec, _ = store.put(b"payload", source="t", media_type="text/plain")
    path = store.path_of(rec.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(gzip.compress(b"tampered"))
    with pytest.raises(CaptureError, match="corrupted"):
        store.get(rec.sha256)
    path.unlink()
    with pytest.raises(CaptureError, match="missing"):
        store.get(rec.sha256)


def test_torn_log_line_is_skipped(tmp_path, caplog):
    store = CaptureStore(tmp_path)
    store.put(b"a", source="t", media_type="text/plain", doi="10.1/a")
    with open(store.log_path, "a", encoding="utf-8") as fh:
        fh.write('{"sha256": "abc", "url"')  # a crash mid-append
    assert [r.doi for r in store.records()] == ["10.1/a"]
    assert "unreadable log line" in caplog.text
    store.put(b"b", source="t", media_type="text/plain", doi="10.1/b")
    # the torn line stays (append-only) but later lines are still read
    assert [r.doi for r in store.records()] == ["10.1/a", "10.1/b"]


def test_import_formats_and_idempotence(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.json").write_text(json.dumps({"doi": "10.3389/x.1", "url": "https://www.frontiersin.org/x", "excerpt": "Title\n\nFront. Immunol.\nText."}))
    (src / "b.jsonl").write_text(json.dumps({"id": "10.1186/y", "text": "T\n\nAbstract text"}) + "\n")
    (src / "c.txt").write_text("Volume 1 - 2024 | doi: 10.3389/z.2\n\nTitle")
    (src / "bad.json").write_text("{not json")
    store = CaptureStore(tmp_path / "corpus")
    s = import_paths(store, [src])
    assert (s.new, s.known) == (3, 0)
    assert len(s.skipped) == 1 and "bad.json" in s.skipped[0]
    recs = list(store.records())
    assert [r.doi for r in recs] == ["10.3389/x.1", "10.1186/y", "10.3389/z.2"]
    assert recs[0].source == "frontiers" and recs[0].via == "import:a.json"
    again = import_paths(store, [src])
    assert (again.new, again.known) == (0, 3)


def test_import_bad_jsonl_line_names_it(tmp_path):
    f = tmp_path / "g.jsonl"
    f.write_text('{"id": "1", "text": "x"}\n{"id": 2}\n')
    s = import_paths(CaptureStore(tmp_path / "c"), [f])
    assert s.new == 1 and any("g.jsonl:2" in m for m in s.skipped)
    assert issubclass(InputLineError, Exception)
