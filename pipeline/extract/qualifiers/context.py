"""The ConText engine the qualifiers share (medspaCy's ``context``, EDS-NLP's qualifiers).

A qualifier's rules (``configs/patterns/qualifiers.jsonl``, rows with its ``qualifier``) are
cues with a direction (``forward``, ``backward`` or ``sentence``) and a scope in characters,
pseudo-cues that hide cues they overlap, and terminators that end a scope. The engine finds
each cue's scope inside its sentence; :func:`qualifier_at` answers "is this character
qualified?" for any mention, and every span of the target groups gets the attribute.
"""

from __future__ import annotations

import bisect
from typing import Any

from spacy.tokens import Doc

from pipeline.extract.components.base import lowered_text, sentence_at, text_of
from pipeline.extract.lexicon import load_resources
from pipeline.extract.spans import QUALIFIERS, set_qualifier, spans_of

#: the span groups every qualifier annotates (detector groups and lexicon mentions)
TARGET_GROUPS = ("quantities", "grades", "times", "ages", "sexes", "carmine_terms")


def scopes_of(doc: Doc) -> dict[str, list[tuple[int, int, Any]]]:
    scopes = doc.user_data.get("carmine_scopes")
    if scopes is None:
        scopes = doc.user_data["carmine_scopes"] = {}
    return scopes


def qualifier_at(doc: Doc, name: str, char: int) -> Any:
    """The value qualifier ``name`` gives character ``char`` (None: not qualified)."""
    for s, e, value in scopes_of(doc).get(name, ()):
        if s <= char < e:
            return value
    return None


class ContextQualifier:
    """One qualifier: finds its cues' scopes and sets ``span._.<qualifier>`` on target spans."""

    def __init__(self, name: str, qualifier: str, configs: str | None) -> None:
        self.name = name
        self.qualifier = qualifier
        rows = [r for r in load_resources(configs).patterns.rules("qualifiers") if r.get("qualifier") == qualifier]
        self.cues = [r for r in rows if not r.get("pseudo") and not r.get("terminator")]
        self.pseudo = [r for r in rows if r.get("pseudo")]
        self.terminators = [r for r in rows if r.get("terminator")]

    def find_scopes(self, doc: Doc) -> list[tuple[int, int, Any]]:
        text = text_of(doc)
        low = lowered_text(doc)
        cues = [r for r in self.cues if r["gate"] is None or r["gate"].open(text, low)]
        if not cues:
            return []  # no cue can match: pseudo-cues and terminators have nothing to act on
        found = [(rule, m) for rule in cues for m in rule["fast"].finditer(text)]
        if not found:
            return []
        # pseudo-cues and terminators matter only in the sentences that hold a cue: search those alone
        where = sorted({sentence_at(doc, m.start()) for _, m in found})
        pseudo = [r for r in self.pseudo if r["gate"] is None or r["gate"].open(text, low)]
        hidden = [m.span() for s, e in where for r in pseudo for m in r["fast"].finditer(text, s, e)]
        ends: set[int] = set()
        terminators = [r for r in self.terminators if r["gate"] is None or r["gate"].open(text, low)]
        for s, e in where:  # each terminator's regex once per such sentence: its matches' starts and ends
            for r in terminators:
                for m in r["fast"].finditer(text, s, e):
                    ends.add(m.start())
                    ends.add(m.end())
        stops = sorted(ends)
        out: list[tuple[int, int, Any]] = []
        for rule, m in found:
            if any(a < m.end() and m.start() < b for a, b in hidden):
                continue
            s, e = sentence_at(doc, m.start())
            direction = rule.get("direction", "forward")
            scope = int(rule.get("scope", 100))
            if direction == "sentence":
                out.append((s, e, rule["id"]))
            elif direction == "forward":
                i = bisect.bisect_left(stops, m.end())  # a terminator right at the cue's end ends it there
                stop = min(e, m.end() + scope, stops[i] if i < len(stops) else e)
                out.append((m.start(), stop, rule["id"]))
            else:
                i = bisect.bisect_left(stops, m.start()) - 1
                begin = max(s, m.start() - scope, stops[i] if i >= 0 and stops[i] < m.start() else s)
                out.append((begin, m.end(), rule["id"]))
        return out

    def __call__(self, doc: Doc) -> Doc:
        mark(doc, self.qualifier, self.find_scopes(doc))
        return doc


def mark(doc: Doc, name: str, scopes: list[tuple[int, int, Any]]) -> None:
    """Record qualifier ``name``'s scopes (for :func:`qualifier_at`) and set ``span._.<name>`` on every
    span of :data:`TARGET_GROUPS` that starts inside one (the first scope's value)."""
    if name not in QUALIFIERS:  # set_qualifier writes what the extensions of spans.QUALIFIERS read
        raise ValueError(f"mark: expected a qualifier of {QUALIFIERS}, found {name!r}")
    scopes_of(doc)[name] = scopes
    if not scopes:
        return
    for group in TARGET_GROUPS:
        for span in spans_of(doc, group):
            start = span.start_char
            for s, e, value in scopes:
                if s <= start < e:
                    set_qualifier(span, name, value)
                    break
