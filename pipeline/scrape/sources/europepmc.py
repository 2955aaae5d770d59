"""Discovery through the Europe PMC REST search, and the reader of its records.

The query is ``PUBLISHER:"<publisher>" AND (<terms as phrases>)`` plus the configured
filters, with ``resultType=core`` (abstracts included), paged with ``cursorMark`` until
``nextCursorMark`` repeats. A result with an ``abstractText`` is stored as its own
capture (``application/json``, ``via="api:europepmc"``): one JSON object, the result
itself, serialized with sorted keys so that the same answer is the same capture. A
result without an abstract becomes a page to fetch from its publisher.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import AsyncIterator

from pipeline.document import Document, Zone
from pipeline.readers.common import ABSTRACT_HEADINGS, title_case_type
from pipeline.scrape.client import PoliteClient
from pipeline.scrape.config import ScrapeConfig
from pipeline.scrape.sources.base import Target, normalize_doi

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/json"


def build_query(cfg: ScrapeConfig) -> str:
    disc = cfg.discovery
    terms = " OR ".join(f'"{t}"' for t in disc["terms"])
    parts = [f'PUBLISHER:"{disc["europepmc"]["publisher"]}"', f"({terms})"]
    parts += [f"({f})" for f in disc["europepmc"].get("filters") or []]
    return " AND ".join(parts)


class EuropePMCSource:
    name = "europepmc"

    def __init__(self, cfg: ScrapeConfig) -> None:
        self.cfg = cfg
        self.base = cfg.base("europepmc")

    def record_url(self, doi: str) -> str:
        """A URL that answers with this one record (kept in the fetch log as its origin)."""
        return f'{self.base}/search?query=DOI:"{doi}"&resultType=core&format=json'

    async def discover(self, client: PoliteClient, limit: int | None = None) -> AsyncIterator[Target]:
        settings = self.cfg.discovery["europepmc"]
        params = {"query": build_query(self.cfg), "resultType": "core", "format": "json",
                  "pageSize": str(min(int(settings.get("page_size", 1000)), 1000))}
        cursor, found = "*", 0
        for _ in range(int(settings.get("max_pages", 50))):
            fetched = await client.get(f"{self.base}/search", params={**params, "cursorMark": cursor})
            answer = _json(fetched.response, fetched.url)
            results = (answer.get("resultList") or {}).get("result") or []
            for result in results:
                if not result.get("doi"):
                    continue
                yield self.target(result)
                found += 1
                if limit is not None and found >= limit:
                    return
            next_cursor = answer.get("nextCursorMark")
            if not results or not next_cursor or next_cursor == cursor:
                return
            cursor = next_cursor
        log.warning("europepmc: stopped after discovery.europepmc.max_pages=%s pages", settings.get("max_pages"))

    def target(self, result: dict) -> Target:
        doi = normalize_doi(result["doi"])
        if result.get("abstractText"):
            body = json.dumps(result, ensure_ascii=False, sort_keys=True).encode("utf-8")
            return Target(source=self.name, doi=doi, url=self.record_url(doi), kind="record",
                          via="api:europepmc", record=body, media_type=MEDIA_TYPE)
        return Target(source=self.name, doi=doi, kind="page")


def _json(response, url: str) -> dict:
    from pipeline.errors import FetchError

    if response.status_code != 200:
        raise FetchError(f"{url}: expected HTTP 200 with JSON, found HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as e:
        raise FetchError(f"{url}: expected JSON, found unparsable text ({e})") from None
    if not isinstance(data, dict):
        raise FetchError(f"{url}: expected a JSON object, found {type(data).__name__}")
    return data


# -- reading a stored record --------------------------------------------------------------
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
    parts: list[str] = []
    zones: list[Zone] = []

    def add(name: str, s: str, heading: str | None = None) -> None:
        if not s:
            return
        if parts:
            parts.append("\n\n")
        start = sum(len(p) for p in parts)
        parts.append(s)
        zones.append(Zone(name, start, start + len(s), heading))

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
    if keywords:
        prefix = "Keywords: "
        add("keywords", prefix + ", ".join(keywords))
        z = zones[-1]
        zones[-1] = Zone("keywords", z.start + len(prefix), z.end)
    body = "".join(parts)
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
        abstract="\n".join(body[z.start : z.end] for z in zones if z.name == "abstract"),
        zones=zones, truncated=False, metadata_from="europepmc",
    )
