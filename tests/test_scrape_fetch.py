"""The scraper's runs against a real local server: discovery, politeness, resuming, end to end."""

from __future__ import annotations

import asyncio
import itertools
import json
from urllib.parse import parse_qs

import pytest
from aiolimiter import AsyncLimiter
from scrape_server import fast_config

from pipeline.readers import read_capture
from pipeline.scrape import afetch, fetch, load_config
from pipeline.scrape.sources.europepmc import build_query, is_europepmc_record, read_europepmc_record
from pipeline.store import CaptureStore, sha256_hex

SEARCH = "/europepmc/webservices/rest/search"




def run(server, corpus, **kw):
    return fetch(corpus, config=fast_config(server.url, **kw.pop("config", {})), progress=False, **kw)


def pages_requested(server) -> list[str]:
    return sorted(h.path for h in server.hits if h.path.startswith("/journals/"))


def test_discovery_stores_api_abstracts_and_fetches_only_the_pages_it_lacks(server, tmp_path):
    summary = run(server, tmp_path, discover=True)
    assert summary.ok
    store = CaptureStore(tmp_path)
    latest = store.latest()
    api = {k: r for k, r in latest.items() if r.via == "api:europepmc"}
    assert sorted(api) == ["10.3389/fcell.2024.9900008", "10.3389/fimmu.2024.9900007", "10.3389/fimmu.2025.9900001"]
    assert {r.media_type for r in api.values()} == {"application/json"}
    # no abstract in Europe PMC (…9900002) or found by Crossref only (…9900003): fetched as pages
    assert pages_requested(server) == [
        "/journals/immunology/articles/10.3389/fimmu.2021.9900002/full",
        "/journals/immunology/articles/10.3389/fimmu.2025.9900003/full",
    ]
    assert [o.key for o in summary.skipped] == ["10.3389/fimmu.2024.9900007"]  # Crossref's duplicate
    # cursor paging until the cursor repeats; the query is built from configs/discovery.yaml
    cursors = [parse_qs(h.query)["cursorMark"][0] for h in server.requests_to(SEARCH)]
    assert cursors == ["*", "AoJwgKDyn5EDKDM5OTAwMDAy", "AoJwgKDyn5EDKDM5OTAwMDA4"]
    query = parse_qs(server.requests_to(SEARCH)[0].query)
    assert query["query"][0].startswith('PUBLISHER:"Frontiers" AND ("CAR-T" OR ')
    assert '"CAR-NK"' in query["query"][0] and query["resultType"] == ["core"] and query["pageSize"] == ["1000"]
    crossref = [parse_qs(h.query) for h in server.requests_to("/crossref/works")]
    assert [q["cursor"][0] for q in crossref] == ["*", "DnF1ZXJ5VGhlbkZldGNoBgAAAAAA"]
    assert crossref[0]["filter"] == ["prefix:10.3389"] and crossref[0]["mailto"] == ["carmine-maintainers@example.org"]


def test_html_option_fetches_pages_of_api_abstracts_too(server, tmp_path):
    run(server, tmp_path, discover=True)
    summary = run(server, tmp_path, discover=True, html=True)
    assert sorted(o.key for o in summary.new) == [
        "10.3389/fcell.2024.9900008", "10.3389/fimmu.2024.9900007", "10.3389/fimmu.2025.9900001"]
    assert len(pages_requested(server)) == 5  # 2 from the first run, 3 now, none twice


def test_limit_bounds_discovery(server, tmp_path):
    summary = run(server, tmp_path, discover=True, limit=1)
    assert len(summary.new) == 2  # one per discovery source
    assert len(server.requests_to(SEARCH)) == 1


def test_a_second_run_fetches_nothing_again(server, tmp_path):
    dois = ["10.3389/fimmu.2025.9900001", "10.3389/fimmu.2021.9900002"]
    first = run(server, tmp_path, dois=dois, discover=True)
    before = len(server.hits)
    second = run(server, tmp_path, dois=dois, discover=True)
    assert not second.new and not second.failed and len(second.skipped) >= len(dois)
    page_hits = [h for h in server.hits[before:] if "/articles/" in h.path]
    assert page_hits == []
    assert len(list(CaptureStore(tmp_path).records())) == len(first.new)


