"""Benchmark input: the corpus's real abstracts, cycled with light, seeded perturbation.

A benchmark that feeds one text over and over flatters the tokenizer's caches, and 62
documents are too few to measure a rate on. So the bench streams ``n`` documents built
from the corpus's clinical zones (title, abstract, keywords): the first pass is the
real text; every later pass perturbs each source a little (sentence order shuffled
within an abstract, a sentence dropped or repeated, numbers, ages and percentages
varied). Everything is deterministic given the seed, and everything streams: the
sources are written once to a JSON-lines file and re-read per pass, so memory does not
grow with ``n`` or with the corpus.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.document import Document, Zone
from pipeline.errors import PipelineError

log = logging.getLogger(__name__)

#: Sentence boundary for the perturbations (cheap on purpose: it only reorders text).
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_AGE = re.compile(r"\b(\d{1,2})(?=(?:-year-old|\s+years?\s+old|-yr-old))")
_PCT = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d+)?)(?=\s?%)")
#: A stand-alone number: not part of a name (CD19, IL-6, 4-1BB) nor of a larger number.
_DRAWS = 20
_NUM = re.compile(r"(?<![\w.\-/])(\d+(?:\.\d+)?)(?![\w\-/%]|\.\d)")


def source_documents(corpus_dir: str | Path = "corpus") -> Iterator[Document]:
    """Stream the newest capture of each corpus document that has an abstract.

    Documents whose capture holds only a title (truncated full-text captures) are left
    out: the bench measures abstracts. A capture that cannot be read is skipped with a
    warning, as the build does.
    """
    from pipeline.readers import read_capture
    from pipeline.store import CaptureStore

    store = CaptureStore(corpus_dir)
    for rec in store.latest().values():
        try:
            doc = read_capture(store.get(rec.sha256), where=str(store.path_of(rec.sha256)),
                               doc_id=rec.doi, source=rec.source, url=rec.url, charset=rec.charset)
        except PipelineError as e:
            log.warning("bench: skipped %s", e)
            continue
        if any(z.name == "abstract" for z in doc.zones):
            yield clinical_document(doc)


def clinical_document(doc: Document, parts: Iterable[tuple[str, str | None, str]] | None = None,
                      *, doc_id: str | None = None) -> Document:
    """A Document holding only ``doc``'s clinical zones (or the given ``parts``).

    ``parts`` are ``(zone name, heading, text)``, the text verbatim (a section's text
    starts with its heading where the reader kept it there). The title comes first,
    then the abstract's sections one per line, then the keywords; zones point into it.
    """
    if parts is None:
        parts = [(z.name, z.heading, doc.text[z.start : z.end]) for z in doc.clinical_zones()]
    text, zones = "", []
    prev = None
    for name, heading, body in parts:
        if text:
            text += "\n" if name == prev == "abstract" else "\n\n"
        zones.append(Zone(name, len(text), len(text) + len(body), heading))
        text += body
        prev = name
    title = next((body for name, _, body in parts if name == "title"), None)
    return Document(
        id=doc_id or doc.id, text=text, source=doc.source, format="bench", url=doc.url, title=title,
        journal=doc.journal, year=doc.year, keywords=list(doc.keywords),
        abstract="\n".join(body for name, _, body in parts if name == "abstract"), zones=zones,
        capture_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def clinical_text(doc: Document) -> str:
    """The text a bare tokenizer or the naive pipeline is given: the clinical zones."""
    return "\n\n".join(doc.text[z.start : z.end] for z in doc.clinical_zones())


def word_count(doc: Document) -> int:
    """Words (whitespace-separated) of the clinical zones: the unit of words/second."""
    return sum(len(doc.text[z.start : z.end].split()) for z in doc.clinical_zones())


# -- perturbation -------------------------------------------------------------------
def _vary_number(m: re.Match, rng: random.Random) -> str:
    s = m.group(1)
    if "." in s:
        decimals = len(s.split(".")[1])
        v = float(s) * rng.uniform(0.6, 1.4)
        return f"{v:.{decimals}f}"
    v = int(s)
    if 1900 <= v <= 2100:  # a year: keep it plausible
        return str(v + rng.randint(-3, 3))
    if v <= 5:  # grades, small counts
        return str(rng.randint(1, 5))
    return str(max(1, round(v * rng.uniform(0.6, 1.4))))


def perturb_text(text: str, rng: random.Random, *, p_number: float = 0.5) -> str:
    """Vary ages, percentages and stand-alone numbers of ``text`` (seeded by ``rng``)."""
    text = _AGE.sub(lambda m: str(rng.randint(3, 85)), text)
    text = _PCT.sub(lambda m: f"{rng.uniform(1, 99):.{1 if '.' in m.group(1) else 0}f}", text)
    return _NUM.sub(lambda m: _vary_number(m, rng) if rng.random() < p_number else m.group(1), text)


def perturb_sentences(text: str, rng: random.Random) -> str:
    """Shuffle, drop or repeat sentences of one abstract section (seeded by ``rng``)."""
    sents = _SENT.split(text)
    if len(sents) < 2:
        return text
    if rng.random() < 0.5:
        rng.shuffle(sents)
    if len(sents) > 3 and rng.random() < 0.3:
        del sents[rng.randrange(len(sents))]
    if rng.random() < 0.3:
        i = rng.randrange(len(sents))
        sents.insert(rng.randrange(len(sents) + 1), sents[i])
    return " ".join(sents)


def perturb(doc: Document, rng: random.Random, *, doc_id: str) -> Document:
    """A lightly perturbed copy of a clinical ``doc`` (see :func:`clinical_document`)."""
    parts = []
    for z in doc.clinical_zones():
        body = doc.text[z.start : z.end]
        if z.name == "abstract":
            lead = f"{z.heading}: " if z.heading and body.startswith(f"{z.heading}: ") else ""
            body = lead + perturb_sentences(body[len(lead) :], rng)
        if z.name != "keywords":
            body = perturb_text(body, rng)
        parts.append((z.name, z.heading, body))
    return clinical_document(doc, parts, doc_id=doc_id)


def cycle_documents(sources_path: str | Path, n: int, *, seed: int = 0) -> Iterator[Document]:
    """Stream ``n`` documents: the sources of ``sources_path`` (a documents.jsonl) as
    they are, then perturbed copies of them, pass after pass.

    The file is re-read on each pass, so only one source document is in memory at a
    time. Output ``i`` has the id ``<source id>#<i>`` and its own random stream
    (``Random(f"{seed}:{i}")``). A perturbation that yields a text already produced is
    redrawn, so the texts are distinct (their 8-byte digests are remembered: 8 bytes
    per document); a source that yields nothing new in ``_DRAWS`` draws (a one-sentence
    abstract without numbers) is left out of later passes.
    """
    from pipeline.build import iter_documents

    path = Path(sources_path)
    seen: set[bytes] = set()
    exhausted: set[str] = set()  # sources with no new variant left (one-sentence, no numbers)
    i = 0
    while i < n:
        produced = False
        for src in iter_documents(path):
            if i >= n:
                break
            if src.id in exhausted:
                continue
            rng = random.Random(f"{seed}:{i}")
            doc = clinical_document(src, doc_id=f"{src.id}#{i}")
            digest = _digest(doc.text)
            for _ in range(_DRAWS):
                if digest not in seen:  # later passes: the original is seen, so perturb
                    break
                doc = perturb(src, rng, doc_id=f"{src.id}#{i}")
                digest = _digest(doc.text)
            else:
                log.info("bench: %s: no new variant in %d draws; not cycled further", src.id, _DRAWS)
                exhausted.add(src.id)
                continue
            seen.add(digest)
            produced = True
            i += 1
            yield doc
        if not produced:
            raise PipelineError(f"{path}: no source document left to cycle (expected documents with "
                                f"an abstract that can be varied; {len(exhausted)} could not)")


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def write_documents(docs: Iterable[Document], path: str | Path) -> int:
    """Write ``docs`` as JSON lines (the build's documents.jsonl format); returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for doc in docs:
            fh.write(json.dumps(doc.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def prepare_input(corpus_dir: str | Path, work_dir: str | Path, n: int, *, seed: int = 0) -> tuple[Path, int]:
    """Write the bench input (``n`` documents) under ``work_dir``; returns (path, sources).

    The sources file is written first (streamed from the capture store), then the
    cycled, perturbed documents are streamed into ``input-<n>-<seed>.jsonl``.
    """
    work = Path(work_dir)
    sources = work / "sources.jsonl"
    n_sources = write_documents(source_documents(corpus_dir), sources)
    if not n_sources:
        raise PipelineError(f"{corpus_dir}: no document with an abstract to benchmark on")
    out = work / f"input-{n}-{seed}.jsonl"
    write_documents(cycle_documents(sources, n, seed=seed), out)
    return out, n_sources
