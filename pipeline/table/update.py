"""Extending the evidence table report by report.

:func:`merge_tables` is the rule, a pure function; :func:`update_table` reads the
corpus's table, applies it, writes the result and the superseded rows.

- Documents keep the order of their first appearance: the previous table's order, then
  new documents in the order of ``new_rows``. Row order inside a document is the order
  of ``new_rows`` (normalization order, curator_added rows where curation put them).
- A document not in ``new_rows`` keeps its previous rows byte for byte.
- A document in ``new_rows`` takes its new rows (so curation decisions land). Previous
  rows of it whose ``evidence_id`` is gone are *superseded*: reason
  ``capture_changed`` when its ``capture_sha256`` changed (or the caller says it was
  rebuilt), else ``re_extracted`` (e.g. a new pipeline version). They are returned and
  appended to ``corpus/evidence_superseded.csv``.
- A document whose previous rows come from a *retired* capture (``carmine retire``) and
  that is not in ``new_rows`` leaves the table: its rows are superseded, reason
  ``retired``. (Retired rows of a document that is in ``new_rows`` get that reason too.)
- A document that was *merged* into another (``merged``: a ``pmcid:…`` document into its
  DOI document, :mod:`pipeline.readers.identity`) and is not in ``new_rows`` leaves the
  table too: its rows are superseded, reason ``merged``, by the DOI document's capture.

:func:`update_table` appends the superseded rows *before* it replaces the table, so a
crash between the two writes never loses them; a row already in the log (same
evidence id, reason and successor) is not appended again, so the rerun after such a
crash, or a second run that saw the same change, records each row once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.table.io import LONG_CSV, LONG_PARQUET, SUPERSEDED_CSV, read_csv, read_parquet, write_csv
from pipeline.table.schema import COLUMNS
from pipeline.table.tables import write_tables
from pipeline.table.validate import empty_long, validate
from pipeline.table.vocab import Vocabularies, load_vocabularies

SUPERSEDED_COLUMNS: dict[str, tuple[str, str]] = {
    **COLUMNS,
    "superseded_reason": ("string", "capture_changed, re_extracted, retired or merged"),
    "superseded_by_capture": ("string", "capture_sha256 of the document's new rows"),
    "superseded_by_version": ("string", "pipeline_version of the document's new rows"),
}


@dataclass(slots=True)
class UpdateSummary:
    """What an update did. ``table`` is the new long table, ``superseded`` the rows it dropped."""

    table: pd.DataFrame
    superseded: pd.DataFrame
    docs_added: list[str] = field(default_factory=list)
    docs_rebuilt: list[str] = field(default_factory=list)  # capture changed
    docs_reextracted: list[str] = field(default_factory=list)  # same capture, rows changed
    docs_unchanged: list[str] = field(default_factory=list)  # same capture, same rows
    docs_kept: list[str] = field(default_factory=list)  # not in new_rows: previous rows kept
    docs_retired: list[str] = field(default_factory=list)  # not in new_rows, capture retired: rows dropped
    docs_merged: list[str] = field(default_factory=list)  # not in new_rows, merged into another document
    rows_added: int = 0

    @property
    def rows_superseded(self) -> int:
        return len(self.superseded)

    def to_dict(self) -> dict[str, object]:
        """A JSON-able summary for logs and the build report."""
        return {
            "docs_added": self.docs_added,
            "docs_rebuilt": self.docs_rebuilt,
            "docs_reextracted": self.docs_reextracted,
            "docs_unchanged": len(self.docs_unchanged),
            "docs_kept": len(self.docs_kept),
            "docs_retired": self.docs_retired,
            "docs_merged": self.docs_merged,
            "rows": len(self.table),
            "rows_added": self.rows_added,
            "rows_superseded": self.rows_superseded,
        }


def _order(ids: Iterable[object]) -> list[str]:
    return [str(i) for i in dict.fromkeys(ids)]


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    return a.shape == b.shape and bool(
        a.astype("string").fillna("\x00").eq(b.astype("string").fillna("\x00")).all().all()
    )


def merge_tables(
    previous: pd.DataFrame,
    new_rows: pd.DataFrame,
    *,
    doc_ids_rebuilt: Iterable[str] = (),
    vocab: Vocabularies | None = None,
    retired_captures: Iterable[str] = (),
    merged: dict[str, str] | None = None,
) -> UpdateSummary:
    """The long table after adding ``new_rows`` to ``previous`` (both long tables).

    ``merged``: ids of documents merged into another (old id -> the id it is now part of).
    """
    vocab = vocab or load_vocabularies()
    previous = validate(previous, vocab=vocab, table="previous evidence table")
    new_rows = validate(new_rows, vocab=vocab, table="new evidence rows")
    forced = set(doc_ids_rebuilt)
    retired = set(retired_captures)
    old_docs, new_docs = _order(previous["doc_id"]), _order(new_rows["doc_id"])
    summary = UpdateSummary(table=empty_long(), superseded=pd.DataFrame(columns=list(SUPERSEDED_COLUMNS)))
    parts: list[pd.DataFrame] = []
    superseded: list[pd.DataFrame] = []
    for doc_id in old_docs + [d for d in new_docs if d not in set(old_docs)]:
        old = previous[previous["doc_id"] == doc_id]
        new = new_rows[new_rows["doc_id"] == doc_id]
        if new.empty:
            if merged and doc_id in merged:
                into = new_rows[new_rows["doc_id"] == merged[doc_id]]["capture_sha256"].dropna()
                gone = old.copy()
                gone["superseded_reason"] = "merged"
                gone["superseded_by_capture"] = str(into.iloc[0]) if len(into) else None
                gone["superseded_by_version"] = None
                superseded.append(gone)
                summary.docs_merged.append(doc_id)
                continue
            if retired and old["capture_sha256"].isin(retired).any():
                gone = old.copy()
                gone["superseded_reason"] = "retired"
                gone["superseded_by_capture"] = None
                gone["superseded_by_version"] = None
                superseded.append(gone)
                summary.docs_retired.append(doc_id)
                continue
            summary.docs_kept.append(doc_id)
            parts.append(old)
            continue
        parts.append(new)
        if old.empty:
            summary.docs_added.append(doc_id)
            summary.rows_added += len(new)
            continue
        old_caps = set(old["capture_sha256"].dropna())
        new_cap = new["capture_sha256"].dropna()
        new_cap_value = str(new_cap.iloc[0]) if len(new_cap) else None
        capture_changed = doc_id in forced or old_caps != set(new_cap)
        if _same_rows(old, new):
            summary.docs_unchanged.append(doc_id)
            continue
        (summary.docs_rebuilt if capture_changed else summary.docs_reextracted).append(doc_id)
        gone = old[~old["evidence_id"].isin(set(new["evidence_id"]))].copy()
        summary.rows_added += int((~new["evidence_id"].isin(set(old["evidence_id"]))).sum())
        if not gone.empty:
            gone["superseded_reason"] = "capture_changed" if capture_changed else "re_extracted"
            gone.loc[gone["capture_sha256"].isin(retired), "superseded_reason"] = "retired"
            gone["superseded_by_capture"] = new_cap_value
            gone["superseded_by_version"] = str(new["pipeline_version"].iloc[0])
            superseded.append(gone)
    table = pd.concat(parts, ignore_index=True) if parts else empty_long()
    summary.table = validate(table, vocab=vocab, table="merged evidence table")
    if superseded:
        summary.superseded = pd.concat(superseded, ignore_index=True).astype(
            {k: dtype for k, (dtype, _) in SUPERSEDED_COLUMNS.items()}
        )
    return summary


def read_long(corpus_dir: str | Path, *, vocab: Vocabularies | None = None) -> pd.DataFrame:
    """The corpus's long table (Parquet, else CSV), validated; an empty table when there is none."""
    corpus = Path(corpus_dir)
    if (corpus / LONG_PARQUET).exists():
        df = read_parquet(corpus / LONG_PARQUET, COLUMNS)
        where = str(corpus / LONG_PARQUET)
    elif (corpus / LONG_CSV).exists():
        df = read_csv(corpus / LONG_CSV, COLUMNS)
        where = str(corpus / LONG_CSV)
    else:
        return empty_long()
    return validate(df, vocab=vocab, table=where)


