"""Import captures that arrived by hand (saved files) into the capture store.

Accepted inputs, each file or every file of a folder (sorted by name, so the order of
the corpus does not depend on the file system):

* ``*.txt`` / ``*.html`` / ``*.xml``: one capture; its DOI is read from the text;
* ``*.json`` with an ``excerpt`` (or ``text``) key and ``doi``/``url``: a saved page
  excerpt, as in ``../shared/corpus/frontiers/``;
* ``*.jsonl``: one capture per line with ``id`` and ``text`` (the gold format).

The store ignores a body it already holds, so importing twice adds nothing. A bad file,
or a bad line of a ``.jsonl`` file, is skipped and named and the rest goes on; a lone
surrogate escape (``"\\ud800"``, no character at all) is replaced by U+FFFD and said so;
DOIs are lower-cased, as they are everywhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.readers.common import doi_from_url, find_doi, normalize_doi
from pipeline.readers.dispatch import sniff_format
from pipeline.store import CaptureStore, sha256_hex

_MEDIA = {"jats": "application/jats+xml", "html": "text/html", "citation_export": "text/plain",
          "page_text": "text/plain", "europepmc_json": "application/json"}
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass
class ImportSummary:
    new: int = 0
    known: int = 0
    skipped: list[str] = field(default_factory=list)
    #: items stored with a change worth saying (lone surrogates replaced)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Item:
    body: bytes
    where: str
    doi: str | None
    url: str | None
    note: str = ""


def _source_of(text: str, url: str | None) -> str:
    if (url and "frontiersin.org" in url) or "Front. " in text[:3000] or "frontiersin.org" in text[:5000]:
        return "frontiers"
    if url and "biomedcentral.com" in url:
        return "biomedcentral"
    return "unknown"


def _string(data: dict, *keys: str) -> str | None:
    """The first of ``keys`` holding a non-empty string (a number or a list is no DOI or URL)."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _item(data: object, where: str, keys: tuple[str, ...]) -> _Item:
    """One capture from a JSON object; PipelineError naming ``where`` if it holds none."""
    if not isinstance(data, dict):
        raise PipelineError(f"{where}: expected a JSON object, found {type(data).__name__}")
    text = _string(data, *keys)
    if text is None:
        raise PipelineError(f"{where}: expected {' or '.join(repr(k) for k in keys)} string, found none")
    note = ""
    if found := _SURROGATES.findall(text):
        # JSON can escape a lone surrogate ("\ud800"), which is no character: it cannot be stored as UTF-8
        note = f"{where}: {len(found)} lone surrogate escape(s) (first \\u{ord(found[0]):04x}) replaced by U+FFFD"
        text = _SURROGATES.sub("\ufffd", text)
    return _Item(text.encode("utf-8"), where, _string(data, "doi", "id"), _string(data, "url"), note)


def _items(path: Path) -> Iterator[_Item | PipelineError]:
    """The captures of one file; a bad line of a .jsonl file comes as its error, and the next goes on."""
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise PipelineError(f"{path}: not JSON ({e.msg}, line {e.lineno} column {e.colno})") from None
        yield _item(data, str(path), ("excerpt", "text"))
    elif path.suffix == ".jsonl":
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                where = f"{path}:{n}"
                try:
                    line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
                    if not line.strip():
                        continue
                    yield _item(json.loads(line), where, ("text",))
                except UnicodeDecodeError as e:
                    yield PipelineError(f"{where}: not UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1})")
                except json.JSONDecodeError as e:
                    yield PipelineError(f"{where}: expected a JSON object, found invalid JSON ({e.msg})")
                except PipelineError as e:
                    yield e
    else:
        yield _Item(path.read_bytes(), str(path), None, None)


def import_paths(store: CaptureStore, paths: list[Path]) -> ImportSummary:
    """Store every capture found under ``paths``; a bad file or line is skipped and named.

    DOIs are lower-cased (they are case-insensitive), so one article imported under two
    spellings is one document.
    """
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
                if isinstance(item, PipelineError):
                    summary.skipped.append(str(item))
                    continue
                try:
                    _store(store, item, f, known, summary)
                except Exception as e:  # one bad item (a reader's surprise, say) costs only itself
                    summary.skipped.append(f"{item.where}: {type(e).__name__}: {e}")
        except (PipelineError, OSError, UnicodeDecodeError) as e:
            summary.skipped.append(str(e) if str(f) in str(e) else f"{f}: {e}")
    return summary


def _store(store: CaptureStore, item: _Item, f: Path, known: set[str], summary: ImportSummary) -> None:
    text = item.body.decode("utf-8", errors="replace")
    doi = item.doi or doi_from_url(item.url) or find_doi(text)
    doi = normalize_doi(doi) if doi else None
    fmt = sniff_format(text)
    if sha256_hex(item.body) in known:
        summary.known += 1
        return
    rec, _ = store.put(item.body, source=_source_of(text, item.url), media_type=_MEDIA.get(fmt, "text/plain"),
                       charset="utf-8", url=item.url, doi=doi, via=f"import:{f.name}")
    known.add(rec.sha256)
    summary.new += 1
    if item.note:
        summary.notes.append(item.note)
