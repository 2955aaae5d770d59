"""Crossref work records: fetched per new DOI as their own capture, merged into the document.

The work record is the real answer for 10.3389/fpsyg.2022.651547 (``../shared/real_http/``);
the page is the real page of that DOI stripped of its meta tags and JSON-LD (as a
provisionally accepted page comes), served by the local test server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from scrape_server import fast_config, running_server

from pipeline.build import DOCUMENTS, iter_documents, run
from pipeline.readers.crossref import merge_work, read_work
from pipeline.readers.html import provenance
from pipeline.scrape import fetch
from pipeline.store import CaptureStore

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real_http"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real samples not found at {REAL} (../shared/real_http)")
DOI = "10.3389/fpsyg.2022.651547"


def bare_page() -> bytes:
    soup = BeautifulSoup((REAL / "frontiers_html/fpsyg.2022.651547.current-v4.html").read_text(encoding="utf-8"), "lxml")
    for el in soup.find_all("meta"):
        if re.match(r"(citation_|dc\.|keywords)", str(el.get("name") or "")):
            el.decompose()
    for el in soup.find_all("script", type="application/ld+json"):
        el.decompose()
    return str(soup).encode("utf-8")


def test_read_work_gives_the_metadata_fields():
    fields = read_work((REAL / "crossref/work_fpsyg.2022.651547.json").read_text(encoding="utf-8"))
    assert fields["title"] == "Inhibitory Control Development: A Network Neuroscience Perspective"
    assert (fields["journal"], fields["journal_abbrev"], fields["volume"]) == ("Frontiers in Psychology",
                                                                              "Front. Psychol.", "13")
    assert fields["authors"][:2] == ["Weixi Kang", "Sònia Pineda Hernández"] and fields["license"] == "CC BY"


def test_fetch_stores_the_work_record_and_the_build_merges_it(tmp_path):
    with running_server() as server:
        final = f"/journals/psychology/articles/{DOI}/full"
        server.redirect(f"/articles/{DOI}/full", final)
        server.page(final, bare_page())
        server.page(f"/crossref/works/{DOI}", (REAL / "crossref/work_fpsyg.2022.651547.json").read_bytes(),
                    "application/json;charset=UTF-8")
        cfg = fast_config(server.url, discovery={"crossref": {"work_records": True}})
        summary = fetch(tmp_path, dois=[DOI], config=cfg, progress=False)
        again = fetch(tmp_path, dois=[DOI], refresh=True, config=cfg, progress=False)
    assert summary.ok and "crossref work record" in summary.new[0].notes
    store = CaptureStore(tmp_path)
    works = [r for r in store.records() if r.via == "api:crossref"]
    assert len(works) == 1 and works[0].doi is None and works[0].extra["work_for"] == DOI
    assert set(store.latest()) == {DOI, works[0].url}  # the page stays the DOI's capture
    assert again.ok and len([r for r in store.records() if r.via == "api:crossref"]) == 1  # not fetched twice

    run(tmp_path, force=True)
    docs = list(iter_documents(tmp_path / "build" / DOCUMENTS))
    assert [d.id for d in docs] == [DOI]  # the work record is no document of its own
    used = provenance(docs[0])
    assert docs[0].volume == "13" and used["volume"] == "crossref"  # the bare page lacks it
    assert docs[0].title == "Inhibitory Control Development: A Network Neuroscience Perspective"
    assert used["title"] == "page" and used["abstract"] == "container"  # what the page has, it keeps


def test_merge_fills_only_what_is_missing():
    from pipeline.document import Document

    doc = Document(id="10.3389/fonc.2020.607362", text="T", title="Own title", year=2020,
                   metadata_from="title=page; year=doi")  # the DOI's year: the article came out in 2021
    merge_work(doc, {"title": "Crossref title", "volume": "10", "authors": ["A B"], "year": 2021})
    assert (doc.title, doc.volume, doc.authors, doc.year) == ("Own title", "10", ["A B"], 2021)
    assert provenance(doc) == {"title": "page", "volume": "crossref", "authors": "crossref", "year": "crossref",
                               "journal": "doi"}


def test_offline_nothing_breaks(tmp_path):
    cfg = fast_config("http://127.0.0.1:9")  # nothing listens there
    summary = fetch(tmp_path, dois=[DOI], config=cfg, progress=False)
    assert summary.offline and not list(CaptureStore(tmp_path).records())
