"""The rebuild: raw captures -> documents -> extractions -> evidence table.

Each stage is incremental. Its output is a JSON-lines file under ``corpus/build/``
whose lines carry the key of what they were built from (the capture's SHA-256, and for
extractions the extractor's fingerprint); a rebuild reuses every line whose key still
holds and redoes only the rest. Outputs are written to a temporary file and renamed, so
a crash mid-run leaves the previous outputs whole. A stamp of all inputs lets a run
with nothing new stop after one cheap check (no spaCy, no pandas import).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.document import Document
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write
from pipeline.store import CaptureRecord, CaptureStore

if TYPE_CHECKING:
    from pipeline.curation import ApplySummary
    from pipeline.extract import Extractor
    from pipeline.extract.model import Extraction
    from pipeline.scrape.runner import FetchSummary
    from pipeline.table import UpdateSummary

log = logging.getLogger(__name__)

BUILD = "build"
DOCUMENTS = "documents.jsonl"
EXTRACTIONS = "extractions.jsonl"
STAMP = "stamp.json"


@dataclass
class StageSummary:
    built: int = 0
    reused: int = 0
    skipped: list[str] = field(default_factory=list)
    #: documents merged into another (a ``pmcid:…`` record into its DOI document), not emitted
    superseded: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    up_to_date: bool = False
    fetched: FetchSummary | None = None
    documents: StageSummary = field(default_factory=StageSummary)
    extractions: StageSummary = field(default_factory=StageSummary)
    table: UpdateSummary | None = None
    curation: ApplySummary | None = None

    @property
    def skipped(self) -> list[str]:
        return self.documents.skipped + self.extractions.skipped

    def describe(self) -> str:
        """A few lines for the terminal."""
        lines = []
        if self.fetched is not None:
            lines.append(self.fetched.render())
        if self.up_to_date:
            lines.append("up to date: no capture, config, code or curation decision changed since the last build")
            return "\n".join(lines)
        d, e = self.documents, self.extractions
        lines.append(f"documents: {d.built} parsed, {d.reused} unchanged, {len(d.skipped)} skipped"
                     + (f", {len(d.superseded)} superseded (merged into their DOI document)" if d.superseded else ""))
        lines += [f"  superseded: {s}" for s in d.superseded]
        lines.append(f"extractions: {e.built} extracted, {e.reused} unchanged, {len(e.skipped)} skipped")
        if self.table is not None:
            t = self.table
            lines.append(f"evidence table: {len(t.table)} rows ({t.rows_added} new, {t.rows_superseded} superseded); "
                         f"{len(t.docs_added)} documents added, {len(t.docs_rebuilt)} re-captured, "
                         f"{len(t.docs_reextracted)} re-extracted")
        if self.curation is not None:
            lines.append(f"curation: {self.curation}")
        return "\n".join(lines)


# -- helpers ------------------------------------------------------------------------
def _index(path: Path, key: str) -> dict[str, int]:
    """Byte offset of each line of a JSON-lines file by ``key``, to reuse lines lazily."""
    out: dict[str, int] = {}
    if not path.exists():
        return out
    with open(path, "rb") as fh:
        pos = 0
        for line in fh:
            try:
                out[json.loads(line)[key]] = pos
            except (json.JSONDecodeError, KeyError, TypeError):
                log.warning("%s: an unreadable line at byte %d is ignored (it will be rebuilt)", path, pos)
            pos += len(line)
    return out


def _read_at(fh, offset: int) -> dict:
    fh.seek(offset)
    return json.loads(fh.readline())


#: The code each stage's output depends on (beside its inputs): when it changes, the
#: stage's cached lines are stale even though the captures are not.
READERS_CODE = ("readers", "document.py")
EXTRACT_CODE = ("extract", "document.py")
#: The data files under configs/ the documents stage reads (a change re-parses every capture).
READERS_DATA = ("vocab/frontiers_journals.csv", "article_types.yaml")


def code_fingerprint(*parts: str) -> str:
    """A digest of the package's source files under ``parts`` (folders or files)."""
    root = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for part in parts:
        path = root / part
        for f in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def data_fingerprint(*names: str) -> str:
    """A digest of configuration files (under the configs folder) a stage reads."""
    from pipeline.resources import config_path

    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update(config_path(name).read_bytes())
    return h.hexdigest()[:16]


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".fingerprint")


