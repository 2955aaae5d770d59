"""Extract and normalize on one machine: in process, or over a pool of processes.

The unit of work is a batch of Documents. :class:`TableBuilder` holds what is costly
to build (the extractor's spaCy pipeline, the vocabularies) and turns a batch into its
long-table rows: ``Extractor.pipe`` over the batch, ``normalize_rows`` per document,
then one typed, validated DataFrame per batch (validating once per batch rather than
once per document is most of the difference between ``ours`` and ``ours_batched`` in
the bench). :func:`table_batches` streams those DataFrames in input order, from this
process or from ``n_process`` worker processes that each build one TableBuilder.
:func:`build_table` gathers and sorts them: the reference the Dask path must match.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pipeline.document import Document

if TYPE_CHECKING:
    import pandas as pd

#: Sort key of a long table: deterministic whatever the order rows were built in.
SORT_KEY = ("doc_id", "subject", "field", "evidence_id")


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``size`` items (the last may be shorter); streams."""
    if size < 1:
        raise ValueError(f"batch size must be >= 1, got {size}")
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def default_version() -> str:
    from pipeline import __version__

    return __version__


class TableBuilder:
    """Documents -> long-table rows, with the extractor and vocabularies built once."""

    def __init__(self, *, batch_size: int = 256, pipeline_version: str | None = None) -> None:
        from pipeline.extract import Extractor
        from pipeline.table.vocab import load_vocabularies

        self.extractor = Extractor()
        self.vocab = load_vocabularies()
        self.batch_size = batch_size
        self.pipeline_version = pipeline_version or default_version()

    def rows(self, docs: list[Document]) -> list[dict[str, Any]]:
        """The long rows of ``docs`` as dicts, document after document."""
        from pipeline.table.normalize import normalize_rows

        out: list[dict[str, Any]] = []
        for doc, ex in zip(docs, self.extractor.pipe(docs, batch_size=self.batch_size), strict=True):
            if ex.doc_id != doc.id:
                raise ValueError(f"extraction is for {ex.doc_id!r}, document is {doc.id!r}")
            out.extend(normalize_rows(doc, ex, pipeline_version=self.pipeline_version, vocab=self.vocab))
        return out

    def table_of_batch(self, docs: list[Document]) -> pd.DataFrame:
        """One typed, validated DataFrame holding the rows of ``docs``."""
        import pandas as pd

        from pipeline.table.schema import COLUMNS
        from pipeline.table.validate import validate

        frame = pd.DataFrame(self.rows(docs), columns=list(COLUMNS))
        first = docs[0].id if docs else "-"
        return validate(frame, vocab=self.vocab, table=f"evidence rows of {len(docs)} documents from {first}")


def sort_table(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` sorted by :data:`SORT_KEY` (stable), with a fresh 0..n-1 index."""
    return df.sort_values(list(SORT_KEY), kind="mergesort").reset_index(drop=True)


def empty_table() -> pd.DataFrame:
    from pipeline.table.validate import empty_long

    return empty_long()


def concat_tables(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate long tables, keeping the declared dtypes (an empty input gives no rows)."""
    import pandas as pd

    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_table()
    from pipeline.table.schema import COLUMNS

    return pd.concat(frames, ignore_index=True).astype({c: d for c, (d, _) in COLUMNS.items()})


# -- process pool -------------------------------------------------------------------
#: The TableBuilder of a pool worker process, set by its initializer (empty elsewhere).
_WORKER: dict[str, TableBuilder] = {}
_READY_TIMEOUT = 600


def _init_worker(batch_size: int, pipeline_version: str | None, barrier: Any = None) -> None:
    _WORKER["builder"] = TableBuilder(batch_size=batch_size, pipeline_version=pipeline_version)
    if barrier is not None:
        barrier.wait(timeout=_READY_TIMEOUT)  # the bench starts its clock once every worker is ready


def _worker_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    return _WORKER["builder"].table_of_batch([Document.from_dict(r) for r in records])


def table_batches(docs: Iterable[Document], *, n_process: int = 1, batch_size: int = 256,
                  pipeline_version: str | None = None, context: str = "spawn",
                  on_ready: Callable[[], None] | None = None) -> Iterator[pd.DataFrame]:
    """The long table of ``docs``, one DataFrame per batch of ``batch_size``, in input order.

    ``n_process == 1`` works in this process; more start a pool of ``n_process``
    workers (``context``: ``spawn`` by default, safe everywhere) that each build one
    TableBuilder, and hand them batches (``imap``, so at most a few batches are in
    flight and memory stays flat). ``on_ready`` is called once the extractor is built
    (in every worker) and before the first batch is sent: the bench starts its clock
    there.
    """
    if n_process < 1:
        raise ValueError(f"n_process must be >= 1, got {n_process}")
    if n_process == 1:
        builder = TableBuilder(batch_size=batch_size, pipeline_version=pipeline_version)
        if on_ready is not None:
            on_ready()
        for batch in batched(docs, batch_size):
            yield builder.table_of_batch(batch)
        return
    ctx = mp.get_context(context)
    barrier = ctx.Barrier(n_process + 1) if on_ready is not None else None
    with ctx.Pool(n_process, initializer=_init_worker, initargs=(batch_size, pipeline_version, barrier)) as pool:
        if barrier is not None and on_ready is not None:
            try:
                barrier.wait(timeout=_READY_TIMEOUT)
            except Exception as e:  # threading.BrokenBarrierError: a worker failed to start
                raise RuntimeError(f"{n_process} pool workers did not all build the extractor within "
                                   f"{_READY_TIMEOUT} s (see the workers' errors above)") from e
            on_ready()
        records = ([d.to_dict() for d in batch] for batch in batched(docs, batch_size))
        yield from pool.imap(_worker_table, records, chunksize=1)


def build_table(docs: Iterable[Document], *, n_process: int = 1, batch_size: int = 256,
                pipeline_version: str | None = None) -> pd.DataFrame:
    """The sorted long table of ``docs`` (the single-machine reference path)."""
    return sort_table(concat_tables(table_batches(docs, n_process=n_process, batch_size=batch_size,
                                                  pipeline_version=pipeline_version)))
