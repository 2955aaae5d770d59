"""``python -m pipeline.bench``: run the benchmark and print its report.

The project's CLI (``python -m pipeline bench``) wraps the same :func:`run_bench`;
this entry point lets the bench run before (or without) that wiring.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from pipeline.bench.configs import CONFIGS
from pipeline.bench.run import format_report, run_bench


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.bench", description="Throughput and memory benchmark.")
    ap.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus folder (raw captures)")
    ap.add_argument("-n", "--n-docs", type=int, default=5000, help="documents to process per configuration")
    ap.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated, of {', '.join(CONFIGS)}")
    ap.add_argument("--cores", default=None, help="process counts for ours_batched, e.g. 1,2,4 (default: 1 and all)")
    ap.add_argument("--batch-size", type=int, default=256, help="documents per batch")
    ap.add_argument("--seed", type=int, default=0, help="seed of the perturbations")
    ap.add_argument("--slow-docs", type=int, default=1000,
                    help="cap the documents of the slow configurations naive and ours_per_doc_validated (0: no cap)")
    ap.add_argument("--work-dir", type=Path, default=Path(".bench"), help="where inputs, profiles, results go")
    ap.add_argument("--no-noop", action="store_true", help="skip timing a no-op `pipeline run`")
    ap.add_argument("--profile", action="store_true", help="profile each configuration; print top entries")
    ap.add_argument("--json", type=Path, default=None, help="also write the result as JSON here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cores = [int(c) for c in args.cores.split(",")] if args.cores else None
    result = run_bench(args.corpus, args.n_docs, configs=[c.strip() for c in args.configs.split(",") if c.strip()],
                       cores=cores, batch_size=args.batch_size, seed=args.seed, work_dir=args.work_dir,
                       slow_docs=args.slow_docs or None, noop=not args.no_noop, profile=args.profile)
    print(format_report(result, top=20 if args.profile else 0))
    if args.json:
        args.json.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
