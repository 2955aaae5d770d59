"""The extraction stage: GUIDE fields with evidence from a document's clinical zones.

See ``docs/extraction.md``. Public API: :func:`build_nlp`, :class:`Extractor`,
:func:`extractor_fingerprint`, :func:`annotate_file` (behind ``python -m pipeline
annotate``) and :class:`AnnotateSummary`.
"""

from pipeline.extract.annotate import AnnotateSummary, annotate_file
from pipeline.extract.api import Extractor, build_nlp, extractor_fingerprint

__all__ = ["AnnotateSummary", "Extractor", "annotate_file", "build_nlp", "extractor_fingerprint"]
