"""One document per article: a record kept by PMCID merges into the later capture with the DOI.

The records are real: the two results without DOI of
``../shared/real_http/europepmc/crispr_oa_core_pageSize3.json`` (PMC13582529, a Frontiers in
Veterinary Science article; PMC13583639, another journal's), read at test time. The later
capture of the same article is that record once Europe PMC has its DOI, a JATS file naming
the PMCID, or a Frontiers page of the scraper fixtures whose Europe PMC record names it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from scrape_server import fast_config

from pipeline.build import DOCUMENTS, iter_documents, parse_stage, run
from pipeline.readers.html import provenance
from pipeline.readers.identity import aliases, merge_provisional
from pipeline.scrape import fetch
from pipeline.store import CaptureStore

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real_http" / "europepmc"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real samples not found at {REAL} (../shared/real_http)")
PMCID = "PMC13582529"
DOI = "10.3389/fvets.2026.1582529"  # the DOI the index gives later (made up for the test)
SEARCH = "/europepmc/webservices/rest/search"
UNTYPED = "10.3389/fonc.2025.9900005"  # a scraper fixture page that states no article type


def real(pmcid: str = PMCID) -> dict:
    answer = json.loads((REAL / "crispr_oa_core_pageSize3.json").read_text(encoding="utf-8"))
    return next(r for r in answer["resultList"]["result"] if r.get("pmcid") == pmcid and not r.get("doi"))


def body(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode()


def put_pmcid_record(store: CaptureStore, record: dict) -> None:
    store.put(body(record), source="europepmc", media_type="application/json", via="api:europepmc",
              url=f"http://epmc/search?query=PMCID:{record['pmcid']}&resultType=core&format=json",
              extra={"awaiting_doi": True})


def put_doi_record(store: CaptureStore, record: dict) -> None:
    with_doi = {**copy.deepcopy(record), "doi": DOI, "abstractText": "<h4>Background</h4>Newcastle disease virus."}
    store.put(body(with_doi), source="europepmc", media_type="application/json", via="api:europepmc",
              doi=DOI, url=f'http://epmc/search?query=DOI:"{DOI}"&resultType=core&format=json')


def put_jats(store: CaptureStore, record: dict) -> None:
    xml = f"""<?xml version="1.0"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article"><front>
