"""From one document's :class:`~pipeline.extract.model.Extraction` to long-table rows.

``Extraction.fields`` (the GUIDE record) decides which values become rows;
``Extraction.evidence`` decides their subject and provenance. A value stated for
several subjects gives one row per subject; several spans for the same
(subject, value) give one row showing the most confident span (then the first) with
``mentions`` counting them. A value with no evidence gets a row without a span,
subject ``study`` (``P1``, ``P2``... for patients), extractor ``record``. Evidence for
a value that ``fields`` does not hold is not a row (the extractor dropped it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from pipeline.document import Document
from pipeline.extract.model import FIELDS, SCALAR_FIELDS, Evidence, Extraction
from pipeline.table.schema import COLUMNS
from pipeline.table.validate import validate
from pipeline.table.values import derive, fmt_num, render
from pipeline.table.vocab import Vocabularies, load_vocabularies

NO_SPAN_EXTRACTOR = "record"
GRADED_FIELDS = ("crs", "icans")


def make_evidence_id(
    doc_id: str, subject: str, field: str, value: str, char_start: int | None, char_end: int | None
) -> str:
    """The row's stable id: the same inputs give the same id in every build."""
    no_span = char_start is None or char_end is None or pd.isna(char_start)
    span = "" if no_span else f"{int(char_start)}-{int(char_end)}"  # type: ignore[arg-type]
    key = "\x1f".join((doc_id, subject, field, value, span))
    return "ev-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _canon(value: Any) -> str:
    """A comparison key for GUIDE values: numbers compare by value (9 == 9.0), dict order ignored."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, int | float):
            return fmt_num(v)
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [norm(x) for x in v]
        return str(v)

    return json.dumps(norm(value), sort_keys=True, ensure_ascii=False)


def _values(fields: dict[str, Any], field: str) -> list[Any]:
    raw = fields.get(field)
    if field in SCALAR_FIELDS:
        return [] if raw is None else [raw]
    return list(raw or [])


def _grouped(evidence: Iterable[Evidence]) -> dict[tuple[str, str], dict[str, list[Evidence]]]:
    """(field, value key) -> subject -> evidence, subjects in order of their first span."""
    out: dict[tuple[str, str], dict[str, list[Evidence]]] = {}
    for ev in sorted(evidence, key=lambda e: (e.start, e.end)):
        out.setdefault((ev.field, _canon(ev.value)), {}).setdefault(ev.subject, []).append(ev)
    return out


def _best(spans: list[Evidence]) -> Evidence:
    return sorted(spans, key=lambda e: (-float(e.confidence), e.start, e.end))[0]


def _scale_from(ev: Evidence | None, vocab: Vocabularies) -> str | None:
    if ev is None:
        return None
    scales = vocab["grading_scales"]
    for key in ("grading_scale", "scale", "grading"):
        if ev.detail.get(key):
            concept = scales.lookup(str(ev.detail[key]))
            if concept is not None:
                return concept.label
    for concept in scales.concepts:
        for text in (concept.label, *concept.synonyms):
            flags = re.I if len(text) > 5 else 0
            if re.search(rf"(?<![\w-]){re.escape(text)}(?![\w-])", ev.sentence, flags):
                return concept.label
    return None


def _row(
    doc: Document,
    field: str,
    guide_value: Any,
    subject: str,
    spans: list[Evidence],
    vocab: Vocabularies,
    pipeline_version: str,
) -> dict[str, Any]:
    value, note = render(field, guide_value, vocab)
    ev = _best(spans) if spans else None
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        doc_id=doc.id,
        subject=subject,
        field=field,
        value=value,
        extracted_value=value,
        note=note,
        pipeline_version=pipeline_version,
        capture_sha256=doc.capture_sha256,
        status="extracted",
        extractor=NO_SPAN_EXTRACTOR,
    )
    with contextlib.suppress(ValueError):  # validation reports it with the row's id
        row.update(derive(field, value, vocab))
    if isinstance(guide_value, dict):
        for key in ("n", "pct"):
            if guide_value.get(key) is not None:
                row[key] = guide_value[key]
    if ev is not None:
        row.update(
            sentence=ev.sentence,
            char_start=ev.start,
            char_end=ev.end,
            sent_start=ev.sent_start,
            mentions=len(spans),
            extractor=ev.extractor,
            confidence=ev.confidence,
        )
        for key in ("denominator", "n", "pct"):
            if row.get(key) is None and ev.detail.get(key) is not None:
                row[key] = ev.detail[key]
        row["note"] = _join_notes(row["note"], _id_mismatch(ev, row))
    if field in GRADED_FIELDS:
        row["grading_scale"] = _scale_from(ev, vocab)
    row["evidence_id"] = make_evidence_id(doc.id, subject, field, value, row["char_start"], row["char_end"])
    return row


#: field -> (Evidence.detail key a lexicon may carry, prefix of our value_id)
_LEXICON_IDS = {"target_antigen": ("hgnc_id", ""), "disease": ("ncit", "NCIT:")}


def _id_mismatch(ev: Evidence, row: dict[str, Any]) -> str | None:
    """A note when the extractor's lexicon names another identifier than configs/vocab."""
    if row["field"] not in _LEXICON_IDS:
        return None
    key, prefix = _LEXICON_IDS[row["field"]]
    theirs, ours = ev.detail.get(key), row.get("value_id") or ""
    if theirs and f"{prefix}{theirs}" != ours:
        return f"extractor lexicon gives {key} {theirs}; configs/vocab gives {ours or 'none'}"
    return None


