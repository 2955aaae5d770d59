"""Output identity: a speed change must not change one extraction.

``python -m pipeline.bench.identity save REF`` writes, one JSON line per document, what the
``Extractor`` gives (fields and every evidence) on every gold set (``tests/fixtures/gold/*.jsonl``
and ``../shared/gold/dev.jsonl``), on the corpus's abstracts and on perturbed copies of them
(the bench input, :mod:`pipeline.bench.inputs`); ``check REF`` recomputes the same lines and
names the first document and key that differ. The reference is made *before* a change (it is
a file of the checkout's current behaviour, kept under ``/.bench/``, never committed: other
engineers change the extractor's outputs on purpose).

Only the identity of outputs is compared: the gold sets are not scored here.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.document import Document

GOLD_FILES = ("../shared/gold/dev.jsonl", "tests/fixtures/gold/extra.jsonl", "tests/fixtures/gold/heldout.jsonl",
              "tests/fixtures/gold/tune.jsonl", "tests/fixtures/gold/blind.jsonl")


def documents(root: Path, corpus: Path, perturbed: int) -> Iterator[Document]:
    """Every gold document (as ``annotate`` reads it), the corpus's abstracts, ``perturbed`` more."""
    from pipeline.bench.inputs import cycle_documents, source_documents, write_documents
    from pipeline.readers import read_text

    for name in GOLD_FILES:
        path = root / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                doc = read_text(rec["text"], doc_id=str(rec["id"]))
                doc.id = f"{path.name}:{rec['id']}"
                yield doc
    if (corpus / "captures.jsonl").exists():
        with tempfile.TemporaryDirectory() as tmp:
            sources = Path(tmp) / "sources.jsonl"
            n = write_documents(source_documents(corpus), sources)
            yield from cycle_documents(sources, n + perturbed, seed=7)


def lines(root: Path, corpus: Path, perturbed: int, tokenizer: str = "scispacy") -> Iterator[tuple[str, str]]:
    from pipeline.extract.api import Extractor, build_nlp

    ex = Extractor(build_nlp(None, tokenizer))
    docs = list(documents(root, corpus, perturbed))
    for doc, result in zip(docs, ex.pipe(docs), strict=True):
        yield doc.id, json.dumps(result.to_json(), ensure_ascii=False, sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("save", "check"))
    ap.add_argument("reference", type=Path)
    ap.add_argument("--root", type=Path, default=Path("."), help="repository root (gold sets relative to it)")
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--perturbed", type=int, default=600, help="perturbed corpus abstracts added")
    ap.add_argument("--tokenizer", default="scispacy", help="build_nlp's tokenizer: scispacy (default) or spacy")
    args = ap.parse_args(argv)
    got = list(lines(args.root, args.corpus, args.perturbed, args.tokenizer))
    if args.mode == "save":
        args.reference.parent.mkdir(parents=True, exist_ok=True)
        args.reference.write_text("".join(f"{i}\t{line}\n" for i, line in got), encoding="utf-8")
        print(f"saved {len(got)} extractions to {args.reference}")
        return 0
    ref = [tuple(row.split("\t", 1)) for row in args.reference.read_text(encoding="utf-8").splitlines()]
    if len(ref) != len(got):
        print(f"{args.reference}: {len(ref)} documents, now {len(got)}")
        return 1
    bad = fields = 0
    for (rid, rline), (gid, gline) in zip(ref, got, strict=True):
        if rid != gid or rline != gline:
            bad += 1
            fields += json.loads(rline).get("fields") != json.loads(gline).get("fields")
            if bad <= 5:
                a, b = json.loads(rline), json.loads(gline)
                keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
                print(f"differs: {rid} (now {gid}), keys {keys}")
                for k in keys[:1]:
                    print(f"  was: {json.dumps(a.get(k), ensure_ascii=False)[:600]}")
                    print(f"  now: {json.dumps(b.get(k), ensure_ascii=False)[:600]}")
    print(f"{len(got) - bad}/{len(got)} extractions identical to {args.reference}"
          + (f" ({fields} with different fields, {bad - fields} with different evidence only)" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
