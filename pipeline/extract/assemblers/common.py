"""What the assemblers share: mentions with their qualifiers, anchors for the rate binder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from pipeline.extract.components.base import Finding, add_finding
from pipeline.extract.qualifiers.context import qualifier_at
from pipeline.extract.spans import QUALIFIERS

#: hypothesis reasons that mean "not a result" for a value without a number
NOT_RESULT = frozenset({"background", "field", "aim", "endpoint_named"})


def qualifiers(doc: Doc, start: int) -> dict[str, Any]:
    """Every qualifier's value at character ``start``."""
    return {name: qualifier_at(doc, name, start) for name in QUALIFIERS}


@dataclass(slots=True)
class Anchor:
    """A grade or response statement that a stated count or rate can bind to.

    ``findings`` are the observations the bound quantity fills (a response category and the one
    it implies share an anchor); ``start``/``end`` cover the words that state it."""

    start: int
    end: int
    key: tuple[str, str]
    findings: list[Finding] = field(default_factory=list)


def outside(text: str, lo: int, hi: int, asides: list[tuple[int, int]]) -> str:
    """``text[lo:hi]`` without the asides (intervals, ranges, statistics) inside it."""
    inner = sorted((max(a, lo), min(b, hi)) for a, b in asides if a < hi and b > lo)
    if not inner:
        return text[lo:hi]
    parts, pos = [], lo
    for a, b in inner:
        parts.append(text[pos:a])
        pos = max(pos, b)
    parts.append(text[pos:hi])
    return "".join(parts)


def anchors(doc: Doc) -> list[Anchor]:
    found = doc.user_data.get("carmine_anchors")
    if found is None:
        found = doc.user_data["carmine_anchors"] = []
    return found


def emit(doc: Doc, finding: Finding, anchor: tuple[int, int] | None) -> Finding:
    """Add ``finding``; with ``anchor`` (its statement's characters) it waits for a count or rate."""
    add_finding(doc, finding)
    if anchor is not None:
        key = (finding.field, str(finding.value.get("grade") or finding.value.get("category")))
        for a in anchors(doc):
            if (a.start, a.end) == anchor:
                a.findings.append(finding)
                return finding
        anchors(doc).append(Anchor(anchor[0], anchor[1], key, [finding]))
    return finding
