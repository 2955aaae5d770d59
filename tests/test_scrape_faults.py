"""The scraper against a real local HTTP server that misbehaves: one test per fault.

Each test asserts what the scraper did (retried N times then stored, waited for
Retry-After, failed with a reason in the summary) and that the store is intact.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest
from scrape_server import FIXTURES, fast_config, running_server

from pipeline.readers import read_capture
from pipeline.scrape import fetch
from pipeline.store import CaptureStore, sha256_hex

DOI = "10.3389/fimmu.2025.9900001"
PAGE = f"/journals/immunology/articles/{DOI}/full"
BODY = (FIXTURES / "frontiers-current.html").read_bytes()




def assert_store_intact(corpus: Path) -> int:
    """Every logged capture is readable and matches its hash; no temporary file is left."""
    store = CaptureStore(corpus)
    records = list(store.records())
    for rec in records:
        assert sha256_hex(store.get(rec.sha256)) == rec.sha256
    assert not list((corpus / "captures").rglob(".tmp-*")) if (corpus / "captures").exists() else True
    return len(records)


def run(server, corpus, **kw):
    config = fast_config(server.url, **kw.pop("config", {}))
    return fetch(corpus, config=config, progress=False, **kw)


def test_a_slow_response_times_out_and_is_retried(server, tmp_path):
    server.fault(PAGE, ("slow", 1.2), ("slow", 1.2))
    summary = run(server, tmp_path, dois=[DOI])
    (outcome,) = summary.new
    assert outcome.attempts == 3
    assert len(server.requests_to(PAGE)) == 3
    assert CaptureStore(tmp_path).get(outcome.sha256) == BODY
    assert assert_store_intact(tmp_path) == 1


def test_a_response_slow_every_time_fails_with_the_timeout_as_reason(server, tmp_path):
    server.fault(PAGE, *[("slow", 1.2)] * 3)
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "ReadTimeout" in failed.reason and "after 3 attempts" in failed.reason
    assert assert_store_intact(tmp_path) == 0


def test_429_waits_for_retry_after_then_stores(server, tmp_path):
    server.fault(PAGE, ("status", 429, {"Retry-After": "1"}))
    summary = run(server, tmp_path, dois=[DOI])
    (outcome,) = summary.new
    first, second = server.requests_to(PAGE)
    assert second.at - first.at >= 0.95  # the 1 s asked for, not the 0.01 s backoff
    assert outcome.attempts == 2
    assert assert_store_intact(tmp_path) == 1


def test_a_retry_after_longer_than_allowed_fails_at_once(server, tmp_path):
    server.fault(PAGE, ("status", 503, {"Retry-After": "3600"}))
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "HTTP 503" in failed.reason and "Retry-After 3600 s" in failed.reason and "after 1 attempt" in failed.reason
    assert len(server.requests_to(PAGE)) == 1


def test_a_burst_of_5xx_is_retried_with_backoff_then_stored(server, tmp_path):
    server.fault(PAGE, ("status", 503), ("status", 500))
    summary = run(server, tmp_path, dois=[DOI])
    assert [o.attempts for o in summary.new] == [3]
    assert assert_store_intact(tmp_path) == 1


def test_5xx_on_every_attempt_fails_and_the_next_run_resumes(server, tmp_path):
    server.fault(PAGE, *[("status", 500)] * 3)
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert failed.reason == "HTTP 500 Internal Server Error after 3 attempts"
    assert assert_store_intact(tmp_path) == 0
    again = run(server, tmp_path)  # no arguments: the plan says what is left
    assert [o.key for o in again.new] == [DOI]
    assert assert_store_intact(tmp_path) == 1


def test_a_connection_reset_is_retried(server, tmp_path):
    server.fault(PAGE, "reset")
    summary = run(server, tmp_path, dois=[DOI])
    assert [o.attempts for o in summary.new] == [2]
    assert assert_store_intact(tmp_path) == 1


def test_a_body_cut_short_in_transit_is_retried_and_stored_whole(server, tmp_path):
    server.fault(PAGE, "short")
    summary = run(server, tmp_path, dois=[DOI])
    (outcome,) = summary.new
    assert outcome.attempts == 2
    assert CaptureStore(tmp_path).get(outcome.sha256) == BODY
    assert assert_store_intact(tmp_path) == 1


def test_a_page_cut_off_mid_abstract_is_stored_and_flagged(server, tmp_path):
    cut = BODY[: BODY.index(b"PET-CT on day 30")]
    server.page(PAGE, cut)
    summary = run(server, tmp_path, dois=[DOI])
    (outcome,) = summary.new
    assert "page is cut off (truncated)" in outcome.notes
    rec = CaptureStore(tmp_path).latest()[DOI]
    doc = read_capture(CaptureStore(tmp_path).get(rec.sha256), where=rec.sha256, charset=rec.charset)
    assert doc.truncated and doc.abstract.endswith("(ICANS).")


def test_a_page_without_an_abstract_is_stored_with_a_note(server, tmp_path):
    summary = run(server, tmp_path, dois=["10.3389/fimmu.2025.9900004"])
    (outcome,) = summary.new
    assert outcome.notes == ["no abstract on the page"]
    assert summary.ok and assert_store_intact(tmp_path) == 1


@pytest.mark.parametrize(
    ("doi", "declared", "expected"),
    [
        ("10.3389/fonc.2025.9900005", "utf-8", ["José", "12 µg/mL", "cells – a reduced", "450 × 10"]),
        ("10.3389/fonc.2025.9900006", None, ["José", "12 µg/mL", "450 × 10"]),
    ],
    ids=["cp1252-declared-utf8", "latin1-no-charset"],
)
def test_a_wrong_or_missing_charset_is_detected_and_recorded(server, tmp_path, doi, declared, expected):
    summary = run(server, tmp_path, dois=[doi])
    (outcome,) = summary.new
    rec = CaptureStore(tmp_path).latest()[doi]
    assert rec.charset not in (None, "utf-8")
    assert rec.extra.get("declared_charset") == declared
    doc = read_capture(CaptureStore(tmp_path).get(rec.sha256), where=rec.sha256, charset=rec.charset)
    assert doc.authors == ["José Müller"]
    for piece in expected:
        assert piece in doc.abstract
    if declared:
        assert any("declared charset utf-8 does not fit" in n for n in outcome.notes)


def test_a_redirect_loop_fails_with_the_loop_named(server, tmp_path):
    server.redirect("/loop/a", "/loop/b")
    server.redirect("/loop/b", "/loop/a")
    summary = run(server, tmp_path, urls=[f"{server.url}/loop/a"])
    (failed,) = summary.failed
    assert failed.reason.startswith("redirect loop:") and failed.reason.endswith("/loop/a")
    assert len(server.requests_to("/loop/a")) == 1 and len(server.requests_to("/loop/b")) == 1


def test_robots_txt_disallow_is_obeyed_without_requesting_the_page(server, tmp_path):
    server.page("/private/10.3389/fimmu.2021.9900002", BODY)
    summary = run(server, tmp_path, urls=[f"{server.url}/private/10.3389/fimmu.2021.9900002"], dois=[DOI])
    (failed,) = summary.failed
    assert failed.reason.startswith("blocked: robots.txt of 127.0.0.1") and "/private/" in failed.reason
    assert server.requests_to("/private/10.3389/fimmu.2021.9900002") == []
    assert len(server.requests_to("/robots.txt")) == 1  # once per host and run
    assert len(summary.new) == 1


def test_robots_txt_answering_5xx_means_disallowed(server, tmp_path):
    server.fault("/robots.txt", *[("status", 503)] * 4)  # the probe, then every retry of the real fetch
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "robots.txt of 127.0.0.1" in failed.reason and "disallowed" in failed.reason
    assert server.requests_to(PAGE) == []
    assert len(server.requests_to("/robots.txt")) == 4


def test_an_unchanged_page_costs_a_304_and_is_not_stored_again(server, tmp_path):
    run(server, tmp_path, dois=[DOI])
    files = sorted((tmp_path / "captures").rglob("*.gz"))
    summary = run(server, tmp_path, dois=[DOI], refresh=True)
    (outcome,) = summary.unchanged
    assert outcome.reason == "HTTP 304"
    conditional = server.requests_to(PAGE)[-1].headers
    assert conditional["if-none-match"].startswith('"') and conditional["if-modified-since"].endswith("GMT")
    assert sorted((tmp_path / "captures").rglob("*.gz")) == files
    statuses = [r.status for r in CaptureStore(tmp_path).records()]
    assert statuses == [200, 304]
    assert CaptureStore(tmp_path).latest()[DOI].status == 200
    assert assert_store_intact(tmp_path) == 2


def test_a_404_is_not_retried(server, tmp_path):
    summary = run(server, tmp_path, dois=["10.3389/fimmu.2025.9900404"])
    (failed,) = summary.failed
    assert failed.reason == "HTTP 404 Not Found after 1 attempt"
    assert len(server.requests_to("/articles/10.3389/fimmu.2025.9900404/full")) == 1


def test_offline_says_so_and_returns_without_error(tmp_path):
    with running_server() as s:
        run(s, tmp_path, dois=[DOI])
        closed = s.url  # the port is closed once the server stops
    started = time.monotonic()
    summary = fetch(tmp_path, dois=["10.3389/fimmu.2021.9900002"], discover=True,
                    config=fast_config(closed), progress=False)
    assert summary.offline and summary.ok and not summary.outcomes
    assert summary.message.startswith("offline: cannot reach 127.0.0.1:")
    assert summary.message.endswith(f"proceeding with the 1 captures already in {tmp_path}/")
    assert time.monotonic() - started < 5
    assert assert_store_intact(tmp_path) == 1


def test_captures_are_gzip_and_read_only(server, tmp_path):
    summary = run(server, tmp_path, dois=[DOI])
    path = CaptureStore(tmp_path).path_of(summary.new[0].sha256)
    assert gzip.decompress(path.read_bytes()) == BODY
    assert path.stat().st_mode & 0o222 == 0
