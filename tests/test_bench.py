"""Bench harness: varied, streamed input; every configuration measured; a readable report."""

from __future__ import annotations

import inspect
import itertools
import shutil
from pathlib import Path

import pytest

from pipeline.bench import BenchResult, ConfigResult, format_report, run_bench
from pipeline.bench.inputs import (
    clinical_document,
    clinical_text,
    cycle_documents,
    perturb_text,
    source_documents,
    word_count,
    write_documents,
)
from pipeline.bench.worker import measure
from pipeline.document import Document, Zone
from pipeline.store import CaptureStore

REPO_CORPUS = Path(__file__).resolve().parents[1] / "corpus"

ABSTRACT = (
    "Background: CD19-directed CAR-T cells induce remissions in B-ALL. "
    "Case presentation: A 34-year-old man with relapsed disease received 1.0 x 10^6 cells/kg. "
    "He developed grade 2 CRS on day 3 and recovered. "
    "Bone marrow showed 45% blasts before infusion and none at day 28. "
    "He remained in remission for 12 months."
)


def make_doc(doc_id: str, title: str, abstract: str, keywords: str = "CAR-T; CD19") -> Document:
    text = f"{title}\n\n{abstract}\n\n{keywords}"
    a = len(title) + 2
    k = a + len(abstract) + 2
    zones = [Zone("title", 0, len(title)), Zone("abstract", a, a + len(abstract)), Zone("keywords", k, len(text))]
    return Document(id=doc_id, text=text, zones=zones)


@pytest.fixture
def sources(tmp_path) -> Path:
    docs = [
        make_doc("10.1/a", "Anti-CD19 CAR-T in a 34-year-old man", ABSTRACT),
        make_doc("10.1/b", "BCMA CAR-T in myeloma", "Ten patients received BCMA CAR-T. Eight (80%) responded. "
                 "CRS of grade 1-2 occurred in 6 patients. Median follow-up was 14 months."),
    ]
    path = tmp_path / "sources.jsonl"
    assert write_documents(docs, path) == 2
    return path


def test_cycler_yields_n_distinct_texts_first_pass_verbatim(sources):
    docs = list(cycle_documents(sources, 200, seed=1))
    assert len(docs) == 200
    assert len({d.text for d in docs}) == 200
    assert len({d.id for d in docs}) == 200
    assert docs[0].text.split("\n\n")[1] == ABSTRACT  # the first pass is the real text
    assert docs[2].id == "10.1/a#2" and docs[2].text != docs[0].text


def test_cycler_is_deterministic_per_seed(sources):
    first = [d.text for d in cycle_documents(sources, 30, seed=7)]
    assert first == [d.text for d in cycle_documents(sources, 30, seed=7)]
    assert first != [d.text for d in cycle_documents(sources, 30, seed=8)]


def test_cycler_streams(sources):
    it = cycle_documents(sources, 10**9, seed=0)
    assert inspect.isgenerator(it)
    assert len(list(itertools.islice(it, 5))) == 5  # would never return if it built the list


def test_zones_point_into_the_perturbed_text(sources):
    for doc in cycle_documents(sources, 40, seed=3):
        names = [z.name for z in doc.zones]
        assert names == ["title", "abstract", "keywords"]
        assert doc.text[doc.zones[2].start : doc.zones[2].end] == "CAR-T; CD19"  # keywords untouched
        assert clinical_text(doc) == "\n\n".join(doc.text[z.start : z.end] for z in doc.zones)
        assert word_count(doc) == len(clinical_text(doc).split())


def test_section_heading_stays_first_when_sentences_shuffle(tmp_path):
    title, body = "T", "Methods: One. Two 5 patients. Three 7 cases. Four 9 arms."
    src = Document(id="x", text=f"{title}\n\n{body}",
                   zones=[Zone("title", 0, 1), Zone("abstract", 3, 3 + len(body), "Methods")])
    path = tmp_path / "s.jsonl"
    write_documents([src], path)
    for doc in cycle_documents(path, 20, seed=0):
        z = doc.zones[1]
        assert doc.text[z.start : z.end].startswith("Methods: ")


def test_a_source_that_cannot_vary_is_not_repeated(tmp_path, sources):
    fixed = make_doc("10.1/fixed", "Title", "One sentence without numbers.", "kw")
    path = tmp_path / "mixed.jsonl"
    write_documents([fixed, *cycle_documents(sources, 2)], path)
    docs = list(cycle_documents(path, 50, seed=0))
    assert len({d.text for d in docs}) == 50
    assert sum(d.id.startswith("10.1/fixed#") for d in docs) == 1  # only its real text, once


