"""The analysis report: what the evidence says, in tables and plots.

- :mod:`pipeline.report.tables`: plain functions from the long evidence table to
  DataFrames (reusable from a notebook);
- :mod:`pipeline.report.figures`: matplotlib figures of those tables;
- :mod:`pipeline.report.html`: :func:`build_report`, the self-contained HTML report.
"""

from pipeline.report.html import build_report

__all__ = ["build_report"]
