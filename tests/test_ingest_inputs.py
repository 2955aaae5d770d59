"""``import`` on bad inputs (issue 15, item 15): nothing crashes, no file is abandoned, and
an upper-case DOI gives the same article once.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.ingest import import_paths
from pipeline.store import CaptureStore

EXCERPT = "Title of a case\n\nFront. Immunol.\nA patient received CD19 CAR-T cells."


def test_a_lone_surrogate_escape_neither_crashes_nor_abandons_the_other_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.json").write_text('{"doi": "10.3389/a.1", "excerpt": "CRS \\ud800 grade 2"}', encoding="utf-8")
    (src / "b.jsonl").write_text('{"id": "10.1/b1", "text": "first \\udfff"}\n'
                                 '{"id": "10.1/b2", "text": "second"}\n', encoding="utf-8")
    (src / "c.txt").write_text("doi: 10.3389/c.3\n\nTitle", encoding="utf-8")
    store = CaptureStore(tmp_path / "corpus")
    summary = import_paths(store, [src])
    assert (summary.new, summary.skipped) == (4, [])
    assert [r.doi for r in store.records()] == ["10.3389/a.1", "10.1/b1", "10.1/b2", "10.3389/c.3"]
    first = store.get(next(iter(store.records())).sha256).decode("utf-8")
    assert first == "CRS \ufffd grade 2"
    assert any("a.json" in n and "\\ud800" in n and "U+FFFD" in n for n in summary.notes)
    assert any("b.jsonl:1" in n for n in summary.notes)


def test_text_that_looks_like_a_europe_pmc_record_is_imported(tmp_path):
    record = json.dumps({"id": "123", "source": "MED", "pmid": "123", "doi": "10.3389/E.9",
                         "title": "A CAR-T case", "abstractText": "A patient received CAR-T cells."})
    f = tmp_path / "records.jsonl"
    f.write_text(json.dumps({"id": "10.3389/e.9", "text": record}) + "\n"
                 + json.dumps({"id": "10.1/next", "text": "next"}) + "\n", encoding="utf-8")
    store = CaptureStore(tmp_path / "corpus")
    summary = import_paths(store, [f])
    assert summary.new == 2 and not summary.skipped
    first, _ = store.records()
    assert first.media_type == "application/json"


def test_a_bad_line_does_not_abandon_the_rest_of_its_file(tmp_path):
    f = tmp_path / "g.jsonl"
    f.write_bytes(b'{"id": "1", "text": "a"}\n'
                  b'not json\n'
                  b'[1, 2]\n'
                  b'{"id": "2", "text": "caf\xe9"}\n'  # windows-1252
                  b'{"id": "3", "text": "c"}\n')
    summary = import_paths(CaptureStore(tmp_path / "c"), [f])
    assert summary.new == 2
    assert [s.split(": ", 1)[0] for s in summary.skipped] == [f"{f}:2", f"{f}:3", f"{f}:4"]
    assert "not UTF-8 (byte 0xe9" in summary.skipped[2]


def test_an_upper_case_doi_gives_the_same_article_once(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.json").write_text(json.dumps({"doi": "10.3389/FIMMU.2024.1519055", "excerpt": EXCERPT}))
    (src / "b.json").write_text(json.dumps({"doi": "10.3389/fimmu.2024.1519055", "excerpt": EXCERPT + " More."}))
    (src / "c.txt").write_text("doi: 10.3389/FONC.2023.1\n\nTitle")
    store = CaptureStore(tmp_path / "corpus")
    import_paths(store, [src])
    assert list(store.latest()) == ["10.3389/fimmu.2024.1519055", "10.3389/fonc.2023.1"]


def test_a_json_file_that_is_not_an_object_is_named(tmp_path):
    f = tmp_path / "list.json"
    f.write_text("[1, 2, 3]")
    summary = import_paths(CaptureStore(tmp_path / "c"), [f])
    assert summary.skipped == [f"{f}: expected a JSON object, found list"]


def test_the_command_prints_notes_and_keeps_going(tmp_path):
    f = tmp_path / "s.jsonl"
    f.write_text('{"id": "10.1/x", "text": "\\ud800"}\n{"id": 1}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(f), "--corpus", str(tmp_path / "corpus")])
    assert result.exit_code == 0, result.output
    assert "imported: 1 new" in result.output
    assert "lone surrogate" in result.output and "s.jsonl:2" in result.output
