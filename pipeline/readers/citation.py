"""Reader for Frontiers' citation export (``AUTHOR=... TITLE=... ABSTRACT=...``)."""

from __future__ import annotations

import itertools
import re

from pipeline.document import Document, Zone
from pipeline.readers.common import ABSTRACT_HEADINGS

_KEYS = ("AUTHOR", "TITLE", "JOURNAL", "VOLUME", "YEAR", "URL", "DOI", "ISSN", "ABSTRACT", "KEYWORDS")
_FIELD = re.compile(r"(?:^|\s)(" + "|".join(_KEYS) + r")=")
_INLINE_HEADING = re.compile(r"(?:(?<=^)|(?<=[.!?]\s))([A-Z][A-Za-z ]{2,30}):\s")


def is_citation_export(text: str) -> bool:
    return text.lstrip().startswith("AUTHOR=") or bool(re.match(r"\s*TITLE=", text))


def read_citation_export(text: str, *, doc_id: str | None = None, source: str = "unknown") -> Document:
    """Parse ``KEY=value`` runs; the abstract keeps its offsets in ``text``."""
    marks = list(_FIELD.finditer(text))
    spans: dict[str, tuple[int, int]] = {}
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        spans.setdefault(m.group(1), (m.end(), end))

    def val(key: str) -> str | None:
        if key not in spans:
            return None
        a, b = spans[key]
        return text[a:b].strip() or None

    doc = Document(id=doc_id or (val("DOI") or ""), text=text, source=source, format="citation_export")
    doc.url = val("URL")
    doc.journal = val("JOURNAL")
    if authors := val("AUTHOR"):
        doc.authors = [" ".join(a.split()) for a in authors.split(" , ") if a.strip()]
    if (year := val("YEAR")) and year.isdigit():
        doc.year = int(year)
    if volume := val("VOLUME"):
        number = re.search(r"(\d+)", volume)
        doc.volume = number.group(1) if number else volume
    if "TITLE" in spans:
        a, b = spans["TITLE"]
        a += len(text[a:b]) - len(text[a:b].lstrip())
        b = a + len(text[a:b].strip())
        doc.title = text[a:b]
        doc.zones.append(Zone("title", a, b))
    if kw := val("KEYWORDS"):
        a, _ = spans["KEYWORDS"]
        a += text[a:].index(kw)
        doc.keywords = [k.strip() for k in kw.split(",") if k.strip()]
        doc.zones.append(Zone("keywords", a, a + len(kw)))
    if "ABSTRACT" in spans:
        a, b = spans["ABSTRACT"]
        body = text[a:b]
        a += len(body) - len(body.lstrip())
        b = a + len(body.strip())
        # split at inline headings ("Case summary: ...") into sections
        cuts = [m for m in _INLINE_HEADING.finditer(text, a, b) if m.group(1).lower() in ABSTRACT_HEADINGS]
        bounds = [a] + [m.start() for m in cuts if m.start() > a] + [b]
        heading = None
        for s, e in itertools.pairwise(bounds):
            seg = text[s:e]
            if hm := _INLINE_HEADING.match(seg):
                heading = hm.group(1) if hm.group(1).lower() in ABSTRACT_HEADINGS else heading
            e = s + len(seg.rstrip())
            doc.zones.append(Zone("abstract", s, e, heading))
        doc.abstract = text[a:b]
    # The export's abstract runs to the end of the record; a capture that stops before
    # any field after ABSTRACT (or before ABSTRACT itself) may be cut off.
    after = [k for k in spans if k != "ABSTRACT" and "ABSTRACT" in spans and spans[k][0] > spans["ABSTRACT"][0]]
    doc.truncated = "ABSTRACT" not in spans or (not after and not doc.abstract.rstrip().endswith((".", "!", "?")))
    doc.metadata_from = "citation_export"
    return doc