def inputs_stamp(corpus_dir: Path) -> str:
    """A digest of everything a rebuild depends on, computed without heavy imports."""
    h = hashlib.sha256(__version__.encode())
    paths = [corpus_dir / "captures.jsonl", corpus_dir / "retired.jsonl", corpus_dir / "curation" / "decisions.jsonl"]
    from pipeline.resources import config_dir

    cfg = config_dir()
    paths += sorted(p for p in cfg.rglob("*") if p.is_file())
    pkg = Path(__file__).parent
    paths += sorted(pkg.rglob("*.py"))
    for p in paths:
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


# -- stages -------------------------------------------------------------------------
def parse_stage(store: CaptureStore, out: Path, records: Iterable[CaptureRecord], progress: bool = False,
                works: dict[str, CaptureRecord] | None = None,
                europepmc: dict[str, CaptureRecord] | None = None) -> StageSummary:
    """Parse each capture into a Document line of ``out`` (reusing unchanged ones).

    ``works``: Crossref work records by DOI; ``europepmc``: Europe PMC records fetched for
    a DOI. A document with either is re-read and completed from them on every rebuild (a
    few ms): :func:`pipeline.readers.crossref.merge_work`, then
    :func:`pipeline.readers.europepmc.merge_europepmc`. Last, a document that still has
    no article type gets the one its abstract gives, if any
    (:func:`pipeline.readers.article_types.complete_type_from_text`).

    Then a document kept under ``pmcid:…`` / ``pmid:…`` (no DOI yet) that shares its PMCID
    or PMID with a DOI document merges into it and is not written
    (:func:`pipeline.readers.identity.merge_provisional`; listed in ``summary.superseded``).
    """
    from pipeline.readers import read_capture
    from pipeline.readers.article_types import complete_type_from_text
    from pipeline.readers.identity import merge_provisional

    works = works or {}
    europepmc = europepmc or {}

    summary = StageSummary()
    built_from: dict[str, CaptureRecord] = {}  # doc id -> the capture it was built from
    fp = f"{code_fingerprint(*READERS_CODE)}:{data_fingerprint(*READERS_DATA)}"
    same_readers = _sidecar(out).exists() and _sidecar(out).read_text().strip() == fp
    index = _index(out, "capture_sha256") if same_readers else {}
    old = open(out, "rb") if index else None  # noqa: SIM115 (closed below)
    lines: list[dict] = []
    try:
        with atomic_write(out) as fh:
            for rec in _progress(records, "parse", progress):
                line = None
                if rec.sha256 in index and rec.key not in works and rec.key not in europepmc:
                    line = _read_at(old, index[rec.sha256])
                    if line.get("merged_from"):  # merged last time: read it afresh (its partner may be gone)
                        line = None
                    else:
                        summary.reused += 1
                if line is None:
                    where = f"{store.path_of(rec.sha256)} ({rec.key})"
                    try:
                        doc = read_capture(store.get(rec.sha256), where=where, doc_id=rec.doi,
                                           source=rec.source, url=rec.url, charset=rec.charset)
                    except PipelineError as e:
                        summary.skipped.append(str(e))
                        log.info("skipped %s", e)  # the run's summary names it (once)
                        continue
                    doc.capture_sha256 = rec.sha256
                    _merge_records(store, doc, works.get(rec.key), europepmc.get(rec.key))
                    complete_type_from_text(doc)
                    line = doc.to_dict()
                    summary.built += 1
                first = built_from.setdefault(str(line["id"]), rec)
                if first is not rec:
                    summary.skipped.append(_duplicate(store, rec, first, str(line["id"])))
                    continue
                lines.append(line)
            lines, superseded = merge_provisional(lines)
            summary.superseded = [str(s) for s in superseded]
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
        with atomic_write(_sidecar(out)) as side:  # after the lines: a crash between re-parses all
            side.write(fp + "\n")
    finally:
        if old:
            old.close()
    return summary


def _merge_records(store: CaptureStore, doc: Document, work: CaptureRecord | None,
                   record: CaptureRecord | None) -> None:
    """Complete ``doc`` from its Crossref work record and its Europe PMC record (either may be None)."""
    from pipeline.readers.crossref import merge_work, read_work
    from pipeline.readers.europepmc import merge_europepmc

    merges = ((work, "Crossref work record", lambda text, where: merge_work(doc, read_work(text, where))),
              (record, "Europe PMC record", lambda text, where: merge_europepmc(doc, text, where)))
    for capture, name, merge in merges:
        if capture is None:
            continue
        try:
            merge(store.get(capture.sha256).decode("utf-8", "replace"),
                  f"{store.path_of(capture.sha256)} ({capture.url})")
        except PipelineError as e:
            log.warning("%s: its %s is not used: %s", doc.id, name, e)


