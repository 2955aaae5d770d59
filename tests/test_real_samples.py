"""Readers and discovery against what the sites really send (issue 13).

Every sample is read from ``../shared/real_http/`` (see its SOURCES.md): real pages and API
answers recorded by others, never copied into this repository. One test (or more) per
defect of issue 13, numbered as there; each failed before its fix. Discovery runs against
the local test server (127.0.0.1) serving those real answers.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from scrape_server import fast_config, running_server

from pipeline.errors import ReaderError
from pipeline.readers import read_text, sniff_format
from pipeline.readers.europepmc import is_europepmc_record, read_europepmc_record
from pipeline.readers.html import provenance
from pipeline.scrape.client import PoliteClient
from pipeline.scrape.config import load_config
from pipeline.scrape.sources.crossref import CrossrefSource
from pipeline.scrape.sources.europepmc import EuropePMCSource

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real_http"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real samples not found at {REAL} (../shared/real_http)")

PAGE = "frontiers_html/fpsyg.2022.651547.current-v4.html"
HEAD_2011 = "frontiers_html/fpsyg.2011.00326.current-v4.head-excerpt.html"
HEAD_2025 = "frontiers_html/fnins.2025.1602116.saved-page.head-excerpt.html"
JATS_2012 = "jats/fmicb.2012.00403.xml"
JATS_2025 = "jats/fnins.2025.1602116.front-excerpt.xml"


def sample(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


def sample_json(name: str):
    return json.loads(sample(name))


@pytest.fixture(scope="module")
def page():
    return read_text(sample(PAGE))


def epmc_results(name: str) -> list[dict]:
    return sample_json(f"europepmc/{name}")["resultList"]["result"]


def as_capture(record: dict) -> str:
    """A Europe PMC result as the scraper stores it (sorted keys)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


# -- discovery over the local server ----------------------------------------------------------
def discover(server, source_cls, **discovery):
    cfg = load_config(fast_config(server.url, discovery=discovery))

    async def go():
        async with PoliteClient(cfg) as client:
            return [t async for t in source_cls(cfg).discover(client)]

    return asyncio.run(go())


def serve_in_order(server, path: str, bodies: list[bytes]):
    """Answer the n-th request to ``path`` with ``bodies[n]`` (the last one after that)."""
    calls = []

    def handler(query):
        calls.append(query)
        body = bodies[min(len(calls) - 1, len(bodies) - 1)]
        return 200, {"Content-Type": "application/json;charset=UTF-8"}, body

    server.handlers[path] = handler
    return calls


def test_1_crossref_discovery_goes_on_while_the_cursor_repeats():
    """Real Crossref returns the same next-cursor on every page of a scan."""
    pages = [sample_json(f"crossref/works_query_widget_cursor_p{n}.json") for n in (1, 2, 3)]
    cursors = [p["message"]["next-cursor"] for p in pages]
    assert cursors[1] == cursors[2]  # the sample really repeats it
    last = copy.deepcopy(pages[2])
    last["message"]["items"] = []  # the scan's end: an empty page
    with running_server() as server:
        calls = serve_in_order(server, "/crossref/works", [json.dumps(p).encode() for p in [*pages, last]])
        found = discover(server, CrossrefSource, crossref={"max_pages": 10}, europepmc={"enabled": False})
    def articles(p):
        return {i["DOI"].lower() for i in p["message"]["items"] if i.get("type", "journal-article") == "journal-article"}

    assert {t.doi for t in found} == articles(pages[0]) | articles(pages[1]) | articles(pages[2])
    assert articles(pages[2]) - articles(pages[0]) - articles(pages[1])  # page 3 had articles of its own
    assert [q["cursor"][0] for q in calls] == ["*", cursors[0], cursors[1], cursors[2]]


