"""The qualifier components, one attribute each.

- ``carmine_negation`` -> ``span._.negated``: "no ICANS", "CRS was not observed", "none of the
  patients had grade 3 CRS" (not "no significant difference in CRS", not "patients who did
  not develop CRS").
- ``carmine_history`` -> ``span._.history``: before the study's CAR therapy ("first complete
  remission", "relapsed within 6 months after allo-HSCT", "PD at enrollment").
- ``carmine_reported`` -> ``span._.reported``: values of other studies ("previous studies
  reported ...", "in the ZUMA-1 trial").
- ``carmine_comparator`` -> ``span._.comparator``: a non-CAR comparator arm ("in the
  standard-of-care arm").
- ``carmine_hypothesis`` -> ``span._.hypothesis``: a sentence that is not a result of this
  study: a Background/Introduction section (unless it reports this study), a sentence about
  the field ("CAR-T cells may induce CRS"), an aim ("to predict severe CRS") or a measure
  named as an endpoint ("the primary endpoints were ORR and CRS").
- ``carmine_subject`` -> ``span._.subject``: ``P<n>`` after a patient marker ("Patient 2 ...")
  until the next marker.

Cues are data (``configs/patterns/qualifiers.jsonl``, ``context.jsonl``); the engine is
:mod:`pipeline.extract.qualifiers.context`.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import is_background, sentences, text_of, zone_at
from pipeline.extract.lexicon import load_resources
from pipeline.extract.qualifiers.context import ContextQualifier, mark
from pipeline.extract.spans import values_of

_DIGIT = re.compile(r"\d")


@Language.factory("carmine_negation", assigns=["span._.negated"], default_config={"configs": None})
def make_negation(nlp: Language, name: str, configs: str | None) -> ContextQualifier:
    return ContextQualifier(name, "negated", configs)


@Language.factory("carmine_history", assigns=["span._.history"], default_config={"configs": None})
def make_history(nlp: Language, name: str, configs: str | None) -> ContextQualifier:
    return ContextQualifier(name, "history", configs)


@Language.factory("carmine_reported", assigns=["span._.reported"], default_config={"configs": None})
def make_reported(nlp: Language, name: str, configs: str | None) -> ContextQualifier:
    return ContextQualifier(name, "reported", configs)


@Language.factory("carmine_comparator", assigns=["span._.comparator"], default_config={"configs": None})
def make_comparator(nlp: Language, name: str, configs: str | None) -> ContextQualifier:
    return ContextQualifier(name, "comparator", configs)


class HypothesisQualifier:
    """Marks every sentence that is not a result of this study (see the module docstring)."""

    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        # each rule's ``fast`` form: the same matches (lexicon.CaseFolded, first-character lookahead)
        ctx = {row["id"]: row["fast"] for row in res.patterns.rules("context")}
        self.generic, self.patient, self.aim = ctx["generic_cue"], ctx["patient_cue"], ctx["aim_cue"]
        self.endpoint = res.patterns.rule("response", "endpoint")["fast"]

    def reason(self, doc: Doc, s: int, e: int, text: str) -> str | None:
        if is_background(doc, s):
            return "background"
        sent = text[s:e]
        numeric = bool(_DIGIT.search(sent))
        if zone_at(doc, s)[2] == "abstract" and self.generic.search(sent) and not (numeric or self.patient.search(sent)):
            return "field"
        if not numeric and self.aim.search(sent):
            return "aim"
        if self.endpoint.search(sent):
            return "endpoint_named" if not numeric else "endpoint"
        return None

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        found = []
        for s, e in sentences(doc):
            why = self.reason(doc, s, e, text)
            if why is not None:
                found.append((s, e, why))
        mark(doc, "hypothesis", found)
        return doc


@Language.factory("carmine_hypothesis", assigns=["span._.hypothesis"], default_config={"configs": None})
def make_hypothesis(nlp: Language, name: str, configs: str | None) -> HypothesisQualifier:
    return HypothesisQualifier(name, configs)


class SubjectQualifier:
    """``P<n>`` from a patient marker to the next one."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        markers = sorted((v.start, v.number) for _, v in values_of(doc, "markers"))
        if not markers:
            return doc
        text_end = len(text_of(doc))
        bounds = [(start, markers[i + 1][0] if i + 1 < len(markers) else text_end, f"P{n}")
                  for i, (start, n) in enumerate(markers)]
        mark(doc, "subject", bounds)
        return doc


@Language.factory("carmine_subject", assigns=["span._.subject"], requires=["doc.spans"])
def make_subject(nlp: Language, name: str) -> SubjectQualifier:
    return SubjectQualifier(name)
