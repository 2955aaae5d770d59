"""The document model: one record per article, whatever format it was captured in.

Every reader (page text rendering, citation export, JATS XML, publisher HTML, API
record) produces a :class:`Document`. ``text`` is the document's canonical text
rendering; every character offset anywhere in the project (zones, evidence spans)
refers to it, so a span can always be shown in context.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Zones that may yield clinical values (GUIDE: title, abstract and keywords only).
CLINICAL_ZONES = ("title", "abstract", "keywords")


@dataclass(frozen=True, slots=True)
class Zone:
    """A labelled stretch of ``Document.text``: ``text[start:end]``.

    ``name`` is one of ``title``, ``abstract`` or ``keywords``; an abstract section
    (``Background``, ``Case presentation``...) is an ``abstract`` zone whose
    ``heading`` names it.
    """

    name: str
    start: int
    end: int
    heading: str | None = None


@dataclass(slots=True)
class Document:
    """One article. Fields a capture does not hold stay ``None`` or empty."""

    id: str
    text: str
    source: str = "unknown"
    format: str = "unknown"
    url: str | None = None
    title: str | None = None
    journal: str | None = None
    #: the journal's abbreviation ("Front. Immunol."), set with ``journal`` for known journals
    journal_abbrev: str | None = None
    section: str | None = None
    volume: str | None = None
    year: int | None = None
    article_type: str | None = None
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    received: str | None = None
    accepted: str | None = None
    published: str | None = None
    status: str | None = None
    license: str | None = None
    abstract: str = ""
    zones: list[Zone] = field(default_factory=list)
    truncated: bool = False
    capture_sha256: str | None = None
    #: Which source of metadata the reader used (e.g. ``citation_meta``, ``jsonld``).
    metadata_from: str | None = None
    #: The article's PubMed Central and PubMed ids, where the capture names them
    #: (``PMC13582529``, ``41234567``): how two captures of one article are recognised
    #: when only one of them has the DOI (:mod:`pipeline.merge`).
    pmcid: str | None = None
    pmid: str | None = None
    #: Documents merged into this one (``pmcid:PMC…`` / ``pmid:…`` ids of captures read
    #: before the DOI was known); they are not emitted themselves.
    merged_from: list[str] = field(default_factory=list)

    @property
    def sections(self) -> list[tuple[str | None, str]]:
        """The abstract's sections as ``(heading, text)``; one unnamed section if plain."""
        return [(z.heading, self.text[z.start : z.end]) for z in self.zones if z.name == "abstract"]

    def clinical_zones(self) -> list[Zone]:
        """Zones that may yield clinical values, in text order."""
        return sorted((z for z in self.zones if z.name in CLINICAL_ZONES), key=lambda z: z.start)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["zones"] = [asdict(z) for z in self.zones]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        data = dict(data)
        data["zones"] = [Zone(**z) for z in data.get("zones", [])]
        return cls(**data)
