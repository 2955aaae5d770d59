"""Europe PMC records per DOI: fetched for a new page without an article type, merged by the build.

The record is real: a result of ``../shared/real_http/europepmc/search_cancer_core.json``
(a Nutrition Reviews systematic review: publication types "Systematic Review",
"review-article", "Journal Article"), read at test time, its DOI set to the test page's,
wrapped in a search answer the way Europe PMC answers ``query=DOI:"..."``. The empty answer
is Europe PMC's real one (``search_no_results.json``). The pages are the scraper fixtures:
``10.3389/fonc.2025.9900005`` states no article type, ``10.3389/fimmu.2025.9900001`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrape_server import fast_config

from pipeline.build import DOCUMENTS, iter_documents, run
from pipeline.document import Document
from pipeline.readers.europepmc import find_result, merge_europepmc
from pipeline.readers.html import provenance
from pipeline.scrape import fetch
from pipeline.store import CaptureStore

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real_http" / "europepmc"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real samples not found at {REAL} (../shared/real_http)")
UNTYPED = "10.3389/fonc.2025.9900005"
TYPED = "10.3389/fimmu.2025.9900001"
SEARCH = "/europepmc/webservices/rest/search"
REAL_DOI = "10.1093/nutrit/nuae105"


def real_record(doi: str) -> dict:
    """The real result, with the DOI it is served for."""
    answer = json.loads((REAL / "search_cancer_core.json").read_text(encoding="utf-8"))
    record = next(r for r in answer["resultList"]["result"] if r.get("doi") == REAL_DOI)
    return {**record, "doi": doi}


def answer_for(records: list[dict]) -> bytes:
    """A search answer around ``records``, shaped like the real core answer."""
    real = json.loads((REAL / "search_cancer_core.json").read_text(encoding="utf-8"))
    return json.dumps({"version": real["version"], "hitCount": len(records),
                       "request": {**real["request"], "pageSize": 25},
                       "resultList": {"result": records}}).encode()


def serve_records(server, body_for_doi):
    """Answer ``query=DOI:"..."`` with ``body_for_doi(doi)``; record the DOIs asked for."""
    asked: list[str] = []

    def handler(query):
        q = query.get("query", [""])[0]
        assert q.startswith('DOI:"') and query.get("resultType") == ["core"], q
        doi = q[len('DOI:"'):-1]
        asked.append(doi)
        return 200, {"Content-Type": "application/json;charset=UTF-8"}, body_for_doi(doi)

    server.handlers[SEARCH] = handler
    return asked


def config(server) -> dict:
    return fast_config(server.url, discovery={"europepmc": {"doi_records": True}})


def test_a_page_without_a_type_gets_its_record_and_the_build_merges_it(server, tmp_path):
    asked = serve_records(server, lambda doi: answer_for([real_record(doi)]))
    summary = fetch(tmp_path, dois=[UNTYPED, TYPED], config=config(server), progress=False)
    again = fetch(tmp_path, dois=[UNTYPED], refresh=True, config=config(server), progress=False)

    assert summary.ok and again.ok
    assert asked == [UNTYPED]  # the page that states a type needs none; fetched once, not on refresh
    by_key = {o.key: o for o in summary.new}
    assert "europepmc record" in by_key[UNTYPED].notes and "europepmc record" not in by_key[TYPED].notes
    store = CaptureStore(tmp_path)
    records = [r for r in store.records() if r.via == "api:europepmc-record"]
    assert len(records) == 1 and records[0].doi is None and records[0].source == "europepmc"
    assert records[0].extra["record_for"] == UNTYPED
    assert set(store.latest()) == {UNTYPED, TYPED, records[0].url}  # the page stays the DOI's capture

    run(tmp_path, force=True)
    docs = {d.id: d for d in iter_documents(tmp_path / "build" / DOCUMENTS)}
    assert set(docs) == {UNTYPED, TYPED}  # the record is no document of its own
    doc, used = docs[UNTYPED], provenance(docs[UNTYPED])
    # "Systematic Review", not the JATS code "review-article" nor the generic "Journal Article"
    assert doc.article_type == "Systematic Review" and used["article_type"] == "europepmc"
    assert doc.published == real_record(UNTYPED)["firstPublicationDate"] and used["published"] == "europepmc"
    assert used["title"] == "citation_meta" and used["abstract"] == "container"  # what the page has, it keeps
    assert doc.journal == "Frontiers in Oncology"  # the page's journal is not replaced by the record's
    assert "europepmc" not in provenance(docs[TYPED]).values()


@pytest.mark.parametrize("answer", ["empty", "not found", "other doi"])
def test_no_record_is_a_note_not_a_failure(server, tmp_path, answer):
    if answer == "not found":
        server.handlers.pop(SEARCH)  # the server answers 404
    else:
        empty = (REAL / "search_no_results.json").read_bytes()
        serve_records(server, lambda doi: empty if answer == "empty" else answer_for([real_record(REAL_DOI)]))
    summary = fetch(tmp_path, dois=[UNTYPED], config=config(server), progress=False)
    assert summary.ok and len(summary.new) == 1
    note = next(n for n in summary.new[0].notes if n.startswith("no Europe PMC record"))
    assert note == ("no Europe PMC record: HTTP 404" if answer == "not found"
                    else "no Europe PMC record: no result for the DOI")
    assert not [r for r in CaptureStore(tmp_path).records() if r.via == "api:europepmc-record"]
    run(tmp_path, force=True)
    doc = next(iter_documents(tmp_path / "build" / DOCUMENTS))
    assert "europepmc" not in provenance(doc).values()


def test_a_fault_is_a_note_and_the_next_run_does_not_fail(server, tmp_path):
    serve_records(server, lambda doi: answer_for([real_record(doi)]))
    server.fault(SEARCH, "reset", "reset", "reset")  # every retry of the first request
    summary = fetch(tmp_path, dois=[UNTYPED], config=config(server), progress=False)
    assert summary.ok and not summary.failed
    assert any(n.startswith("no Europe PMC record: ") for n in summary.new[0].notes)
    assert [r.via for r in CaptureStore(tmp_path).records()] == ["fetch"]


def test_off_by_configuration(server, tmp_path):
    asked = serve_records(server, lambda doi: answer_for([real_record(doi)]))
    cfg = fast_config(server.url, discovery={"europepmc": {"doi_records": False}})
    assert fetch(tmp_path, dois=[UNTYPED], config=cfg, progress=False).ok
    assert asked == []


def test_on_by_default():
    from pipeline.scrape.config import load_config

    assert load_config().discovery["europepmc"]["doi_records"] is True


def test_merge_fills_only_what_the_page_lacks():
    record = real_record("10.3389/fonc.2024.1478888")
    doc = Document(id="10.3389/fonc.2024.1478888", text="T", title="Own title", article_type="Review",
                   authors=["Page Author"], metadata_from="title=page; article_type=page")
    merge_europepmc(doc, answer_for([record]).decode())
    assert (doc.title, doc.article_type, doc.authors) == ("Own title", "Review", ["Page Author"])
    used = provenance(doc)
    assert used["published"] == used["volume"] == "europepmc" and used["article_type"] == "page"
    # full names ("firstName lastName"), not the record's "Surname Initials"
    bare = Document(id=doc.id, text="T")
    merge_europepmc(bare, answer_for([record]).decode())
    first = record["authorList"]["author"][0]
    assert bare.authors[0] == f"{first['firstName']} {first['lastName']}"
    assert bare.article_type == "Systematic Review" and provenance(bare)["authors"] == "europepmc"


def test_find_result_picks_the_dois_result_and_names_a_bad_answer():
    answer = answer_for([real_record(REAL_DOI), real_record("10.3389/FONC.2024.1478888")]).decode()
    assert find_result(answer, "10.3389/fonc.2024.1478888")["doi"] == "10.3389/FONC.2024.1478888"
    assert find_result((REAL / "search_no_results.json").read_text(), UNTYPED) is None
    from pipeline.errors import ReaderError

    with pytest.raises(ReaderError, match="expected a Europe PMC search answer"):
        find_result('{"message-type": "work"}', UNTYPED, "somewhere")
