"""What the detectors share: their rules (``configs/patterns/detectors.jsonl``) and the
leftmost-longest scan that turns a group's rules into non-overlapping matches."""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc

from pipeline.extract.lexicon import load_resources, lowered_cached


def rules_of(configs: str | None, group: str) -> list[dict[str, Any]]:
    """The detector rules of one group, in file order (earlier rules win ties)."""
    return [r for r in load_resources(configs).patterns.rules("detectors") if r.get("group") == group]


def scan(text: str, rules: list[dict[str, Any]], start: int = 0, end: int | None = None
         ) -> list[tuple[re.Match[str], dict[str, Any]]]:
    """Every rule's matches, resolved to non-overlapping ones: longer matches first, then the
    earlier rule; returned in text order. A rule whose literal gate (``lexicon.Gate``) the text
    does not open cannot match and is not run."""
    end = len(text) if end is None else end
    found: list[tuple[int, int, int, re.Match[str], dict[str, Any]]] = []
    low = lowered_cached(text)
    for order, rule in enumerate(rules):
        gate = rule.get("gate")
        if gate is not None and not gate.open(text, low):
            continue
        for m in rule["fast"].finditer(text, start, end):
            if m.end() > m.start():
                found.append((m.start() - m.end(), order, m.start(), m, rule))
    found.sort(key=lambda x: x[:3])
    kept: list[tuple[int, int]] = []
    out: list[tuple[re.Match[str], dict[str, Any]]] = []
    for _neg_len, _order, s, m, rule in found:
        e = m.end()
        if any(s < ke and ks < e for ks, ke in kept):
            continue
        kept.append((s, e))
        out.append((m, rule))
    out.sort(key=lambda x: x[0].start())
    return out


def zone_text(doc: Doc) -> str:
    from pipeline.extract.components.base import text_of

    return text_of(doc)