def test_1_crossref_discovery_stops_at_total_results():
    pages = [sample_json(f"crossref/members98_works_cursor_p{n}.json") for n in (1, 2, 3)]
    for p in pages:
        p["message"]["total-results"] = 300  # the scan is exactly these 3 x 100 items
    with running_server() as server:
        calls = serve_in_order(server, "/crossref/works", [json.dumps(p).encode() for p in pages])
        found = discover(server, CrossrefSource, crossref={"max_pages": 10})
    assert len(calls) == 3
    assert len({t.doi for t in found}) == sum(
        1 for p in pages for i in p["message"]["items"] if i.get("type", "journal-article") == "journal-article")


def test_1_crossref_discovery_stops_on_an_empty_answer():
    with running_server() as server:
        calls = serve_in_order(server, "/crossref/works", [sample("crossref/works_query_no_results.json").encode()])
        assert discover(server, CrossrefSource) == []
    assert len(calls) == 1


# -- Frontiers HTML, today's layout ----------------------------------------------------------
def test_2_abstract_comes_from_the_article_content_not_the_meta_tag(page):
    assert provenance(page)["abstract"] == "container"
    assert "human life through development" in page.abstract  # the meta tag runs words together
    assert "lifethrough" not in page.abstract
    assert page.abstract.startswith("As one of the core executive functions")
    assert "Introduction" not in page.abstract and "Paradigms" not in page.abstract  # the body is not abstract


def test_3_published_is_the_publication_date_not_the_online_date(page):
    assert page.published == "2022-10-10"  # citation_online_date says 2022/02/25, the acceptance day
    assert read_text(sample(HEAD_2011)).published == "2011-11-15"
    assert read_text(sample(HEAD_2025)).published == "2025-08-08"


def test_4_received_and_accepted_without_a_colon(page):
    assert (page.received, page.accepted) == ("2021-01-10", "2022-02-25")


def test_5_affiliations_are_all_there(page):
    assert len(page.affiliations) == 8
    assert "Monash Biomedical Imaging, Monash University, Melbourne, VIC, Australia" in page.affiliations
    # the head excerpts (meta tags and JSON-LD only): JSON-LD's list
    assert len(read_text(sample(HEAD_2025)).affiliations) == 3


def _without_metadata(html: str) -> str:
    """The page as a provisionally accepted article may come: no citation_* / dc.* meta tags, no JSON-LD."""
    soup = BeautifulSoup(html, "lxml")
    for el in soup.find_all("meta"):
        if re.match(r"(citation_|dc\.|keywords)", str(el.get("name") or "")):
            el.decompose()
    for el in soup.find_all("script", type="application/ld+json"):
        el.decompose()
    return str(soup)


def test_6_page_layer_reads_todays_markup():
    doc = read_text(_without_metadata(sample(PAGE)))
    used = provenance(doc)
    assert (doc.article_type, used["article_type"]) == ("Systematic Review", "page")
    assert doc.authors == ["Weixi Kang", "Sònia Pineda Hernández", "Md. Shahinoor Rahman", "Katharina Voigt",
                           "Antonio Malvaso"] and used["authors"] == "page"
    assert len(doc.affiliations) == 8 and used["affiliations"] == "page"
    assert doc.keywords[0] == "executive function" and used["keywords"] == "page"
    assert doc.title == "Inhibitory Control Development: A Network Neuroscience Perspective"


def test_7_keywords_come_from_the_visible_list(page):
    assert page.keywords == ["executive function", "inhibitory control in children",
                             "inhibitory control in adolescents", "rIFG", "inhibition",
                             "inhibitory control development"]
    assert "Exexutive function" not in page.keywords  # the stale meta tag's typo


def test_8_url_comes_from_og_url(page):
    assert page.url == "https://www.frontiersin.org/journals/psychology/articles/10.3389/fpsyg.2022.651547/full"
    head = read_text(sample(HEAD_2011))
    assert head.url == "https://www.frontiersin.org/journals/psychology/articles/10.3389/fpsyg.2011.00326/full"


def test_the_whole_page_otherwise(page):
    assert page.id == "10.3389/fpsyg.2022.651547" and page.format == "html"
    assert (page.journal, page.journal_abbrev) == ("Frontiers in Psychology", "Front. Psychol.")
    assert (page.volume, page.year, page.section) == ("13", 2022, "Human Developmental Psychology")
    assert page.license == "CC BY" and not page.truncated


