"""Measure one configuration in this process: ``python -m pipeline.bench.worker ...``.

The bench runs each configuration in a fresh interpreter so that peak memory
(``ru_maxrss``) and warmed caches do not mix between them. Documents are streamed from
the input file in batches; the clock runs only while a configuration processes a batch
(reading the file and counting words are outside it), after the configuration was set
up and warmed on the first ``warmup`` documents. With ``--cores`` > 1 the ``ours_batched``
path runs on a pool of worker processes and the clock is the wall time from the moment
every worker is ready to the last batch's table (the parent's reading overlaps the
workers' work).

The result is one JSON line on stdout, prefixed with :data:`RESULT_PREFIX`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.document import Document

RESULT_PREFIX = "BENCH_RESULT "


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    rss = resource.getrusage(who).ru_maxrss
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB on Linux


def _documents(path: Path, n: int) -> Iterator[Document]:
    from pipeline.build import iter_documents

    return itertools.islice(iter_documents(path), n)


def measure(config: str, input_path: str | Path, n: int, *, batch_size: int = 256, cores: int = 1,
            warmup: int = 16, profile: str | Path | None = None) -> dict[str, Any]:
    """Process ``n`` documents of ``input_path`` with ``config``; returns the measurements."""
    from pipeline.bench.configs import setup
    from pipeline.bench.inputs import word_count
    from pipeline.scale.local import batched

    path = Path(input_path)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    t_setup = time.perf_counter()
    docs = words = produced = 0
    elapsed = 0.0
    if cores == 1:
        fn = setup(config, batch_size=batch_size)
        fn(list(_documents(path, warmup)))
        finish = getattr(fn, "finish", None)
        if finish is not None:
            finish()  # the warm-up's rows are not part of the measured table
        setup_s = time.perf_counter() - t_setup
        setup_rss = _maxrss_mb()
        for batch in batched(_documents(path, n), batch_size):
            docs += len(batch)
            words += sum(word_count(d) for d in batch)
            if profiler:
                profiler.enable()
            t0 = time.perf_counter()
            produced += fn(batch)
            elapsed += time.perf_counter() - t0
            if profiler:
                profiler.disable()
        if finish is not None:
            if profiler:
                profiler.enable()
            t0 = time.perf_counter()
            produced += finish()
            elapsed += time.perf_counter() - t0
            if profiler:
                profiler.disable()
    else:
        if config != "ours_batched":
            raise ValueError(f"--cores {cores}: only ours_batched runs on a process pool, not {config!r}")
        from pipeline.scale.local import table_batches

        clock: dict[str, float] = {}

        def counted() -> Iterator[Document]:
            nonlocal docs, words
            for doc in _documents(path, n):
                docs += 1
                words += word_count(doc)
                yield doc

        def ready() -> None:
            clock["setup"] = time.perf_counter() - t_setup
            clock["start"] = time.perf_counter()

        for frame in table_batches(counted(), n_process=cores, batch_size=batch_size, on_ready=ready):
            produced += len(frame)
        elapsed = time.perf_counter() - clock["start"]
        setup_s = clock["setup"]
        setup_rss = _maxrss_mb()
    if profiler:
        profiler.dump_stats(str(profile))
    return {
        "config": config, "cores": cores, "docs": docs, "words": words, "produced": produced,
        "seconds": elapsed, "setup_seconds": setup_s, "batch_size": batch_size,
        "setup_rss_mb": setup_rss, "peak_rss_mb": _maxrss_mb(),
        "children_peak_rss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.bench.worker", description=__doc__.splitlines()[0])
    ap.add_argument("config", help="naive, ours, ours_per_doc_validated, ours_batched or tokenizer")
    ap.add_argument("input", type=Path, help="documents.jsonl to read")
    ap.add_argument("--n", type=int, required=True, help="how many documents to process")
    ap.add_argument("--batch-size", type=int, default=256, help="documents per batch")
    ap.add_argument("--cores", type=int, default=1, help="processes (ours_batched only for > 1)")
    ap.add_argument("--warmup", type=int, default=16, help="documents processed before the clock starts")
    ap.add_argument("--profile", type=Path, default=None, help="write cProfile stats of the timed part here")
    args = ap.parse_args(argv)
    result = measure(args.config, args.input, args.n, batch_size=args.batch_size, cores=args.cores,
                     warmup=args.warmup, profile=args.profile)
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
