"""Review CSVs: the evidence rows that need a curator's look, most urgent first.

A row is listed when it has no decision in force and at least one reason holds:

* ``re-review``: an earlier decision no longer matches its evidence (always on top);
* ``new document``: the document was in no earlier review file (``review.new_documents``);
* ``conflict``: a field that takes one value per document+subject has several;
* ``out of vocabulary``: the value is not in the field's vocabulary;
* ``low confidence``: below ``review.low_confidence_below``.

Files are ``corpus/review/review-<UTC time>[-NN].csv``, UTF-8 with a BOM (Excel then
reads it as UTF-8), comma-separated, CRLF line ends; a cell that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``...) starts with ``'``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.curation.apply import GONE, apply_decisions
from pipeline.curation.csvio import write_sheet
from pipeline.curation.decisions import now_utc
from pipeline.curation.settings import CurationSettings, load_settings
from pipeline.curation.table import load_table
from pipeline.curation.values import missing, out_of_vocabulary
from pipeline.fsutil import atomic_write

#: the review CSV's columns, in order
REVIEW_COLUMNS = (
    "priority", "reason", "evidence_id", "doc_id", "link", "subject", "field", "value", "value_id",
    "confidence", "extractor", "context", "sentence", "char_start", "char_end", "previous_decision",
    "decision", "corrected_value", "note", "curator",
)
#: columns compared with the current table on import (the evidence judged)
READ_ONLY = ("doc_id", "subject", "field", "value", "sentence", "char_start", "char_end")
#: columns the curator fills
DECISION_COLUMNS = ("decision", "corrected_value", "note", "curator")
PATIENT = re.compile(r"^P\d+$")


def doc_link(doc_id: Any) -> str:
    """https://doi.org/<doi> for a DOI, the id itself for a URL, else empty."""
    if missing(doc_id):
        return ""
    d = str(doc_id).strip()
    d = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", d, flags=re.I)
    if d.startswith("10."):
        return f"https://doi.org/{d}"
    return d if d.startswith(("http://", "https://")) else ""


def _span_in_sentence(row: Any, sentence: str) -> tuple[int, int] | None:
    """The value's span relative to the sentence.

    From document offsets and the sentence's own start (a ``sent_start`` or
    ``sentence_start`` column) where the table has one; else the first place the value
    (or its label) is written in the sentence.
    """
    start, end = row.get("char_start"), row.get("char_end")
    for col in ("sent_start", "sentence_start"):
        s0 = row.get(col)
        if not missing(s0) and not missing(start) and not missing(end):
            a, b = int(start) - int(s0), int(end) - int(s0)
            if 0 <= a < b <= len(sentence):
                return a, b
    for cand in (row.get("value"), row.get("value_label")):
        if missing(cand):
            continue
        for text in dict.fromkeys((str(cand), str(cand).replace("_", " "))):
            i = sentence.casefold().find(text.casefold())
            if i >= 0 and text.strip():
                return i, i + len(text)
    return None


def highlight(row: Any, width: int = 80) -> str:
    """The sentence around the value, the value in ``**bold**``: ``...had **CRS 1** while...``."""
    sentence = "" if missing(row.get("sentence")) else " ".join(str(row.get("sentence")).split())
    span = _span_in_sentence(row, sentence) if sentence else None
    if span is None:
        return sentence
    a, b = span
    lo, hi = max(0, a - width), min(len(sentence), b + width)
    pre = "..." if lo > 0 else ""
    post = "..." if hi < len(sentence) else ""
    return f"{pre}{sentence[lo:a]}**{sentence[a:b]}**{sentence[b:hi]}{post}"


@dataclass
class _Candidate:
    row: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    re_review: bool = False
    new_doc: bool = False
    weight: int = 0
    previous: str = ""


def _read_state(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("documents", {}))


def _write_state(path: Path, documents: dict[str, str]) -> None:
    with atomic_write(path) as fh:
        fh.write(json.dumps({"documents": dict(sorted(documents.items()))}, indent=1))


def _conflicts(df: pd.DataFrame, settings: CurationSettings) -> dict[int, str]:
    """Row position -> reason, for single-valued fields with several values."""
    out: dict[int, str] = {}
    live = df[df["status"] != "rejected"]
    for (_doc, subject, fld), group in live.groupby(["doc_id", "subject", "field"], sort=True, dropna=True):
        mode = settings.single_valued.get(str(fld))
        if mode is None or (mode == "patient" and not PATIENT.match(str(subject))):
            continue
        values = list(dict.fromkeys(str(v) for v in group["value"] if not missing(v)))
        if len(values) > 1:
            reason = f"conflict: {len(values)} values for {fld} of {subject} ({' | '.join(values)})"
            for i in group.index:
                out[i] = reason
    return out


