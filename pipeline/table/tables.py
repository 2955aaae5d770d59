"""Writing the long table and its wide view together."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from pipeline.table.io import write_long, write_wide
from pipeline.table.validate import validate
from pipeline.table.vocab import Vocabularies, load_vocabularies
from pipeline.table.wide import wide_view


class EvidenceTables(NamedTuple):
    """``long``: one row per (document, subject, field, value); ``wide``: one row per document subject.

    A named tuple: ``tables.long`` or ``long, wide = load_evidence(...)``.
    """

    long: pd.DataFrame
    wide: pd.DataFrame


def write_tables(
    long_df: pd.DataFrame, corpus_dir: str | Path, *, vocab: Vocabularies | None = None
) -> EvidenceTables:
    """Validate ``long_df`` and write it and its wide view under ``corpus_dir`` (rows in the given order).

    Writes ``evidence.parquet``, ``evidence.csv``, ``evidence_wide.parquet`` and
    ``evidence_wide.csv``; the same table always gives the same bytes.
    """
    vocab = vocab or load_vocabularies()
    corpus = Path(corpus_dir)
    long_df = validate(long_df, vocab=vocab)
    wide = wide_view(long_df, vocab=vocab)
    write_long(long_df, corpus)
    write_wide(wide, corpus)
    return EvidenceTables(long_df, wide)
