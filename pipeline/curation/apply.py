"""Applying the curators' decisions to a freshly built evidence table.

The build calls :func:`apply_decisions` between normalization and writing, so every
rebuild carries every decision: ``status`` becomes accepted / corrected / rejected,
a corrected row's ``value`` (and its structured columns) take the curator's value (the
machine's value stays in the decision log, ``judged.value``), and curator-added rows
are appended with status ``curator_added``.

A decision is applied only to the evidence it judged: when a re-extraction changed
that evidence (its fingerprint differs) or no longer produces it (its evidence id is
gone), the row stays ``extracted`` and the decision is listed in
``ApplySummary.re_review`` and at the top of the next review CSV. Nothing is removed
from the log; the curator's next decision supersedes the old one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import __version__
from pipeline.curation.decisions import Decision, fingerprint, latest, log_path, read_log
from pipeline.curation.settings import CurationSettings, load_settings
from pipeline.curation.table import conform
from pipeline.curation.values import missing, parse_value

STATUS_OF = {"accept": "accepted", "correct": "corrected", "reject": "rejected"}
CHANGED = "changed"
GONE = "gone"


@dataclass(frozen=True)
class ReReview:
    """A decision that was not applied because its evidence changed or disappeared."""

    evidence_id: str
    why: str  # CHANGED or GONE
    decision: Decision
    #: the document the judged one was merged into (a ``pmcid:…`` document into its DOI's)
    merged_into: str | None = None

    def __str__(self) -> str:
        d = self.decision
        what = "changed since" if self.why == CHANGED else "is no longer extracted since"
        j = d.judged
        where = (f"; its document {j.get('doc_id')} was merged into {self.merged_into}: judge the value there"
                 if self.merged_into else "")
        return (f"{self.evidence_id} ({j.get('doc_id')}, {j.get('subject')}, {j.get('field')}={j.get('value')!r}): "
                f"evidence {what} the decision '{d.decision}' by {d.curator} at {d.at}{where}")


@dataclass
class ApplySummary:
    decisions: int = 0
    counts: Counter = field(default_factory=Counter)
    re_review: list[ReReview] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: curator-added rows whose document was merged into another, moved there
    moved: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return self.counts["curator_added"]

    def __str__(self) -> str:
        parts = [f"{self.decisions} decisions in force"]
        parts += [f"{n} {s}" for s, n in sorted(self.counts.items())]
        if self.re_review:
            parts.append(f"{len(self.re_review)} flagged for re-review")
        if self.moved:
            parts.append(f"{len(self.moved)} added rows moved to the document theirs was merged into")
        if self.errors:
            parts.append(f"{len(self.errors)} not applicable")
        return ", ".join(parts)


def machine_value(row: Any, decision: Decision | None) -> Any:
    """The value the machine extracted for a row, also when a correction was applied.

    The table keeps it in ``extracted_value``; without that column, a corrected row's
    value is matched against the correction in force.
    """
    kept = row.get("extracted_value")
    if not missing(kept):
        return kept
    value = row["value"]
    if (decision is not None and decision.decision == "correct" and str(row.get("status")) == "corrected"
            and not missing(value) and str(value) == str(decision.corrected_value)):
        return decision.judged.get("value")
    return value


def row_fingerprint(row: Any, decision: Decision | None = None) -> str:
    return fingerprint(machine_value(row, decision), row.get("sentence"), row.get("char_start"),
                       row.get("char_end"))


def _set(df: pd.DataFrame, i: Any, col: str, value: Any) -> None:
    df.at[i, col] = pd.NA if value is None else value


def _apply_correction(df: pd.DataFrame, i: Any, d: Decision, settings: CurationSettings) -> None:
    row = df.loc[i]
    base = {k: (None if missing(row.get(k)) else row.get(k)) for k in ("measure", "day")}
    parsed = parse_value(str(row["field"]), str(d.corrected_value), settings, base=base)
    if "extracted_value" in df.columns and missing(row.get("extracted_value")):
        _set(df, i, "extracted_value", row["value"])
    _set(df, i, "value", parsed.label)
    if "value_id" in parsed.columns:  # a new label: its ontology columns no longer hold
        for col in ("value_label", "value_xref"):
            if col in df.columns:
                _set(df, i, col, None)
    for col, v in parsed.columns.items():
        if col in df.columns:
            _set(df, i, col, v)


def _with_note(existing: Any, note: str) -> str:
    mine = f"curator: {note}"
    if missing(existing) or str(existing) == mine:
        return mine
    return str(existing) if str(existing).endswith(mine) else f"{existing} | {mine}"


def apply_decisions(
    long_df: pd.DataFrame, corpus_dir: Path | str, settings: CurationSettings | None = None,
    known_docs: set[str] | None = None, aliases: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, ApplySummary]:
    """Apply ``corpus_dir``'s decision log to a long table; returns (table, summary).

    Idempotent: applying to a table that already carries the decisions changes nothing.
    The input frame is not modified. A decision that cannot be applied (an added row
    the table's schema refuses, or one for a document not in ``known_docs`` when given)
    is listed in ``summary.errors`` and skipped: it never fails the build.

    ``aliases``: ids of documents merged into another (``pmcid:PMC…`` -> its DOI). A
    curator-added row naming such a document moves to the one it is now part of (its
    evidence id stays; ``summary.moved`` says so); a judgement of a merged document's
    evidence, which the DOI document does not produce under the same id, is flagged for
    re-review naming the document to judge it in. Nothing is dropped from the log.
    """
    aliases = aliases or {}
    settings = settings or load_settings()
    history = read_log(log_path(Path(corpus_dir), settings.decisions_log))
    in_force = latest(history)
    df = conform(long_df).reset_index(drop=True)
    summary = ApplySummary(decisions=len(in_force))
    positions: dict[str, list[int]] = {}
    for i, eid in enumerate(df["evidence_id"].tolist()):
        if not missing(eid):
            positions.setdefault(str(eid), []).append(i)

    added_ids = {h.evidence_id for h in history if h.decision == "add"}
    added_rows: list[dict[str, Any]] = []
    for eid, d in in_force.items():
        if eid in added_ids:
            row = added_row(eid, d, history, settings, summary)
            if row is None:
                continue
            if str(row.get("doc_id")) in aliases:
                was, row["doc_id"] = str(row["doc_id"]), aliases[str(row["doc_id"])]
                summary.moved.append(f"{eid} (added by {d.curator}): document {was} was merged into "
                                     f"{row['doc_id']}; the row is there now")
            problem = added_row_problem(row, known_docs)
            if problem:
                summary.errors.append(f"{eid} (added by {d.curator}, {d.source}): not applied: "
                                      f"column {problem[0]!r}: {problem[1]}")
                continue
            if eid in positions:  # already applied to this table
                for i in positions[eid]:
                    for col, v in row.items():
                        if col in df.columns:
                            _set(df, i, col, v)
            else:
                added_rows.append(row)
            summary.counts[row["status"]] += 1
            continue
        rows = positions.get(eid, [])
        if not rows:
            summary.re_review.append(ReReview(eid, GONE, d, aliases.get(str(d.judged.get("doc_id")))))
            continue
        for i in rows:
            if row_fingerprint(df.loc[i], d) != d.fingerprint:
                summary.re_review.append(ReReview(eid, CHANGED, d))
                _set(df, i, "status", "extracted")
                continue
            if d.decision == "correct":
                try:
                    _apply_correction(df, i, d, settings)
                except ValueError as e:
                    summary.errors.append(f"{eid}: correction {d.corrected_value!r} no longer valid: {e}")
                    summary.re_review.append(ReReview(eid, CHANGED, d))
                    continue
            _set(df, i, "status", STATUS_OF[d.decision])
            if d.note and "note" in df.columns:
                _set(df, i, "note", _with_note(df.at[i, "note"], d.note))
            summary.counts[STATUS_OF[d.decision]] += 1

    if added_rows:
        extra = pd.DataFrame(added_rows, columns=df.columns)
        extra = extra.astype({c: df[c].dtype for c in df.columns}, errors="ignore")
        df = pd.concat([df, extra], ignore_index=True)
    return df, summary


def added_row_problem(row: dict[str, Any], known_docs: set[str] | None = None) -> tuple[str, str] | None:
    """(column, what is wrong) when a curator-added row cannot enter the table, else None.

    The row is checked against the table's own schema (``pipeline.table.validate``:
    subject form, offsets, the value's form...) exactly as the build will check it.
    """
    from pipeline.table import TableSchemaError, refresh_derived, validate

    doc = row.get("doc_id")
    if known_docs is not None and (missing(doc) or str(doc) not in known_docs):
        return "doc_id", f"document {doc!r} is not in the corpus"
    try:
        validate(refresh_derived(conform(pd.DataFrame([row]))), table="curator-added row")
    except TableSchemaError as e:
        first = e.violations[0]
        return (str(first.column) if first.column else "(row)",
                "; ".join(f"expected {v.check}, found {v.found!r}" for v in e.violations))
    return None


def added_row(
    eid: str, d: Decision, history: list[Decision], settings: CurationSettings, summary: ApplySummary
) -> dict[str, Any] | None:
    """The table row of a curator-added value as its latest decision leaves it."""
    add = next((h for h in reversed(history) if h.evidence_id == eid and h.decision == "add"), None)
    if add is None:
        summary.errors.append(f"{eid}: a '{d.decision}' decision on a curator id that was never added")
        return None
    j = add.judged
    text = d.corrected_value if d.decision == "correct" and d.corrected_value else j.get("value")
    try:
        parsed = parse_value(str(j.get("field")), str(text), settings)
    except ValueError as e:
        summary.errors.append(f"{eid}: added value {text!r} no longer valid: {e}")
        return None
    row: dict[str, Any] = {
        "evidence_id": eid,
        "doc_id": j.get("doc_id"),
        "subject": j.get("subject") or "study",
        "field": j.get("field"),
        "value": parsed.label,
        "sentence": j.get("sentence"),
        "char_start": j.get("char_start"),
        "char_end": j.get("char_end"),
        "extractor": f"curator:{add.curator}",
        "pipeline_version": __version__,
        "confidence": 1.0,
        "status": "rejected" if d.decision == "reject" else "curator_added",
        "note": f"curator: {d.note or add.note}" if (d.note or add.note) else None,
    }
    row.update({k: v for k, v in parsed.columns.items()})
    return {k: (pd.NA if v is None else v) for k, v in row.items()}
