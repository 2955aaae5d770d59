"""Crossref work records (``GET /works/{doi}``) as a second source of a document's metadata.

The scraper stores each DOI's work record as its own capture (``via="api:crossref"``,
``extra.work_for`` = the DOI; its key is its URL, so it never replaces the page). The
build does not read it as a document: :func:`merge_work` fills in what the document's own
capture lacks (title, journal, volume, year, published, authors, licence), field by
field (a journal or year only derived from the DOI gives way to the record's), and
records ``<field>=crossref`` in ``Document.metadata_from``. The text, zones and
abstract are never touched (every offset points into the page's own rendering).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pipeline.document import Document
from pipeline.errors import ReaderError
from pipeline.readers.journals import complete_metadata, fill_missing

_TAG = re.compile(r"<[^>]+>")
_CC = re.compile(r"creativecommons\.org/licenses/([a-z-]+)/", re.I)


def _date(parts: Any) -> str | None:
    try:
        y, m, d = [*parts["date-parts"][0], None, None][:3]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(y, int):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}" if isinstance(m, int) and isinstance(d, int) else None


def read_work(text: str, where: str = "<crossref work>") -> dict[str, Any]:
    """The metadata fields of a Crossref ``work`` answer (``{"message-type": "work", ...}``)."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ReaderError(where, f"expected a Crossref work record (JSON), found unparsable text ({e})") from None
    work = data.get("message") if isinstance(data, dict) and data.get("message-type") == "work" else None
    if not isinstance(work, dict):
        raise ReaderError(where, "expected a Crossref answer with message-type 'work'")

    def first(key: str) -> str | None:
        value = work.get(key)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        return _TAG.sub("", value).strip() if isinstance(value, str) and value.strip() else None

    published = next(filter(None, (_date(work.get(k)) for k in ("published-online", "published", "issued"))), None)
    authors = [f"{a.get('given', '')} {a.get('family', '')}".strip() for a in work.get("author") or []
               if isinstance(a, dict) and (a.get("family") or a.get("given"))]
    licence = next((m.group(1) for lic in work.get("license") or [] if isinstance(lic, dict)
                    if (m := _CC.search(str(lic.get("URL") or "")))), None)
    return {
        "title": first("title"),
        "journal": first("container-title"),
        "journal_abbrev": first("short-container-title"),
        "volume": first("volume"),
        "published": published,
        "year": int(published[:4]) if published else None,
        "authors": authors,
        "license": "CC " + licence.upper().replace("-", " ") if licence else None,
    }


def merge_work(doc: Document, fields: dict[str, Any]) -> Document:
    """Fill what ``doc`` lacks from a work record's ``fields``; provenance per field."""
    fill_missing(doc, fields, "crossref")
    return complete_metadata(doc)
