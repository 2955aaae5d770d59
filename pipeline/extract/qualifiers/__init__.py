"""Qualifiers: components that each set one attribute on any span (negated, history,
reported, hypothesis, comparator, subject). See :mod:`.components`."""

from pipeline.extract.qualifiers import components  # noqa: F401  (registration)
from pipeline.extract.qualifiers.context import qualifier_at

__all__ = ["qualifier_at"]
