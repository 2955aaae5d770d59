"""``carmine_abbreviations``: scispaCy's abbreviation detector, with its two token matchers done on arrays.

scispaCy's :class:`scispacy.abbreviation.AbbreviationDetector` (Schwartz & Hearst short forms
defined in brackets; ``doc._.abbreviations``, ``Span._.long_form``) runs two spaCy ``Matcher``
passes per document: ``( + )`` to find bracketed candidates, then a global matcher for every
occurrence of each short form it accepted. Both create a Python token object per token (about
1 ms per abstract, most of the detector's time). Here both are computed on the Doc's ``ORTH``
array instead, with the same results in the same order: the bracket pairs that scispaCy's
``filter_matches`` reads (1 to 8 tokens inside; ordered by closing bracket, then the nearest
opening bracket first, as the ``Matcher`` yields them) and every exact token-sequence
occurrence of each short form. scispaCy's own ``filter_matches`` and ``find_abbreviation`` (the
algorithm) are called unchanged. ``tests/test_extract_speed.py`` compares this component with
scispaCy's detector on every gold document.

A text without "(" cannot define a short form, so nothing is run on it. The API adds this
component under the name ``abbreviation_detector``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.components.base import text_of

#: scispaCy's ``filter_matches`` skips bracketed spans of more than this many tokens
_MAX_INSIDE = 8


def bracket_matches(orth: np.ndarray, open_id: int, close_id: int) -> list[tuple[int, int, int]]:
    """``(0, start, end)`` of the tokens inside each ``(`` ... ``)`` pair with 1 to 8 tokens inside
    (what scispaCy's ``( + )`` matcher gives once its brackets are stripped, cut to what its
    ``filter_matches`` reads), in the matcher's order: by closing bracket, nearest opening first."""
    opens = np.flatnonzero(orth == open_id).tolist()
    if not opens:
        return []
    out: list[tuple[int, int, int]] = []
    for j in np.flatnonzero(orth == close_id).tolist():
        for i in reversed(opens):
            if i >= j - 1:
                continue
            if j - i - 1 > _MAX_INSIDE:
                break
            out.append((0, i + 1, j))
    return out


def occurrences(orth: np.ndarray, seq: np.ndarray) -> list[int]:
    """Start tokens of every occurrence of the token sequence ``seq`` in ``orth``."""
    n = len(seq)
    if n == 0 or n > len(orth):
        return []
    starts = np.flatnonzero(orth[: len(orth) - n + 1] == seq[0])
    for k in range(1, n):
        starts = starts[orth[starts + k] == seq[k]]
    return starts.tolist()


def detect(doc: Doc) -> list[tuple[Span, set[Span]]]:
    """scispaCy's ``find_matches_for`` over ``doc``'s bracket candidates: ``[(long form, {short forms})]``."""
    from scispacy.abbreviation import filter_matches, find_abbreviation

    orth = doc.to_array(ORTH)
    strings = doc.vocab.strings
    filtered = filter_matches(bracket_matches(orth, strings["("], strings[")"]), doc)
    all_occurrences: dict[Span, set[Span]] = defaultdict(set)
    seen_long: set[str] = set()
    seen_short: set[str] = set()
    rules: list[tuple[Span, Span]] = []
    for long_candidate, short_candidate in filtered:
        short, long = find_abbreviation(long_candidate, short_candidate)
        new_long = long.text not in seen_long if long else False
        if long is not None and new_long and short.text not in seen_short:
            seen_long.add(long.text)
            seen_short.add(short.text)
            all_occurrences[long].add(short)
            rules.append((long, short))
    for long, short in rules:  # scispaCy's global matcher: every occurrence of the short form
        n = short.end - short.start
        for start in occurrences(orth, orth[short.start:short.end]):
            all_occurrences[long].add(doc[start:start + n])
    return list(all_occurrences.items())


class CarmineAbbreviations:
    def __init__(self, nlp: Language, name: str) -> None:
        from scispacy.abbreviation import AbbreviationDetector

        self.name = name
        self.detector = AbbreviationDetector(nlp, name=name)  # declares the extensions

    def __call__(self, doc: Doc) -> Doc:
        if "(" not in text_of(doc):
            return doc
        for long_form, short_forms in detect(doc):
            for short in short_forms:
                short._.long_form = long_form
                doc._.abbreviations.append(short)
        return doc


@Language.factory(
    "carmine_abbreviations",
    assigns=["doc._.abbreviations"],
    default_config={},
)
def make_carmine_abbreviations(nlp: Language, name: str) -> CarmineAbbreviations:
    return CarmineAbbreviations(nlp, name)
