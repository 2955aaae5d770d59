"""Reading the evidence table the build wrote, without depending on pipeline.table's code.

Only the column declaration (:mod:`pipeline.table.schema`) is shared.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.errors import CurationError
from pipeline.table.schema import COLUMNS

TABLE_NAMES = ("evidence.parquet", "evidence.csv")


def load_table(corpus_dir: Path) -> pd.DataFrame:
    """The long evidence table under ``corpus_dir`` (parquet preferred, else CSV)."""
    corpus_dir = Path(corpus_dir)
    for name in TABLE_NAMES:
        path = corpus_dir / name
        if not path.exists():
            continue
        if name.endswith(".parquet"):
            return pd.read_parquet(path)
        dtypes = {c: d for c, (d, _) in COLUMNS.items()}
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
        return pd.read_csv(path, encoding="utf-8-sig", dtype={c: dtypes[c] for c in head.columns if c in dtypes})
    raise CurationError(
        f"{corpus_dir}: expected the evidence table ({' or '.join(TABLE_NAMES)}), found neither; "
        "build it first (make build)"
    )


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every declared column present (missing ones empty, declared dtype)."""
    out = df.copy()
    for col, (dtype, _) in COLUMNS.items():
        if col not in out.columns:
            out[col] = pd.Series([pd.NA] * len(out), index=out.index, dtype=dtype)
    if len(out):
        out["status"] = out["status"].fillna("extracted")
    return out
