"""Source adapters. Add one by writing a module with a class like these and listing it here."""

from __future__ import annotations

from pipeline.scrape.sources.base import DiscoverySource, Target, normalize_doi
from pipeline.scrape.sources.crossref import CrossrefSource
from pipeline.scrape.sources.europepmc import EuropePMCSource
from pipeline.scrape.sources.frontiers import FrontiersSource

#: Article page sources (a DOI or URL -> a page) and discovery sources (a search -> targets).
PAGE_SOURCES = {"frontiers": FrontiersSource}
DISCOVERY_SOURCES: dict[str, type[DiscoverySource]] = {"europepmc": EuropePMCSource, "crossref": CrossrefSource}

__all__ = ["DISCOVERY_SOURCES", "PAGE_SOURCES", "DiscoverySource", "Target", "normalize_doi"]
