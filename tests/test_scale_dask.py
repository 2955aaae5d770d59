"""The Dask path gives exactly the single-machine long table (on a real 2-process cluster)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from pipeline.bench.inputs import write_documents
from pipeline.readers import read_capture
from pipeline.scale.local import build_table, sort_table
from pipeline.store import CaptureStore

pytest.importorskip("pipeline.extract")
distributed = pytest.importorskip("distributed")

REPO_CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def documents():
    """The seed and a few captured pages, parsed as the build parses them."""
    if not (REPO_CORPUS / "captures.jsonl").exists():
        pytest.skip("no corpus in this checkout")
    store = CaptureStore(REPO_CORPUS)
    latest = list(store.latest().values())
    chosen = [r for r in latest if r.source == "seed"] + list(itertools.islice((r for r in latest if r.source != "seed"), 7))
    return [read_capture(store.get(r.sha256), where=r.sha256, doc_id=r.doi, source=r.source, url=r.url,
                         charset=r.charset) for r in chosen]


@pytest.fixture(scope="module")
def reference(documents):
    """Single machine, the plain way: Extractor.pipe then table.normalize per document."""
    from pipeline import __version__
    from pipeline.extract import Extractor
    from pipeline.table.normalize import normalize

    frames = [normalize(d, ex, pipeline_version=__version__) for d, ex in zip(documents, Extractor().pipe(documents), strict=True)]
    return sort_table(pd.concat([f for f in frames if len(f)], ignore_index=True))


def test_batched_local_path_matches_per_document_normalize(documents, reference):
    assert len(reference) > 0
    pd.testing.assert_frame_equal(build_table(documents, batch_size=3), reference)


def test_dask_on_local_cluster_matches_single_machine(documents, reference, tmp_path):
    from pipeline.scale.dask_path import evidence_table

    shards = [tmp_path / "documents-0.jsonl", tmp_path / "documents-1.jsonl"]
    write_documents(documents[::2], shards[0])
    write_documents(documents[1::2], shards[1])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        table = evidence_table(str(tmp_path / "documents-*.jsonl"), blocksize=4096, batch_size=2)
        assert len(client.scheduler_info()["workers"]) == 2
        in_memory = evidence_table(documents, npartitions=3)
    assert list(table.columns) == list(reference.columns)
    pd.testing.assert_frame_equal(table, reference)
    pd.testing.assert_frame_equal(in_memory, reference)
