"""Annotate a gold file and score it: ``python -m pipeline.extract.evaluate [GOLD] [PRED]``.

Runs :func:`~pipeline.extract.annotate.annotate_file` over the gold documents (their ``id``
and ``text``), then the GUIDE's ``score.py`` on the result, and prints its table.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipeline.extract.annotate import annotate_file

DEFAULT_GOLD = Path("../shared/gold/dev.jsonl")


def evaluate(gold_path: str | Path = DEFAULT_GOLD, pred_path: str | Path = "build/dev.pred.jsonl",
             scorer: str | Path | None = None) -> str:
    """Annotate ``gold_path`` into ``pred_path`` and return score.py's table."""
    gold, pred = Path(gold_path), Path(pred_path)
    annotate_file(gold, pred)
    script = Path(scorer) if scorer else gold.parent / "score.py"
    done = subprocess.run([sys.executable, str(script), str(gold), str(pred)], capture_output=True, text=True,
                          check=True)
    return done.stdout


def main(argv: list[str]) -> None:
    print(evaluate(*argv[:2]) if argv else evaluate(), end="")


if __name__ == "__main__":
    main(sys.argv[1:])
