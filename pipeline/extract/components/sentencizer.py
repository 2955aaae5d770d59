"""``carmine_sentencizer``: a fast rule-based sentence splitter for abstracts.

Splits at blank lines (zone and section boundaries) and after ``.``, ``!`` or ``?``
followed by space and an upper-case letter, digit or bracket, except after common
abbreviations; scraped text that lost the space ("in vivo.Eleven patients") splits where a
lower-case word of 3+ letters and its full stop meet a capitalised word; a line that ends with a number, a
bracket, ``%``, ``;`` or ``:`` ends its sentence when the next line starts upper-case (a table written as text,
"Any-grade CRS, n (%): 31 (75.6) vs 65 (84.4)" over "Grade ≥3 CRS, n (%): ..."). No split after common
abbreviations (``e.g.``, ``vs.``, ``et al.``, ``Fig.``...) and single initials. One
compiled regex over the whole text; nothing is built per document.

Writes ``Token.is_sent_start`` (so ``doc.sents`` works) and
``doc._.carmine_sent_starts`` (sentence start characters, sorted).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components import base  # noqa: F401  (extensions)
from pipeline.extract.components.base import text_of

_BOUNDARY = re.compile(r"\n\s*\n\s*|(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9(\[“\"•])|\n(?=\s*[•\-–]\s)"
                       r"|\.(?<=[a-z]{3}\.)(?=[A-Z][a-z]{2,}[\s,-])"
                       r"|(?<=[\d)%;:])[ \t]*\n[ \t]*(?=[A-Z])")
_NO_SPLIT_AFTER = re.compile(
    r"(?:\b(?:e\.g|i\.e|vs|al|Fig|Figs|Dr|Prof|No|approx|ca|cf|resp|incl|Ref|Refs|St|Mr|Mrs|Ms|Jr|Inc|Ltd|Co)"
    r"|\b[A-Z])\.[\"”’)]?\s+$"
)


class CarmineSentencizer:
    def __init__(self, name: str = "carmine_sentencizer") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        starts = [0]
        for m in _BOUNDARY.finditer(text):
            b = m.end()
            if b >= len(text):
                continue
            if not m.group(0).startswith("\n") and _NO_SPLIT_AFTER.search(text, max(0, m.start() - 8), b):
                continue
            starts.append(b)
        kept = [0]
        if len(doc):
            # Token.is_sent_start's setter checks the whole Doc for a parse each time (O(tokens) per
            # sentence); the same values are written at once through the SENT_START array
            idx, flags = doc.to_array([IDX, SENT_START]).T.tolist()  # each token's first character, ascending
            for s in starts[1:]:
                i = bisect.bisect_left(idx, s)
                if i == 0 or i >= len(idx) or idx[i] != s:
                    continue  # a sentence starts only where a token (not the first) starts
                flags[i] = 1
                kept.append(s)
            flags[0] = 1
            if doc.has_annotation("DEP"):
                raise ValueError("carmine_sentencizer: the Doc is parsed; its sentence starts are the parser's")
            values: Any = numpy.array(flags, dtype=numpy.int64).astype(numpy.uint64).reshape(-1, 1)
            doc.from_array([SENT_START], values)
        doc._.carmine_sent_starts = kept
        return doc


@Language.factory(
    "carmine_sentencizer",
    assigns=["token.is_sent_start", "doc._.carmine_sent_starts"],
    default_config={},
)
def make_carmine_sentencizer(nlp: Language, name: str) -> CarmineSentencizer:
    return CarmineSentencizer(name)
