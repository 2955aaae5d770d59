"""Discovery through the Crossref works API: DOIs under Frontiers' prefix matching the terms.

``/works?filter=prefix:10.3389&query.bibliographic=<terms>&rows=N&cursor=*``, paged with
``next-cursor`` until a page comes back empty or ``total-results`` items have been seen
(or ``max_pages``). Real Crossref returns the *same* ``next-cursor`` on every page of a
scan, so a repeated cursor is no reason to stop. Crossref's answers give
DOIs (its abstracts are often missing), so each hit is an article page to fetch from the
publisher, unless another source captured that DOI already. ``mailto`` puts the
requests in Crossref's polite pool.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from pipeline.scrape.client import PoliteClient
from pipeline.scrape.config import ScrapeConfig
from pipeline.scrape.sources.base import Target, normalize_doi
from pipeline.scrape.sources.europepmc import _json

log = logging.getLogger(__name__)


class CrossrefSource:
    name = "crossref"

    def __init__(self, cfg: ScrapeConfig) -> None:
        self.cfg = cfg
        self.base = cfg.base("crossref")

    async def discover(self, client: PoliteClient, limit: int | None = None) -> AsyncIterator[Target]:
        settings = self.cfg.discovery["crossref"]
        params = {
            "filter": f"prefix:{settings.get('prefix', '10.3389')}",
            "query.bibliographic": " ".join(self.cfg.discovery["terms"]),
            "rows": str(min(int(settings.get("rows", 1000)), 1000)),
            "select": "DOI,title,type,container-title",
            "mailto": self.cfg.contact,
        }
        cursor, found, seen = "*", 0, 0
        for _ in range(int(settings.get("max_pages", 50))):
            fetched = await client.get(f"{self.base}/works", params={**params, "cursor": cursor})
            message = _json(fetched.response, fetched.url).get("message") or {}
            items = message.get("items") or []
            seen += len(items)
            for item in items:
                if not item.get("DOI") or item.get("type", "journal-article") != "journal-article":
                    continue
                yield Target(source="frontiers", doi=normalize_doi(item["DOI"]), kind="page",
                             extra={"found_by": self.name})
                found += 1
                if limit is not None and found >= limit:
                    return
            next_cursor = message.get("next-cursor")
            total = message.get("total-results")
            if not items or not next_cursor or (isinstance(total, int) and seen >= total):
                return
            cursor = next_cursor
        log.warning("crossref: stopped after discovery.crossref.max_pages=%s pages", settings.get("max_pages"))