def test_html_and_crossref_agree_on_the_same_article(page):
    work = sample_json("crossref/work_fpsyg.2022.651547.json")["message"]
    assert page.title == work["title"][0]
    assert [a.split()[-1] for a in page.authors] == [a["family"].split()[-1] for a in work["author"]]
    assert page.published == "-".join(f"{p:02d}" for p in work["published"]["date-parts"][0])


# -- JATS --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "published"), [(JATS_2012, "2012-12-05"), (JATS_2025, "2025-08-08")])
def test_9_jats_published_from_the_epub_date(name, published):
    assert read_text(sample(name)).published == published


def test_10_jats_journal_is_the_full_name_as_in_html():
    jats, html = read_text(sample(JATS_2025)), read_text(sample(HEAD_2025))
    assert jats.journal == html.journal == "Frontiers in Neuroscience"
    assert jats.journal_abbrev == html.journal_abbrev == "Front. Neurosci."
    # 2012's XML abbreviates "Front. Microbio.": one canonical name and abbreviation all the same
    old = read_text(sample(JATS_2012))
    assert (old.journal, old.journal_abbrev) == ("Frontiers in Microbiology", "Front. Microbiol.")


def test_15_jats_affiliations_keep_address_and_country_and_section_is_set():
    new, old = read_text(sample(JATS_2025)), read_text(sample(JATS_2012))
    assert new.affiliations[0] == ("Department of Psychological and Brain Sciences, University of California, "
                                   "Santa Barbara, Santa Barbara, CA, United States")
    assert old.affiliations[1] == "School of Life Sciences, University of Warwick, Coventry, UK"
    assert new.section == "Neurodevelopment"  # custom-meta section-at-acceptance
    assert old.section == "Extreme Microbiology"  # "submitted to Frontiers in Extreme Microbiology, a specialty of"


# -- Europe PMC records ------------------------------------------------------------------------
def test_11_europepmc_article_type_is_a_label_not_a_jats_code():
    types = {}
    for rec in epmc_results("search_cancer_core.json") + epmc_results("crispr_oa_core_pageSize3.json"):
        doc = read_text(as_capture(rec))
        types[doc.id] = doc.article_type
    assert not any(re.match(r"^[A-Za-z]+-[a-z]+$", t or "") for t in types.values())  # no "Research-article"
    assert types["10.1093/nutrit/nuae105"] == "Systematic Review"  # ['Systematic Review', 'review-article', ...]
    assert types["10.1002/mco2.70964"] == "Review"  # ['review-article', 'Review', 'Journal Article']
    assert types["10.1002/hpja.70059"] == "Journal Article"  # ['research-article', 'Journal Article']


def test_12_europepmc_authors_are_full_names():
    rec = next(r for r in epmc_results("crispr_oa_core_pageSize3.json") if not r.get("doi")
               and "veterinary" in r["journalInfo"]["journal"]["title"])
    doc = read_text(as_capture(rec))
    first = rec["authorList"]["author"][0]
    assert doc.authors[0] == f'{first["firstName"]} {first["lastName"]}' == "Yaping Huang"  # not "Huang Y"


def test_13_europepmc_journal_titles_are_not_lower_case():
    docs = {r.get("doi"): read_text(as_capture(r)) for r in epmc_results("search_cancer_core.json") if r.get("doi")}
    assert docs["10.1111/bjhp.12807"].journal == "British Journal of Health Psychology"  # "British journal of ..."
    vet = next(r for r in epmc_results("crispr_oa_core_pageSize3.json") if "veterinary" in
               r["journalInfo"]["journal"]["title"])
    assert read_text(as_capture(vet)).journal == "Frontiers in Veterinary Science"  # the canonical name


