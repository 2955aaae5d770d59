"""The curator review loop: review CSVs out, decisions in, applied on every rebuild.

* :func:`export_review` writes ``corpus/review/review-*.csv`` (rows needing a look);
* :func:`import_review` validates a filled CSV and appends its decisions to
  ``corpus/curation/decisions.jsonl`` (invalid rows go to ``rejected-<name>.csv``);
* :func:`apply_decisions` sets ``status``/``value`` of a freshly built table from the log
  (the build calls it between normalization and writing);
* :func:`export_gold` writes the curated values as GUIDE gold lines.

See docs/curation.md for the curator's side.
"""

from pipeline.curation.apply import ApplySummary, ReReview, apply_decisions
from pipeline.curation.gold import export_gold, gold_records
from pipeline.curation.importer import ImportReport, RowError, import_review
from pipeline.curation.review import REVIEW_COLUMNS, export_review, review_rows
from pipeline.curation.settings import CurationSettings, load_settings

__all__ = [
    "REVIEW_COLUMNS",
    "ApplySummary",
    "CurationSettings",
    "ImportReport",
    "ReReview",
    "RowError",
    "apply_decisions",
    "export_gold",
    "export_review",
    "gold_records",
    "import_review",
    "load_settings",
    "review_rows",
]