def test_an_interrupted_run_resumes_where_it_stopped(server, tmp_path):
    slow = "/journals/immunology/articles/10.3389/fimmu.2021.9900002/full"
    # the slow page is still in flight when the run is stopped; the other two have ample time on a busy machine
    server.fault(slow, ("slow", 4.0))
    dois = ["10.3389/fimmu.2025.9900001", "10.3389/fimmu.2021.9900002", "10.3389/fimmu.2025.9900003"]
    config = fast_config(server.url, http={"timeout": {"connect": 1, "read": 5, "write": 1, "pool": 5}})

    async def interrupted():
        await asyncio.wait_for(afetch(tmp_path, dois=dois, config=config, progress=False), timeout=2.0)

    with pytest.raises(TimeoutError):
        asyncio.run(interrupted())  # as Ctrl-C would: mid-request
    store = CaptureStore(tmp_path)
    done = set(store.latest())
    assert done == {dois[0], dois[2]}
    for rec in store.records():
        assert sha256_hex(store.get(rec.sha256)) == rec.sha256
    assert not list((tmp_path / "captures").rglob(".tmp-*"))
    before = len(server.hits)
    summary = run(server, tmp_path)  # no arguments: resumes from corpus/fetch-queue.jsonl
    assert [o.key for o in summary.new] == [dois[1]]
    assert [h.path for h in server.hits[before:] if "/articles/" in h.path] == [
        "/articles/10.3389/fimmu.2021.9900002/full", slow]
    assert set(store.latest()) == set(dois)


def test_requests_identify_us_and_respect_the_rate_limit(server, tmp_path, monkeypatch):
    # the limiter's grants are timed on the client's event loop, where the promise is kept: arrival times at the
    # test server add the socket and thread scheduling of a busy 2-core machine (one gap once measured 0.0796 s)
    granted: list[float] = []
    acquire = AsyncLimiter.acquire

    async def timed_acquire(self, amount: float = 1) -> None:
        await acquire(self, amount)
        granted.append(asyncio.get_running_loop().time())

    monkeypatch.setattr(AsyncLimiter, "acquire", timed_acquire)
    dois = ["10.3389/fimmu.2025.9900001", "10.3389/fimmu.2021.9900002", "10.3389/fimmu.2025.9900003"]
    run(server, tmp_path, dois=dois, config={"rate_limit": {"default": 10.0, "per_host": {}}})
    agents = {h.headers["user-agent"] for h in server.hits}
    assert agents == {load_config().user_agent}
    assert "mailto:carmine-maintainers@example.org" in agents.pop()
    assert {h.headers["from"] for h in server.hits} == {"carmine-maintainers@example.org"}
    assert len(server.hits) == 1 + 6  # robots.txt (the offline probe reads it), 3 x (redirect + page)
    assert len(granted) >= 6  # every page request waited for the limiter
    assert min(b - a for a, b in itertools.pairwise(sorted(granted))) >= 0.09  # 10 per second, no bursts


def test_robots_crawl_delay_slows_the_host_down(server, tmp_path):
    server.robots = b"User-agent: *\nCrawl-delay: 0.3\n"
    run(server, tmp_path, dois=["10.3389/fimmu.2025.9900001"])
    times = sorted(h.at for h in server.hits if h.path != "/robots.txt")
    assert times[1] - times[0] >= 0.25


def test_nothing_to_do_makes_no_request(server, tmp_path):
    summary = run(server, tmp_path)
    assert summary.message.startswith("fetch: nothing to fetch") and server.hits == []


