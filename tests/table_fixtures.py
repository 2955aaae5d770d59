"""Build an :class:`Extraction` from phrases: hand-made fixtures for tests and demos.

A fixture names each evidence by the words it rests on (``"phrase": "within 1 month"``)
instead of offsets, so it survives reader changes that shift the text; offsets and the
sentence are found here. Only clinical zones (title, abstract, keywords) are searched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipeline.document import Document, Zone
from pipeline.extract.model import Evidence, Extraction

_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])|\n+")


def sentence_bounds(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """Offsets of the sentence of ``text`` around ``text[start:end]``, within ``[lo, hi)``."""
    hi = len(text) if hi is None else hi
    s, e = lo, hi
    for m in _SENT_END.finditer(text, lo, hi):
        if m.end() <= start:
            s = m.end()
        elif m.start() >= end:
            e = m.start()
            break
    return s, e


def locate(doc: Document, phrase: str, occurrence: int = 0) -> tuple[int, int, int, int]:
    """(start, end, sent_start, sent_end) of the ``occurrence``-th ``phrase`` in a clinical zone."""
    seen = 0
    for zone in doc.clinical_zones():
        pos = zone.start
        while True:
            i = doc.text.find(phrase, pos, zone.end)
            if i < 0:
                break
            if seen == occurrence:
                s, e = sentence_bounds(doc.text, i, i + len(phrase), zone.start, zone.end)
                return i, i + len(phrase), s, e
            seen += 1
            pos = i + 1
    raise LookupError(
        f"{doc.id}: phrase {phrase!r} (occurrence {occurrence}) not found in title/abstract/keywords"
    )


def extraction_from_spec(doc: Document, spec: dict[str, Any]) -> Extraction:
    """``spec``: ``{"fields": GUIDE record, "evidence": [{field, value, subject, phrase, ...}]}``."""
    evidence = []
    for item in spec.get("evidence", []):
        start, end, s, e = locate(doc, item["phrase"], item.get("occurrence", 0))
        evidence.append(
            Evidence(
                field=item["field"],
                value=item["value"],
                subject=item.get("subject", "study"),
                start=start,
                end=end,
                sentence=doc.text[s:e],
                sent_start=s,
                sent_end=e,
                extractor=item.get("extractor", "fixture"),
                confidence=float(item.get("confidence", 1.0)),
                detail=dict(item.get("detail", {})),
            )
        )
    return Extraction(doc.id, spec["fields"], evidence)


def load_spec(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def document_from_parts(
    doc_id: str, title: str, abstract: str, *, capture_sha256: str | None = None, keywords: str = ""
) -> Document:
    """A minimal Document (title, abstract and keywords zones) for tests and demos."""
    text = f"{title}\n\n{abstract}\n"
    zones = [Zone("title", 0, len(title)), Zone("abstract", len(title) + 2, len(title) + 2 + len(abstract))]
    if keywords:
        line = f"Keywords: {keywords}"
        start = len(text)
        text += line + "\n"
        zones.append(Zone("keywords", start + len("Keywords: "), start + len(line)))
    return Document(
        id=doc_id,
        text=text,
        title=title,
        abstract=abstract,
        zones=zones,
        capture_sha256=capture_sha256,
        format="test",
    )


def load_document_fixture(
    path: str | Path, *, capture_sha256: str | None = None
) -> tuple[Document, Extraction]:
    """A fixture file ``{"id", "title", "abstract", "spec"}`` as a Document and its Extraction."""
    data = load_spec(path)
    doc = document_from_parts(data["id"], data["title"], data["abstract"], capture_sha256=capture_sha256)
    return doc, extraction_from_spec(doc, data["spec"])
