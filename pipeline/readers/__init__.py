"""Readers turn a raw capture into a :class:`~pipeline.document.Document`.

:func:`read_capture` sniffs the format; each format has its own module.
"""

from __future__ import annotations

from pipeline.readers.dispatch import read_capture, read_text, sniff_format

__all__ = ["read_capture", "read_text", "sniff_format"]