def update_table(
    corpus_dir: str | Path,
    new_rows: pd.DataFrame,
    *,
    doc_ids_rebuilt: Iterable[str] = (),
    vocab: Vocabularies | None = None,
    retired_captures: Iterable[str] = (),
    merged: dict[str, str] | None = None,
) -> UpdateSummary:
    """Merge ``new_rows`` into ``corpus_dir``'s table and write everything (see module doc).

    The superseded log is written first: the table that drops the rows replaces the old
    one only once they are recorded.
    """
    corpus = Path(corpus_dir)
    vocab = vocab or load_vocabularies()
    summary = merge_tables(
        read_long(corpus, vocab=vocab), new_rows, doc_ids_rebuilt=doc_ids_rebuilt, vocab=vocab,
        retired_captures=retired_captures, merged=merged,
    )
    if not summary.superseded.empty:
        append_superseded(corpus / SUPERSEDED_CSV, summary.superseded)
    write_tables(summary.table, corpus, vocab=vocab)
    return summary


#: What makes a superseded row the same record (the row, why, and what replaced it).
_SUPERSEDED_KEY = ("evidence_id", "capture_sha256", "superseded_reason", "superseded_by_capture",
                   "superseded_by_version")


def append_superseded(path: Path, rows: pd.DataFrame) -> int:
    """Append ``rows`` to the superseded log, leaving out those it already holds; returns how many were new."""
    if path.exists():
        log = read_csv(path, SUPERSEDED_COLUMNS)
        seen = set(_keys(log))
        fresh = rows[[k not in seen for k in _keys(rows)]]
        if fresh.empty:
            return 0
        write_csv(pd.concat([log, fresh], ignore_index=True), path, SUPERSEDED_COLUMNS)
        return len(fresh)
    write_csv(rows, path, SUPERSEDED_COLUMNS)
    return len(rows)


def _keys(df: pd.DataFrame) -> list[tuple[str, ...]]:
    cols = [df[c].astype("string").fillna("") for c in _SUPERSEDED_KEY]
    return list(zip(*cols, strict=True))