def review_rows(
    long_df: pd.DataFrame, corpus_dir: Path | str, settings: CurationSettings | None = None,
    seen_documents: set[str] | None = None,
) -> list[dict[str, Any]]:
    """The rows of the next review, in priority order (the columns of REVIEW_COLUMNS)."""
    from pipeline.readers.identity import corpus_aliases

    settings = settings or load_settings()
    df, summary = apply_decisions(long_df, corpus_dir, settings, aliases=corpus_aliases(corpus_dir))
    seen = seen_documents or set()
    conflicts = _conflicts(df, settings)
    flagged = {r.evidence_id: r for r in summary.re_review if r.why != GONE}
    cands: list[_Candidate] = []
    for i, row in df.iterrows():
        if row["status"] != "extracted":
            continue
        c = _Candidate(row.to_dict())
        eid = "" if missing(row["evidence_id"]) else str(row["evidence_id"])
        if eid in flagged:
            c.re_review = True
            d = flagged[eid].decision
            c.reasons.append(f"re-review: evidence changed since {d.curator} chose '{d.decision}'")
            c.previous = _previous(d)
        if settings.new_documents and str(row["doc_id"]) not in seen:
            c.new_doc = True
            c.reasons.append("new document")
        if i in conflicts:
            c.reasons.append(conflicts[i])
            c.weight += settings.weights.get("conflict", 0)
        oov = out_of_vocabulary(row, settings)
        if oov:
            c.reasons.append(f"out of vocabulary: {oov}")
            c.weight += settings.weights.get("out_of_vocabulary", 0)
        conf = row.get("confidence")
        if not missing(conf) and float(conf) < settings.low_confidence_below:
            c.reasons.append(f"low confidence {float(conf):.2f}")
            c.weight += settings.weights.get("low_confidence", 0)
        if c.reasons:
            cands.append(c)
    for r in summary.re_review:
        if r.why == GONE:
            cands.append(_gone(r))
    cands.sort(key=lambda c: (
        not c.re_review, not c.new_doc, -c.weight,
        1.0 if missing(c.row.get("confidence")) else float(c.row["confidence"]),
        str(c.row.get("doc_id")), str(c.row.get("subject")), str(c.row.get("field")),
        str(c.row.get("evidence_id")),
    ))
    return [_review_row(n, c, settings) for n, c in enumerate(cands, 1)]


def _previous(d: Any) -> str:
    val = f" -> {d.corrected_value}" if d.decision == "correct" else ""
    return f"{d.decision}{val} ({d.curator}, {d.at}): judged {d.judged.get('value')!r}"


def _gone(r: Any) -> _Candidate:
    j = dict(r.decision.judged)
    d = r.decision
    if d.decision == "correct":
        j["value"] = d.corrected_value
    row = {**j, "evidence_id": "", "confidence": None, "extractor": "", "value_id": None}
    why = f"re-review: evidence {r.evidence_id} judged by {d.curator} is no longer extracted; "
    if r.merged_into:  # its document was merged into the DOI's: the row names that one now
        row.update(doc_id=r.merged_into, char_start=None, char_end=None)
        why += (f"its document {j.get('doc_id')} was merged into {r.merged_into} (same article); "
                "to keep the value there, set decision to add")
    else:
        why += "to keep the value, set decision to add"
    return _Candidate(row, [why], re_review=True, previous=_previous(d))


def _cell(x: Any) -> str:
    if missing(x):
        return ""
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else f"{x:g}"
    return str(x)


def _review_row(n: int, c: _Candidate, settings: CurationSettings) -> dict[str, Any]:
    row = c.row
    conf = row.get("confidence")
    return {
        "priority": n,
        "reason": "; ".join(c.reasons),
        "evidence_id": _cell(row.get("evidence_id")),
        "doc_id": _cell(row.get("doc_id")),
        "link": doc_link(row.get("doc_id")),
        "subject": _cell(row.get("subject")),
        "field": _cell(row.get("field")),
        "value": _cell(row.get("value")),
        "value_id": _cell(row.get("value_id")),
        "confidence": "" if conf is None or missing(conf) else f"{float(conf):.2f}",
        "extractor": _cell(row.get("extractor")),
        "context": highlight(row, settings.context_chars),
        "sentence": _cell(row.get("sentence")),
        "char_start": _cell(row.get("char_start")),
        "char_end": _cell(row.get("char_end")),
        "previous_decision": c.previous,
        "decision": "",
        "corrected_value": "",
        "note": "",
        "curator": "",
    }


def write_review_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """One review file: UTF-8 with BOM, comma, CRLF, every cell quoted where needed.

    Cells a spreadsheet would run as formulas are neutralised (``'`` in front; see
    :mod:`pipeline.curation.csvio`); the review reader takes the ``'`` off again.
    """
    return write_sheet(path, list(rows[0].keys()) if rows else list(REVIEW_COLUMNS), rows)


def export_review(
    corpus_dir: Path | str, long_df: pd.DataFrame | None = None, settings: CurationSettings | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Write the review CSVs under ``corpus/review/``; returns their paths ([] when nothing needs a look).

    ``long_df`` defaults to the table the build wrote (corpus/evidence.parquet or .csv).
    """
    corpus_dir = Path(corpus_dir)
    settings = settings or load_settings()
    df = long_df if long_df is not None else load_table(corpus_dir)
    state_path = corpus_dir / settings.review_state
    state = _read_state(state_path)
    rows = review_rows(df, corpus_dir, settings, seen_documents=set(state))
    if not rows:
        return []
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    out_dir = corpus_dir / settings.review_dir
    size = max(1, settings.max_rows_per_file)
    chunks = [rows[k:k + size] for k in range(0, len(rows), size)]
    paths: list[Path] = []
    base = f"review-{stamp}"
    k = 1
    while any(p.name.startswith(base) for p in out_dir.glob("review-*.csv")):
        base = f"review-{stamp}-{k}"
        k += 1
    for n, chunk in enumerate(chunks, 1):
        name = f"{base}.csv" if len(chunks) == 1 else f"{base}-{n:02d}.csv"
        paths.append(write_review_csv(out_dir / name, chunk))
    at = now_utc()
    for doc in df["doc_id"].dropna().astype(str).unique():
        state.setdefault(doc, at)
    _write_state(state_path, state)
    return paths
