"""``carmine_abbreviations``: scispaCy's abbreviation detector, quiet and skipped when it cannot match.

Wraps :class:`scispacy.abbreviation.AbbreviationDetector` (Schwartz & Hearst short forms
defined in brackets; ``doc._.abbreviations``, ``Span._.long_form``). The detector's empty
global matcher makes spaCy warn ``[W036] ... does not have any patterns`` on every document
without a definition; that one warning is silenced here, around the detector's call only.
A text without "(" cannot define a short form, so the detector is not run on it.
The API adds this component under the name ``abbreviation_detector``.
"""

from __future__ import annotations

import warnings

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import text_of


class CarmineAbbreviations:
    def __init__(self, nlp: Language, name: str) -> None:
        from scispacy.abbreviation import AbbreviationDetector

        self.name = name
        self.detector = AbbreviationDetector(nlp, name=name)

    def __call__(self, doc: Doc) -> Doc:
        if "(" not in text_of(doc):
            return doc
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*\[W036\]", category=UserWarning)
            return self.detector(doc)


@Language.factory(
    "carmine_abbreviations",
    assigns=["doc._.abbreviations"],
    default_config={},
)
def make_carmine_abbreviations(nlp: Language, name: str) -> CarmineAbbreviations:
    return CarmineAbbreviations(nlp, name)
