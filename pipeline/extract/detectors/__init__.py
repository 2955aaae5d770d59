"""Generic detectors: each finds one kind of value wherever it stands, whatever field it will
feed, and writes typed spans into ``doc.spans`` (see :mod:`pipeline.extract.spans`)."""

from pipeline.extract.detectors import grades, levels, people, quantities, times  # noqa: F401  (registration)
