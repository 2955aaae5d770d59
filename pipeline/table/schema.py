"""The evidence table's columns, declared once.

The long table has one row per (document, subject, field, value). Everything else
(wide views, review CSVs, the report) is derived from it. Validation (types, allowed
values, uniqueness) is in :mod:`pipeline.table.validate`; the data dictionary
(``docs/evidence_schema.md``) is rendered from these constants by
:mod:`pipeline.table.dictionary`.
"""

from __future__ import annotations

from pipeline.extract.model import OBS_FIELDS, SCALAR_FIELDS, SET_FIELDS

#: Column name -> (pandas dtype, description). Order is the CSV's column order.
COLUMNS: dict[str, tuple[str, str]] = {
    "evidence_id": (
        "string",
        "stable id `ev-` + 16 hex digits: hash of doc_id, subject, field, the value as extracted "
        "and its span; never changes when rows are added or curated",
    ),
    "doc_id": ("string", "the document's DOI (or capture id when it has none)"),
    "subject": (
        "string",
        "who the value is about: `study`, `cohort` / `cohort:NAME`, or a patient `P1`, `P2`...",
    ),
    "field": (
        "string",
        "GUIDE field (`disease`, `crs`, `durations`...); a GUIDE `patients` entry becomes an `age` "
        "and a `sex` row (a patient with neither stated: one `patients` row, value `not_stated`)",
    ),
    "value": (
        "string",
        "canonical value: the GUIDE label (`T-ALL`, `CR`), the grade (`1`, `>=3`, `1-2`, `any`, `0`), "
        "or a readable rendering of an observation (`response_duration: 9 month (ongoing)`, `350758 copies/ug, day 6`); "
        "a curator's correction replaces it",
    ),
    "value_id": (
        "string",
        "ontology identifier: `NCIT:C...` (else `MONDO:...`) for diseases, `HGNC:...` for antigens, "
        "NCIt for sex",
    ),
    "value_label": (
        "string",
        "preferred name: official HGNC symbol for antigens (BCMA -> TNFRSF17), disease name",
    ),
    "value_xref": (
        "string",
        "further identifiers, `|`-separated (a disease's MONDO id when value_id is NCIt)",
    ),
    "value_num": (
        "Float64",
        "the value as a number: grade (lower bound of a range), age, n_patients, duration in its "
        "stated unit, expansion peak",
    ),
    "unit": (
        "string",
        "unit of value_num as stated: day/week/month/year, copies/ug, percent, cells/ul, grade",
    ),
    "value_days": (
        "Float64",
        "durations in days (day 1, week 7, month 30.4375, year 365.25: the scorer's factors)",
    ),
    "comparator": (
        "string",
        "how value_num bounds the truth: `=`, `>=`, `<=`, `>`, `<`, `range` (grade_max holds the top)",
    ),
    "grade_max": ("Float64", "upper grade of a range (`1-2` -> 2); equals value_num for a single grade"),
    "n": ("Int64", "number of patients the value applies to"),
    "denominator": ("Int64", "of how many patients (where stated)"),
    "pct": ("Float64", "percentage as stated"),
    "day": ("Int64", "day after infusion of the event (expansion peak)"),
    "qualifier": (
        "string",
        "`ongoing`, `median`, `>`, `<`, `<=`, `>=`, `negated` (grade `0`: explicitly absent)",
    ),
    "grading_scale": (
        "string",
        "CRS/ICANS grading scale where stated (configs/vocab/grading_scales.csv): ASTCT, CTCAE, Penn...",
    ),
    "measure": ("string", "durations only: time_to_response, response_duration, follow_up, survival, ..."),
    "sentence": ("string", "the evidence sentence (empty for values without a span)"),
    "char_start": ("Int64", "offset of the evidence span in Document.text"),
    "char_end": ("Int64", "end offset (exclusive) of the evidence span"),
    "sent_start": ("Int64", "offset of the evidence sentence in Document.text"),
    "mentions": (
        "Int64",
        "how many evidence spans support this row (the row shows the most confident, then the first)",
    ),
    "extractor": (
        "string",
        "component/rule that produced the value (`record` when the extraction gave no span)",
    ),
    "confidence": ("Float64", "0..1"),
    "extracted_value": (
        "string",
        "the value as the extractor produced it (kept when a curator corrects `value`)",
    ),
    "note": ("string", "curator's note, or a normalization note (`synonym X -> label`)"),
    "pipeline_version": ("string", "version of the pipeline that extracted the row"),
    "capture_sha256": ("string", "raw capture the document was parsed from"),
    "status": ("string", "extracted, accepted, corrected, rejected, curator_added"),
}

