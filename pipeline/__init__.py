"""carmine: literature mining for CAR cell therapy clinical evidence.

Stages: scrape (:mod:`pipeline.scrape`) -> raw captures (:mod:`pipeline.store`) ->
documents (:mod:`pipeline.readers`) -> extractions (:mod:`pipeline.extract`) ->
evidence table (:mod:`pipeline.table`) <- curation (:mod:`pipeline.curation`).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_evidence"]


def load_evidence(*args, **kwargs):
    """Typed evidence tables (long and wide); see :func:`pipeline.table.api.load_evidence`."""
    from pipeline.table.api import load_evidence as _load

    return _load(*args, **kwargs)
