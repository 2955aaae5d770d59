"""One document per article: captures read before their DOI was known merge into the DOI's document.

Europe PMC discovery keeps a record without a DOI under ``pmcid:PMC…`` (or ``pmid:…``,
:func:`pipeline.readers.europepmc.record_id`). When a later capture of the same article
arrives with its DOI (a Frontiers page, JATS, a Europe PMC record that now names the
DOI), both are read. :func:`merge_provisional` then recognises them as one article when
they share a PMCID or a PMID (``Document.pmcid`` / ``pmid``, read from each capture:
Europe PMC records carry them, JATS has ``<article-id pub-id-type="pmcid"/"pmid">``, a
page may have ``citation_pmid`` meta tags, and a page's Europe PMC record fills them in):

* the DOI-keyed document is the article; the provisional one fills in, field by field,
  what it lacks (:func:`pipeline.readers.journals.fill_missing`, noted
  ``<field>=pmcid:PMC…`` in ``metadata_from``); text, zones and abstract stay the DOI
  document's; the provisional id is listed in its ``merged_from``;
* the provisional document is no longer emitted (it is *superseded*; its captures stay in
  ``corpus/`` untouched);
* the result does not depend on the order in which the captures arrived.

A provisional document that shares an id with two different DOI documents is left as it
is, with a warning (which one it is cannot be told).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.readers.journals import complete_metadata, fill_missing

log = logging.getLogger(__name__)

PROVISIONAL_PREFIXES = ("pmcid:", "pmid:")
#: The metadata a provisional document may give its DOI document (text and zones never).
MERGED_FIELDS = ("title", "journal", "journal_abbrev", "section", "volume", "year", "article_type",
                 "authors", "affiliations", "keywords", "received", "accepted", "published", "status",
                 "license", "pmcid", "pmid")


def is_provisional(doc_id: str | None) -> bool:
    """Whether a document id is a stand-in until the DOI is known (``pmcid:…``, ``pmid:…``)."""
    return bool(doc_id) and str(doc_id).startswith(PROVISIONAL_PREFIXES)


def identifiers(line: dict[str, Any]) -> set[str]:
    """``pmcid:PMC…`` / ``pmid:…`` names of a document (a line of documents.jsonl)."""
    out = {f"pmcid:{line['pmcid']}"} if line.get("pmcid") else set()
    if line.get("pmid"):
        out.add(f"pmid:{line['pmid']}")
    if is_provisional(line.get("id")):
        out.add(str(line["id"]))
    return out


@dataclass(frozen=True, slots=True)
class Superseded:
    """A provisional document merged into its DOI document (not emitted any more)."""

    doc_id: str
    into: str
    capture_sha256: str | None
    fields: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        filled = ", ".join(self.fields) if self.fields else "nothing (the DOI document had every field)"
        return (f"{self.doc_id} (capture {(self.capture_sha256 or '?')[:12]}) superseded by {self.into}: "
                f"same article; it filled in {filled}; nothing lost, its captures stay in corpus/")


def merge_provisional(lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Superseded]]:
    """Merge each provisional document into the one DOI document it shares a PMCID or PMID with.

    ``lines``: documents as ``Document.to_dict()`` (the documents stage's lines), in corpus
    order. Returns the lines to emit (same order, superseded ones left out, merged ones
    replaced) and what was superseded.
    """
    by_ident: dict[str, set[int]] = {}
    for i, line in enumerate(lines):
        if not is_provisional(line.get("id")):
            for ident in identifiers(line):
                by_ident.setdefault(ident, set()).add(i)
    into: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if not is_provisional(line.get("id")):
            continue
        targets = set().union(*(by_ident.get(ident, set()) for ident in identifiers(line)))
        if len(targets) == 1:
            into.setdefault(targets.pop(), []).append(i)
        elif targets:
            log.warning("%s shares its PMCID/PMID with %d documents (%s); it is kept apart", line["id"],
                        len(targets), ", ".join(sorted(str(lines[t]["id"]) for t in targets)))
    if not into:
        return lines, []
    merged: dict[int, dict[str, Any]] = {}
    superseded: list[Superseded] = []
    gone: set[int] = set()
    for target, sources in into.items():
        doc = Document.from_dict(lines[target])
        # a fixed order (not the order of arrival) decides which one fills a field first
        for i in sorted(sources, key=lambda i: (str(lines[i]["id"]), str(lines[i].get("capture_sha256")))):
            used = fill_missing(doc, {name: lines[i].get(name) for name in MERGED_FIELDS}, str(lines[i]["id"]))
            doc.merged_from = sorted({*doc.merged_from, str(lines[i]["id"])})
            superseded.append(Superseded(str(lines[i]["id"]), doc.id, lines[i].get("capture_sha256"), tuple(used)))
            gone.add(i)
        merged[target] = complete_metadata(doc).to_dict()
    for s in superseded:
        log.info("%s", s)
    return [merged.get(i, line) for i, line in enumerate(lines) if i not in gone], superseded


def aliases(lines: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Provisional ids that now name a DOI document: ``{"pmcid:PMC…": "10.3389/…"}``.

    From the documents' ``merged_from`` and their PMCID/PMID (a record first kept under
    its PMCID whose later version, fetched from the same address, names the DOI leaves no
    provisional document behind, only this). An id still emitted as a document is not an alias.
    """
    emitted: set[str] = set()
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for line in lines:
        doc_id = str(line.get("id") or "")
        emitted.add(doc_id)
        if is_provisional(doc_id):
            continue
        for old in [*(line.get("merged_from") or []), *identifiers(line)]:
            if out.setdefault(old, doc_id) != doc_id:
                ambiguous.add(old)
    return {k: v for k, v in out.items() if k not in emitted and k not in ambiguous}


def corpus_aliases(corpus_dir: str | Path) -> dict[str, str]:
    """:func:`aliases` of the documents the last build wrote (``build/documents.jsonl``); {} if none."""
    from pipeline.jsonl import read_jsonl

    path = Path(corpus_dir) / "build" / "documents.jsonl"
    if not path.exists():
        return {}
    return aliases(data for _, data in read_jsonl(path, skip_torn=True) if isinstance(data, dict))