STATUSES = ("extracted", "accepted", "corrected", "rejected", "curator_added")

#: Values of the ``field`` column: the GUIDE's fields, with ``patients`` split into rows.
PATIENT_FIELDS = ("age", "sex", "patients")
LONG_FIELDS: tuple[str, ...] = (
    SCALAR_FIELDS + SET_FIELDS + tuple(f for f in OBS_FIELDS if f != "patients") + PATIENT_FIELDS
)
#: Which vocabulary (configs/vocab/NAME.csv) holds the allowed values of a field.
FIELD_VOCABS: dict[str, str] = {
    "study_design": "study_designs",
    "cell_type": "cell_types",
    "disease": "diseases",
    "target_antigen": "antigens",
    "vector": "vectors",
    "gene_editing": "gene_editing",
    "cell_source": "cell_sources",
    "transplant": "transplants",
    "response": "responses",
    "sex": "sexes",
}
COMPARATORS = ("=", ">=", "<=", ">", "<", "range")
QUALIFIERS = ("ongoing", "median", ">", "<", "<=", ">=", "negated")
#: subject: study, cohort, cohort:NAME, or a patient P1, P2...
SUBJECT_PATTERN = r"^(study|cohort(:.+)?|P\d+)$"
EVIDENCE_ID_PATTERN = r"^(ev|cur)-[0-9a-f]{16}$"  # ev-: machine rows, cur-: curator-added

#: The wide view: one row per document subject (patient or cohort; `study` when the
#: document names neither). Multi-valued cells join labels with ``|``.
WIDE_COLUMNS: dict[str, tuple[str, str]] = {
    "doc_id": ("string", "the document"),
    "subject": ("string", "patient (P1...), cohort, or `study` when the document describes neither"),
    "study_design": ("string", "GUIDE study_design"),
    "n_patients": ("Int64", "patients treated in the study"),
    "cell_type": ("string", "CAR cell types, `|`-joined"),
    "disease": ("string", "diseases, `|`-joined"),
    "disease_id": ("string", "their NCIt/MONDO ids, `|`-joined in the same order"),
    "target_antigen": ("string", "antigens (GUIDE names), `|`-joined"),
    "antigen_symbol": ("string", "their official HGNC symbols, `|`-joined"),
    "antigen_hgnc_id": ("string", "their HGNC ids, `|`-joined"),
    "vector": ("string", "gene transfer, `|`-joined"),
    "gene_editing": ("string", "gene editing, `|`-joined"),
    "cell_source": ("string", "autologous / allogeneic, `|`-joined"),
    "transplant": ("string", "transplants, `|`-joined"),
    "crs_max_grade": ("Float64", "highest CRS grade stated (0 = no CRS)"),
    "icans_max_grade": ("Float64", "highest ICANS grade stated (0 = no ICANS)"),
    "grading_scale": ("string", "grading scales stated, `|`-joined"),
    "best_response": ("string", "best response category (rank in configs/vocab/responses.csv)"),
    "time_to_response_days": ("Float64", "infusion to response, days"),
    "response_duration_days": ("Float64", "duration of the CAR-induced response, days"),
    "response_ongoing": ("boolean", "the response was still lasting at the time of writing"),
    "follow_up_days": ("Float64", "(median) follow-up, days"),
    "age_years": ("Float64", "patient's age"),
    "sex": ("string", "male / female"),
    "expansion_peak": ("Float64", "highest CAR expansion peak stated"),
    "expansion_unit": ("string", "its unit"),
    "expansion_day": ("Int64", "its day"),
    "n_rows": ("Int64", "long-table rows (not rejected) behind this row"),
}
