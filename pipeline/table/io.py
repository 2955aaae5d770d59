"""Reading and writing the evidence tables: typed Parquet and UTF-8 CSV, byte-stable.

Files under the corpus folder:

- ``evidence.parquet`` / ``evidence.csv``: the long table (``COLUMNS``, in order);
- ``evidence_wide.parquet`` / ``evidence_wide.csv``: the wide view (``WIDE_COLUMNS``);
- ``evidence_superseded.csv``: rows replaced when a document's capture changed
  (appended to, never rewritten; see :mod:`pipeline.table.update`).

The same table always gives the same bytes: rows keep the order they are given, CSV
uses ``\\n`` line ends and fixed column order, Parquet is written by pyarrow with an
explicit schema, no pandas metadata and no timestamps. Files are replaced atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import SchemaError
from pipeline.fsutil import atomic_target
from pipeline.table.schema import COLUMNS, WIDE_COLUMNS

LONG_PARQUET = "evidence.parquet"
LONG_CSV = "evidence.csv"
WIDE_PARQUET = "evidence_wide.parquet"
WIDE_CSV = "evidence_wide.csv"
SUPERSEDED_CSV = "evidence_superseded.csv"

_ARROW_TYPES = {
    "string": pa.string(),
    "Int64": pa.int64(),
    "Float64": pa.float64(),
    "boolean": pa.bool_(),
}


def arrow_schema(columns: dict[str, tuple[str, str]], table: str = "evidence") -> pa.Schema:
    """The Parquet schema of a declared column set; column descriptions go into field metadata."""
    return pa.schema(
        [
            pa.field(name, _ARROW_TYPES[dtype], nullable=True, metadata={"description": desc})
            for name, (dtype, desc) in columns.items()
        ],
        metadata={"carmine.table": table},
    )


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    with atomic_target(path) as tmp:
        write(tmp)


def write_parquet(df: pd.DataFrame, path: Path, columns: dict[str, tuple[str, str]], *,
                  table_name: str = "evidence") -> None:
    schema = arrow_schema(columns, table_name)
    table = pa.Table.from_pandas(df[list(columns)], schema=schema, preserve_index=False)
    table = table.replace_schema_metadata(schema.metadata)
    _atomic(
        path,
        lambda tmp: pq.write_table(
            table, tmp, compression="zstd", write_statistics=True, use_dictionary=True
        ),
    )


def write_csv(df: pd.DataFrame, path: Path, columns: dict[str, tuple[str, str]] | None = None) -> None:
    cols = list(columns) if columns is not None else list(df.columns)
    _atomic(path, lambda tmp: df[cols].to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n"))


def read_parquet(path: Path, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    table = pq.read_table(path)
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise SchemaError(f"{path}: expected columns {missing} are missing (found {table.column_names})")
    df = table.to_pandas(types_mapper=_pandas_type)
    return df


def _pandas_type(arrow_type: pa.DataType) -> object:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_floating(arrow_type):
        return pd.Float64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def read_csv(path: Path, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """A table CSV with the declared dtypes (an unparsable cell: SchemaError naming line and column)."""
    df = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""], encoding="utf-8")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(f"{path}: expected columns {missing} are missing (found {list(df.columns)})")
    for name, (dtype, _) in columns.items():
        if dtype == "string":
            continue
        try:
            df[name] = _parse_column(df[name], dtype)
        except (TypeError, ValueError):
            bad = _first_bad(df[name], dtype)
            raise SchemaError(
                f"{path}:{bad + 2}: column {name!r}: expected {dtype}, found {df[name].iloc[bad]!r}"
            ) from None
    return df


def _parse_column(s: pd.Series, dtype: str) -> pd.Series:
    if dtype == "boolean":
        mapped = s.map({"True": True, "False": False, "true": True, "false": False}, na_action="ignore")
        if mapped.isna().sum() != s.isna().sum():
            raise ValueError("not a boolean")
        return mapped.astype("boolean")
    return pd.to_numeric(s, errors="raise").astype(dtype)


def _first_bad(s: pd.Series, dtype: str) -> int:
    for i, cell in enumerate(s):
        if pd.isna(cell):
            continue
        try:
            _parse_column(pd.Series([cell], dtype="string"), dtype)
        except (TypeError, ValueError):
            return i
    return 0


def write_long(df: pd.DataFrame, corpus_dir: Path) -> None:
    write_parquet(df, corpus_dir / LONG_PARQUET, COLUMNS)
    write_csv(df, corpus_dir / LONG_CSV, COLUMNS)


def write_wide(df: pd.DataFrame, corpus_dir: Path) -> None:
    write_parquet(df, corpus_dir / WIDE_PARQUET, WIDE_COLUMNS)
    write_csv(df, corpus_dir / WIDE_CSV, WIDE_COLUMNS)
