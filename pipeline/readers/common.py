"""Small helpers shared by the readers."""

from __future__ import annotations

import re
from datetime import datetime

#: Headings that open the background part of a structured abstract (lower case).
BACKGROUND_HEADINGS = ("background", "introduction", "objective", "objectives", "aim", "aims", "purpose",
                       "rationale", "context")

#: Headings of structured abstracts (lower case), across publishers; readers split
#: abstracts into sections with them and the extractor reads their kind.
ABSTRACT_HEADINGS = frozenset(
    {
        *BACKGROUND_HEADINGS,
        "abstract", "methods", "method", "materials and methods", "patients and methods", "design",
        "experimental design", "results", "result", "findings", "case presentation",
        "case presentations", "case report", "case reports", "case description", "case summary",
        "case", "cases", "conclusion", "conclusions", "discussion", "discussion/conclusion",
        "discussion and conclusion", "discussion and conclusions", "interpretation",
        "significance", "summary", "highlights", "trial registration", "clinical trial registration",
        "registration", "systematic review registration", "importance", "main body",
        "short conclusion", "diagnosis", "interventions", "outcomes", "lessons",
        "patient concerns", "diagnoses", "observations", "key points", "case descriptions",
        "case series", "case details", "case history", "case histories", "clinical case", "clinical cases",
        "clinical presentation", "study design", "data sources", "evidence synthesis", "results and discussion",
        "background and aims", "aims and objectives", "methods and results",
    }
)

#: a numbered case's heading on its own line: "Case 1", "Patient 2", "Case II"
_NUMBERED_CASE = re.compile(r"(?:case|patient)\s+(?:\d{1,2}|[ivx]{1,4})", re.I)


def heading_of_abstract(text: str) -> str | None:
    """The abstract heading ``text`` names (lower case, spaces collapsed), or None: a heading of
    ``ABSTRACT_HEADINGS``, or a numbered case ("Case 1", "Patient 2") read as ``case``."""
    h = " ".join(text.lower().rstrip(":").split())
    if h in ABSTRACT_HEADINGS:
        return h
    return "case" if _NUMBERED_CASE.fullmatch(h) else None


_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>|]+[^\s\"<>|.,;)\]])")
_CC = re.compile(r"Creative Commons Attribution(?: License)?\s*\((CC[ -][A-Z-]+(?: \d\.\d)?)\)", re.I)
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%Y/%m/%d")


def find_doi(text: str) -> str | None:
    """The first DOI written in ``text``, or None."""
    m = _DOI.search(text)
    return m.group(1) if m else None


def normalize_doi(doi: str) -> str:
    """``https://doi.org/10.3389/X`` or ``doi:10.3389/x`` -> ``10.3389/x`` (DOIs are case-insensitive)."""
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    return doi.lower()


def doi_from_url(url: str | None) -> str | None:
    return find_doi(url or "")


def parse_date(value: str) -> str | None:
    """ISO date (YYYY-MM-DD) of a date written as on publisher pages, else None."""
    value = re.sub(r"\s+", " ", value.strip().rstrip("."))
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def license_of(text: str) -> str | None:
    """The licence a copyright line names ("CC BY"), or None."""
    m = _CC.search(text)
    if m:
        return m.group(1).upper().replace("-", " ", 1) if m.group(1)[2] == "-" else m.group(1).upper()
    return None


def title_case_type(label: str) -> str:
    """Publisher article-type label in title case: "CASE REPORT" -> "Case Report"."""
    small = {"and", "of", "in", "the", "a"}
    words = label.strip().lower().split()
    return " ".join(w if (i and w in small) else w.capitalize() for i, w in enumerate(words))


class ZonedText:
    """Builds a plain text rendering block by block, recording each block as a zone.

    Readers of structured formats (JATS, HTML, API records) render ``title``, the
    abstract's paragraphs and ``Keywords: ...`` separated by blank lines; every zone's
    offsets point into the finished text.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.zones: list = []

    def add(self, name: str, text: str, heading: str | None = None, skip: int = 0) -> None:
        """Append a block; ``skip`` leading characters (a label) stay outside the zone."""
        from pipeline.document import Zone

        if not text:
            return
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        self.zones.append(Zone(name, start + skip, start + len(text), heading))

    def add_keywords(self, keywords: list[str]) -> None:
        if keywords:
            self.add("keywords", "Keywords: " + ", ".join(keywords), skip=len("Keywords: "))

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def abstract(self) -> str:
        text = self.text
        return "\n".join(text[z.start : z.end] for z in self.zones if z.name == "abstract")


_PMCID = re.compile(r"^(?:pmcid:\s*)?(?:PMC)?(\d{1,12})$", re.I)
_PMID = re.compile(r"^(?:pmid:\s*)?(\d{1,12})$", re.I)


def normalize_pmcid(value: object) -> str | None:
    """``PMC13582529`` from "PMC13582529", "pmc13582529", "13582529" or "PMCID: PMC…"; None if not one."""
    m = _PMCID.match(str(value).strip()) if value not in (None, "") else None
    return f"PMC{m.group(1)}" if m else None


def normalize_pmid(value: object) -> str | None:
    """A PubMed id as digits ("41234567", "PMID: 41234567"); None if not one."""
    m = _PMID.match(str(value).strip()) if value not in (None, "") else None
    return (m.group(1).lstrip("0") or None) if m else None
