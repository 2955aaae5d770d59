"""The evidence tables' small Python API.

>>> from pipeline import load_evidence
>>> tables = load_evidence("corpus")
>>> tables.long[tables.long.field == "disease"].value_counts("value")

See ``docs/evidence_table.md`` for more.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import SchemaError
from pipeline.table.io import LONG_CSV, LONG_PARQUET, WIDE_CSV, WIDE_PARQUET, read_csv, read_parquet
from pipeline.table.schema import WIDE_COLUMNS
from pipeline.table.tables import EvidenceTables, write_tables
from pipeline.table.update import read_long
from pipeline.table.validate import validate_wide
from pipeline.table.vocab import Vocabularies, load_vocabularies
from pipeline.table.wide import wide_view

__all__ = ["EvidenceTables", "load_evidence", "write_tables"]


def load_evidence(corpus_dir: str | Path = "corpus", *, vocab: Vocabularies | None = None) -> EvidenceTables:
    """The corpus's evidence tables, typed and validated (Parquet where present, else CSV).

    The wide view is read from its file when there is one, else derived from the long table.
    """
    corpus = Path(corpus_dir)
    vocab = vocab or load_vocabularies()
    if not (corpus / LONG_PARQUET).exists() and not (corpus / LONG_CSV).exists():
        raise SchemaError(f"{corpus}: no evidence table here (expected {LONG_PARQUET} or {LONG_CSV})")
    long_df = read_long(corpus, vocab=vocab)
    if (corpus / WIDE_PARQUET).exists():
        wide = validate_wide(
            read_parquet(corpus / WIDE_PARQUET, WIDE_COLUMNS), table=str(corpus / WIDE_PARQUET)
        )
    elif (corpus / WIDE_CSV).exists():
        wide = validate_wide(read_csv(corpus / WIDE_CSV, WIDE_COLUMNS), table=str(corpus / WIDE_CSV))
    else:
        wide = wide_view(long_df, vocab=vocab)
    return EvidenceTables(long_df, wide)