def _duplicate(store: CaptureStore, rec: CaptureRecord, first: CaptureRecord, doc_id: str) -> str:
    """Why a capture that reads as an already built document is skipped (it would collide)."""
    return (f"{store.path_of(rec.sha256)} ({rec.key}, {rec.via}): reads as document {doc_id}, already built "
            f"from capture {first.sha256} ({first.key}, {first.via}); skipped. If it should replace that one, "
            f"`carmine retire {first.sha256[:12]} --reason ...`; to silence this, "
            f"`carmine retire {rec.sha256[:12]} --reason ...`")


def iter_lines(path: Path) -> Iterator[dict]:
    """Stream the objects of one of the build's own JSON-lines files (none if it is missing)."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def iter_documents(path: Path) -> Iterator[Document]:
    """Stream the Documents of a documents.jsonl file."""
    return (Document.from_dict(data) for data in iter_lines(path))


#: Documents handed to the extractor at once (split across processes with ``jobs``).
BATCH = 256

@functools.cache
def _process_extractor() -> Extractor:
    """One extractor per process (the pipeline is costly to build)."""
    from pipeline.extract import Extractor

    return Extractor()


def extract_batch(docs: list[Document]) -> list[Extraction | str]:
    """Extract a batch; a document the extractor fails on, or that runs past its time budget,
    gets its error message instead (``pipeline.extract.guard``: one bad document costs only
    itself). Used in this process and in pool workers (each builds its extractor once).
    """
    from pipeline.extract.guard import Skipped, guarded_pipe

    results = guarded_pipe(_process_extractor(), docs)
    return [f"{doc.id} (capture {doc.capture_sha256}): {r.reason}" if isinstance(r, Skipped) else r
            for doc, r in zip(docs, results, strict=True)]


def extract_stage(documents: Path, out: Path, progress: bool = False, jobs: int = 1) -> StageSummary:
    """Extract the GUIDE fields of each document (reusing unchanged ones), in ``jobs`` processes."""
    from pipeline.extract import extractor_fingerprint

    # lexicons and patterns, the extractor's code, and the readers that made the documents
    fp = f"{extractor_fingerprint()}:{code_fingerprint(*EXTRACT_CODE, *READERS_CODE)}:{data_fingerprint(*READERS_DATA)}"
    summary = StageSummary()
    index = _index(out, "key")
    todo: list[Document] = []
    old = open(out, "rb") if index else None  # noqa: SIM115 (closed below)
    pool = None
    try:
        with atomic_write(out) as fh:
            def flush() -> None:
                nonlocal pool
                if not todo:
                    return
                if jobs > 1 and len(todo) > 1:
                    if pool is None:
                        pool = multiprocessing.get_context("spawn").Pool(jobs)
                    size = -(-len(todo) // jobs)
                    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
                    results = [r for part in pool.map(extract_batch, chunks) for r in part]
                else:
                    results = extract_batch(todo)
                for doc, ex in zip(todo, results, strict=True):
                    if isinstance(ex, str):
                        summary.skipped.append(ex)
                        continue
                    row = {"key": f"{doc.capture_sha256}:{fp}", "capture_sha256": doc.capture_sha256, **ex.to_json()}
                    fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                    summary.built += 1
                todo.clear()

            for doc in _progress(iter_documents(documents), "extract", progress):
                key = f"{doc.capture_sha256}:{fp}"
                if key in index:
                    flush()  # keep document order
                    fh.write(json.dumps(_read_at(old, index[key]), ensure_ascii=False, sort_keys=True) + "\n")
                    summary.reused += 1
                    continue
                todo.append(doc)
                if len(todo) >= BATCH * max(jobs, 1):
                    flush()
            flush()
    finally:
        if old:
            old.close()
        if pool is not None:
            pool.close()
            pool.join()
    return summary


def _progress(it: Iterable, desc: str, enabled: bool) -> Iterable:
    if not enabled:
        return it
    from tqdm import tqdm

    return tqdm(it, desc=desc, unit="doc", leave=False)


# -- the whole rebuild --------------------------------------------------------------
def _stamp_path(corpus_dir: Path) -> Path:
    return corpus_dir / BUILD / STAMP


def is_up_to_date(corpus_dir: Path) -> bool:
    """True when the last rebuild saw exactly today's inputs and its outputs still exist."""
    stamp = _stamp_path(corpus_dir)
    if not stamp.exists() or not (corpus_dir / "evidence.csv").exists():
        return False
    try:
        return json.loads(stamp.read_text())["inputs"] == inputs_stamp(corpus_dir)
    except (json.JSONDecodeError, KeyError):
        return False


