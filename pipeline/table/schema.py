"""The evidence table's columns, declared once.

The long table has one row per (document, subject, field, value). Everything else
(wide views, review CSVs, the report) is derived from it. Validation (types, allowed
values, uniqueness) is in :mod:`pipeline.table.validate`.
"""

from __future__ import annotations

#: Column name -> (pandas dtype, description). Order is the CSV's column order.
COLUMNS: dict[str, tuple[str, str]] = {
    "evidence_id": ("string", "stable id: hash of doc_id, subject, field, normalized value and span"),
    "doc_id": ("string", "the document's DOI (or capture id when it has none)"),
    "subject": ("string", "study, cohort[:name] or a patient P1, P2..."),
    "field": ("string", "GUIDE field name (disease, crs, durations, ...)"),
    "value": ("string", "canonical label (GUIDE vocabulary) or a readable rendering of the observation"),
    "value_id": ("string", "ontology identifier: NCIt/MONDO for diseases, HGNC for antigens, ..."),
    "value_label": ("string", "ontology preferred name / official symbol (BCMA -> TNFRSF17)"),
    "value_num": ("Float64", "numeric value where the value has one (grade, age, duration, count)"),
    "unit": ("string", "unit of value_num as stated (month, year, copies/ug, ...)"),
    "value_days": ("Float64", "durations normalized to days"),
    "comparator": ("string", "=, >=, <=, >, <, range"),
    "grade_max": ("Float64", "upper grade of a range (1-2 -> 2)"),
    "n": ("Int64", "number of patients the value applies to"),
    "denominator": ("Int64", "of how many patients"),
    "pct": ("Float64", "percentage as stated"),
    "day": ("Int64", "day of the event (expansion peak)"),
    "qualifier": ("string", "ongoing, median, >, <, <=, negated"),
    "grading_scale": ("string", "ASTCT, Lee, CTCAE, Penn, ... where stated"),
    "measure": ("string", "durations: time_to_response, response_duration, ..."),
    "sentence": ("string", "the evidence sentence"),
    "char_start": ("Int64", "offset of the evidence span in the document text"),
    "char_end": ("Int64", "end offset of the evidence span"),
    "extractor": ("string", "component/rule that produced the value"),
    "confidence": ("Float64", "0..1"),
    "pipeline_version": ("string", "version of the pipeline that extracted the row"),
    "capture_sha256": ("string", "raw capture the document was parsed from"),
    "status": ("string", "extracted, accepted, corrected, rejected, curator_added"),
}

STATUSES = ("extracted", "accepted", "corrected", "rejected", "curator_added")
