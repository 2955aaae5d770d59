"""The HTML reader on Frontiers pages, current and older markup (synthetic fixtures)."""

from __future__ import annotations

import pytest
from scrape_server import FIXTURES

from pipeline.readers import read_capture, sniff_format
from pipeline.readers.html import provenance, read_html


def page(name: str):
    body = (FIXTURES / name).read_bytes()
    return read_capture(body, where=name, source="frontiers")


def test_current_markup_reads_every_field_from_meta_tags():
    doc = page("frontiers-current.html")
    assert doc.id == "10.3389/fimmu.2025.9900001" and doc.format == "html"
    assert doc.title.startswith("Sustained remission after anti-CD19 CAR-T cell therapy")
    assert doc.authors == ["Mei Lin", "Tomás Herrera", "Anna K. Novak"]
    assert doc.affiliations == ["Department of Hematology, Example University Hospital, Example City, China",
                                "Cell Therapy Unit, Example Cancer Centre, Example City, Spain"]
    assert (doc.journal, doc.volume, doc.article_type, doc.year) == ("Frontiers in Immunology", "16", "Case Report", 2025)
    assert (doc.received, doc.accepted, doc.published) == ("2024-12-02", "2025-02-20", "2025-03-14")
    assert doc.keywords[:2] == ["CAR-T", "CD19"] and doc.license == "CC BY"
    assert doc.section == "Cancer Immunity and Immunotherapy" and doc.status is None and not doc.truncated
    assert [h for h, _ in doc.sections] == ["Background", "Case presentation", "Conclusion"]
    assert "2 × 10^6 CAR-T cells/kg" in doc.abstract
    assert provenance(doc) == {
        # affiliations and keywords: the visible lists come first (meta tags can be partial or stale)
        "id": "citation_meta", "title": "citation_meta", "authors": "citation_meta", "affiliations": "page",
        "journal": "citation_meta", "volume": "citation_meta", "article_type": "citation_meta",
        "published": "citation_meta", "received": "page", "accepted": "page", "keywords": "page",
        "license": "dc_meta", "abstract": "container",
    }


def test_older_markup_falls_back_to_the_page_field_by_field():
    doc = page("frontiers-older.html")
    assert doc.authors == ["Jun Wang", "Chidi Okafor"]  # "Wang, Jun" in the meta tags
    assert doc.article_type == "Case Report" and doc.published == "2021-06-09" and doc.year == 2021
    assert doc.keywords == ["CD7", "CAR-T", "T-ALL", "allo-HSCT", "relapse"] and doc.license == "CC BY"
    sections = doc.sections
    assert [h for h, _ in sections] == ["Background", "Case Presentation", "Conclusion"]
    assert sections[1][1].startswith("Case Presentation: A 14-year-old boy")  # the inline heading stays in the text
    assert "Jun Wang" not in doc.abstract and "Example Provincial Hospital" not in doc.abstract
    used = provenance(doc)
    assert used["article_type"] == used["keywords"] == used["license"] == used["published"] == "page"
    assert used["authors"] == "citation_meta" and used["abstract"] == "container"


def test_a_provisionally_accepted_page_takes_authors_from_json_ld():
    doc = page("frontiers-provisional.html")
    assert doc.status == "provisionally accepted"
    assert doc.authors == ["Priya Raman", "Lukas Meyer"] and len(doc.affiliations) == 2
    assert doc.keywords == ["CAR-NK", "CD33", "acute myeloid leukemia", "case report"]
    assert (doc.received, doc.accepted, doc.published) == ("2025-10-29", "2025-12-27", None)
    used = provenance(doc)
    assert used["authors"] == used["journal"] == "jsonld"
    assert used["affiliations"] == used["keywords"] == "page"  # the visible lists, the same as JSON-LD's
    assert [h for h, _ in doc.sections] == [None]


def test_a_page_without_an_abstract_has_an_empty_abstract_and_is_not_truncated():
    doc = page("frontiers-noabstract.html")
    assert doc.abstract == "" and not doc.truncated and doc.article_type == "Correction"
    assert "abstract" not in provenance(doc)


@pytest.mark.parametrize("name", ["frontiers-current.html", "frontiers-older.html", "frontiers-provisional.html"])
def test_zones_are_offsets_into_a_plain_text_rendering(name):
    doc = page(name)
    assert "<" not in doc.text
    names = [z.name for z in doc.zones]
    assert names[0] == "title" and names[-1] == "keywords" and set(names[1:-1]) == {"abstract"}
    assert doc.text[doc.zones[0].start : doc.zones[0].end] == doc.title
    kw = doc.zones[-1]
    assert doc.text[kw.start : kw.end] == ", ".join(doc.keywords)
    assert doc.abstract == "\n".join(doc.text[z.start : z.end] for z in doc.zones if z.name == "abstract")
    assert [z.name for z in doc.clinical_zones()] == names


def test_html_is_sniffed_and_a_page_cut_off_is_flagged():
    text = (FIXTURES / "frontiers-current.html").read_text(encoding="utf-8")
    assert sniff_format(text) == "html"
    cut = read_html(text[: text.index("She developed")], source="frontiers")
    assert cut.truncated and cut.abstract.endswith("lymphodepletion.") and cut.keywords[:1] == ["CAR-T"]


def test_meta_description_is_the_abstract_of_last_resort():
    text = ('<html><head><meta name="citation_title" content="T"><meta name="dc.description" '
            'content="CAR-T cells were given."></head><body></body></html>')
    doc = read_html(text, doc_id="x")
    assert doc.abstract == "CAR-T cells were given." and provenance(doc)["abstract"] == "dc_meta"