def run(corpus_dir: str | Path = "corpus", *, fetch: bool = False, discover: bool = False,
        force: bool = False, progress: bool = False, jobs: int = 1, wait: bool = True) -> RunSummary:
    """Fetch (if asked), then rebuild whatever changed. Safe to interrupt and re-run.

    The rebuild holds the corpus lock (:mod:`pipeline.lock`): a second run waits for the
    first (``wait=False``: raises CorpusBusyError instead) and then finds it up to date.
    """
    from pipeline.lock import corpus_lock

    corpus_dir = Path(corpus_dir)
    summary = RunSummary()
    if fetch:
        from pipeline.scrape import fetch as fetch_reports

        summary.fetched = fetch_reports(corpus_dir, discover=discover, progress=progress)
    with corpus_lock(corpus_dir, what="rebuild", wait=wait):
        if not force and is_up_to_date(corpus_dir):
            summary.up_to_date = True
            return summary
        store = CaptureStore(corpus_dir)
        build = corpus_dir / BUILD
        latest = list(store.latest().values())
        # Crossref work records and Europe PMC records fetched for a DOI complete a
        # document's metadata; they are not documents themselves
        works = {rec.extra["work_for"]: rec for rec in latest if rec.extra.get("work_for")}
        europepmc = {rec.extra["record_for"]: rec for rec in latest if rec.extra.get("record_for")}
        records = [rec for rec in latest if not (rec.extra.get("work_for") or rec.extra.get("record_for"))]
        summary.documents = parse_stage(store, build / DOCUMENTS, records, progress, works=works,
                                        europepmc=europepmc)
        summary.extractions = extract_stage(build / DOCUMENTS, build / EXTRACTIONS, progress, jobs)
        summary.table, summary.curation = table_stage(corpus_dir, build / DOCUMENTS, build / EXTRACTIONS,
                                                      retired=set(store.retired()))
        with atomic_write(_stamp_path(corpus_dir)) as fh:
            json.dump({"inputs": inputs_stamp(corpus_dir), "version": __version__}, fh)
    return summary


def table_stage(corpus_dir: Path, documents: Path, extractions: Path,
                retired: set[str] | frozenset[str] = frozenset()) -> tuple[UpdateSummary, ApplySummary]:
    """Normalize every extraction, apply the curators' decisions, merge into the table.

    ``retired``: capture hashes taken out of the build; the table drops their documents' rows.
    """
    import pandas as pd

    from pipeline.curation import apply_decisions
    from pipeline.extract.model import Extraction
    from pipeline.readers.identity import aliases as document_aliases
    from pipeline.table import refresh_derived, update_table
    from pipeline.table.normalize import normalize_rows
    from pipeline.table.schema import COLUMNS
    from pipeline.table.validate import empty_long
    from pipeline.table.vocab import load_vocabularies

    vocab = load_vocabularies()
    records: list[dict] = []
    known_docs: set[str] = set()
    # provisional ids (pmcid:…) now merged into a DOI document: curators' rows follow them there
    aliases = document_aliases(iter_lines(documents))
    # both files are in corpus order; a document whose extraction failed has no line
    pending = iter_lines(extractions)
    row = next(pending, None)
    for doc in iter_documents(documents):
        known_docs.add(doc.id)
        if row is None or row["capture_sha256"] != doc.capture_sha256:
            continue
        records.extend(normalize_rows(doc, Extraction.from_json(row), pipeline_version=__version__, vocab=vocab))
        row = next(pending, None)
    # validated once for the whole table (by update_table), not once per document
    rows = pd.DataFrame(records, columns=list(COLUMNS)) if records else empty_long()
    rows, curation = apply_decisions(rows, corpus_dir, known_docs=known_docs, aliases=aliases)
    rows = refresh_derived(rows)
    return update_table(corpus_dir, rows, retired_captures=retired, merged=aliases), curation