<journal-meta><journal-title-group><journal-title>Frontiers in Veterinary Science</journal-title>
</journal-title-group></journal-meta>
<article-meta><article-id pub-id-type="doi">{DOI}</article-id>
<article-id pub-id-type="pmcid">{record['pmcid']}</article-id>
<title-group><article-title>{record['title']}</article-title></title-group>
<abstract><p>Newcastle disease virus genotype VII was detected on site.</p></abstract>
<kwd-group><kwd>NDV</kwd></kwd-group></article-meta></front></article>"""
    store.put(xml.encode(), source="frontiers", media_type="application/xml", doi=DOI, via="fetch",
              url=f"https://www.frontiersin.org/articles/{DOI}/xml")


def build_documents(corpus: Path) -> tuple[dict, object]:
    store = CaptureStore(corpus)
    summary = parse_stage(store, corpus / "build" / DOCUMENTS, list(store.latest().values()))
    return {d.id: d for d in iter_documents(corpus / "build" / DOCUMENTS)}, summary


@pytest.mark.parametrize("later", [put_doi_record, put_jats])
@pytest.mark.parametrize("order", ["pmcid first", "doi first"])
def test_a_pmcid_record_and_a_later_doi_capture_are_one_document(tmp_path, later, order):
    store = CaptureStore(tmp_path)
    steps = [lambda: put_pmcid_record(store, real()), lambda: later(store, real())]
    for step in steps if order == "pmcid first" else steps[::-1]:
        step()
    docs, summary = build_documents(tmp_path)
    assert set(docs) == {DOI}  # one document, under the DOI
    doc = docs[DOI]
    assert doc.merged_from == [f"pmcid:{PMCID}"] and doc.pmcid == PMCID
    assert len(summary.superseded) == 1 and f"pmcid:{PMCID}" in summary.superseded[0]
    assert "superseded by " + DOI in summary.superseded[0] and "captures stay in corpus/" in summary.superseded[0]
    assert doc.authors[0] == "Yaping Huang"  # a JATS file without authors gets the record's
    used = provenance(doc)
    if later is put_jats:
        assert used["authors"] == f"pmcid:{PMCID}" and used["published"] == f"pmcid:{PMCID}"
        assert doc.published == real()["firstPublicationDate"] and doc.license == "CC BY"
        assert "Newcastle disease virus genotype VII" in doc.text  # text and zones stay the DOI capture's
        assert doc.format == "jats"
    assert len(list(store.records())) == 2  # nothing was removed from the corpus


def test_the_order_of_arrival_does_not_change_the_document(tmp_path):
    built = []
    for order in (0, 1):
        corpus = tmp_path / str(order)
        store = CaptureStore(corpus)
        steps = [lambda s=store: put_pmcid_record(s, real()), lambda s=store: put_jats(s, real())]
        for step in steps if order == 0 else steps[::-1]:
            step()
        docs, _ = build_documents(corpus)
        built.append(docs[DOI].to_dict())
    assert built[0] == built[1]


def test_two_unrelated_records_stay_two(tmp_path):
    store = CaptureStore(tmp_path)
    put_pmcid_record(store, real(PMCID))
    put_pmcid_record(store, real("PMC13583639"))
    put_jats(store, real(PMCID))
    docs, summary = build_documents(tmp_path)
    assert set(docs) == {DOI, "pmcid:PMC13583639"}  # the other article is not merged into anything
    assert docs["pmcid:PMC13583639"].merged_from == [] and len(summary.superseded) == 1


def test_a_rebuild_reuses_nothing_stale(tmp_path):
    store = CaptureStore(tmp_path)
    put_pmcid_record(store, real())
    put_jats(store, real())
    build_documents(tmp_path)
    docs, summary = build_documents(tmp_path)  # the merged line is read afresh, the result the same
    assert set(docs) == {DOI} and docs[DOI].merged_from == [f"pmcid:{PMCID}"] and len(summary.superseded) == 1


def test_a_pmcid_shared_with_two_doi_documents_is_kept_apart():
    lines = [{"id": f"pmcid:{PMCID}", "pmcid": PMCID}, {"id": "10.1/a", "pmcid": PMCID, "text": ""},
             {"id": "10.1/b", "pmcid": PMCID, "text": ""}]
    out, superseded = merge_provisional(lines)
    assert out == lines and superseded == []
    assert aliases(out) == {}  # nor an alias: which one it is cannot be told


def test_a_record_refetched_with_its_doi_leaves_an_alias():
    # the same PMCID address answered later with the DOI: one capture, one DOI document
    assert aliases([{"id": DOI, "pmcid": PMCID, "pmid": "42000000"}]) == {f"pmcid:{PMCID}": DOI,
                                                                            "pmid:42000000": DOI}


def test_fetch_a_pmcid_record_then_the_doi_page_and_curation_follows(server, tmp_path):
    """Over the local server: discovery keeps the record without DOI; a later fetch of the
    article's page (its Europe PMC record names the PMCID) makes it one document; a curator's
    added value on the PMCID document moves to the DOI document."""
    crispr = (REAL / "crispr_oa_core_pageSize3.json").read_bytes()
    empty = (REAL / "search_no_results.json").read_bytes()
    record = {**real(), "doi": UNTYPED}

    def handler(query):
        q = query.get("query", [""])[0]
        if q.startswith('DOI:"'):
            answer = json.loads(crispr)
            answer["resultList"]["result"] = [record] if q == f'DOI:"{UNTYPED}"' else []
            return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()
        return 200, {"Content-Type": "application/json"}, crispr if query.get("cursorMark") == ["*"] else empty

    server.handlers[SEARCH] = handler
    cfg = fast_config(server.url, discovery={"europepmc": {"doi_records": True, "max_pages": 2},
                                             "crossref": {"enabled": False, "work_records": False}})
    first = fetch(tmp_path, discover=True, config=cfg, progress=False)
    assert first.ok
    run(tmp_path, force=True)
    before = {d.id for d in iter_documents(tmp_path / "build" / DOCUMENTS)}
    assert f"pmcid:{PMCID}" in before and UNTYPED not in before

    # a curator adds a value to the PMCID document
    from pipeline.curation.decisions import Decision, append, curator_id, fingerprint, log_path
    from pipeline.curation.settings import load_settings

    settings = load_settings()
    judged = {"doc_id": f"pmcid:{PMCID}", "subject": "study", "field": "disease",
              "value": "multiple myeloma", "sentence": "s", "char_start": None, "char_end": None}
    eid = curator_id(judged["doc_id"], "study", "disease", "multiple myeloma")
    append(log_path(tmp_path, settings.decisions_log),
           [Decision(eid, "add", "ana", "2026-01-01T00:00:00Z", fingerprint("multiple myeloma", "s", None, None),
                     judged, None, None, "test")])

    second = fetch(tmp_path, dois=[UNTYPED], config=cfg, progress=False)
    assert second.ok
    summary = run(tmp_path, force=True)
    docs = {d.id: d for d in iter_documents(tmp_path / "build" / DOCUMENTS)}
    assert f"pmcid:{PMCID}" not in docs and UNTYPED in docs  # one document for the article
    doc = docs[UNTYPED]
    assert doc.pmcid == PMCID and doc.merged_from == [f"pmcid:{PMCID}"]
    assert provenance(doc)["pmcid"] == "europepmc"  # the page's own record named it
    assert doc.journal == "Frontiers in Oncology"  # what the page has, it keeps
    assert len(summary.documents.superseded) == 1 and "superseded" in summary.describe()
    assert any(r.extra.get("awaiting_doi") for r in CaptureStore(tmp_path).records())  # capture kept

    assert summary.curation is not None and len(summary.curation.moved) == 1
    assert summary.curation.errors == []
    rows = summary.table.table
    added = rows[rows["evidence_id"] == eid]
    assert list(added["doc_id"]) == [UNTYPED]  # the curator's row is on the DOI document
    assert f"pmcid:{PMCID}" not in set(rows["doc_id"].astype(str))
