"""Throughput and memory benchmark: ``run_bench`` measures, ``format_report`` prints.

See ``docs/benchmarks.md`` for what each number means.
"""

from __future__ import annotations

from pipeline.bench.run import BenchResult, ConfigResult, format_report, run_bench

__all__ = ["BenchResult", "ConfigResult", "format_report", "run_bench"]
