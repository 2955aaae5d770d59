"""Readers are linear on pathological input (issue 15 items 1 and 2): bounded in time.

Each input is generated here. The bounds are several times what the readers take on this
project's 2-core machine under load (0.05-0.5 s), and far below what they took before
(depth 4,000: 3.8 s; 10^5 nested <div>: still running at 300 s; an 8 KB author-like
line: 13.9 s; 20k spaces before "et al.": 78 s).
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from pipeline.readers.html import MAX_DEPTH, bound_nesting, read_html
from pipeline.readers.pagetext import read_page_text


def timed(fn, *args, **kw):
    start = time.perf_counter()
    result = fn(*args, **kw)
    return result, time.perf_counter() - start


@pytest.fixture(scope="module", autouse=True)
def _warm():
    read_html("<html><body><div class='ArticleContent'><div><h2>Abstract</h2><p>x</p></div></div></body></html>")


@pytest.mark.parametrize("depth", [4_000, 100_000])
def test_deeply_nested_html_reads_fast(depth):
    page = ("<html><head><meta name='citation_title' content='Deep'></head><body>" + "<div>" * depth
            + "<p>Keywords: alpha, beta</p>" + "</div>" * depth + "</body></html>")
    doc, seconds = timed(read_html, page, doc_id="10.3389/fimmu.2024.0000001")
    assert seconds < (1.0 if depth <= 4_000 else 2.0), f"depth {depth}: {seconds:.2f} s"
    assert doc.title == "Deep" and doc.keywords == ["alpha", "beta"]  # the text under the cut tags is kept


def test_nested_abstract_markup_is_bounded_too():
    page = ("<html><body><div class='ArticleContent'><div><h2>Abstract</h2><p>" + "<b>" * 50_000
            + "CAR-T cells were given." + "</b>" * 50_000 + "</p></div></div></body></html>")
    doc, seconds = timed(read_html, page, doc_id="x")
    assert seconds < 1.5 and doc.abstract == "CAR-T cells were given."


def test_bound_nesting_leaves_ordinary_pages_alone_and_cuts_only_the_excess():
    ordinary = "<html><body>" + "<div><p>a</p><br><img src=x /><svg><path d='M0'/></svg></div>" * 200 + "</body></html>"
    assert bound_nesting(ordinary) is ordinary
    deep = "<div>" * (MAX_DEPTH + 10) + "text" + "</div>" * (MAX_DEPTH + 10)
    cut = bound_nesting(deep)
    assert cut == "<div>" * MAX_DEPTH + "text" + "</div>" * MAX_DEPTH


def test_a_huge_page_is_read_up_to_the_limit_and_flagged(monkeypatch):
    import pipeline.readers.html as html

    monkeypatch.setattr(html, "MAX_CHARS", 10_000)
    page = "<html><body><h1>Title here</h1>" + "<p>word</p>" * 5_000 + "</body></html>"
    doc = read_html(page, doc_id="x")
    assert doc.truncated and doc.title == "Title here"


@pytest.mark.parametrize(("name", "text"), [
    # the author-line pattern on a long line without digits or commas
    ("author-like line, 8 KB", "CASE REPORT article\n\nA title of the report\n\n" + "Abcdef ghij " * 700 + "\n"),
    ("author-like line, 100 KB", "A title of the report\n\n" + "Abcdef Ghij " * 9_000 + "\n"),
    # the "et al." patterns on runs of spaces
    ("20k spaces, no et al.", "A title of the report\n\nA. Smith, B. Jones, C. Wu" + " " * 20_000 + "x\n"),
    ("20k spaces, then et al.", "A title of the report\n\nA. Smith, B. Jones, C. Wu" + " " * 20_000 + "et al.\n"),
    ("1 MB on one line", "word " * 200_000),
    ("1 MB of one character", "a" * 1_000_000),
    ("1 MB of digits", "1" * 1_000_000),
    # thousands of short lines (each line costs Python work: the reader reads a bounded number)
    ("1 MB of four-letter lines", "abc\n" * 250_000),
    ("1 MB of short sentences, one a line", "The patient received CAR-T cells.\n" * 29_000),
])
def test_page_text_reader_is_not_quadratic(name, text):
    _, seconds = timed(read_page_text, text, doc_id="x")
    assert seconds < 1.0, f"{name}: {seconds:.2f} s"


def test_a_name_list_ending_in_et_al_still_reads():
    doc = read_page_text("A title of the report\n\nAnna Smith, Bo Jones, Chen Wu    et al.\n\n"
                         "Background: CAR-T cells were given to 3 patients. All responded well to it.\n",
                         doc_id="x")
    assert doc.authors == ["Anna Smith", "Bo Jones", "Chen Wu"]


def test_fetch_parses_pages_off_the_event_loop(monkeypatch, tmp_path):
    """A page's parse runs in a worker thread, so one slow page stalls no other request."""
    from scrape_server import fast_config, running_server

    from pipeline.scrape import runner

    threads = []
    original = runner._Run._check_page

    def spy(self, *args, **kw):
        threads.append(threading.current_thread() is threading.main_thread())
        return original(self, *args, **kw)

    monkeypatch.setattr(runner._Run, "_check_page", spy)
    with running_server() as server:
        summary = asyncio.run(runner.afetch(tmp_path, dois=["10.3389/fimmu.2025.9900001"],
                                            config=fast_config(server.url), progress=False))
    assert [o.kind for o in summary.outcomes] == ["new"]
    assert threads == [False]
