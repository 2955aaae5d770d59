"""What a source adapter is: something that turns DOIs, URLs or a search into :class:`Target` s.

A source module defines a class with a ``name`` and the methods it supports:

* ``url_for(doi) -> str`` and ``accepts(url) -> bool``: where a DOI's page is (article sources);
* ``async discover(client, limit) -> AsyncIterator[Target]``: search an index (discovery sources).

Sources are listed in :data:`pipeline.scrape.sources.SOURCES`; the runner never names one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.readers.common import normalize_doi

if TYPE_CHECKING:
    from pipeline.scrape.client import PoliteClient
    from pipeline.scrape.config import ScrapeConfig


@dataclass(slots=True)
class Target:
    """One thing to capture: an article page to fetch, or an API record already in hand.

    ``record`` holds the bytes to store when an index answered with the article's
    abstract already (no request for the page is then needed).
    """

    source: str
    doi: str | None = None
    url: str | None = None
    #: ``page`` (fetch ``url``) or ``record`` (store ``record``, fetched already)
    kind: str = "page"
    via: str = "fetch"
    record: bytes | None = None
    media_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The document it is a version of, as :attr:`CaptureRecord.key` names it."""
        return normalize_doi(self.doi) if self.doi else (self.url or "")


class DiscoverySource(Protocol):
    """A search of an index that yields targets (Europe PMC, Crossref)."""

    name: str
    base: str

    def __init__(self, cfg: ScrapeConfig) -> None: ...

    def discover(self, client: PoliteClient, limit: int | None = None) -> AsyncIterator[Target]: ...
