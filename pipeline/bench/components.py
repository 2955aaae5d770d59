"""Per-component timing: ``python -m pipeline.bench.components [--rounds 3] [--corpus corpus]``.

Times ``Extractor.make_doc`` (zones, guard, tokenizer) and each pipeline component on every
gold-set document and the corpus's abstracts, and prints milliseconds per document (the best of
``rounds`` passes per step), slowest first: the profile ``docs/benchmarks.md`` keeps before and after each speed change.
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

from pipeline.bench.identity import documents


def profile(rounds: int = 3, corpus: Path = Path("corpus"), perturbed: int = 0, tokenizer: str = "scispacy"
            ) -> tuple[dict[str, float], int]:
    """Milliseconds per document of each step, and the number of documents."""
    from pipeline.extract.api import Extractor, build_nlp

    docs = list(documents(Path("."), corpus, perturbed))
    ex = Extractor(build_nlp(None, tokenizer))
    for d in docs[:16]:
        ex.extract(d)  # warm: lazily built caches, first-call costs
    best: dict[str, float] = {}
    clock = time.perf_counter
    for _ in range(rounds):
        spent: dict[str, float] = collections.defaultdict(float)
        for d in docs:
            t = clock()
            sd = ex.make_doc(d)
            spent["make_doc (zones, guard, tokenizer)"] += clock() - t
            for name, proc in ex.nlp.pipeline:
                t = clock()
                sd = proc(sd)
                spent[name] += clock() - t
        for k, v in spent.items():  # the best round per step: a shared machine's load only adds
            best[k] = min(best.get(k, v), v)
    return {k: 1000 * v / len(docs) for k, v in sorted(best.items(), key=lambda kv: -kv[1])}, len(docs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--tokenizer", default="scispacy", help="build_nlp's tokenizer: scispacy (default) or spacy")
    ap.add_argument("--json", action="store_true", help="print {step: ms per document} and the document count as JSON")
    args = ap.parse_args(argv)
    ms, n = profile(args.rounds, args.corpus, tokenizer=args.tokenizer)
    if args.json:
        print(json.dumps({"ms_per_doc": ms, "docs": n, "rounds": args.rounds}))
        return 0
    for k, v in ms.items():
        print(f"{k:38s} {v:7.3f} ms/doc")
    print(f"{'total':38s} {sum(ms.values()):7.3f} ms/doc  ({n} documents, best of {args.rounds} rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
