"""Pooled evidence: rates across studies with confidence intervals (``carmine synthesize``).

- :mod:`pipeline.synthesis.model`: one study's interval and the random-effects pool
  (statsmodels);
- :mod:`pipeline.synthesis.tables`: from the long evidence table to the synthesis
  table (:func:`synthesize`, a plain function for notebooks);
- :mod:`pipeline.synthesis.schema`: the table's declared columns, validation and files
  (``corpus/synthesis.csv`` / ``.parquet``).

>>> from pipeline.synthesis import synthesize
>>> s = synthesize("corpus")
>>> s[(s.outcome == "crs_grade3plus") & (s.grouping == "target_antigen") & (s.row_type == "pooled")]

The model and its limits: ``docs/report.md``.
"""

from pipeline.synthesis.model import Pooled, SynthesisError, pool, study_interval
from pipeline.synthesis.schema import (
    OUTCOMES,
    SYNTHESIS_COLUMNS,
    read_synthesis,
    validate_synthesis,
    write_synthesis,
)
from pipeline.synthesis.tables import clinician_table, synthesize, synthesize_corpus

__all__ = [
    "OUTCOMES",
    "SYNTHESIS_COLUMNS",
    "Pooled",
    "SynthesisError",
    "clinician_table",
    "pool",
    "read_synthesis",
    "study_interval",
    "synthesize",
    "synthesize_corpus",
    "validate_synthesis",
    "write_synthesis",
]
