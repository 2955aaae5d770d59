"""Fuzzing the extractor's entry points with pathological text (issue 15): hypothesis
strategies from ``tests/fuzz_strategies.py``, a small deterministic budget in CI
(``CARMINE_FUZZ_EXAMPLES`` raises it for a longer local run).

Properties: every document comes out (extracted, or skipped and named) within its time
budget plus a margin, with every evidence offset inside ``Document.text``; ``annotate``
accounts for every input line, never raises, and writes only valid JSON lines.
"""

from __future__ import annotations

import functools
import json
import os
import time

from fuzz_strategies import annotate_lines, pathological_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Document, Zone
from pipeline.extract.guard import Limits, Skipped, guarded_pipe

FUZZ = settings(
    max_examples=int(os.environ.get("CARMINE_FUZZ_EXAMPLES", "25")),
    deadline=None,  # timing is asserted below, against the documents' own budget
    derandomize=True,  # the same examples on every run: reproducible, no flaky CI
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BUDGET = Limits(seconds_per_document=2.0)


@functools.cache
def extractor():
    from pipeline.extract import Extractor

    return Extractor()


@FUZZ
@given(pathological_text(surrogates=True))
def test_the_extractor_returns_every_document_within_its_budget(text):
    doc = Document(id="fuzz", text=text, abstract=text, zones=[Zone("abstract", 0, len(text))])
    ex = extractor()
    started = time.perf_counter()
    (result,) = guarded_pipe(ex, [doc], limits=BUDGET)
    assert time.perf_counter() - started < BUDGET.seconds_per_document + 1.5
    if isinstance(result, Skipped):
        assert result.doc_id == "fuzz" and result.reason
        return
    assert result.doc_id == "fuzz"
    for ev in result.evidence:
        assert 0 <= ev.start <= ev.end <= len(text)
        assert 0 <= ev.sent_start <= ev.sent_end <= len(text)
    json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")  # writable as UTF-8


@FUZZ
@given(st.lists(annotate_lines(), min_size=1, max_size=4))
def test_annotate_accounts_for_every_line_and_never_raises(tmp_path_factory, lines):
    from pipeline.extract import annotate_file

    folder = tmp_path_factory.mktemp("fuzz")
    src, out = folder / "in.jsonl", folder / "out.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    summary = annotate_file(src, out, extractor=extractor())
    assert summary.written + summary.skipped == summary.lines_read
    written = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(written) == summary.written
    assert all({"id", "fields", "evidence"} <= set(w) for w in written)
    assert all(e.line >= 1 and e.reason for e in summary.errors)