def _join_notes(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _patient_rows(patient: dict[str, Any]) -> list[tuple[str, Any]]:
    rows = []
    if patient.get("age_years") is not None:
        rows.append(("age", patient["age_years"]))
    if patient.get("sex") is not None:
        rows.append(("sex", patient["sex"]))
    return rows or [("patients", None)]


def normalize_rows(
    doc: Document, extraction: Extraction, *, pipeline_version: str, vocab: Vocabularies | None = None
) -> list[dict[str, Any]]:
    """The long rows of one document as dicts, in table order (GUIDE field order, then value order)."""
    vocab = vocab or load_vocabularies()
    groups = _grouped(extraction.evidence)
    rows: list[dict[str, Any]] = []
    seen_ids: set[str] = set()

    def add(row: dict[str, Any]) -> None:
        if row["evidence_id"] not in seen_ids:  # the same value listed twice in fields
            seen_ids.add(row["evidence_id"])
            rows.append(row)

    for field in FIELDS:
        values = _values(extraction.fields, field)
        if field == "patients":
            used: dict[str, int] = {}
            for i, patient in enumerate(values):
                key = _canon(patient)
                patient_spans = list(groups.get((field, key), {}).items())
                k = used.get(key, 0)
                used[key] = k + 1
                subject, spans = patient_spans[k] if k < len(patient_spans) else (f"P{i + 1}", [])
                for sub_field, sub_value in _patient_rows(patient):
                    add(_row(doc, sub_field, sub_value, subject, spans, vocab, pipeline_version))
            continue
        for value in values:
            by_subject = groups.get((field, _canon(value)))
            if not by_subject:
                add(_row(doc, field, value, "study", [], vocab, pipeline_version))
                continue
            for subject, spans in by_subject.items():
                add(_row(doc, field, value, subject, spans, vocab, pipeline_version))
    return rows


def normalize(
    doc: Document, extraction: Extraction, *, pipeline_version: str, vocab: Vocabularies | None = None
) -> pd.DataFrame:
    """The long rows of one document (status ``extracted``), typed and validated."""
    if extraction.doc_id != doc.id:
        raise ValueError(f"extraction is for {extraction.doc_id!r}, document is {doc.id!r}")
    vocab = vocab or load_vocabularies()
    rows = normalize_rows(doc, extraction, pipeline_version=pipeline_version, vocab=vocab)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return validate(frame, vocab=vocab, table=f"evidence rows of {doc.id}")
