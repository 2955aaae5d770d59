"""Frontiers article pages (HTML), by DOI or URL.

A DOI's page is ``{bases.frontiers}{frontiers.article_path}``; Frontiers redirects it to
the journal's own address (``/journals/immunology/articles/...``). Pages of articles
that are only "provisionally accepted", which no index lists yet, are fetched the same
way. The page is parsed later by :func:`pipeline.readers.html.read_html`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pipeline.readers.common import doi_from_url
from pipeline.scrape.config import ScrapeConfig
from pipeline.scrape.sources.base import Target, normalize_doi


class FrontiersSource:
    name = "frontiers"

    def __init__(self, cfg: ScrapeConfig) -> None:
        self.base = cfg.base("frontiers")
        self.article_path = cfg.raw.get("frontiers", {}).get("article_path", "/articles/{doi}/full")

    def url_for(self, doi: str) -> str:
        return self.base + self.article_path.format(doi=normalize_doi(doi))

    def accepts(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.base).netloc

    def page(self, *, doi: str | None = None, url: str | None = None) -> Target:
        """The target of an article page, from its DOI or its URL (the DOI is read off the URL)."""
        doi = normalize_doi(doi) if doi else doi_from_url(url)
        doi = normalize_doi(doi).removesuffix("/full").removesuffix("/abstract") if doi else None
        return Target(source=self.name, doi=doi, url=url or self.url_for(doi or ""), kind="page")
