"""Import captures that arrived by hand (saved files) into the capture store.

Accepted inputs, each file or every file of a folder (sorted by name, so the order of
the corpus does not depend on the file system):

* ``*.txt`` / ``*.html`` / ``*.xml``: one capture; its DOI is read from the text;
* ``*.json`` with an ``excerpt`` (or ``text``) key and ``doi``/``url``: a saved page
  excerpt, as in ``../shared/corpus/frontiers/``;
* ``*.jsonl``: one capture per line with ``id`` and ``text`` (the gold format).

The store ignores a body it already holds, so importing twice adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputLineError, PipelineError
from pipeline.jsonl import read_jsonl
from pipeline.readers.common import doi_from_url, find_doi
from pipeline.readers.dispatch import sniff_format
from pipeline.store import CaptureStore, sha256_hex

_MEDIA = {"jats": "application/jats+xml", "html": "text/html", "citation_export": "text/plain",
          "page_text": "text/plain"}


@dataclass
class ImportSummary:
    new: int = 0
    known: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Item:
    body: bytes
    where: str
    doi: str | None
    url: str | None


def _source_of(text: str, url: str | None) -> str:
    if (url and "frontiersin.org" in url) or "Front. " in text[:3000] or "frontiersin.org" in text[:5000]:
        return "frontiers"
    if url and "biomedcentral.com" in url:
        return "biomedcentral"
    return "unknown"


def _items(path: Path) -> Iterator[_Item]:
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        text = data.get("excerpt") or data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise PipelineError(f"{path}: expected an 'excerpt' or 'text' string, found none")
        yield _Item(text.encode("utf-8"), str(path), data.get("doi") or data.get("id"), data.get("url"))
    elif path.suffix == ".jsonl":
        for n, data in read_jsonl(path):
            if not isinstance(data.get("text"), str):
                raise InputLineError(str(path), n, "expected a 'text' string")
            yield _Item(data["text"].encode("utf-8"), f"{path}:{n}", data.get("id"), data.get("url"))
    else:
        body = path.read_bytes()
        yield _Item(body, str(path), None, None)


def import_paths(store: CaptureStore, paths: list[Path]) -> ImportSummary:
    """Store every capture found under ``paths``; a bad file is skipped and named."""
    summary = ImportSummary()
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.suffix in (".txt", ".json", ".jsonl", ".html", ".xml")))
        elif p.exists():
            files.append(p)
        else:
            summary.skipped.append(f"{p}: no such file or folder")
    known = {r.sha256 for r in store.records()}
    for f in files:
        try:
            for item in _items(f):
                text = item.body.decode("utf-8", errors="replace")
                doi = item.doi or doi_from_url(item.url) or find_doi(text)
                fmt = sniff_format(text)
                if sha256_hex(item.body) in known:
                    summary.known += 1
                    continue
                rec, _ = store.put(item.body, source=_source_of(text, item.url), media_type=_MEDIA[fmt],
                                   charset="utf-8", url=item.url, doi=doi, via=f"import:{f.name}")
                known.add(rec.sha256)
                summary.new += 1
        except (PipelineError, OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
            summary.skipped.append(str(e) if str(f) in str(e) else f"{f}: {e}")
    return summary
