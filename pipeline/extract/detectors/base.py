"""What the detectors share: their rules (``configs/patterns/detectors.jsonl``) and the
leftmost-longest scan that turns a group's rules into non-overlapping matches."""

from __future__ import annotations

import bisect
import re
from typing import Any

from pipeline.extract.lexicon import load_resources, lowered_cached


def rules_of(configs: str | None, group: str) -> list[dict[str, Any]]:
    """The detector rules of one group, in file order (earlier rules win ties)."""
    return [r for r in load_resources(configs).patterns.rules("detectors") if r.get("group") == group]


#: how far before a match a rule's ``unless_before`` words may begin
BEFORE_WINDOW = 40


def scan(text: str, rules: list[dict[str, Any]], start: int = 0, end: int | None = None
         ) -> list[tuple[re.Match[str], dict[str, Any]]]:
    """Every rule's matches, resolved to non-overlapping ones: longer matches first, then the
    earlier rule; returned in text order. A rule whose literal gate (``lexicon.Gate``) the text
    does not open cannot match and is not run; a match of a rule with ``unless_before`` counts only where those
    words do not end right before it ("HR 0.41 (95% CI ...)", "Patient 2 developed")."""
    end = len(text) if end is None else end
    found: list[tuple[int, int, int, re.Match[str], dict[str, Any]]] = []
    low = lowered_cached(text)
    for order, rule in enumerate(rules):
        gate = rule.get("gate")
        if gate is not None and not gate.open(text, low):
            continue
        matches = _at_starts(text, rule, start, end) if rule.get("starts_rx") is not None else \
            rule["fast"].finditer(text, start, end)
        unless = rule.get("unless_before_rx")
        for m in matches:
            if m.end() <= m.start() or (
                    unless is not None and unless.search(text, max(0, m.start() - BEFORE_WINDOW), m.start())):
                continue
            found.append((m.start() - m.end(), order, m.start(), m, rule))
    found.sort(key=lambda x: x[:3])
    kept_starts: list[int] = []  # the kept matches, sorted and non-overlapping: only neighbours can overlap
    kept_ends: list[int] = []
    out: list[tuple[re.Match[str], dict[str, Any]]] = []
    for _neg_len, _order, s, m, rule in found:
        e = m.end()
        i = bisect.bisect_right(kept_starts, s)
        if (i > 0 and kept_ends[i - 1] > s) or (i < len(kept_starts) and kept_starts[i] < e):
            continue
        kept_starts.insert(i, s)
        kept_ends.insert(i, e)
        out.append((m, rule))
    out.sort(key=lambda x: x[0].start())
    return out


_starts_cache: dict[str, tuple[str, list[int]]] = {}


def _starts(text: str, starts_rx: re.Pattern[str]) -> list[int]:
    """Where a rule's matches can begin in ``text`` (its ``starts`` regex), once per text and regex."""
    hit = _starts_cache.get(starts_rx.pattern)
    if hit is None or hit[0] is not text:
        hit = _starts_cache[starts_rx.pattern] = (text, [m.start() for m in starts_rx.finditer(text)])
    return hit[1]


def _at_starts(text: str, rule: dict[str, Any], start: int, end: int) -> list[re.Match[str]]:
    """``rule["rx"].finditer(text, start, end)`` for a rule that declares where its matches begin (data
    field ``starts``): tried only at those positions, left to right, each match ending the stretch the
    next may start in, as finditer does (the identity check and tests/test_extract_speed.py compare)."""
    rx = rule["rx"]
    out: list[re.Match[str]] = []
    last = start
    for pos in _starts(text, rule["starts_rx"]):
        if pos < last or pos >= end:
            continue
        m = rx.match(text, pos, end)
        if m is not None:
            out.append(m)
            last = m.end() if m.end() > pos else pos + 1
    return out
