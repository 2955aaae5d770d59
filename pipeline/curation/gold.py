"""Curated evidence as additional gold, in the GUIDE's format.

One JSON line per document that has at least one curated row (accepted, corrected or
curator-added): ``{"id", "url", "source": "curation", "gold": {...every GUIDE
field...}, "curation": {"curated_rows", "undecided_rows", "complete"}}``. ``gold`` holds
only curated values; ``complete`` says whether the document has no undecided rows left
(``complete_only=True`` writes only those). ``score.py`` reads ``id`` and ``gold``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.curation.apply import apply_decisions
from pipeline.curation.review import doc_link
from pipeline.curation.settings import CurationSettings, load_settings
from pipeline.curation.table import load_table
from pipeline.curation.values import row_to_guide
from pipeline.extract.model import OBS_FIELDS, SCALAR_FIELDS, SET_FIELDS, empty_fields
from pipeline.fsutil import atomic_write

CURATED = ("accepted", "corrected", "curator_added")
#: which curated row wins a scalar field: the curator's own values before accepted ones
RANK = {"curator_added": 0, "corrected": 1, "accepted": 2}


def gold_records(df: pd.DataFrame, settings: CurationSettings, complete_only: bool = False) -> list[dict[str, Any]]:
    """GUIDE records of the curated rows of an applied table, by document id."""
    records: list[dict[str, Any]] = []
    for doc_id, rows in df.groupby("doc_id", sort=True, dropna=True):
        curated = rows[rows["status"].isin(CURATED)]
        if curated.empty:
            continue
        undecided = int((rows["status"] == "extracted").sum())
        if complete_only and undecided:
            continue
        order = curated.assign(_rank=curated["status"].map(RANK),
                               _conf=curated["confidence"].astype("Float64").fillna(0.0))
        order = order.sort_values(["_rank", "_conf", "subject", "evidence_id"], ascending=[True, False, True, True],
                                  kind="stable")
        records.append({
            "id": str(doc_id),
            "url": doc_link(doc_id) or None,
            "source": "curation",
            "gold": document_gold(order, settings),
            "curation": {"curated_rows": len(curated), "undecided_rows": undecided, "complete": undecided == 0},
        })
    return records


def document_gold(rows: pd.DataFrame, settings: CurationSettings) -> dict[str, Any]:
    """Every GUIDE field of one document from its curated rows (best-ranked first)."""
    gold = empty_fields()
    patients: dict[str, dict[str, Any]] = {}
    for _, row in rows.iterrows():
        f = str(row["field"])
        value = row_to_guide(row, settings)
        if value is None:
            continue
        if f in ("age", "sex", "patients"):
            merged = patients.setdefault(str(row["subject"]), {"age_years": None, "sex": None})
            for k, v in value.items():
                if merged.get(k) is None:
                    merged[k] = v
        elif f in SCALAR_FIELDS:
            if gold[f] is None:
                gold[f] = value
        elif f in SET_FIELDS:
            if value not in gold[f]:
                gold[f].append(value)
        elif f in OBS_FIELDS and value not in gold[f]:
            gold[f].append(value)
    gold["patients"] = [patients[k] for k in sorted(patients, key=_subject_key)]
    for f in SET_FIELDS:
        gold[f] = sorted(gold[f])
    return gold


def _subject_key(subject: str) -> tuple[int, str]:
    digits = subject[1:] if subject[:1] == "P" else ""
    return (int(digits), subject) if digits.isdigit() else (10**9, subject)


def export_gold(
    corpus_dir: Path | str, out_path: Path | str, long_df: pd.DataFrame | None = None,
    settings: CurationSettings | None = None, complete_only: bool = False,
) -> int:
    """Write curated gold (JSON lines) to ``out_path``; returns the number of documents."""
    settings = settings or load_settings()
    df = long_df if long_df is not None else load_table(Path(corpus_dir))
    applied, _ = apply_decisions(df, corpus_dir, settings)
    records = gold_records(applied, settings, complete_only)
    with atomic_write(Path(out_path)) as fh:  # a unique temporary name, renamed into place
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(records)