def test_14_europepmc_discovery_keeps_a_frontiers_record_without_doi():
    with running_server() as server:
        serve_in_order(server, "/europepmc/webservices/rest/search",
                       [sample("europepmc/crispr_oa_core_pageSize3.json").encode(),
                        sample("europepmc/search_no_results.json").encode()])
        found = discover(server, EuropePMCSource, europepmc={"max_pages": 3})
    vet = [t for t in found if t.record and b"Frontiers in veterinary science" in t.record]
    assert len(vet) == 1 and vet[0].doi is None and vet[0].kind == "record"
    assert "PMCID:PMC13582529" in (vet[0].url or "") and vet[0].key == vet[0].url
    assert vet[0].extra == {"awaiting_doi": True}
    doc = read_text(vet[0].record.decode())
    assert doc.id == "pmcid:PMC13582529" and doc.format == "europepmc_json"
    assert len(found) == 3  # none of the three real results is dropped


def test_14_the_cursor_chain_of_ten_real_pages_is_followed():
    pages = sample_json("europepmc/fetch_10pages_cancer.json")
    with running_server() as server:
        calls = serve_in_order(server, "/europepmc/webservices/rest/search",
                               [json.dumps(p).encode() for p in pages] + [sample("europepmc/search_no_results.json").encode()])
        found = discover(server, EuropePMCSource, europepmc={"max_pages": 20})
    assert [q["cursorMark"][0] for q in calls[1:10]] == [p["nextCursorMark"] for p in pages[:9]]
    results = [r for p in pages for r in p["resultList"]["result"]]
    kept = [r for r in results if r.get("doi") or r.get("pmcid") or r.get("pmid")]
    assert len(found) == len(kept) and len(kept) > 900


def test_16_a_record_with_many_authors_is_still_a_europepmc_record():
    rec = next(r for r in epmc_results("search_cancer_core.json") if r.get("doi") == "10.1007/s10120-025-01625-7")
    many = copy.deepcopy(rec)  # a consortium paper: the real author list, repeated
    many["authorList"]["author"] = rec["authorList"]["author"] * 10
    text = as_capture(many)
    assert text.find('"doi"') > 20000  # sorted keys put the DOI after 20,000 characters of authors
    assert sniff_format(text) == "europepmc_json"
    assert read_text(text).id == "10.1007/s10120-025-01625-7"


def test_16_a_record_without_doi_nor_abstract_is_recognised():
    rec = next(r for r in epmc_results("crispr_oa_core_pageSize3.json") if not r.get("doi"))
    assert sniff_format(as_capture(rec)) == "europepmc_json"
    # and a search page is not a record
    assert not is_europepmc_record(sample("europepmc/search_cancer_core.json"))


# -- issue 15 item 17: the record's shape is validated once, naming the field ----------------
@pytest.mark.parametrize(("path", "bad", "field"), [
    (("authorList", "author", 2, "fullName"), ["Z"], "authorList.author.2.fullName"),
    (("authorList", "author"), "Huang Y", "authorList.author"),
    (("journalInfo", "journal"), ["x"], "journalInfo.journal"),
    (("keywordList", "keyword"), {"a": 1}, "keywordList.keyword"),
    (("pubTypeList", "pubType", 0), None, "pubTypeList.pubType.0"),
    (("title",), {"text": "t"}, "title"),
    (("abstractText",), ["a"], "abstractText"),
])
def test_europepmc_record_of_unexpected_shape_names_the_field(path, bad, field):
    rec = copy.deepcopy(next(r for r in epmc_results("search_cancer_core.json") if r.get("doi") == "10.1002/cncr.35944"))
    node = rec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    with pytest.raises(ReaderError, match=re.escape(field)):
        read_europepmc_record(as_capture(rec), doc_id="10.1002/cncr.35944")


def test_every_real_europepmc_record_reads():
    for name in ("search_cancer_core.json", "crispr_oa_core_pageSize3.json", "search_cancer.json",
                 "search_cancer_page2.json"):
        for rec in epmc_results(name):
            doc = read_text(as_capture(rec))
            assert doc.id and doc.format == "europepmc_json"
