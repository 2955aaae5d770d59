"""Reader for Europe PMC ``core`` search results stored as JSON captures."""

from __future__ import annotations

import html
import json
import re

from pipeline.document import Document
from pipeline.readers.common import ABSTRACT_HEADINGS, ZonedText, normalize_doi, title_case_type

_TAG = re.compile(r"<[^>]+>")
_POWER = re.compile(r"(\d)\s*<sup>\s*([^<]+?)\s*</sup>", re.I)
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.I | re.S)


def is_europepmc_record(text: str) -> bool:
    head = text.lstrip()[:20000]
    return head.startswith("{") and '"abstractText"' in head and '"doi"' in head


def _plain(fragment: str) -> str:
    fragment = _POWER.sub(r"\1^\2", fragment)  # 10<sup>6</sup> -> 10^6, as the HTML reader writes it
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", fragment))).strip()


def read_europepmc_record(text: str, *, doc_id: str | None = None, source: str = "europepmc") -> Document:
    """A Document from one stored Europe PMC ``core`` result (``title \\n\\n abstract \\n\\n Keywords: ...``).

    Structured abstracts arrive with ``<h4>Background</h4>`` style headings; each part
    becomes an ``abstract`` zone with that heading.
    """
    rec = json.loads(text)
    out = ZonedText()
    add = out.add

    title = _plain(rec.get("title") or "").rstrip(".") or None
    add("title", title or "")
    abstract = rec.get("abstractText") or ""
    pieces = _HEADING.split(abstract)
    if len(pieces) > 1:  # [before, heading, text, heading, text, ...]
        if _plain(pieces[0]):
            add("abstract", _plain(pieces[0]))
        for heading, body in zip(pieces[1::2], pieces[2::2], strict=False):
            head = _plain(heading).rstrip(":")
            add("abstract", _plain(body), head if head.lower() in ABSTRACT_HEADINGS else head or None)
    else:
        add("abstract", _plain(abstract))
    keywords = [k for k in ((rec.get("keywordList") or {}).get("keyword") or []) if k]
    out.add_keywords(keywords)
    body, zones = out.text, out.zones
    info = rec.get("journalInfo") or {}
    journal = (info.get("journal") or {}).get("title")
    authors = [a.get("fullName") for a in ((rec.get("authorList") or {}).get("author") or []) if a.get("fullName")]
    if not authors and rec.get("authorString"):
        authors = [a.strip() for a in rec["authorString"].rstrip(".").split(",") if a.strip()]
    affiliations: list[str] = []
    for a in (rec.get("authorList") or {}).get("author") or []:
        for aff in (a.get("authorAffiliationDetailsList") or {}).get("authorAffiliation") or []:
            if aff.get("affiliation") and aff["affiliation"] not in affiliations:
                affiliations.append(aff["affiliation"])
    pub_types = ((rec.get("pubTypeList") or {}).get("pubType") or [])
    article_type = next((t for t in pub_types if t.lower() != "journal article"), pub_types[0] if pub_types else None)
    license_ = rec.get("license")
    year = rec.get("pubYear")
    return Document(
        id=doc_id or normalize_doi(rec.get("doi") or "") or "",
        text=body, source=source, format="europepmc_json",
        url=f"https://doi.org/{rec['doi']}" if rec.get("doi") else None,
        title=title, journal=journal, volume=info.get("volume"),
        year=int(year) if str(year or "").isdigit() else None,
        article_type=title_case_type(article_type.rstrip("s")) if article_type else None,
        authors=authors, affiliations=affiliations, keywords=keywords,
        published=rec.get("firstPublicationDate") or rec.get("electronicPublicationDate"),
        license=license_.upper().replace("CC-", "CC ") if license_ else None,
        abstract=out.abstract(),
        zones=zones, truncated=False, metadata_from="europepmc",
    )
