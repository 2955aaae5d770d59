"""``carmine_terms``: lexicon matching with document-wide abbreviation resolution.

Every lexicon under ``configs/lexicons/`` is matched over the whole Doc text (one
compiled regex per lexicon: case-insensitive synonyms, case-sensitive abbreviations,
longest match first). Then each abbreviation that scispaCy's ``abbreviation_detector``
found (``doc._.abbreviations``, every occurrence of a short form defined anywhere in the
document) takes the labels its long form matches: "retroviral vectors (RV)" makes every
"RV" a retroviral mention, "anti-CD30 chimeric antigen receptor (CAR30)" every "CAR30"
a CD30 and a CAR-T mention.

Writes ``doc._.carmine_terms`` (``{lexicon: [Term]}``, text order) and
``doc.spans["carmine_terms"]`` (label ``lexicon:label``).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components import base  # noqa: F401  (extensions)
from pipeline.extract.components.base import lowered_text, text_of
from pipeline.extract.lexicon import Term, load_resources, lowered


class CarmineTerms:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.resources = load_resources(configs)
        #: long form -> {lexicon: [Term]}; long forms recur across documents, matching is pure
        self._long_cache: dict[str, dict[str, list[Term]]] = {}

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        low = lowered_text(doc)
        found: dict[str, list[Term]] = {}
        for lex_name, lex in self.resources.lexicons.items():
            found[lex_name] = lex.find(text, low=low)
        abbreviations = doc._.abbreviations if doc.has_extension("abbreviations") else []
        if abbreviations:
            long_terms = self._long_cache
            if len(long_terms) > 50000:
                long_terms.clear()
            for short in abbreviations:
                long_form = short._.long_form
                if long_form is None:
                    continue
                # a span's text is the Doc text between its characters (read once, not from its tokens)
                key = text[long_form.start_char:long_form.end_char]
                if key not in long_terms:
                    key_low = lowered(key)
                    long_terms[key] = {n: lex.find(key, low=key_low) for n, lex in self.resources.lexicons.items()}
                s0, s1 = short.start_char, short.end_char
                source = f"{text[s0:s1]}={key}"
                for lex_name, terms in long_terms[key].items():
                    if not terms:
                        continue  # nothing to add (the overlap test below would only skip it)
                    have = found[lex_name]
                    if any(t.start <= s0 < t.end for t in have):
                        continue
                    for t in terms:
                        have.append(Term(lex_name, t.label, s0, s1, source))
            for terms in found.values():
                terms.sort(key=lambda t: t.start)
        self._coordinated(text, found)
        doc._.carmine_terms = found
        spans = []
        for lex_name, terms in found.items():
            for t in terms:
                span = doc.char_span(t.start, t.end, label=f"{lex_name}:{t.label}", alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        doc.spans["carmine_terms"] = spans
        return doc


    def _coordinated(self, text: str, found: dict[str, list[Term]]) -> None:
        """Modifiers coordinated before one plural head noun each name a disease with it: "bile duct,
        pancreatic, and gastric cancers" is three cancers (the lexicon matched only "gastric cancers")."""
        heads = [h for h in _HEADS.finditer(text) if " and " in text[max(0, h.start() - 80):h.start()]
                 or " or " in text[max(0, h.start() - 80):h.start()]]
        if not heads:
            return
        lex = self.resources.lexicons["diseases"]
        have = found["diseases"]
        added = False
        for h in heads:  # read only the stretch before each plural head (the whole text was slow)
            m = next((c for c in _COORDINATED.finditer(text, max(0, h.start() - 150), h.end()) if c.end() == h.end()),
                     None)
            if m is None:
                continue
            head = _SINGULAR.get(m.group("head").lower(), m.group("head"))
            at = m.start("mods")
            for part in _MODIFIER.finditer(m.group("mods")):
                s0, s1 = at + part.start("mod"), at + part.end("mod")
                if any(t.start < s1 and s0 < t.end for t in have):
                    continue  # the modifier is a disease already ("ALL, AML and B-cell lymphomas")
                phrase = f"{part.group('mod')} {head}"
                for t in lex.find(phrase):
                    # the term starts inside the modifier and ends with the head ("with ovarian" + "cancer")
                    if t.start < s1 - s0 and t.end == len(phrase):
                        have.append(Term("diseases", t.label, s0 + t.start, s1, f"{phrase} (coordinated)"))
                        added = True
        if added:
            have.sort(key=lambda t: t.start)


#: a plural disease head noun after coordinated modifiers
_HEADS = re.compile(r"\b(?:cancers|carcinomas|tumou?rs|lymphomas|leuka?emias|sarcomas)\b", re.I)
_MOD = r"[A-Za-z][\w-]*(?:\s+[a-z][\w-]*)?"
_COORDINATED = re.compile(
    rf"(?P<mods>(?:(?:\b{_MOD}\s*,\s*)+(?:{_MOD}\s*,?\s*)?|\b{_MOD}\s+)(?:and|or)\s+)"
    r"[A-Za-z][\w-]*(?:\s+[a-z][\w-]*){0,2}\s+(?P<head>cancers|carcinomas|tumou?rs|lymphomas|leuka?emias|sarcomas)\b",
    re.I)
#: one modifier of such a list (the words before a comma or the last "and")
_MODIFIER = re.compile(rf"(?P<mod>{_MOD})\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)", re.I)
_SINGULAR = {"cancers": "cancer", "carcinomas": "carcinoma", "tumors": "tumor", "tumours": "tumour",
             "lymphomas": "lymphoma", "leukemias": "leukemia", "leukaemias": "leukaemia", "sarcomas": "sarcoma"}


@Language.factory(
    "carmine_terms",
    assigns=["doc._.carmine_terms", "doc.spans"],
    requires=["doc._.abbreviations"],
    default_config={"configs": None},
)
def make_carmine_terms(nlp: Language, name: str, configs: str | None) -> CarmineTerms:
    return CarmineTerms(name, configs)
