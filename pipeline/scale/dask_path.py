"""Extract and normalize on Dask: the same long table, from corpora beyond one machine.

Input is a Dask bag of document records: :func:`documents_bag` reads shards of the
build's ``documents.jsonl`` lines from any fsspec URL (local paths, ``s3://``,
``gs://``, a glob of shards), split into partitions of ``blocksize`` bytes at line
boundaries; :func:`bag_of_documents` wraps Documents already in memory. Each partition
becomes one long-table DataFrame on a worker (:func:`table_of_partition`), with the
extractor built once per worker process and thread (:func:`worker_builder`), so the
spaCy pipeline is loaded once, not once per partition. :func:`evidence_frame` gives
the lazy ``dask.dataframe`` (write it with ``to_parquet``); :func:`evidence_table`
computes it and sorts it exactly as :func:`pipeline.scale.local.build_table` does, so
the two paths give identical tables. See ``docs/scale_out.md``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pipeline.document import Document
from pipeline.scale.local import TableBuilder, concat_tables, empty_table, sort_table

if TYPE_CHECKING:
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd

#: One TableBuilder per worker thread (spaCy pipelines are not shared between threads).
_LOCAL = threading.local()


def worker_builder(batch_size: int = 256, pipeline_version: str | None = None) -> TableBuilder:
    """This worker's TableBuilder, built on first use and kept for later partitions."""
    key = (batch_size, pipeline_version)
    builders: dict[tuple[int, str | None], TableBuilder] = getattr(_LOCAL, "builders", None) or {}
    _LOCAL.builders = builders
    if key not in builders:
        builders[key] = TableBuilder(batch_size=batch_size, pipeline_version=pipeline_version)
    return builders[key]


def _record(item: str | dict[str, Any] | Document) -> Document:
    if isinstance(item, Document):
        return item
    data: dict[str, Any] = json.loads(item) if isinstance(item, str) else item
    return Document.from_dict(data)


def table_of_partition(items: Iterable[str | dict[str, Any] | Document], *, batch_size: int = 256,
                       pipeline_version: str | None = None) -> pd.DataFrame:
    """The long table of one partition (JSON lines, dicts or Documents), in input order."""
    from pipeline.scale.local import batched

    builder = worker_builder(batch_size, pipeline_version)
    docs = (_record(x) for x in items if not isinstance(x, str) or x.strip())
    return concat_tables(builder.table_of_batch(b) for b in batched(docs, batch_size))


def documents_bag(urlpath: str | list[str], *, blocksize: int | str | None = "64MiB",
                  storage_options: dict[str, Any] | None = None) -> db.Bag:
    """Lines of ``documents.jsonl`` shard(s) at ``urlpath`` (any fsspec URL or glob)."""
    import dask.bag as db

    return db.read_text(urlpath, blocksize=blocksize, storage_options=storage_options)


def bag_of_documents(docs: Iterable[Document], *, npartitions: int = 8) -> db.Bag:
    """A bag of Documents held in memory (small corpora, tests)."""
    import dask.bag as db

    return db.from_sequence([d.to_dict() for d in docs], npartitions=npartitions)


def evidence_frame(bag: db.Bag, *, batch_size: int = 256, pipeline_version: str | None = None) -> dd.DataFrame:
    """The long table as a lazy dask DataFrame, one partition per bag partition."""
    import dask
    import dask.dataframe as dd

    from pipeline.scale.local import default_version

    version = pipeline_version or default_version()  # decided here, not on each worker
    parts = [dask.delayed(table_of_partition)(p, batch_size=batch_size, pipeline_version=version)
             for p in bag.to_delayed()]
    return dd.from_delayed(parts, meta=empty_table(), verify_meta=False)


def evidence_table(source: str | list[str] | db.Bag | Iterable[Document], *, batch_size: int = 256,
                   pipeline_version: str | None = None, blocksize: int | str | None = "64MiB",
                   npartitions: int = 8, storage_options: dict[str, Any] | None = None,
                   scheduler: Any = None) -> pd.DataFrame:
    """Compute the long table on Dask and sort it like the single-machine path.

    ``source``: shard URL(s) of ``documents.jsonl`` lines, a bag of such lines / dicts /
    Documents, or Documents. ``scheduler``: None uses the active ``distributed.Client``
    if there is one (else Dask's default); pass ``"processes"``, ``"sync"``... to choose.
    """
    import dask.bag as db

    bag: db.Bag
    if isinstance(source, str) or (isinstance(source, list) and source and all(isinstance(s, str) for s in source)):
        bag = documents_bag(source, blocksize=blocksize, storage_options=storage_options)  # type: ignore[arg-type]
    elif isinstance(source, db.Bag):
        bag = source
    else:
        bag = bag_of_documents(source, npartitions=npartitions)  # type: ignore[arg-type]
    frame = evidence_frame(bag, batch_size=batch_size, pipeline_version=pipeline_version)
    table = frame.compute(scheduler=scheduler) if scheduler is not None else frame.compute()
    if not len(table):
        return empty_table()
    return sort_table(concat_tables([table]))
