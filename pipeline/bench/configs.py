"""The configurations the bench compares, each a set-up plus a per-batch function.

``naive``
    What a user starts from with scispaCy: ``spacy.blank("en")`` with scispaCy's
    ``combined_rule_tokenizer``, a pysbd sentencizer component and scispaCy's
    ``abbreviation_detector``, called per document (``nlp(text)``). The pysbd
    component builds a ``pysbd.Segmenter`` per document, as the snippet in pysbd's
    README (and most users) do: that set-up is part of what is being measured.
``ours``
    What the build does (``pipeline.build``): ``Extractor.pipe`` over a batch, the long
    rows of each document with ``table.normalize.normalize_rows``, and the whole table
    typed and validated once at the end (the batch function's ``finish``, on the clock).
``ours_per_doc_validated``
    The old path, kept as a labelled extra line: ``table.normalize`` per document (one
    pandera-validated DataFrame per document, about 35 ms each).
``ours_batched``
    The same extraction, but the batch's rows are gathered with
    ``table.normalize_rows`` and typed and validated once per batch
    (:func:`pipeline.scale.local.table_of_batch`): what a streaming build does.
``ours_spacy_tokenizer``
    ``ours`` with spaCy's English tokenizer in place of scispaCy's (``build_nlp(tokenizer="spacy")``):
    the faster tokenization path measured side by side (not the default, see README).
``tokenizer``
    ``spacy.blank("en").tokenizer`` alone: the ceiling for anything that tokenizes.
``tokenizer_scispacy``
    scispaCy's ``combined_rule_tokenizer`` alone (the tokenizer the extractor uses).

A configuration is set up once (outside the clock) and returns a function that
processes one batch of Documents and returns how many rows (or tokens) it produced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.document import Document

BatchFn = Callable[[list[Document]], int]
#: A batch function may carry ``finish()`` (work done once after the last batch, timed, returning
#: the rows it produced beyond the batches'); see ``pipeline.bench.worker.measure``.

#: Name -> one-line description, in report order.
CONFIGS: dict[str, str] = {
    "naive": "(a) naive scispaCy: blank + combined_rule_tokenizer + pysbd + abbreviation_detector, nlp(text) per doc",
    "ours": "(b) ours, as the build: Extractor.pipe + normalize_rows per doc, table validated once",
    "ours_per_doc_validated": "(b, extra) ours with table.normalize per document (pandera per doc)",
    "ours_batched": "(b') ours, rows normalized and validated once per batch",
    "ours_spacy_tokenizer": "(b, extra) ours with spaCy's English tokenizer instead of scispaCy's",
    "tokenizer": "(c) ceiling: spacy.blank('en').tokenizer per doc",
    "tokenizer_scispacy": "(c, extra) scispaCy's combined_rule_tokenizer per doc",
}

PYSBD_COMPONENT = "bench_pysbd_sentencizer"


def _register_pysbd() -> None:
    from spacy.language import Language

    if Language.has_factory(PYSBD_COMPONENT):
        return

    @Language.component(PYSBD_COMPONENT, assigns=["token.is_sent_start"])
    def pysbd_sentence_boundaries(doc: Any) -> Any:
        """pysbd's README component: a Segmenter per document, boundaries to tokens."""
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
        starts = set()
        for sent in seg.segment(doc.text):
            span = doc.char_span(sent.start, sent.end, alignment_mode="contract")
            if span is not None and len(span):
                starts.add(span[0].i)
        for token in doc:
            token.is_sent_start = token.i in starts
        return doc


def build_naive_nlp() -> Any:
    """The naive scispaCy pipeline (see the module docstring)."""
    import spacy
    from scispacy.abbreviation import AbbreviationDetector  # noqa: F401 (registers the factory)
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    _register_pysbd()
    nlp = spacy.blank("en")
    nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe(PYSBD_COMPONENT)
    nlp.add_pipe("abbreviation_detector")
    return nlp


def setup(name: str, *, batch_size: int = 256) -> BatchFn:
    """Build configuration ``name`` and return its batch function."""
    from pipeline.bench.inputs import clinical_text

    if name == "naive":
        nlp = build_naive_nlp()

        def run_naive(batch: list[Document]) -> int:
            return sum(len(nlp(clinical_text(doc))) for doc in batch)

        return run_naive
    if name == "tokenizer":
        import spacy

        tokenizer = spacy.blank("en").tokenizer

        def run_tokenizer(batch: list[Document]) -> int:
            return sum(len(tokenizer(clinical_text(doc))) for doc in batch)

        return run_tokenizer
    if name == "tokenizer_scispacy":
        import spacy
        from scispacy.custom_tokenizer import combined_rule_tokenizer

        sci = combined_rule_tokenizer(spacy.blank("en"))

        def run_sci_tokenizer(batch: list[Document]) -> int:
            return sum(len(sci(clinical_text(doc))) for doc in batch)

        return run_sci_tokenizer
    if name in ("ours", "ours_spacy_tokenizer"):
        import pandas as pd

        from pipeline import __version__
        from pipeline.extract import Extractor
        from pipeline.extract.api import build_nlp
        from pipeline.table.normalize import normalize_rows
        from pipeline.table.schema import COLUMNS
        from pipeline.table.validate import validate
        from pipeline.table.vocab import load_vocabularies

        extractor = Extractor(build_nlp(None, "spacy" if name == "ours_spacy_tokenizer" else "scispacy"))
        vocab = load_vocabularies()
        records: list[dict[str, Any]] = []

        def run_build(batch: list[Document]) -> int:
            before = len(records)
            for doc, ex in zip(batch, extractor.pipe(batch, batch_size=batch_size), strict=True):
                records.extend(normalize_rows(doc, ex, pipeline_version=__version__, vocab=vocab))
            return len(records) - before

        def finish() -> int:
            """Type and validate the whole table once, as ``build.table_stage`` does."""
            frame = pd.DataFrame(records, columns=list(COLUMNS))
            validate(frame, vocab=vocab, table=f"bench table of {len(records)} rows")
            records.clear()
            return 0

        run_build.finish = finish  # type: ignore[attr-defined]
        return run_build
    if name == "ours_per_doc_validated":
        from pipeline import __version__
        from pipeline.extract import Extractor
        from pipeline.table.normalize import normalize

        extractor = Extractor()

        def run_ours(batch: list[Document]) -> int:
            rows = 0
            for doc, ex in zip(batch, extractor.pipe(batch, batch_size=batch_size), strict=True):
                rows += len(normalize(doc, ex, pipeline_version=__version__))
            return rows

        return run_ours
    if name == "ours_batched":
        from pipeline.scale.local import TableBuilder

        builder = TableBuilder(batch_size=batch_size)

        def run_batched(batch: list[Document]) -> int:
            return len(builder.table_of_batch(batch))

        return run_batched
    raise ValueError(f"unknown bench configuration {name!r}; expected one of {', '.join(CONFIGS)}")
