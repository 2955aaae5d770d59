"""Importing a filled review CSV: validate every row, log the valid decisions, keep the rest.

Valid rows become lines of ``corpus/curation/decisions.jsonl``. Invalid rows are
reported (file, line, column, what was expected and found) and written, untouched and
with an ``error`` column, to ``corpus/review/rejected-<name>.csv`` for a second try.
Rows with an empty decision are counted as not yet decided. Nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.curation.apply import ApplySummary, added_row, added_row_problem, machine_value
from pipeline.curation.csvio import read_sheet, write_sheet
from pipeline.curation.decisions import (
    Decision,
    append,
    curator_id,
    fingerprint,
    judged_from,
    latest,
    log_path,
    now_utc,
    read_log,
)
from pipeline.curation.review import READ_ONLY
from pipeline.curation.settings import CurationSettings, load_settings
from pipeline.curation.table import conform, load_table
from pipeline.curation.values import TABLE_FIELDS, missing, parse_value
from pipeline.errors import CurationError
from pipeline.jsonl import read_jsonl

REQUIRED = ("evidence_id", "decision")
EXTRA = "\x00extra"


@dataclass(frozen=True)
class RowError:
    path: Path
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: column '{self.column}': {self.message}"


@dataclass
class ImportReport:
    path: Path
    applied: list[Decision] = field(default_factory=list)
    unchanged: int = 0
    undecided: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_path: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def headline(self) -> str:
        return (f"{self.path}: {len(self.applied)} decisions recorded, {self.unchanged} unchanged, "
                f"{self.undecided} rows without a decision, {len(self.errors)} errors")

    def error_lines(self) -> list[str]:
        lines = [f"  {e}" for e in self.errors]
        if self.rejected_path:
            lines.append(f"  rows with errors kept in {self.rejected_path}: fix them and import that file")
        return lines

    def __str__(self) -> str:
        return "\n".join([self.headline(), *self.error_lines()])


def _norm(x: Any) -> str:
    if missing(x):
        return ""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    s = " ".join(str(x).split())
    if s.endswith(".0") and s[:-2].lstrip("-").isdigit():
        s = s[:-2]
    return s


class _RowCheck(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def import_review(
    path: Path | str, corpus_dir: Path | str, curator: str | None = None, long_df: pd.DataFrame | None = None,
    settings: CurationSettings | None = None,
) -> ImportReport:
    """Validate a filled review CSV and record its valid decisions.

    ``curator`` is used for rows whose ``curator`` cell is empty. ``long_df`` defaults to
    the table the build wrote; read-only columns and evidence ids are checked against it.
    """
    path, corpus_dir = Path(path), Path(corpus_dir)
    settings = settings or load_settings()
    sheet = read_sheet(path, ("evidence_id", "decision", "corrected_value", "doc_id", "field"))
    report = ImportReport(path)
    absent = [c for c in REQUIRED if c not in sheet.header]
    if absent:
        raise CurationError(f"{path}:1: expected the columns {', '.join(REQUIRED)}, found {sheet.header}")
    table = conform(long_df if long_df is not None else load_table(corpus_dir))
    by_id = {str(r["evidence_id"]): r for _, r in table.iterrows() if not missing(r["evidence_id"])}
    known_docs = corpus_documents(corpus_dir) | {str(d) for d in table["doc_id"].dropna()}
    from pipeline.readers.identity import corpus_aliases

    merged = {k: v for k, v in corpus_aliases(corpus_dir).items() if k not in known_docs}
    log_file = log_path(corpus_dir, settings.decisions_log)
    history = read_log(log_file)
    in_force = latest(history)
    added = {d.evidence_id: d for d in history if d.decision == "add"}
    seen: dict[str, int] = {}
    new: list[Decision] = []
    bad: list[tuple[int, dict[str, str], RowError]] = []
    for line, row in sheet.rows:
        try:
            d = _check_row(row, line, path, curator, by_id, in_force, added, settings, known_docs, merged)
        except _RowCheck as e:
            err = RowError(path, line, e.column, e.message)
            report.errors.append(err)
            bad.append((line, row, err))
            continue
        if d is None:
            report.undecided += 1
            continue
        if d.evidence_id in seen:
            err = RowError(path, line, "evidence_id",
                           f"{d.evidence_id} is already decided on line {seen[d.evidence_id]} of this file")
            report.errors.append(err)
            bad.append((line, row, err))
            continue
        seen[d.evidence_id] = line
        previous = in_force.get(d.evidence_id)
        if previous is not None and previous.same_judgement(d):
            report.unchanged += 1
            continue
        new.append(d)
    append(log_file, new)
    report.applied = new
    if bad:
        report.rejected_path = _write_rejected(path, corpus_dir / settings.review_dir, sheet.header, bad)
    return report


def _check_row(
    row: dict[str, str], line: int, path: Path, default_curator: str | None, by_id: dict[str, Any],
    in_force: dict[str, Decision], added: dict[str, Decision], settings: CurationSettings,
    known_docs: set[str], merged: dict[str, str] | None = None,
) -> Decision | None:
    cell = {k: (v or "").strip() for k, v in row.items()}
    merged = merged or {}
    extra = cell.pop(EXTRA, None)
    if extra:
        raise _RowCheck("(beyond the header)", f"expected no cells after the last column, found {extra!r}")
    raw = cell.get("decision", "")
    corrected = cell.get("corrected_value", "")
    if not raw:
        if corrected:
            raise _RowCheck("decision", f"expected accept, reject, correct or add, found nothing "
                                        f"(corrected_value is {corrected!r})")
        return None
    decision = settings.decisions.get(raw.casefold())
    if decision is None:
        raise _RowCheck("decision", f"expected accept, reject, correct or add, found {raw!r}")
    who = cell.get("curator") or (default_curator or "").strip()
    if not who:
        raise _RowCheck("curator", "expected the curator's name (or pass --curator), found nothing")
    eid = cell.get("evidence_id", "")
    note = cell.get("note") or None
    source = f"{path.name}:{line}"
    if decision == "add":
        if cell.get("doc_id") in merged:  # a document merged into its DOI's since the export: the row goes there
            cell["doc_id"] = merged[cell["doc_id"]]
        return _check_add(cell, eid, who, note, source, settings, known_docs)
    if not eid:
        raise _RowCheck("evidence_id", f"expected the evidence id of the row to {decision}, found nothing "
                                       "(to add a value the machine missed, use decision add)")
    if eid in by_id:
        trow = by_id[eid]
        judged = judged_from(trow)
        judged["value"] = _norm(machine_value(trow, in_force.get(eid))) or None
        for col in READ_ONLY:
            if col in cell and _norm(cell[col]) != _norm(judged.get(col)):
                raise _RowCheck(col, f"read-only column edited or evidence changed since export: expected "
                                     f"{_norm(judged.get(col))!r} (current table), found {_norm(cell[col])!r}")
        base = {k: trow.get(k) for k in ("measure", "day")}
    elif eid in added:
        judged = dict(added[eid].judged)
        base = {}
    else:
        doc = cell.get("doc_id", "")
        where = f"; its document {doc} was merged into {merged[doc]}" if doc in merged else ""
        raise _RowCheck("evidence_id", f"expected an evidence id of the current table, found {eid!r} "
                                       f"(no longer extracted{where}; re-export the review)")
    value: str | None = None
    if decision == "correct":
        if not corrected:
            raise _RowCheck("corrected_value", "decision is correct: expected a corrected_value, found nothing")
        try:
            value = parse_value(str(judged["field"]), corrected, settings, base=base).label
        except ValueError as e:
            raise _RowCheck("corrected_value", str(e)) from None
    elif corrected:
        raise _RowCheck("corrected_value", f"decision is {decision}: expected no corrected_value, "
                                           f"found {corrected!r} (use decision correct)")
    fp = fingerprint(judged.get("value"), judged.get("sentence"), judged.get("char_start"), judged.get("char_end"))
    return Decision(eid, decision, who, now_utc(), fp, judged, value, note, source)


def _check_add(cell: dict[str, str], eid: str, who: str, note: str | None, source: str,
               settings: CurationSettings, known_docs: set[str]) -> Decision:
    if eid:
        raise _RowCheck("evidence_id", f"decision add: expected an empty evidence_id, found {eid!r}")
    for col in ("doc_id", "field", "sentence"):
        if not cell.get(col):
            raise _RowCheck(col, f"decision add: expected a {col}, found nothing")
    if cell["field"] not in TABLE_FIELDS:
        raise _RowCheck("field", f"expected a field of the table ({', '.join(TABLE_FIELDS)}), found {cell['field']!r}")
    text = cell.get("corrected_value") or cell.get("value", "")
    column = "corrected_value" if cell.get("corrected_value") else "value"
    try:
        parsed = parse_value(cell["field"], text, settings)
    except ValueError as e:
        raise _RowCheck(column, str(e)) from None
    subject = cell.get("subject") or "study"
    judged: dict[str, Any] = {
        "doc_id": cell["doc_id"], "subject": subject, "field": cell["field"], "value": parsed.label,
        "sentence": cell["sentence"], "char_start": None, "char_end": None,
    }
    for col in ("char_start", "char_end"):
        if cell.get(col):
            try:
                judged[col] = int(float(cell[col]))
            except ValueError:
                raise _RowCheck(col, f"expected a character offset, found {cell[col]!r}") from None
    if cell["doc_id"] not in known_docs:
        raise _RowCheck("doc_id", f"decision add: expected a document of the corpus, found {cell['doc_id']!r} "
                                  "(an added value must belong to a captured document)")
    new_id = curator_id(cell["doc_id"], subject, cell["field"], parsed.label)
    fp = fingerprint(parsed.label, judged["sentence"], judged["char_start"], judged["char_end"])
    decision = Decision(new_id, "add", who, now_utc(), fp, judged, None, note, source)
    # the row as every rebuild will make it, checked against the table's schema now
    unused = ApplySummary()
    row = added_row(new_id, decision, [decision], settings, unused)
    if row is None:
        raise _RowCheck(column, "; ".join(unused.errors))
    problem = added_row_problem(row)
    if problem:
        raise _RowCheck(problem[0], f"decision add: the table would refuse this row: {problem[1]}")
    return decision


def corpus_documents(corpus_dir: Path) -> set[str]:
    """Ids of the documents the last build parsed (``build/documents.jsonl``), empty if none."""
    path = Path(corpus_dir) / "build" / "documents.jsonl"
    if not path.exists():
        return set()
    out: set[str] = set()
    for _, data in read_jsonl(path, skip_torn=True):
        if data.get("id"):
            out.add(str(data["id"]))
    return out


def _write_rejected(path: Path, out_dir: Path, header: list[str],
                    bad: list[tuple[int, dict[str, str], RowError]]) -> Path:
    stem = path.stem[len("rejected-"):] if path.stem.startswith("rejected-") else path.stem
    out = out_dir / f"rejected-{stem}.csv"
    columns = [h for h in header if h and h not in ("error", "source_line")] + ["error", "source_line"]
    return write_sheet(out, columns, ({**row, "error": f"column '{err.column}': {err.message}", "source_line": line}
                                      for line, row, err in bad))
