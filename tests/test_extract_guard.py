"""Pathological inputs before the extraction pipeline (issue 15, item 3): bounded in time.

Each input below took from 15 s to over a minute before the guard (8,000 digits: 18.6 s;
2,500 "(" then ")": 37 s; 20,000 spaces: 78 s). Each must now extract in under a second,
and a document over its time budget is skipped and named, never the run.
"""

from __future__ import annotations

import time

import pytest

from pipeline.document import Document, Zone
from pipeline.extract import Extractor
from pipeline.extract.guard import Limits, Skipped, bound_runs, bound_text, deadline, guarded_pipe
from pipeline.extract.guard import load_limits as shipped_limits

ABSTRACT = ("A 45-year-old man with relapsed diffuse large B-cell lymphoma received CD19 CAR-T cells. "
            "He developed grade 2 cytokine release syndrome and grade 1 ICANS. He achieved complete "
            "remission at 1 month and remained in remission for 12 months of follow-up.")


def document(text: str, doc_id: str = "patho") -> Document:
    return Document(id=doc_id, text=text, abstract=text, zones=[Zone("abstract", 0, len(text))])


def digits(n: int) -> str:
    return "".join(str(i % 10) for i in range(n))


PATHOLOGICAL = {
    "8000 digits": "1" * 8000,
    "8000 varied digits": digits(8000),
    "5000 digits inside an abstract": ABSTRACT[:90] + digits(5000) + " days " + ABSTRACT[90:],
    "2500 ( then )": "(" * 2500 + ")" * 2500 + " " + ABSTRACT,
    "brackets mixed": "([{<" * 2000 + ABSTRACT,
    "20000 spaces before et al.": "CRS" + " " * 20000 + "et al.",
    "tabs and newlines": ABSTRACT + "\t\n " * 10000 + ABSTRACT,
    "one letter 100k": "a" * 100_000,
    "one dash": ABSTRACT + "-" * 50_000,
    "1 MB of abstract": (ABSTRACT + " ") * (1_000_000 // (len(ABSTRACT) + 1)),
    "1 MB of one word": "lymphoma " * 111_112,
}


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    ex = Extractor()
    ex.extract(document(ABSTRACT))  # warm up
    return ex


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_each_pathological_input_extracts_in_under_a_second(extractor, name):
    doc = document(PATHOLOGICAL[name])
    started = time.perf_counter()
    ex = extractor.extract(doc)
    assert time.perf_counter() - started < 1.0
    assert ex.doc_id == "patho"
    for ev in ex.evidence:  # offsets still point into Document.text
        assert 0 <= ev.start <= ev.end <= len(doc.text)


def test_runs_are_cut_in_place_keeping_offsets():
    text = "a" + "7" * 100 + " (" + "(" * 40 + " " * 60 + "z" * 80 + " end"
    out = bound_runs(text, Limits())
    assert len(out) == len(text) and out.endswith(" end")
    assert out[1:33] == "7" * 32 and "7" * 33 not in out
    assert "(" * 17 not in out and " " * 34 not in out and "z" * 33 not in out


def test_a_value_after_a_digit_run_keeps_its_offsets(extractor):
    text = ABSTRACT[:90] + digits(5000) + " " + ABSTRACT[90:]
    doc = document(text)
    ex = extractor.extract(doc)
    assert ex.fields["crs"] == [{"grade": "2", "n": None, "pct": None}]
    crs = next(e for e in ex.evidence if e.field == "crs")
    assert "cytokine release syndrome" in text[crs.sent_start:crs.sent_end]
    assert text[crs.start:crs.end] == "cytokine release syndrome"  # 5,000 characters after the run


def test_ordinary_text_is_untouched():
    assert bound_runs(ABSTRACT) == ABSTRACT
    text, zones = bound_text(ABSTRACT, [(0, len(ABSTRACT), "abstract", None)])
    assert text == ABSTRACT and zones == [(0, len(ABSTRACT), "abstract", None)]


def test_lone_surrogates_become_replacement_characters():
    assert bound_runs("CRS \ud800 grade 2") == "CRS \ufffd grade 2"


def test_long_text_is_cut_at_max_chars_and_zones_are_clipped(caplog):
    limits = Limits(max_chars=100)
    text, zones = bound_text("x" * 50 + "y" * 200, [(0, 40, "title", None), (42, 250, "abstract", None),
                                                      (150, 250, "keywords", None)], "big", limits)
    assert len(text) == 100 and zones == [(0, 40, "title", None), (42, 100, "abstract", None)]
    assert "document big: 250 characters" in caplog.text


def test_the_shipped_limits_are_read_from_configs():
    limits = shipped_limits()
    assert limits.max_digit_run == 32 and limits.seconds_per_document == 5
    assert limits.max_input_chars == 1_000_000


class Slow:
    """An extractor whose one document sleeps in Python (as a quadratic rule would spin)."""

    def __init__(self, extractor: Extractor, slow_id: str) -> None:
        self.extractor, self.slow_id = extractor, slow_id

    def extract(self, doc: Document):
        if doc.id == self.slow_id:
            while True:
                time.sleep(0.01)
        return self.extractor.extract(doc)


@pytest.mark.timeout(60)
def test_a_document_over_its_budget_is_skipped_and_named_and_the_next_goes_on(extractor, caplog):
    docs = [document(ABSTRACT, "a"), document(ABSTRACT, "stuck"), document(ABSTRACT, "b")]
    started = time.perf_counter()
    results = list(guarded_pipe(Slow(extractor, "stuck"), docs, limits=Limits(seconds_per_document=0.5)))
    assert time.perf_counter() - started < 5
    assert [type(r).__name__ for r in results] == ["Extraction", "Skipped", "Extraction"]
    skipped = results[1]
    assert isinstance(skipped, Skipped) and skipped.doc_id == "stuck"
    assert "over 0.5 s (extraction_limits.seconds_per_document)" in skipped.reason
    assert "document stuck" in caplog.text


@pytest.mark.timeout(60)
def test_a_document_slow_in_the_rules_themselves_is_cut_off_by_its_budget(extractor, monkeypatch):
    # a rule component stuck on one document (no run of characters to cut): its budget ends it, the next goes on
    from pipeline.extract.assemblers.toxicity import CarmineToxicity

    plain = CarmineToxicity.__call__

    def stuck(self, doc):
        if "many-grades" in doc.user_data.get("carmine_text", ""):
            time.sleep(30)
        return plain(self, doc)

    monkeypatch.setattr(CarmineToxicity, "__call__", stuck)
    slow = document("many-grades " + ("CRS grade 1, " * 300) + ABSTRACT, "many-grades")
    started = time.perf_counter()
    results = list(guarded_pipe(extractor, [slow, document(ABSTRACT, "next")], limits=Limits(seconds_per_document=1)))
    assert time.perf_counter() - started < 4
    assert isinstance(results[0], Skipped) and results[0].doc_id == "many-grades"
    assert results[1].fields["crs"] == [{"grade": "2", "n": None, "pct": None}]


def test_thousands_of_grade_mentions_extract_within_the_budget(extractor):
    # the toxicity assembler was quadratic in grades x mentions on such text; now it is well under a second
    many = document(("CRS grade 1, " * 3000) + ABSTRACT, "many-grades")
    started = time.perf_counter()
    extractor.extract(many)
    assert time.perf_counter() - started < 1.0


def test_a_document_the_extractor_fails_on_is_skipped_with_the_error():
    class Failing:
        def extract(self, doc):
            raise ValueError("[E088] Text of length 1000001 exceeds maximum")

    (result,) = guarded_pipe(Failing(), [document("x", "d1")])
    assert isinstance(result, Skipped) and "ValueError: [E088]" in result.reason


def test_the_deadline_puts_back_an_outer_timer():
    import signal

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with deadline(5):
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


@pytest.mark.timeout(120)
def test_the_build_skips_a_stuck_document_and_names_it(tmp_path, monkeypatch):
    from pipeline import build

    monkeypatch.setattr(build, "_process_extractor", lambda: Slow(Extractor(), "stuck"))
    monkeypatch.setattr("pipeline.extract.guard.load_limits", lambda configs=None: Limits(seconds_per_document=0.5))
    docs_path = tmp_path / "documents.jsonl"
    import json

    with docs_path.open("w", encoding="utf-8") as fh:
        for i, doc_id in enumerate(["a", "stuck", "b"]):
            d = document(ABSTRACT, doc_id)
            d.capture_sha256 = f"{i}" * 64
            fh.write(json.dumps(d.to_dict()) + "\n")
    summary = build.extract_stage(docs_path, tmp_path / "extractions.jsonl")
    assert summary.built == 2
    (skipped,) = summary.skipped
    assert skipped.startswith("stuck (capture 1111") and "seconds_per_document" in skipped


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_budget_holds_in_the_process_pool_workers(tmp_path, monkeypatch):
    """With a budget no document can meet, pool workers skip and name every document
    (instead of hanging or failing the run): the deadline works in worker processes."""
    import json
    import shutil

    from pipeline import build
    from pipeline.resources import config_dir

    configs = tmp_path / "configs"
    shutil.copytree(config_dir(), configs)
    (configs / "extraction_limits.yaml").write_text("seconds_per_document: 0.000001\n", encoding="utf-8")
    monkeypatch.setenv("CARMINE_CONFIGS", str(configs))  # read by the spawned workers
    docs_path = tmp_path / "documents.jsonl"
    with docs_path.open("w", encoding="utf-8") as fh:
        for i in range(4):
            d = document(ABSTRACT, f"d{i}")
            d.capture_sha256 = f"{i}" * 64
            fh.write(json.dumps(d.to_dict()) + "\n")
    summary = build.extract_stage(docs_path, tmp_path / "extractions.jsonl", jobs=2)
    assert summary.built == 0
    assert [s.split(" ", 1)[0] for s in summary.skipped] == ["d0", "d1", "d2", "d3"]
    assert all("seconds_per_document" in s for s in summary.skipped)