@pytest.mark.parametrize(("text", "kept"), [
    ("CD19 and IL-6 and 4-1BB and CD3ζ", "CD19 and IL-6 and 4-1BB and CD3ζ"),  # names are never changed
])
def test_perturb_text_leaves_names_alone(text, kept):
    import random

    for seed in range(20):
        assert perturb_text(text, random.Random(seed)) == kept


def test_perturb_text_varies_ages_and_percentages():
    import random

    outs = {perturb_text("A 34-year-old had 45% blasts.", random.Random(s)) for s in range(30)}
    assert len(outs) > 10
    assert all(o.startswith("A ") and "-year-old had " in o and o.endswith("% blasts.") for o in outs)


def test_clinical_document_of_a_real_capture():
    if not (REPO_CORPUS / "captures.jsonl").exists():
        pytest.skip("no corpus in this checkout")
    doc = next(source_documents(REPO_CORPUS))
    assert doc.zones[0].name == "title" and any(z.name == "abstract" for z in doc.zones)
    assert clinical_document(doc).text == doc.text  # idempotent


def test_tokenizer_measure_in_process(sources, tmp_path):
    path = tmp_path / "in.jsonl"
    write_documents(cycle_documents(sources, 30), path)
    r = measure("tokenizer", path, 30, batch_size=8, warmup=2)
    assert r["docs"] == 30 and r["produced"] > r["words"] > 0 and r["seconds"] > 0


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """Three real captures from the repository's corpus, in a store of their own."""
    if not (REPO_CORPUS / "captures.jsonl").exists():
        pytest.skip("no corpus in this checkout")
    repo, tiny = CaptureStore(REPO_CORPUS), CaptureStore(tmp_path / "corpus")
    for rec in itertools.islice((r for r in repo.latest().values() if r.source != "seed"), 6):
        tiny.put(repo.get(rec.sha256), source=rec.source, media_type=rec.media_type, url=rec.url, doi=rec.doi,
                 charset=rec.charset, via=rec.via, fetched_at=rec.fetched_at)
    return tiny.root


def test_tiny_bench_measures_all_three_configurations(tiny_corpus, tmp_path):
    pytest.importorskip("pipeline.extract")
    result = run_bench(tiny_corpus, 24, configs=("naive", "ours", "ours_batched", "tokenizer"), cores=(1,),
                       batch_size=8, work_dir=tmp_path / "bench", memory_sizes=(12, 24), noop=False, warmup=2,
                       timeout=300, step_rounds=0)
    for config in ("naive", "ours", "ours_batched", "tokenizer"):
        r = result.get(config)
        assert r is not None, [(x.config, x.error) for x in result.results]
        assert r.docs == 24 and r.docs_per_s > 0 and r.words_per_s > r.docs_per_s and r.peak_rss_mb > 0
    assert result.get("naive").words == result.get("tokenizer").words  # the same input for everyone
    assert result.ratio("ours", "naive") > 0 and result.ratio("ours", "tokenizer") > 0
    assert [m.docs for m in result.memory] == [12, 24]
    report = format_report(result)
    for needle in ("naive", "tokenizer", "(b)/(a)", "(b)/(c)", "peak memory", "no-op", "targets:"):
        assert needle in report
    shutil.rmtree(tmp_path / "bench")


def test_report_says_n_a_for_what_failed():
    result = BenchResult(n_docs=10, n_sources=2, seed=0, batch_size=4, results=[
        ConfigResult("naive", docs=10, words=100, seconds=1.0),
        ConfigResult("ours", error="exit 1: ImportError: no extractor"),
        ConfigResult("tokenizer", docs=10, words=100, seconds=0.1),
    ], noop_note="n/a: run failed")
    report = format_report(result)
    assert "ImportError: no extractor" in report
    assert "no-op `python -m pipeline run`: n/a" in report
    assert result.ratio("ours", "naive") is None
    assert result.ratio("tokenizer", "naive") == pytest.approx(10.0)


def test_ours_measures_the_build_path_and_the_per_document_variant_stays_labelled(tiny_corpus, tmp_path):
    """(b) "ours" normalizes rows per document and validates the table once (as pipeline.build
    does); the pandera-per-document path is the labelled extra ``ours_per_doc_validated``."""
    pytest.importorskip("pipeline.extract")
    from pipeline.bench.configs import CONFIGS

    assert "validated once" in CONFIGS["ours"] and "per doc" in CONFIGS["ours_per_doc_validated"]
    result = run_bench(tiny_corpus, 12, configs=("ours", "ours_per_doc_validated", "ours_batched"), cores=(1,),
                       batch_size=5, work_dir=tmp_path / "bench", memory_sizes=(), noop=False, warmup=2,
                       timeout=300, step_rounds=0)
    rows = {c: result.get(c) for c in ("ours", "ours_per_doc_validated", "ours_batched")}
    assert all(r is not None and r.docs == 12 for r in rows.values()), [(x.config, x.error) for x in result.results]
    assert rows["ours"].produced == rows["ours_batched"].produced == rows["ours_per_doc_validated"].produced > 0
    shutil.rmtree(tmp_path / "bench")


