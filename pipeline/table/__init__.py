"""The evidence table: normalization, validation, storage and views.

Functions the build calls (``pipeline/build.py``)::

    rows = normalize(doc, extraction, pipeline_version=__version__)   # one document's long rows
    rows = <curation applied here: status / value changes, curator_added rows>
    rows = refresh_derived(rows)                                        # after value corrections
    summary = update_table(corpus_dir, all_new_rows, doc_ids_rebuilt=changed)  # merge + write
    # or, for a from-scratch build: write_tables(validate(all_rows), corpus_dir)

Analysts: ``pipeline.load_evidence("corpus")`` -> ``EvidenceTables(long, wide)``.
"""

from __future__ import annotations

from pipeline.table.api import load_evidence
from pipeline.table.dictionary import render_data_dictionary, write_data_dictionary
from pipeline.table.normalize import make_evidence_id, normalize
from pipeline.table.record import refresh_derived, to_fields
from pipeline.table.tables import EvidenceTables, write_tables
from pipeline.table.update import UpdateSummary, merge_tables, read_long, update_table
from pipeline.table.validate import TableSchemaError, validate
from pipeline.table.wide import wide_view

__all__ = [
    "EvidenceTables",
    "TableSchemaError",
    "UpdateSummary",
    "load_evidence",
    "make_evidence_id",
    "merge_tables",
    "normalize",
    "read_long",
    "refresh_derived",
    "render_data_dictionary",
    "to_fields",
    "update_table",
    "validate",
    "wide_view",
    "write_data_dictionary",
    "write_tables",
]
