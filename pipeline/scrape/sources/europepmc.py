"""Discovery through the Europe PMC REST search, and the reader of its records.

The query is ``PUBLISHER:"<publisher>" AND (<terms as phrases>)`` plus the configured
filters, with ``resultType=core`` (abstracts included), paged with ``cursorMark`` until
``nextCursorMark`` repeats. A result with an ``abstractText`` is stored as its own
capture (``application/json``, ``via="api:europepmc"``): one JSON object, the result
itself, serialized with sorted keys so that the same answer is the same capture. A
result without an abstract becomes a page to fetch from its publisher.

A result without a DOI (a new article indexed only from PMC) is kept, not dropped: it is
stored as a record under its PMCID (or PMID) URL, with or without an abstract, and read
as document ``pmcid:PMC…``; it is logged so that its DOI can be fetched once the index
has it (its page cannot be requested without one).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from pipeline.readers.europepmc import is_europepmc_record, normalize_doi, read_europepmc_record
from pipeline.scrape.client import PoliteClient
from pipeline.scrape.config import ScrapeConfig
from pipeline.scrape.sources.base import Target

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
                if not isinstance(result, dict):
                    continue
                if not result.get("doi") and not (result.get("pmcid") or result.get("pmid")):
                    log.warning("europepmc: a result with no DOI, PMCID or PMID is ignored (id %s)", result.get("id"))
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
        if not result.get("doi"):
            ident = f'PMCID:{result["pmcid"]}' if result.get("pmcid") else f'EXT_ID:{result["pmid"]} AND SRC:MED'
            body = json.dumps(result, ensure_ascii=False, sort_keys=True).encode("utf-8")
            log.info("europepmc: %s has no DOI yet; stored as a record, its DOI to be fetched later", ident)
            return Target(source=self.name, doi=None, kind="record", via="api:europepmc", record=body,
                          url=f"{self.base}/search?query={ident}&resultType=core&format=json",
                          media_type=MEDIA_TYPE, extra={"awaiting_doi": True})
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
__all__ = ["EuropePMCSource", "build_query", "is_europepmc_record", "read_europepmc_record"]