def test_wide_view_timing_is_reported(tmp_path):
    """Issue 15.20: the benchmark prints the wide view's cost per document."""
    from pipeline.bench.run import time_wide_view
    from pipeline.report.tables import read_long_csv
    from pipeline.table import write_tables

    ms, note = time_wide_view(tmp_path)
    assert ms is None and "no evidence table" in note
    write_tables(read_long_csv(Path(__file__).parent / "fixtures" / "report" / "evidence.csv"), tmp_path)
    ms, note = time_wide_view(tmp_path)
    assert ms is not None and ms > 0 and "6 documents" in note  # mostly fixed cost on 6 documents
    report = format_report(BenchResult(n_docs=1, n_sources=1, seed=0, batch_size=1, wide_ms_per_doc=ms,
                                       wide_note=note))
    assert f"wide view of the evidence table: {ms:.2f} ms per document" in report


def test_report_prints_the_issue_12_targets_and_the_tokenizer_comparison():
    result = BenchResult(n_docs=10, n_sources=2, seed=0, batch_size=4, results=[
        ConfigResult("naive", docs=10, words=100, seconds=1.0),
        ConfigResult("ours", docs=10, words=100, seconds=1 / 7),          # 70/s: 7x naive, under 1,000/s
        ConfigResult("ours_spacy_tokenizer", docs=10, words=100, seconds=1 / 6.3),
        ConfigResult("tokenizer", docs=10, words=100, seconds=0.01),
        ConfigResult("tokenizer_scispacy", docs=10, words=100, seconds=0.02),
    ])
    report = format_report(result)
    assert ">= 6x naive scispaCy: met (7.0x)" in report
    assert ">= 1,000 abstracts/s on one core: MISSED (ours: 70)" in report
    assert "python -m pipeline.bench.components" in report  # what limits it, when a target is missed
    assert "ours with spaCy's tokenizer / ours with scispaCy's (default): 0.90x" in report
    assert "tokenizers alone: spaCy's / scispaCy's: 2.00x" in report


def test_a_missed_target_prints_the_slowest_steps_and_the_tokenization_ceiling():
    steps = {"carmine_terms": 2.0, "make_doc (zones, guard, tokenizer)": 1.0, "abbreviation_detector": 0.5,
             **{f"step{i}": 0.1 for i in range(10)}}
    result = BenchResult(n_docs=10, n_sources=2, seed=0, batch_size=4, results=[
        ConfigResult("naive", docs=10, words=100, seconds=1.0),
        ConfigResult("ours", docs=10, words=100, seconds=1 / 2),  # 20/s: both throughput targets missed
    ], steps=steps, steps_note="best of 1 passes over 3 documents")
    report = format_report(result)
    assert "what limits it: 4.50 ms per document in the pipeline steps (best of 1 passes over 3 documents)" in report
    limits = report[report.index("what limits it"):]
    assert limits.index("carmine_terms") < limits.index("make_doc") < limits.index("abbreviation_detector")
    assert "5 more steps" in report  # the eight slowest by name, the rest summed
    assert "tokenization path (make_doc + abbreviations) 1.50 ms: at most 667 docs/s" in report
    assert "the rule components 3.00 ms" in report


def test_step_timing_runs_the_components_profile(tmp_path):
    """The step timing a missed target triggers: every pipeline step, from a fresh interpreter."""
    pytest.importorskip("pipeline.extract")
    from pipeline.bench.run import time_steps

    steps, note = time_steps(tmp_path / "no-corpus", rounds=1, timeout=300)  # the gold documents alone
    assert "make_doc (zones, guard, tokenizer)" in steps and "carmine_terms" in steps, note
    assert all(ms > 0 for ms in steps.values()) and "best of 1 passes over" in note
    assert list(steps.values()) == sorted(steps.values(), reverse=True)


def test_quick_bench_configurations_skip_the_slow_ones():
    from pipeline.bench.run import FULL_CONFIGS, QUICK_CONFIGS, QUICK_DOCS

    assert set(QUICK_CONFIGS) < set(FULL_CONFIGS) and "ours_per_doc_validated" not in QUICK_CONFIGS
    assert {"naive", "ours"} <= set(QUICK_CONFIGS) and QUICK_DOCS <= 1000