def test_end_to_end_from_the_server_to_documents(server, tmp_path):
    """fetch -> captures -> readers -> Documents with the expected fields (extraction: the next test)."""
    summary = run(server, tmp_path, dois=["10.3389/fimmu.2025.9900004"], discover=True)
    assert summary.ok
    store = CaptureStore(tmp_path)
    docs = {}
    for key, rec in store.latest().items():
        body = store.get(rec.sha256)
        text = body.decode(rec.charset or "utf-8")
        if is_europepmc_record(text):
            docs[key] = read_europepmc_record(text, source=rec.source)
        else:
            docs[key] = read_capture(body, where=rec.sha256, source=rec.source, url=rec.url, charset=rec.charset)
        docs[key].capture_sha256 = rec.sha256
    assert sorted(docs) == sorted(store.latest())
    older = docs["10.3389/fimmu.2021.9900002"]
    assert older.format == "html" and older.authors == ["Jun Wang", "Chidi Okafor"]
    assert [h for h, _ in older.sections] == ["Background", "Case Presentation", "Conclusion"]
    assert older.keywords == ["CD7", "CAR-T", "T-ALL", "allo-HSCT", "relapse"]
    assert (older.received, older.accepted, older.published) == ("2021-03-11", "2021-05-17", "2021-06-09")
    provisional = docs["10.3389/fimmu.2025.9900003"]
    assert provisional.status == "provisionally accepted" and provisional.authors == ["Priya Raman", "Lukas Meyer"]
    assert "CAR-NK" in provisional.abstract
    api = docs["10.3389/fimmu.2025.9900001"]
    assert api.format == "europepmc_json" and api.journal == "Frontiers in Immunology"
    assert [h for h, _ in api.sections] == ["Background", "Case presentation", "Conclusion"]
    assert "2 × 10^6 CAR-T cells/kg" in api.abstract
    assert api.keywords[:2] == ["CAR-T", "CD19"] and api.license == "CC BY"
    assert docs["10.3389/fimmu.2025.9900004"].abstract == ""
    for doc in docs.values():
        for zone in doc.zones:  # every zone points into the document's own text
            assert 0 <= zone.start < zone.end <= len(doc.text)
        assert doc.text[doc.zones[0].start : doc.zones[0].end] == doc.title


def test_the_europepmc_query_comes_from_config():
    query = build_query(load_config({"discovery": {"terms": ["CAR-T"], "europepmc": {"filters": []}}}))
    assert query == 'PUBLISHER:"Frontiers" AND ("CAR-T")'


def test_a_stored_api_record_is_the_result_itself(server, tmp_path):
    run(server, tmp_path, discover=True)
    store = CaptureStore(tmp_path)
    rec = store.latest()["10.3389/fimmu.2024.9900007"]
    record = json.loads(store.get(rec.sha256))
    assert record["doi"] == "10.3389/fimmu.2024.9900007" and "abstractText" in record
    assert rec.url.endswith('search?query=DOI:"10.3389/fimmu.2024.9900007"&resultType=core&format=json')


def test_end_to_end_through_extraction(server, tmp_path):
    """fetch -> capture -> read_capture -> Extractor: GUIDE fields with evidence inside the clinical zones."""
    extract = pytest.importorskip("pipeline.extract")
    run(server, tmp_path, dois=["10.3389/fimmu.2025.9900001"])
    store = CaptureStore(tmp_path)
    rec = store.latest()["10.3389/fimmu.2025.9900001"]
    doc = read_capture(store.get(rec.sha256), where=rec.sha256, source=rec.source, url=rec.url, charset=rec.charset)
    extraction = extract.Extractor().extract(doc)
    fields = extraction.fields
    assert extraction.doc_id == "10.3389/fimmu.2025.9900001"
    assert (fields["study_design"], fields["n_patients"]) == ("case_report", 1)
    assert fields["target_antigen"] == ["CD19"] and fields["cell_type"] == ["CAR-T"]
    assert fields["crs"][0]["grade"] == "2"
    zones = doc.clinical_zones()
    for ev in extraction.evidence:
        assert any(z.start <= ev.start < ev.end <= z.end for z in zones), ev


def test_end_to_end_fetch_then_rebuild_the_table(server, tmp_path):
    """fetch (discovery + pages) -> pipeline.build.run -> evidence table rows for the served reports."""
    import pandas as pd

    from pipeline.build import run as rebuild

    summary = run(server, tmp_path, discover=True)
    assert summary.ok and summary.new
    built = rebuild(tmp_path)
    assert not built.skipped
    long = pd.read_csv(tmp_path / "evidence.csv", dtype=str, keep_default_na=False)
    fetched = {r.key for r in CaptureStore(tmp_path).latest().values()}
    assert set(long.doc_id) <= fetched and len(set(long.doc_id)) >= 3
    case = long[long.doc_id == "10.3389/fimmu.2025.9900001"]
    assert {("target_antigen", "CD19"), ("crs", "2")} <= set(zip(case.field, case.value, strict=True))
    assert (case.capture_sha256 != "").all() and (case.sentence != "").all()
    # a second fetch finds nothing new, and the rebuild is a no-op
    again = run(server, tmp_path, discover=True)
    assert not again.new
    assert rebuild(tmp_path).up_to_date
